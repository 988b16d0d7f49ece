"""`make run`'s pipeline on the shipped sample corpus: contract, junk reasons, conservation."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curation.config import load_config
from curation.plan import resolve_plan
from pipelines.cli import SAMPLE_CONFIG, main
from tests.paths import SAMPLE_DIR

SAMPLE = SAMPLE_DIR


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "out"
    code = main(
        [
            "run",
            "--config",
            str(SAMPLE_CONFIG),
            "--output",
            str(out),
            "--runner=DirectRunner",
            "--direct_running_mode=in_memory",
        ]
    )
    assert code == 0
    return out


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))


def shards(out: Path, kind: str) -> list[Path]:
    return sorted((out / kind).glob("part-*.parquet"))


def rows(out: Path, kind: str) -> list[dict]:
    return [row for path in shards(out, kind) for row in pq.read_table(path).to_pylist()]


def test_shards_have_the_explicit_schema_and_are_not_empty(sample_run):
    schemas = resolve_plan(load_config(SAMPLE_CONFIG)).schemas
    expected = {
        "corpus": schemas.corpus,
        "rejects": schemas.rejects,
    }
    for kind, schema in expected.items():
        assert shards(sample_run, kind), f"no {kind} shard"
        for path in shards(sample_run, kind):
            parquet = pq.ParquetFile(path)
            assert parquet.schema_arrow.equals(schema), path
            assert parquet.metadata.num_rows > 0, f"{path} is empty"
            assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"


def test_every_record_is_accounted_for_per_source(sample_run, truth):
    records = Counter()
    for name, info in truth["files"].items():
        records[name] = info["rows"] or 1  # an empty file is one empty_file reject
    found = Counter(
        Path(row["source_uri"]).name
        for kind in ("corpus", "rejects")
        for row in rows(sample_run, kind)
    )
    assert found == records
    manifest = json.loads((sample_run / "manifest.json").read_text())
    for source, counts in manifest["counts"]["by_source"].items():
        assert counts["input_records"] == counts["kept"] + counts["rejected"], source
    for kind in ("corpus", "rejects"):
        listed = {shard["path"]: shard["rows"] for shard in manifest["outputs"][kind]}
        actual = {
            f"{kind}/{p.name}": pq.ParquetFile(p).metadata.num_rows
            for p in shards(sample_run, kind)
        }
        assert listed == actual


def test_junk_lines_are_rejected_with_their_reasons(sample_run, truth):
    rejects = {
        (Path(row["source_uri"]).name, row["source_record"]): row
        for row in rows(sample_run, "rejects")
    }
    for junk in truth["junk"]:
        row = rejects[(junk["file"], junk["line"])]
        assert row["reject_reason"] == junk["expected_reason"], junk
        if junk["expected_reason"] in ("invalid_json", "invalid_utf8"):
            assert row["raw"], "unparseable records keep their raw bytes"
    empty = rejects[("empty.jsonl", 0)]
    assert empty["reject_reason"] == "empty_file"


def test_kept_documents_carry_provenance(sample_run, truth):
    kept = rows(sample_run, "corpus")
    ids = [row["id"] for row in kept]
    assert len(ids) == len(set(ids))
    languages = {row["lang"] for row in kept}
    assert {"en", "zh", "ar", "he", "ja"} <= languages
    for row in kept:
        assert row["source_uri"] and row["source_record"] >= 1 and row["license"]
        assert row["run_id"].startswith("run-")
    by_id = {row["id"]: row for row in kept}
    for doc_id, lang in truth["language_by_id"].items():
        if doc_id in by_id and by_id[doc_id]["lang_reliable"]:
            assert by_id[doc_id]["lang"] == lang, doc_id


def test_zstd_dolma_and_per_record_licences_are_read(sample_run):
    everything = rows(sample_run, "corpus") + rows(sample_run, "rejects")
    by_source: dict[str, list[dict]] = {}
    for row in everything:
        by_source.setdefault(row["source"], []).append(row)
    debian = by_source["debian_reference"]
    assert all(row["source_uri"].endswith(".jsonl.zst") for row in debian)
    assert not [row for row in debian if row.get("reject_stage") == "read"]
    udhr = [row for row in by_source["udhr"] if row.get("reject_stage") != "read"]
    for row in udhr:  # Dolma layout: url and licence from metadata, the rest kept there
        metadata = json.loads(row["metadata"])
        assert metadata["source"] == "udhr" and metadata["added"]
        assert row["url"] == metadata["metadata"]["url"]
        assert row["license"] == metadata["metadata"]["license"] == "MIT"
        assert row["created"] is not None and row["created_raw"]
    mirror_licences = {row["license"] for row in by_source["web_mirror"]}
    assert mirror_licences == {
        "MIT",
        "PSF-2.0",
        "GPL-2.0-or-later",
        "GFDL-1.3-no-invariants-or-later",
    }


def test_no_planted_cluster_keeps_two_copies(sample_run, truth):
    kept = {row["id"] for row in rows(sample_run, "corpus")}
    for cluster in truth["near_duplicate_clusters"]:
        members = [cluster["original"], *cluster["variants"]]
        close = [
            m
            for m, j in zip(cluster["variants"], cluster["jaccard_word5"], strict=True)
            if j >= 0.9
        ]
        assert len(kept & {cluster["original"], *close}) <= 1, members
    for group in truth["exact_duplicates"]:
        assert len(kept & {group["original"], *group["copies"]}) <= 1, group
