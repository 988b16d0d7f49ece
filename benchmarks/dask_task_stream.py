"""Where a DaskRunner run spends its time: dask's task stream of one ``curate run``.

Starts a local cluster (``scripts/dask_cluster.py``: a scheduler and ``--workers`` worker
processes with one thread each), runs ``curate run`` on it as a subprocess, then reads the
scheduler's task stream and prints

- each worker's compute and transfer seconds per ``--bin`` seconds of wall time (a timeline:
  per-document scoring keeps every worker busy; the shuffles after it do not),
- the task count and compute/transfer seconds per task kind (``dask.utils.key_split``),
- one line per shuffle: when it ran and its split/join task counts (a task-based shuffle of
  ``n`` partitions costs ``n * n`` split tasks up to 32 partitions, ``2 * n * sqrt(n)`` above).

Run from the repo root, e.g. on the scaling benchmark's corpus::

    python benchmarks/scaling.py --docs 20000 --runners dask --no-ablation --out /tmp/sc
    python benchmarks/dask_task_stream.py --config /tmp/sc/full.yaml --workers 2
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dask.utils import key_split
from distributed import Client

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.dask_cluster import start_cluster, stop_cluster  # noqa: E402


def run_with_task_stream(config: Path, workers: int, work: Path) -> tuple[float, list[dict]]:
    """``curate run`` on a fresh local cluster; returns (start time, task stream records)."""
    state = start_cluster(workers, threads=1, log_dir=work / "logs", cwd=str(REPO))
    try:
        with Client(state.address) as client:
            start = time.time()
            client.get_task_stream(start=start)  # installs the scheduler's task-stream plugin
            command = [sys.executable, "-m", "pipelines.cli", "run", "--config", str(config)]
            command += ["--output", str(work / "out"), "--overwrite", "--runner=DaskRunner"]
            command += [f"--dask_client_address={state.address}"]
            command += [f"--dask_npartitions={workers}"]
            subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
            print(f"wall {time.time() - start:.1f} s")
            return start, client.get_task_stream(start=start)
    finally:
        stop_cluster(state)


def _durations(task: dict) -> dict[str, float]:
    spent: dict[str, float] = collections.Counter()
    for span in task["startstops"]:
        spent[span["action"]] += span["stop"] - span["start"]
    return spent


def print_timeline(start: float, tasks: list[dict[str, Any]], width: float) -> None:
    """Compute (c) and transfer (t) seconds of each worker per ``width`` seconds of wall time."""
    bins: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for task in tasks:
        for span in task["startstops"]:
            begin, end = span["start"] - start, span["stop"] - start
            while begin < end:
                index = int(begin // width)
                cut = min(end, (index + 1) * width)
                bins[index][(task["worker"], span["action"])] += cut - begin
                begin = cut
    workers = sorted({task["worker"] for task in tasks})
    for index in sorted(bins):
        cells = [
            f"c {bins[index][(w, 'compute')]:5.1f} t {bins[index][(w, 'transfer')]:5.1f}"
            for w in workers
        ]
        print(f"{index * width:6.0f} s  " + " | ".join(cells))


def print_task_kinds(tasks: list[dict[str, Any]]) -> None:
    count: collections.Counter = collections.Counter()
    spent: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for task in tasks:
        kind = key_split(task["key"])
        count[kind] += 1
        spent[kind].update(_durations(task))
    print(f"{len(tasks)} tasks")
    for kind, n in count.most_common():
        print(
            f"{n:6d} tasks {spent[kind]['compute']:8.1f} s compute "
            f"{spent[kind]['transfer']:7.1f} s transfer  {kind}"
        )


def print_shuffles(start: float, tasks: list[dict[str, Any]]) -> None:
    """One line per task-based shuffle (dask names its tasks shuffle-split/join-<token>)."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    first: dict[str, float] = {}
    for task in tasks:
        name = task["key"][0] if isinstance(task["key"], tuple) else task["key"]
        for kind in ("split", "join"):
            if name.startswith(f"shuffle-{kind}-"):
                token = name.rsplit("-", 1)[1][:8]
                counts[token][kind] += 1
                first[token] = min(first.get(token, 1e18), task["startstops"][0]["start"])
    print(f"{len(counts)} shuffles")
    for token in sorted(counts, key=first.get):
        splits, joins = counts[token]["split"], counts[token]["join"]
        print(f"{first[token] - start:7.1f} s  {token}  {splits:5d} splits {joins:4d} joins")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True, help="curate run config (YAML)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bin", type=float, default=10.0, help="timeline resolution, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dask-stream-") as work:
        start, tasks = run_with_task_stream(args.config.resolve(), args.workers, Path(work))
    print_timeline(start, tasks, args.bin)
    print_task_kinds(tasks)
    print_shuffles(start, tasks)


if __name__ == "__main__":
    main()
