"""The sample corpus gives the same outputs on a real Dask cluster as on DirectRunner.

A scheduler and two single-thread worker processes are started as separate OS processes
(``scripts.dask_cluster.start_cluster``: ``python -m distributed.cli.dask_scheduler`` /
``dask_worker``) and stopped in ``finally``. Both ``curate run`` invocations are subprocesses
started at the same time (the DirectRunner one in-memory on one core), from the repo root so
the sample config's relative paths resolve; the Dask workers run there too.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pytest.importorskip("distributed")

from scripts.dask_cluster import running_processes, start_cluster, stop_cluster  # noqa: E402
from tests.paths import REPO, SAMPLE_CONFIG

#: Upper bound of one sample run (about 20 s on DirectRunner, 40 s on 2 Dask workers).
RUN_TIMEOUT_S = 240


def _curate_run(output: Path, beam_args: list[str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipelines.cli", "run", "--config", str(SAMPLE_CONFIG)]
    command += ["--output", str(output), "--json", *beam_args]
    return subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process: subprocess.Popen) -> None:
    try:
        _, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr[-3000:]


def _shard_digests(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.glob("*.parquet"))
    }


def _sorted_table(directory: Path) -> pa.Table:
    tables = [pq.read_table(path) for path in sorted(directory.glob("*.parquet"))]
    table = pa.concat_tables(tables)
    keys = [("id", "ascending"), ("source_uri", "ascending"), ("source_record", "ascending")]
    return table.sort_by(keys)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(dask_output, direct_output) of the sample corpus."""
    root = tmp_path_factory.mktemp("dask_identity")
    dask_out, direct_out = root / "dask", root / "direct"
    cluster = start_cluster(workers=2, threads=1, log_dir=root / "logs", cwd=str(REPO))
    processes: list[subprocess.Popen] = []
    try:
        processes.append(
            _curate_run(direct_out, ["--runner=DirectRunner", "--direct_running_mode=in_memory"])
        )
        dask_args = ["--runner=DaskRunner", f"--dask_client_address={cluster.address}"]
        processes.append(_curate_run(dask_out, dask_args))
        for process in processes:
            _finish(process)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        stop_cluster(cluster)
        assert running_processes(cluster) == []
    return dask_out, direct_out


@pytest.mark.parametrize("kind", ["corpus", "rejects"])
def test_same_rows_and_values(runs: tuple[Path, Path], kind: str) -> None:
    dask_out, direct_out = runs
    dask_table, direct_table = _sorted_table(dask_out / kind), _sorted_table(direct_out / kind)
    assert dask_table.num_rows > 0
    assert dask_table.schema == direct_table.schema
    assert dask_table.equals(direct_table)


@pytest.mark.parametrize("kind", ["corpus", "rejects"])
def test_byte_identical_shards(runs: tuple[Path, Path], kind: str) -> None:
    dask_out, direct_out = runs
    assert _shard_digests(dask_out / kind) == _shard_digests(direct_out / kind)


def test_same_manifest(runs: tuple[Path, Path]) -> None:
    dask, direct = (json.loads((out / "manifest.json").read_text()) for out in runs)
    assert dask["runner"]["runner"].endswith("DaskRunner")
    assert dask["run_id"] == direct["run_id"]
    assert dask["counts"] == direct["counts"]
    assert dask["outputs"] == direct["outputs"]
    assert all((out / "_SUCCESS").exists() for out in runs)


def test_no_empty_shards(runs: tuple[Path, Path]) -> None:
    for out in runs:
        for kind in ("corpus", "rejects"):
            shards = sorted((out / kind).glob("*.parquet"))
            assert shards, f"{out / kind} has no shards"
            for shard in shards:
                assert pq.ParquetFile(shard).metadata.num_rows > 0, shard
