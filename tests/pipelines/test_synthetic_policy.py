"""The synthetic policies end to end: tag keeps and flags, drop and cap reject flagged text."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from pipelines.cli import main
from tests.paths import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "synthetic_dev.jsonl"


def run(tmp: Path, synthetic: dict) -> tuple[list[dict], list[dict]]:
    config = {
        "sources": [{"name": "dev", "paths": [str(SAMPLE)], "license": "MIT"}],
        "quality": {"reject": False},
        "dedup": {"near": False},
        "synthetic": synthetic,
    }
    name = synthetic["policy"]
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    args = ["run", "--config", str(path), "--output", str(tmp / name)]
    assert main([*args, "--runner=DirectRunner", "--direct_running_mode=in_memory"]) == 0

    def read(kind: str) -> list[dict]:
        shards = sorted((tmp / name / kind).glob("*.parquet"))
        return [row for shard in shards for row in pq.read_table(shard).to_pylist()]

    return read("corpus"), read("rejects")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[list[dict], list[dict]]]:
    tmp = tmp_path_factory.mktemp("synthetic_policy")
    return {
        "tag": run(tmp, {"policy": "tag"}),
        "drop": run(tmp, {"policy": "drop"}),
        "cap": run(tmp, {"policy": "cap", "max_share": 0.0}),
    }


def test_tag_keeps_flagged_documents(runs):
    corpus, _ = runs["tag"]
    assert any(row["synthetic"] for row in corpus), "the sample has detectable chat-model text"
    for row in corpus:
        if row["synthetic_score"] is None:
            assert row["synthetic_signals"]["abstain_reason"]


@pytest.mark.parametrize(("policy", "reason"), [("drop", "synthetic"), ("cap", "synthetic_cap")])
def test_drop_and_zero_cap_reject_exactly_the_flagged(runs, policy, reason):
    flagged = {row["id"] for row in runs["tag"][0] if row["synthetic"]}
    corpus, rejects = runs[policy]
    assert not any(row["synthetic"] for row in corpus)
    assert {row["id"] for row in rejects if row["reject_reason"] == reason} == flagged
