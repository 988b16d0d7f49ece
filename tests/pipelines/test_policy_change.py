"""A threshold change in the config changes exactly the rejects its stored scores predict."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from pipelines.cli import main
from tests.paths import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "python_docs.jsonl.gz"
STRICTER_MIN_WORDS = 450  # Gopher's published minimum is 50; these documents have 300-700


def run(tmp: Path, name: str, quality: dict) -> dict[str, dict]:
    config = {
        "sources": [{"name": "docs", "paths": [str(tmp / "docs.jsonl")]}],
        "quality": quality,
        "dedup": {"exact": False, "near": False},
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp / name
    args = ["run", "--config", str(path), "--output", str(out)]
    assert main([*args, "--runner=DirectRunner", "--direct_running_mode=in_memory"]) == 0
    rows = {}
    for kind in ("corpus", "rejects"):
        for shard in sorted((out / kind).glob("*.parquet")):
            for row in pq.read_table(shard).to_pylist():
                rows[row["id"]] = row
    return rows


@pytest.fixture(scope="module")
def before_after(tmp_path_factory) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("policy")
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(120)]
    (tmp / "docs.jsonl").write_text("".join(lines), encoding="utf-8")
    before = run(tmp, "before", {"reject": True})
    stricter = {"gopher_quality": {"min_words": STRICTER_MIN_WORDS}}
    after = run(tmp, "after", {"reject": True, "scorers": stricter})
    return before, after


def test_only_the_predicted_documents_change(before_after):
    before, after = before_after
    assert before.keys() == after.keys()
    # word_count is the first rule checked (first rule of the first scorer), so every document
    # that reached the quality stage and is now too short is rejected for it, whether it was
    # kept or rejected by a later rule before.
    predicted = {
        doc_id
        for doc_id, row in before.items()
        if row.get("reject_stage") in (None, "quality")
        and row["quality"]["gopher_quality__word_count"] < STRICTER_MIN_WORDS
    }
    assert any(before[doc_id].get("reject_reason") is None for doc_id in predicted)
    changed = {
        doc_id
        for doc_id in before
        if before[doc_id].get("reject_reason") != after[doc_id].get("reject_reason")
    }
    assert changed == predicted
    for doc_id in predicted:
        assert after[doc_id]["reject_reason"] == "quality:gopher_quality.word_count"


def test_scores_are_stored_whatever_the_policy(before_after):
    before, after = before_after
    for doc_id, row in before.items():
        assert row["quality"] == after[doc_id]["quality"]
        assert row["lang"] == after[doc_id]["lang"]
