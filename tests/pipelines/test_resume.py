"""``curate run --resume`` after a real kill gives the output of a run that was never killed.

A ``curate run`` subprocess is stopped at a stage by the pause hook (:mod:`transforms.pause`)
and SIGKILLed with its whole process group there: while scoring (some pieces finished), in
deduplication (every piece scored) and while writing shards (two worker processes, a shard
written). ``--resume`` then finishes the run in this process; its shards must be byte for byte
those of an uninterrupted run, its manifest the same but for timing and the pieces reused, and
the dead run's lock must not stand in its way. A run made to fail while writing
(``CURATE_FAIL_AT``) keeps its pieces for a resume; a resume over it with another config, or
with an input changed in place (same size), is refused with one line (exit 2).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.fuzz_corpus import write_config, write_fuzz_corpus
from tests.paths import REPO
from tests.pipelines.processes import kill_group

SOURCES = ("lines", "tiny", "gz", "pq")
IN_MEMORY = ("--runner=DirectRunner", "--direct_running_mode=in_memory")
TWO_WORKERS = (
    "--runner=DirectRunner",
    "--direct_running_mode=multi_processing",
    "--direct_num_workers=2",
)
#: Longest wait for a pause point (s): a run takes ~10-60 s on a loaded 2-core machine.
TIMEOUT = 300
#: Stage to kill at -> the runner the killed run uses.
KILLS = {"score": IN_MEMORY, "dedup": IN_MEMORY, "write": TWO_WORKERS}


def curate(*args: str) -> tuple[int, str]:
    """``curate run ARGS`` in this process on the in-memory runner: (exit code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["run", *args, *IN_MEMORY])
    return code, err.getvalue()


def shards(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for kind in ("corpus", "rejects")
        for path in sorted((out / kind).rglob("*.parquet"))
    }


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def kill_at(stage: str, config: Path, out: Path, log: Path) -> None:
    """Start ``curate run`` in its own session, wait until it pauses at ``stage``, SIGKILL
    its process group and check nothing of it survived."""
    flag = log.with_suffix(".paused")
    env = dict(os.environ, CURATE_PAUSE_AT=stage, CURATE_PAUSE_FLAG=str(flag))
    args = ["run", "--config", str(config), "--output", str(out), *KILLS[stage]]
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", *args],
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = time.monotonic()
    try:
        while not flag.exists():
            assert process.poll() is None, f"{stage}: run ended: {log.read_text()[-2000:]}"
            assert time.monotonic() - started < TIMEOUT, f"{stage}: pause never reached"
            time.sleep(0.05)
        assert not kill_group(process), f"{stage}: processes survived the kill"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@dataclass
class Resumed:
    stage: str
    out: Path
    lock: dict  # the killed run's lock, as the resume found it
    left: list[str]  # files in the killed run's work directory
    exit_code: int
    stderr: str


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("resume")


@pytest.fixture(scope="module")
def corpus(root) -> Path:
    """Many small pieces (4 KiB ranges) in several shards: a kill leaves some of each."""
    corpus = write_fuzz_corpus(root / "corpus", seed=7, tiny_records=500, sources=SOURCES)
    return corpus.root


@pytest.fixture(scope="module")
def config(root, corpus) -> Path:
    return write_config(
        corpus, root / "run.yaml", list(SOURCES), split_bytes=4096, target_shard_bytes=65536
    )


@pytest.fixture(scope="module")
def uninterrupted(root, config) -> Path:
    out = root / "uninterrupted"
    code, err = curate("--config", str(config), "--output", str(out))
    assert code == 0, err
    return out


@pytest.fixture(scope="module", params=list(KILLS))
def resumed(request, root, config) -> Resumed:
    stage = request.param
    out = root / f"killed-{stage}"
    kill_at(stage, config, out, root / f"{stage}.log")
    lock = json.loads((out / ".curate-lock").read_text())
    (work_dir,) = out.glob("_tmp-*")
    left = sorted(str(path.relative_to(work_dir)) for path in work_dir.rglob("*.*"))
    code, err = curate("--config", str(config), "--output", str(out), "--resume")
    return Resumed(stage, out, lock, left, code, err)


def test_each_kill_hit_its_stage(resumed):
    pieces = manifest(resumed.out)["resume"]["pieces"]
    checkpoints = [name for name in resumed.left if name.endswith(".done.json")]
    shards_written = [name for name in resumed.left if name.startswith(("corpus/", "rejects/"))]
    if resumed.stage == "score":
        assert 0 < len(checkpoints) < pieces
    else:
        assert len(checkpoints) == pieces
    assert bool(shards_written) == (resumed.stage == "write")


