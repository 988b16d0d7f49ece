"""Publishing into the output directory: a swap of whole directories that a stop at any step
leaves unmixed, and the lock that keeps two runs out of one directory."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from curation.config import ConfigError, CurationConfig, adhoc_sources
from pipelines.cli import main
from pipelines.publish import LOCK_FILE, clean_output, publish, refuse_output_inside_inputs
from tests.pipelines.helpers import IN_MEMORY, sample_texts


class Stopped(Exception):
    """Raised where a kill would have stopped the publish."""


def _shards(directory: Path, label: str) -> None:
    directory.mkdir(parents=True)
    for number in range(3):
        (directory / f"part-{number:05d}.parquet").write_text(f"{label} {number}")


def _state(directory: Path) -> str:
    """``old``, ``new`` or ``absent``; anything else (a mix) fails the test."""
    if not directory.exists():
        return "absent"
    labels = {path.read_text().split()[0] for path in directory.iterdir()}
    assert len(labels) == 1 and len(list(directory.iterdir())) == 3, labels
    return labels.pop()


def _setup(out: Path) -> Path:
    for kind in ("corpus", "rejects", "index"):
        _shards(out / kind, "old")
        _shards(out / "_tmp-abc" / kind, "new")
    return out / "_tmp-abc"


def _steps(tmp_path: Path) -> list[str]:
    seen: list[str] = []
    publish(str(_setup(tmp_path / "probe")), str(tmp_path / "probe"), seen.append)
    return seen


def test_a_full_publish_swaps_both_directories(tmp_path):
    out = tmp_path / "out"
    work = _setup(out)
    publish(str(work), str(out))
    assert _state(out / "corpus") == _state(out / "rejects") == _state(out / "index") == "new"
    assert sorted(p.name for p in out.iterdir()) == ["_tmp-abc", "corpus", "index", "rejects"]


def test_a_run_without_an_index_removes_the_old_one(tmp_path):
    out = tmp_path / "out"
    work = _setup(out)
    shutil.rmtree(work / "index")  # e.g. dedup.near: false writes none
    publish(str(work), str(out))
    assert _state(out / "corpus") == "new" and not (out / "index").exists()


def test_a_stop_at_any_step_leaves_each_directory_whole(tmp_path):
    steps = _steps(tmp_path)
    assert len(steps) == 7  # old and new corpus, rejects and index; delete old
    for index, step in enumerate(steps):
        out = tmp_path / f"stopped-{index}"
        work = _setup(out)

        def stop(name: str, at: str = step) -> None:
            if name == at:
                raise Stopped(name)

        with pytest.raises(Stopped):
            publish(str(work), str(out), stop)
        for kind in ("corpus", "rejects", "index"):
            state = _state(out / kind)
            if state == "absent":  # between its two renames: the old one is intact aside
                assert _state(out / "_old-abc" / kind) == "old", (step, kind)
        # the next run clears what the stopped one left
        clean_output(str(out))
        assert not [p for p in out.iterdir() if p.name.startswith(("_tmp-", "_old-"))]


def _input(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir(exist_ok=True)
    path = tmp_path / "in" / "docs.jsonl"
    path.write_text(json.dumps({"id": "a", "text": sample_texts(1)[0]}) + "\n")
    return path


def _lock(out: Path, pid: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    holder = {"pid": pid, "host": socket.gethostname(), "started": "2026-12-04T00:00:00+00:00"}
    (out / LOCK_FILE).write_text(json.dumps(holder))
    (out / ".curate-output").write_text("{}")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_second_run_into_a_locked_output_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    _lock(out, os.getpid())  # a live holder
    for extra in ([], ["--overwrite"]):
        code = main(["run", "--input", str(_input(tmp_path)), "--output", str(out), *extra])
        error = capsys.readouterr().err.strip()
        assert code == 2 and len(error.splitlines()) == 1
        assert f"pid {os.getpid()}" in error and "in use" in error
    assert sorted(p.name for p in out.iterdir()) == [".curate-lock", ".curate-output"]


def test_a_stale_lock_is_taken_over_only_with_overwrite(tmp_path, capsys):
    out = tmp_path / "out"
    pid = _dead_pid()
    _lock(out, pid)
    args = ["run", "--input", str(_input(tmp_path)), "--output", str(out), *IN_MEMORY]
    assert main(args) == 2
    assert "died" in capsys.readouterr().err and (out / LOCK_FILE).exists()
    assert main([*args, "--overwrite"]) == 0
    assert f"'pid': {pid}" in capsys.readouterr().err
    assert (out / "_SUCCESS").exists() and not (out / LOCK_FILE).exists()


@pytest.mark.parametrize(
    "pattern, output, refused",
    [
        ("*.jsonl", "../elsewhere", False),  # the glob lists the current directory only
        ("data*.jsonl", "../elsewhere", False),
        ("*.jsonl", "out", True),
        ("data*.jsonl", "out", True),  # as ./data*.jsonl: the glob's base is "."
        ("data*/x.jsonl", "out", True),
        ("data/*.jsonl", "out", False),
        ("data/*.jsonl", "data/out", True),
    ],
)
def test_a_glob_without_leading_directories_lists_the_current_one(
    tmp_path, monkeypatch, pattern, output, refused
):
    monkeypatch.chdir(tmp_path)
    config = CurationConfig(sources=adhoc_sources([pattern]))
    if refused:
        with pytest.raises(ConfigError, match="is inside input"):
            refuse_output_inside_inputs(output, config)
    else:
        refuse_output_inside_inputs(output, config)
