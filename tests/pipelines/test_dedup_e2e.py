"""End-to-end near-duplicate removal on the sample corpus, checked against its ground truth.

One ``curate run`` (in-memory DirectRunner, quality filter not rejecting, default LSH split) on
``pipelines/configs/sample.yaml``; then every planted cluster must keep exactly the member our
keeper policy prefers, and reject the others as duplicates naming it in ``duplicate_of`` (exact
copies too, even when their own group's best copy was itself a near-duplicate), while the
shared-boilerplate hard negatives stay apart.

A MinHash estimate of Jaccard J from 128 permutations has a standard deviation of
sqrt(J(1 - J)/128), about 0.03 near the 0.8 threshold, so a variant whose exact Jaccard to its
original is within ``MARGIN`` (3 standard deviations) above the threshold may fall on either
side: such a variant is checked only if it did join the cluster. Variants at or above
``THRESHOLD + MARGIN`` must join it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

import transforms.dedup
from benchmarks.reference import jaccard, shingles
from curation.config import CurationConfig
from pipelines.cli import SAMPLE_CONFIG, main
from pipelines.run import list_inputs
from tests.paths import REPO, SAMPLE_DIR

GROUND_TRUTH = SAMPLE_DIR / "ground_truth.json"
THRESHOLD = 0.8
MARGIN = 0.1
DUPLICATE_REASONS = {"near_duplicate", "exact_duplicate"}


def curate(config_path: Path, out: Path) -> None:
    args = ["run", "--config", str(config_path), "--output", str(out)]
    assert main(args + ["--runner=DirectRunner", "--direct_running_mode=in_memory"]) == 0


def shard_bytes(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes()
        for kind in ("corpus", "rejects")
        for path in sorted((out / kind).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(config, output)`` of one run on the sample corpus."""
    tmp = tmp_path_factory.mktemp("dedup_e2e")
    config = yaml.safe_load(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    for source in config["sources"]:
        source["paths"] = [str(REPO / path) for path in source["paths"]]
    config["quality"] = {"reject": False}
    config["dedup"] = {"threshold": THRESHOLD}
    config_path = tmp / "config.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    curate(config_path, tmp / "out")
    return config_path, tmp / "out"


@pytest.fixture(scope="module")
def rows(run: tuple[Path, Path]) -> dict[str, dict]:
    """id -> output row (corpus rows get ``kept=True``)."""
    config_path, out = run
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    priority = {source["name"]: source.get("priority", 0) for source in config["sources"]}
    result: dict[str, dict] = {}
    for kind in ("corpus", "rejects"):
        for path in sorted((out / kind).glob("*.parquet")):
            for row in pq.read_table(path).to_pylist():
                row["kept"] = kind == "corpus"
                row["priority"] = priority[row["source"]]
                result.setdefault(row["id"], row)
    return result


def test_the_distributed_dedup_steps_give_the_same_bytes(run, tmp_path, monkeypatch):
    """A run this small deduplicates in one step (``transforms.dedup.in_one_step``); large
    runs take the distributed steps, here forced: the same decisions, byte for byte."""
    config_path, out = run
    config = CurationConfig.model_validate(yaml.safe_load(config_path.read_text(encoding="utf-8")))
    assert transforms.dedup.in_one_step(list_inputs(config)[0])
    monkeypatch.setattr(transforms.dedup, "ONE_STEP_MAX_BYTES", -1)
    curate(config_path, tmp_path / "out")
    assert shard_bytes(tmp_path / "out") == shard_bytes(out)


def keeper_order(row: dict) -> tuple:
    """Keeper policy: not flagged synthetic, higher quality_score, earlier created, higher
    source priority, smallest id (the smallest tuple is kept)."""
    quality = row["quality_score"] if row["quality_score"] is not None else 0.0
    created = row["created"] or "\uffff"
    return (bool(row["synthetic"]), -round(quality, 6), created, -row["priority"], row["id"])


def planted_clusters(rows: dict[str, dict]) -> list[tuple[list[str], list[str]]]:
    """``(certain, borderline)`` members of each planted cluster: the original and the members
    with exact Jaccard >= THRESHOLD + MARGIN to it, and those in [THRESHOLD, THRESHOLD + MARGIN).
    """
    truth = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    groups = [[c["original"], *c["variants"]] for c in truth["near_duplicate_clusters"]]
    groups += [[c["original"], *c["copies"]] for c in truth["exact_duplicates"]]
    clusters = []
    for original, *others in groups:
        base = shingles(rows[original]["text"])
        similarity = {m: jaccard(base, shingles(rows[m]["text"])) for m in others}
        certain = [m for m in others if similarity[m] >= THRESHOLD + MARGIN]
        borderline = [m for m in others if THRESHOLD <= similarity[m] < THRESHOLD + MARGIN]
        if certain:
            clusters.append(([original, *certain], borderline))
    return clusters


def _joined(certain: list[str], borderline: list[str], rows: dict[str, dict]) -> list[str]:
    """The certain members plus the borderline ones that the run put in their cluster."""
    names = set(certain)
    joined = [
        m
        for m in borderline
        if rows[m].get("duplicate_of") in names
        or any(rows[c].get("duplicate_of") == m for c in certain)
    ]
    return certain + joined


def test_sample_has_clusters_above_threshold(rows: dict[str, dict]) -> None:
    assert len(planted_clusters(rows)) >= 15


def test_each_cluster_keeps_exactly_its_best_member(rows: dict[str, dict]) -> None:
    for certain, borderline in planted_clusters(rows):
        members = _joined(certain, borderline, rows)
        kept = [m for m in members if rows[m]["kept"]]
        expected = min(members, key=lambda m: keeper_order(rows[m]))
        assert kept == [expected], (members, kept, expected)
        for member in members:
            if member == expected:
                continue
            row = rows[member]
            assert row["reject_reason"] in DUPLICATE_REASONS, (member, row["reject_reason"])
            assert row["duplicate_of"] == expected, (member, row["duplicate_of"], expected)


def test_hard_negatives_are_not_merged(rows: dict[str, dict]) -> None:
    truth = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    for group in truth["hard_negatives"]:
        assert all(rows[m]["kept"] for m in group)
        assert all(rows[m]["dup_cluster_id"] in (None, m) for m in group)
