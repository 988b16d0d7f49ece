"""Does DaskRunner scale from 1 to 2 workers? Per-element compute against a GroupByKey.

No curation code: two minimal Beam pipelines, each run on a fresh local cluster (``curate
cluster``'s code: a scheduler and 1 or 2 worker processes with one thread each) with
``--dask_npartitions`` = workers, as ``benchmarks/scaling.py`` runs the pipeline:

- ``compute``: ``Create(range(n))`` -> a Map burning ``--work-us`` of CPU per element -> count,
  like per-document scoring;
- ``shuffle``: ``Create(range(n))`` -> ``(key, 100 bytes)`` with two elements per key ->
  ``GroupByKey`` -> count, like the dedup stage's shuffles (ids, content hashes, joins).

For each it prints the wall time of ``pipeline.run().wait_until_finish()`` on 1 and 2 workers
and the speed-up. Run from the repo root::

    .venv/bin/python benchmarks/dask_shuffle_scaling.py --elements 200000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

import apache_beam as beam

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.run import beam_options  # noqa: E402
from scripts.dask_cluster import start_cluster, stop_cluster  # noqa: E402

PAYLOAD = bytes(100)


def burn(value: int, microseconds: float) -> int:
    """``value``, after spinning the CPU for ``microseconds``."""
    deadline = time.perf_counter() + microseconds / 1e6
    while time.perf_counter() < deadline:
        pass
    return value


def with_payload(value: int, keys: int) -> tuple[str, bytes]:
    return f"key-{value % keys:09d}", PAYLOAD


def build(pipeline: beam.Pipeline, kind: str, elements: int, work_us: float) -> None:
    values = pipeline | "Create" >> beam.Create(range(elements))
    if kind == "compute":
        counted = values | "Burn" >> beam.Map(burn, work_us)
    else:
        counted = (
            values
            | "KeyValue" >> beam.Map(with_payload, max(1, elements // 2))
            | "Group" >> beam.GroupByKey()
        )
    _ = counted | "Count" >> beam.combiners.Count.Globally()


def run_once(kind: str, workers: int, elements: int, work_us: float, logs: Path) -> float:
    """Seconds of one run on a fresh cluster of ``workers`` single-thread worker processes."""
    state = start_cluster(workers, threads=1, log_dir=logs / f"{kind}-{workers}", cwd=str(REPO))
    try:
        options = beam_options(
            [
                "--runner=DaskRunner",
                f"--dask_client_address={state.address}",
                f"--dask_npartitions={workers}",
            ]
        )
        pipeline = beam.Pipeline(options=options)
        build(pipeline, kind, elements, work_us)
        start = time.perf_counter()
        pipeline.run().wait_until_finish()
        return time.perf_counter() - start
    finally:
        _close_default_client()
        stop_cluster(state)


def _close_default_client() -> None:
    """Close the client DaskRunner opened (it never closes it; ``curate run`` exits instead)."""
    from distributed import default_client

    with contextlib.suppress(ValueError):  # ValueError: no client was opened
        default_client().close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=200_000)
    parser.add_argument("--work-us", type=float, default=200.0, help="CPU per element, compute")
    parser.add_argument("--kinds", default="compute,shuffle", help="comma-separated subset")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dask-shuffle-") as logs:
        for kind in args.kinds.split(","):
            seconds = {
                workers: run_once(kind, workers, args.elements, args.work_us, Path(logs))
                for workers in (1, 2)
            }
            result = {
                "pipeline": kind,
                "elements": args.elements,
                "seconds_1_worker": round(seconds[1], 2),
                "seconds_2_workers": round(seconds[2], 2),
                "speedup_2_over_1": round(seconds[1] / seconds[2], 2),
            }
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
