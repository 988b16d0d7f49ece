"""A killed run never leaves something that looks finished, and a rerun recovers.

``curate run`` is started as a subprocess in its own session over an output holding a
finished run A, with a different input B and ``--overwrite``, and SIGKILLed (its whole process
group) at several points: during start-up (1 s), while the pipeline runs (3 s after its work
directory ``OUT/_tmp-<id>/`` appeared), once shards exist in the work directory, and after the
shards were moved into place but before ``_SUCCESS``. After each kill:

- ``OUT/corpus`` and ``OUT/rejects`` each hold exactly run A's shards, exactly run B's, or
  nothing, never a mix;
- ``_SUCCESS`` exists only if the run was killed before it touched OUT, and then OUT is run A,
  unchanged;
- no process of the run is left.

Finally a rerun with ``--overwrite`` finishes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.fuzz_corpus import write_fuzz_corpus
from tests.paths import REPO
from tests.pipelines.processes import kill_group

IN_MEMORY = ("--runner=DirectRunner", "--direct_running_mode=in_memory")
TWO_WORKERS = (
    "--runner=DirectRunner",
    "--direct_running_mode=multi_processing",
    "--direct_num_workers=2",
)
#: Longest wait for a kill point or a run (s); runs take ~10-30 s on a loaded 2-core machine.
TIMEOUT = 240


def start(config: Path, out: Path, beam: tuple[str, ...], log: Path) -> subprocess.Popen:
    args = ["run", "--config", str(config), "--output", str(out), "--overwrite", *beam]
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", *args],
            cwd=REPO,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def curate_in_process(config: Path, out: Path) -> int:
    """A run that is not killed: in this process, to save an interpreter start."""
    args = ["run", "--config", str(config), "--output", str(out), "--overwrite", *IN_MEMORY]
    with contextlib.redirect_stdout(io.StringIO()):
        return main(args)


def listing(out: Path) -> dict[str, str]:
    """sha256 of every file under OUT outside the work directories."""
    return {
        str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not path.relative_to(out).parts[0].startswith("_tmp-")
    }


def published(manifest: dict, kind: str) -> dict[str, str]:
    return {shard["path"]: shard["sha256"] for shard in manifest["outputs"][kind]}


def tmp_dirs(out: Path) -> set[str]:
    return {path.name for path in out.glob("_tmp-*")}


@dataclass
class KillPoint:
    """When to kill: ``ready(out, tmp dirs before the start, seconds since start)``."""

    name: str
    beam: tuple[str, ...]
    ready: Callable[[Path, set[str], float], bool]


def _after(seconds: float) -> Callable[[Path, set[str], float], bool]:
    return lambda out, before, elapsed: elapsed >= seconds


def _running_for(seconds: float) -> Callable[[Path, set[str], float], bool]:
    """True ``seconds`` after the run's work directory appeared (the pipeline is running)."""
    appeared: list[float] = []

    def ready(out: Path, before: set[str], elapsed: float) -> bool:
        if not appeared and tmp_dirs(out) - before:
            appeared.append(elapsed)
        return bool(appeared) and elapsed - appeared[0] >= seconds

    return ready


def _shards_in_work_dir(out: Path, before: set[str], elapsed: float) -> bool:
    return any(
        any((out / name / kind).glob("part-*.parquet"))
        for name in tmp_dirs(out) - before
        for kind in ("corpus", "rejects")
    )


class _Published:
    """True once the run's own work directory appeared and was removed again (after publish)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, out: Path, before: set[str], elapsed: float) -> bool:
        mine = tmp_dirs(out) - before
        if mine:
            self._seen |= mine
            return False
        return bool(self._seen) and not (out / "_SUCCESS").exists()


KILL_POINTS = [
    KillPoint("after 1 s", IN_MEMORY, _after(1.0)),
    KillPoint("pipeline running", TWO_WORKERS, _running_for(3.0)),
    KillPoint("shards in _tmp", TWO_WORKERS, _shards_in_work_dir),
    KillPoint("published, no _SUCCESS", IN_MEMORY, _Published()),
]


@dataclass
class Observation:
    point: str
    killed: bool
    files: dict[str, str]
    leaked: set[int]
    exit_code: int | None = None


@dataclass
class History:
    """What the kill sequence saw; checked by the tests below."""

    run_a: dict
    files_a: dict[str, str]
    run_b: dict = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    rerun_exit: int | None = None
    tmp_after_rerun: set[str] = field(default_factory=set)


def _kill_at(point: KillPoint, config: Path, out: Path, log: Path) -> Observation:
    before = tmp_dirs(out)
    process = start(config, out, point.beam, log)
    started = time.monotonic()
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - started
            assert elapsed < TIMEOUT, f"{point.name}: never reached"
            if point.ready(out, before, elapsed):
                leaked = kill_group(process)
                return Observation(point.name, True, listing(out), leaked)
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # the run finished before the kill point: fine, it must then be complete
    return Observation(point.name, False, listing(out), set(), process.returncode)


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    root = tmp_path_factory.mktemp("atomic")
    corpus_a = write_fuzz_corpus(root / "a", seed=1, tiny_records=50, sources=("lines",))
    corpus_b = write_fuzz_corpus(
        root / "b", seed=2, tiny_records=1_000, sources=("lines", "tiny", "gz", "pq", "empty")
    )
    out = root / "out"
    curate_in_process(corpus_a.config, out)
    seen = History(json.loads((out / "manifest.json").read_text()), listing(out))
    for number, point in enumerate(KILL_POINTS):
        log = root / f"kill-{number}.log"
        seen.observations.append(_kill_at(point, corpus_b.config, out, log))
    seen.rerun_exit = curate_in_process(corpus_b.config, out)
    seen.run_b = json.loads((out / "manifest.json").read_text())
    seen.tmp_after_rerun = tmp_dirs(out)
    return seen


def test_rerun_with_overwrite_finishes(history):
    assert history.rerun_exit == 0
    assert history.run_b["run_id"] != history.run_a["run_id"]


def test_killed_runs_leave_no_process_behind(history):
    for seen in history.observations:
        assert not seen.leaked, f"{seen.point}: processes {sorted(seen.leaked)} survived"


def test_killed_runs_leave_nothing_that_looks_finished(history):
    for seen in history.observations:
        if not seen.killed:
            assert seen.exit_code == 0 and "_SUCCESS" in seen.files, seen.point
            continue
        if "_SUCCESS" in seen.files:
            # killed before it touched OUT: run A is still there, whole
            assert seen.files == history.files_a, seen.point
            continue
        for kind in ("corpus", "rejects"):
            present = {path: sha for path, sha in seen.files.items() if path.startswith(kind)}
            complete = [{}, published(history.run_a, kind), published(history.run_b, kind)]
            assert present in complete, f"{seen.point}: {kind}/ holds a mix: {sorted(present)}"


def test_kill_points_were_reached(history):
    """The sequence is only meaningful if most kills hit a running pipeline."""
    assert sum(seen.killed for seen in history.observations) >= len(KILL_POINTS) - 1


def test_rerun_removes_work_dirs_of_killed_runs(history):
    assert history.tmp_after_rerun == set()