def test_the_resumed_run_is_byte_identical_to_an_uninterrupted_one(resumed, uninterrupted):
    assert resumed.exit_code == 0, resumed.stderr
    assert (resumed.out / "_SUCCESS").exists()
    expected = shards(uninterrupted)
    assert len([name for name in expected if name.startswith("corpus/")]) > 1
    assert shards(resumed.out) == expected
    different = {
        key
        for key in manifest(uninterrupted).keys() | manifest(resumed.out).keys()
        if manifest(uninterrupted).get(key) != manifest(resumed.out).get(key)
    }
    assert different <= {"timing", "resume"}


def test_the_resumed_run_reuses_what_the_killed_run_finished(resumed):
    recorded = manifest(resumed.out)["resume"]
    pieces, reused = recorded["pieces"], recorded["pieces_reused"]
    assert pieces > 50
    if resumed.stage == "score":
        assert 0 < reused < pieces
    else:
        assert reused == pieces
    assert f"reusing {reused} of {pieces} pieces" in resumed.stderr
    assert not list(resumed.out.glob("_tmp-*"))


def test_the_dead_runs_lock_does_not_block_the_resume(resumed):
    with pytest.raises(ProcessLookupError):
        os.kill(resumed.lock["pid"], 0)
    assert "took over the lock of a run that died" in resumed.stderr
    assert not (resumed.out / ".curate-lock").exists()


@dataclass
class Crash:
    """A run made to fail while writing, refused resumes over it, then a resume that works."""

    out: Path
    failed: tuple[int, str]
    other_config: tuple[int, str]
    changed_input: tuple[int, str]
    changed_file: Path
    files_before: list[str]  # what the failed run left
    files_after_refusals: list[str]
    resumed: tuple[int, str]


def _files(out: Path) -> list[str]:
    return sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file())


def _settled_files(out: Path, quiet_s: float = 2.0) -> list[str]:
    """:func:`_files` once two listings ``quiet_s`` apart agree: an in-process run that failed
    can return while another of its bundle threads still finishes the piece it holds."""
    deadline = time.monotonic() + TIMEOUT
    listing = _files(out)
    while True:
        time.sleep(quiet_s)
        again = _files(out)
        if again == listing or time.monotonic() > deadline:
            return again
        listing = again


@pytest.fixture(scope="module")
def crash(root, config, corpus) -> Crash:
    out = root / "crashed"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CURATE_FAIL_AT", "write")
        failed = curate("--config", str(config), "--output", str(out))
    files_before = _settled_files(out)
    other = root / "other.yaml"
    other.write_text(config.read_text().replace("policy: tag", "policy: drop"))
    other_config = curate("--config", str(other), "--output", str(out), "--resume")
    changed = corpus / "tiny" / "tiny.jsonl"
    original = changed.read_bytes()
    position = original.index(b"e", len(original) // 2)
    changed.write_bytes(original[:position] + b"E" + original[position + 1 :])
    try:
        changed_input = curate("--config", str(config), "--output", str(out), "--resume")
    finally:
        changed.write_bytes(original)
    files_after = _files(out)
    resumed = curate("--config", str(config), "--output", str(out), "--resume")
    return Crash(
        out, failed, other_config, changed_input, changed, files_before, files_after, resumed
    )


def test_a_run_that_crashed_keeps_its_pieces_for_resume(crash, uninterrupted):
    code, err = crash.failed
    assert code == 1 and "CURATE_FAIL_AT=write" in err, err
    assert "pieces are scored and kept in" in err
    assert any(name.startswith("_tmp-") for name in crash.files_before)
    code, err = crash.resumed
    assert code == 0, err
    assert shards(crash.out) == shards(uninterrupted)
    assert manifest(crash.out)["resume"]["pieces_reused"] == manifest(crash.out)["resume"]["pieces"]


def _one_line_refusal(code: int, err: str) -> str:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("curate: error: --resume: "), err
    return lines[0]


def test_a_resume_with_another_config_is_refused(crash):
    assert "the config differs" in _one_line_refusal(*crash.other_config)


def test_a_resume_over_an_input_changed_in_place_is_refused(crash):
    assert f"input {crash.changed_file} changed" in _one_line_refusal(*crash.changed_input)


def test_refused_resumes_leave_the_interrupted_run_as_it_was(crash):
    assert crash.files_after_refusals == crash.files_before
