"""``output.partition_by``: Hive-style corpus directories that every reader understands."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.cli import main
from tests.pipelines.helpers import run_cli
from tests.tiny_corpus import EXPECTED_KEPT, write_tiny_corpus


def _run(root: Path, out: Path) -> Path:
    config = write_tiny_corpus(root)
    config.write_text(config.read_text() + "output: {partition_by: [lang]}\n")
    assert run_cli("--config", str(config), "--output", str(out)) == 0
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("partitioned")
    return _run(root, root / "out")


def test_the_corpus_is_split_into_hive_directories(out):
    shards = sorted(
        p.relative_to(out / "corpus").as_posix() for p in out.glob("corpus/**/*.parquet")
    )
    assert shards == ["lang=de/part-00000.parquet", "lang=en/part-00000.parquet"]
    assert [p.name for p in (out / "rejects").iterdir()] == ["part-00000.parquet"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(e["path"] for e in manifest["outputs"]["corpus"]) == [
        f"corpus/{shard}" for shard in shards
    ]


def test_pandas_duckdb_and_datasets_read_the_partitions(out, tmp_path, monkeypatch):
    frame = pd.read_parquet(out / "corpus")
    assert len(frame) == EXPECTED_KEPT
    assert frame.groupby("lang", observed=True).size().to_dict() == {"de": 6, "en": 14}
    found = duckdb.sql(
        f"SELECT lang, count(*) FROM read_parquet('{out}/corpus/**/*.parquet', "
        "hive_partitioning = true) GROUP BY lang ORDER BY lang"
    ).fetchall()
    assert found == [("de", 6), ("en", 14)]
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "c"))
    assert sorted(set(loaded["lang"])) == ["de", "en"] and loaded.num_rows == EXPECTED_KEPT


def test_inspect_finds_the_partitioned_shards(out, capsys):
    assert main(["inspect", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["kept"] == EXPECTED_KEPT and summary["check"]["mismatches"] == []
    german = out / "corpus" / "lang=de"
    for selected in (german, next(german.glob("part-*.parquet"))):
        assert main(["inspect", str(selected), "--json"]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["kept"] == 6
        assert summary["check"]["manifest"] == str(out / "manifest.json")  # checked against it
        assert summary["check"]["mismatches"] == []


def test_partitioned_reruns_are_byte_identical(out):
    again = out.parent / "again"
    assert run_cli("--config", str(out.parent / "config.yaml"), "--output", str(again)) == 0

    def digests(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.glob("*/**/*.parquet"))
        }

    assert digests(again) == digests(out)
