"""A real ``curate run`` output (the tiny corpus) read with the usual tools: pyarrow.dataset,
DuckDB, pandas and Hugging Face ``datasets``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from tests.tiny_corpus import EXPECTED_KEPT, EXPECTED_REJECTS


@pytest.fixture(scope="module")
def out(tiny_out) -> Path:
    return tiny_out


def test_pyarrow_dataset_reads_typed_columns(out):
    corpus = ds.dataset(out / "corpus", format="parquet").to_table()
    rejects = ds.dataset(out / "rejects", format="parquet").to_table()
    assert corpus.num_rows == EXPECTED_KEPT
    assert rejects.num_rows == sum(EXPECTED_REJECTS.values())
    assert corpus.schema.field("source_record").type == pa.int64()
    assert corpus.schema.field("synthetic_score").type == pa.float64()
    assert pa.types.is_struct(corpus.schema.field("quality").type)
    assert pa.types.is_list(corpus.schema.field("lang_alternatives").type)
    assert rejects.schema.field("raw").type == pa.binary()
    assert set(corpus.schema.names) < set(rejects.schema.names)


def test_duckdb_reads_shards_with_a_glob(out):
    by_lang = dict(
        duckdb.sql(
            f"SELECT lang, count(*) FROM read_parquet('{out}/corpus/*.parquet') GROUP BY lang"
        ).fetchall()
    )
    assert by_lang == {"en": 14, "de": 6}
    reasons = dict(
        duckdb.sql(
            f"SELECT reject_reason, count(*) FROM read_parquet('{out}/rejects/*.parquet') "
            "GROUP BY 1"
        ).fetchall()
    )
    assert reasons == EXPECTED_REJECTS
    word_count = duckdb.sql(
        "SELECT min(quality.gopher_quality__word_count) "
        f"FROM read_parquet('{out}/corpus/*.parquet')"
    ).fetchall()[0][0]
    assert word_count >= 50


def test_pandas_reads_the_directory(out):
    frame = pd.read_parquet(out / "corpus")
    assert len(frame) == EXPECTED_KEPT
    assert frame["source_record"].dtype == "int64"
    assert frame["synthetic_score"].dtype == "float64"
    assert frame.groupby("source").size().to_dict() == {"forum": 6, "news": 14}
    assert frame["id"].is_unique


def test_the_output_root_is_a_hugging_face_dataset(out, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets = pytest.importorskip("datasets")
    cache = str(tmp_path / "cache")
    corpus = datasets.load_dataset(str(out), split="train", cache_dir=cache)
    rejects = datasets.load_dataset(str(out), "rejects", split="train", cache_dir=cache)
    assert corpus.num_rows == EXPECTED_KEPT
    assert rejects.num_rows == sum(EXPECTED_REJECTS.values())
    assert "reject_reason" in rejects.features and "reject_reason" not in corpus.features
    card = (out / "README.md").read_text()
    assert "run-" in card and "| news | cc-by-4.0 |" in card


def test_hugging_face_datasets_loads_offline(out, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets = pytest.importorskip("datasets")
    files = sorted(str(p) for p in (out / "corpus").glob("part-*.parquet"))
    loaded = datasets.load_dataset(
        "parquet", data_files=files, split="train", cache_dir=str(tmp_path / "cache")
    )
    assert loaded.num_rows == EXPECTED_KEPT
    assert loaded.features["source_record"].dtype == "int64"
    assert loaded.features["synthetic_score"].dtype == "float64"
    assert set(loaded.features["quality"]) >= {"gopher_quality__word_count"}
    assert sorted(set(loaded["lang"])) == ["de", "en"]
