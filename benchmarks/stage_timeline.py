"""Where the wall time of a local ``curate run`` goes: start-up, each Beam stage, publishing.

Runs ``curate run`` in this process on the local runner (``LocalRunner``, an ``FnApiRunner``,
which executes its fused stages one at a time, each split over the workers) and records when
each stage's bundle started and how long it took. Prints every stage (``--all``) or those of
at least ``--min-seconds``, then a table of phases: start-up (this script's start until the
first stage: imports, planning, building the pipeline), the first stage (worker processes
start), reading before scoring, scoring, dedup, writing, the diversity figures, the run record
and publishing (shards into place, manifest, dataset card, report). Interpreter start-up
before the script's first line is not counted.

Run from the repo root (arguments after ``--`` go to ``curate run``)::

    .venv/bin/python benchmarks/stage_timeline.py -- --config CONFIG --output /tmp/timeline \\
        --overwrite --json
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from apache_beam.runners.portability.fn_api_runner import fn_runner  # noqa: E402

from pipelines.cli import main as curate  # noqa: E402

#: Phase of a stage, from how the first transform of its fused name starts (else "reading").
PHASES = (
    ("Pieces/SpreadNumbered/", "scoring"),
    ("Dedup/", "dedup"),
    ("Write/", "write"),
    ("Diversity/", "diversity figures"),
    ("WriteRunRecord/", "run record"),
    ("AllEntries/", "run record"),
)


def phase_of(stage: str) -> str:
    first = stage.lstrip("(").removeprefix("ref_AppliedPTransform_")
    return next((phase for start, phase in PHASES if first.startswith(start)), "reading")


def record_stages(stages: list[tuple[float, float, str]]) -> None:
    """Wrap the runner's bundle execution to append ``(start s, seconds, stage)``."""
    execute = fn_runner.FnApiRunner._execute_bundle

    def timed(self, context, bundle_context_manager, bundle_input):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        result = execute(self, context, bundle_context_manager, bundle_input)
        end = time.perf_counter()
        stages.append((start - STARTED, end - start, bundle_context_manager.stage.name))
        return result

    fn_runner.FnApiRunner._execute_bundle = timed


def phases(stages: list[tuple[float, float, str]], finished: float) -> dict[str, float]:
    """Seconds per phase; the first stage is its own phase (it starts the workers)."""
    first_start, first_seconds, _ = stages[0]
    totals = {"start-up": first_start, "first stage (workers start)": first_seconds}
    for _, seconds, stage in stages[1:]:
        phase = phase_of(stage)
        totals[phase] = totals.get(phase, 0.0) + seconds
    last_start, last_seconds, _ = stages[-1]
    totals["publish"] = finished - (last_start + last_seconds)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-seconds", type=float, default=0.1, help="stages shown")
    parser.add_argument("--all", action="store_true", help="show every stage")
    parser.add_argument("curate_args", nargs=argparse.REMAINDER, help="-- curate run arguments")
    args = parser.parse_args()
    curate_args = args.curate_args[args.curate_args[:1] == ["--"] :]
    stages: list[tuple[float, float, str]] = []
    record_stages(stages)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        curate(["run", *curate_args])
    if not stages:
        sys.exit("stage_timeline: curate run ran no stage (its error is above)")
    finished = time.perf_counter() - STARTED
    print(f"{len(stages)} stages, {finished:.2f} s\n\n| starts at s | seconds | stage |")
    print("|---:|---:|---|")
    for start, seconds, stage in stages:
        if args.all or seconds >= args.min_seconds:
            print(f"| {start:.2f} | {seconds:.3f} | {stage[:100]} |")
    print("\n| phase | seconds | share |\n|---|---:|---:|")
    for phase, seconds in phases(stages, finished).items():
        print(f"| {phase} | {seconds:.2f} | {seconds / finished:.0%} |")


if __name__ == "__main__":
    main()
