"""A run on a Dask cluster whose workers have less memory than the run needs in one process.

1. Generates ``--docs`` multilingual documents (:func:`benchmarks.scaling.generate`) and runs
   ``curate run --runner=DaskRunner`` on a local cluster (:mod:`scripts.dask_cluster`) of one
   worker without a memory limit: that worker's peak PSS is what the run needs in one process.
2. Runs it again on a fresh cluster of ``--workers`` workers, each with Dask's
   ``--memory-limit`` set to ``--limit-share`` of that peak. Past 60 % of its limit a worker
   moves data to disk (Dask's default). Dask would also pause a worker past 80 % until it is
   back below, which never happens when the worker's fixed memory (Beam, the models: ~0.4 GiB)
   is that much of the limit: the run would hang, so pausing is switched off here
   (``DASK_DISTRIBUTED__WORKER__MEMORY__PAUSE=False``); the workers run without a nanny, so
   nothing is killed either.

Reported per run, one JSON line each: seconds, kept/rejected (which must agree), each worker's
peak PSS (sampled at :mod:`benchmarks.measure`'s pace) and the bytes it wrote to disk (the
``SpillBuffer``'s cumulative disk writes, read before the cluster stops), and the 1-minute load
average at the start.

Run from the repo root::

    .venv/bin/python benchmarks/dask_memory_limit.py --docs 30000 --out /tmp/dask-limit
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.measure import pss_bytes, run_measured, sample_until  # noqa: E402
from benchmarks.scaling import generate, write_config  # noqa: E402
from scripts.dask_cluster import start_cluster, stop_cluster  # noqa: E402


def curate_command(config: Path, output: Path, runner_args: list[str]) -> list[str]:
    return [
        sys.executable, "-m", "pipelines.cli", "run", "--config", str(config),
        "--output", str(output), "--overwrite", "--json", *runner_args,
    ]  # fmt: skip


def spilled_bytes(address: str) -> dict[str, int]:
    """Bytes each worker has written to disk since it started: the ``SpillBuffer``'s
    cumulative ``disk-write`` metric (its ``spilled_total`` is only what is on disk now,
    which is nothing once the run has consumed it)."""
    from distributed import Client

    def total(dask_worker) -> int:  # noqa: ANN001 - Dask passes its Worker
        metrics = getattr(dask_worker.data, "cumulative_metrics", {})
        return int(metrics.get(("disk-write", "bytes"), 0))

    with Client(address) as client:
        return client.run(total)


class PeakPss:
    """Samples the PSS of the given pids in a thread, paced like :func:`run_measured`;
    ``peaks`` per pid, bytes."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.peaks = dict.fromkeys(pids, 0)
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=sample_until, args=(self._done, self._sample), daemon=True
        )

    def _sample(self) -> None:
        for pid in self.peaks:
            self.peaks[pid] = max(self.peaks[pid], pss_bytes(pid))

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


def dask_run(config: Path, out: Path, workers: int, limit: str | None) -> dict:
    """``curate run`` on a fresh local cluster of ``workers`` workers (each limited to
    ``limit``, if given): seconds, counts, each worker's peak PSS and bytes spilled."""
    state = start_cluster(
        workers, threads=1, log_dir=out / "dask-logs", cwd=str(REPO), memory_limit=limit
    )
    try:
        pids = [entry.pid for entry in state.processes if entry.role == "worker"]
        runner = ["--runner=DaskRunner", f"--dask_client_address={state.address}",
                  f"--dask_npartitions={workers}"]  # fmt: skip
        with PeakPss(pids) as sampled:
            measured = run_measured(curate_command(config, out / "run", runner), out / "log", REPO)
        spilled = spilled_bytes(state.address)
    finally:
        stop_cluster(state)
    counts = json.loads(measured["stdout"])
    return {
        "workers": workers,
        "limit": limit,
        "seconds": measured["seconds"],
        "worker_peak_pss_mib": [round(peak / 2**20) for peak in sampled.peaks.values()],
        "worker_spilled_mib": [round(value / 2**20) for value in spilled.values()],
        "kept": counts["kept"],
        "rejected": counts["rejected"],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit-share", type=float, default=0.5)
    parser.add_argument("--out", type=Path, required=True, help="work directory")
    args = parser.parse_args(argv)
    os.environ["DASK_DISTRIBUTED__WORKER__MEMORY__PAUSE"] = "False"  # inherited by the workers
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = args.out / f"corpus-{args.docs}.jsonl"
    if not corpus.exists():
        generate(corpus, args.docs, 2_000, 0.05, 0.05, seed=0)
    config = write_config(args.out / "config.yaml", corpus, {}, None)
    load = os.getloadavg()[0]
    alone = dask_run(config, args.out / "one-worker", 1, None)
    print(json.dumps(dict(alone, load=load)), flush=True)
    limit_mib = int(alone["worker_peak_pss_mib"][0] * args.limit_share)
    load = os.getloadavg()[0]
    limited = dask_run(config, args.out / "limited", args.workers, f"{limit_mib}MiB")
    print(json.dumps(dict(limited, load=load)), flush=True)


if __name__ == "__main__":
    main()
