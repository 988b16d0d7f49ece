"""Failures from the environment are one line naming the cause."""

from __future__ import annotations

import errno
import json

import pytest

import pipelines.run
from pipelines.cli import main
from pipelines.failures import cause_of
from tests.pipelines.helpers import IN_MEMORY, sample_texts


def _raised(outer: type[Exception], inner: BaseException) -> BaseException:
    try:
        try:
            raise inner
        except BaseException as error:
            raise outer("wrapped by the runner") from error
    except BaseException as error:
        return error


def test_the_cause_names_the_path_or_address():
    full = OSError(errno.ENOSPC, "No space left on device", "/data/out/_tmp-1/spill/p-3")
    assert cause_of(_raised(RuntimeError, full)) == (
        "OSError: No space left on device: /data/out/_tmp-1/spill/p-3"
    )
    timeout = OSError("Timed out trying to connect to tcp://10.0.0.9:8786 after 30 s")
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        except ConnectionRefusedError as refused:
            raise timeout from refused
    except OSError as error:
        assert "tcp://10.0.0.9:8786" in cause_of(error)
    remote = RuntimeError(
        "Pipeline failed\nTraceback (most recent call last):\n  File x\n"
        "PermissionError: [Errno 13] Permission denied: '/data/in/a.jsonl'\n"
    )
    assert cause_of(remote) == "PermissionError: [Errno 13] Permission denied: '/data/in/a.jsonl'"


@pytest.mark.parametrize("verbose", [False, True])
def test_a_failure_while_publishing_is_one_line(tmp_path, capsys, monkeypatch, verbose):
    (tmp_path / "in").mkdir()
    data = tmp_path / "in" / "docs.jsonl"
    data.write_text(json.dumps({"text": sample_texts(1)[0]}) + "\n")
    out = tmp_path / "out"

    def disk_full(work_dir: str, output: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", f"{output}/corpus")

    monkeypatch.setattr(pipelines.run, "publish", disk_full)
    args = ["run", "--input", str(data), "--output", str(out), *IN_MEMORY]
    if verbose:
        with pytest.raises(OSError):
            main(["--verbose", *args])
        return
    assert main(args) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == f"curate: run failed: OSError: No space left on device: {out}/corpus"
    assert not (out / ".curate-lock").exists()  # released
    assert not (out / "_SUCCESS").exists()


def test_an_unreachable_dask_scheduler_is_one_line(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    data = tmp_path / "in" / "docs.jsonl"
    data.write_text(json.dumps({"text": sample_texts(1)[0]}) + "\n")
    args = ["run", "--input", str(data), "--output", str(tmp_path / "out"), "--runner=DaskRunner"]
    args += ["--dask_client_address=127.0.0.1:9", "--dask_npartitions=1"]  # port 9: nobody
    args += ["--dask_connection_timeout=2"]  # Beam's option; the default waits 30 s
    assert main(args) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("curate: run failed: OSError: ") and "127.0.0.1:9" in error
