"""Reruns are reproducible: same input and config give byte-identical shards and the same
manifest except ``timing``, on one in-memory worker or on two worker processes.

The corpus is the fuzz corpus without its huge documents, with small read ranges and shards so
that splitting, shuffling and several shards are all exercised.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.cli import main
from tests.fuzz_corpus import write_config, write_fuzz_corpus

SOURCES = ("lines", "tiny", "empty", "gz", "pq")


def curate(config: Path, out: Path, *beam: str) -> None:
    args = ["run", "--config", str(config), "--output", str(out), "--overwrite", *beam]
    assert main(args) == 0


def in_memory(config: Path, out: Path) -> None:
    curate(config, out, "--runner=DirectRunner", "--direct_running_mode=in_memory")


def shards(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for kind in ("corpus", "rejects")
        for path in sorted((out / kind).glob("*.parquet"))
    }


def manifest(out: Path, *drop: str) -> dict:
    data = json.loads((out / "manifest.json").read_text())
    for key in ("timing", *drop):
        del data[key]
    return data


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rerun")
    corpus = write_fuzz_corpus(root / "corpus", seed=7, tiny_records=500, sources=SOURCES)
    return write_config(
        corpus.root, root / "rerun.yaml", list(SOURCES), split_bytes=4096, target_shard_bytes=65536
    )


@pytest.fixture(scope="module")
def first(config, tmp_path_factory) -> Path:
    """A finished in-memory run, copied aside; the rerun then overwrites the original."""
    out = tmp_path_factory.mktemp("first") / "out"
    in_memory(config, out)
    return Path(shutil.copytree(out, out.with_name("first-copy")))


def test_rerun_overwriting_the_output_is_byte_identical(config, first):
    out = first.with_name("out")
    in_memory(config, out)
    assert (out / "_SUCCESS").exists() and not list(out.glob("_tmp-*"))
    first_shards = shards(first)
    assert len([name for name in first_shards if name.startswith("corpus/")]) > 1
    assert shards(out) == first_shards
    assert manifest(out) == manifest(first)
    assert (
        json.loads((out / "manifest.json").read_text())["timing"]["invocation_id"]
        != (json.loads((first / "manifest.json").read_text())["timing"]["invocation_id"])
    )


def test_two_worker_processes_give_the_same_rows_and_bytes(config, first, tmp_path):
    out = tmp_path / "out"
    curate(
        config,
        out,
        "--runner=DirectRunner",
        "--direct_running_mode=multi_processing",
        "--direct_num_workers=2",
    )
    first_shards, second_shards = shards(first), shards(out)
    assert sorted(second_shards) == sorted(first_shards)
    for name in first_shards:
        assert pq.read_table(out / name).to_pylist() == pq.read_table(first / name).to_pylist()
        assert second_shards[name] == first_shards[name], f"{name}: same rows, different bytes"
    assert manifest(out, "runner") == manifest(first, "runner")
    ranges = [item.get("ranges", 1) for item in manifest(out)["inputs"]]
    assert max(ranges) > 1, "some file should have been read in several byte ranges"
