"""The one decision type: kept, rejected, and rejections from per-document verdicts."""

from __future__ import annotations

from curation.decisions import (
    DECISION_COLUMNS,
    Reason,
    Stage,
    kept,
    rejected,
)


def test_every_decision_sets_every_decision_column():
    for decision in (
        kept("k", "cluster", 3),
        rejected("k", Stage.NEAR_DEDUP, Reason.NEAR_DUPLICATE, "j=0.9", "keeper", "cluster"),
    ):
        assert set(decision) == {"_key", "kept", *DECISION_COLUMNS}


def test_kept_and_rejected_fill_their_columns():
    assert kept("k", "c", 2) == {
        "_key": "k",
        "kept": True,
        "reject_stage": None,
        "reject_reason": None,
        "reject_detail": None,
        "duplicate_of": None,
        "dup_cluster_id": "c",
        "dup_cluster_size": 2,
    }
    decision = rejected("k", Stage.IDS, Reason.DUPLICATE_ID, "first at f:1", duplicate_of="d")
    assert decision["kept"] is False
    assert (decision["reject_stage"], decision["reject_reason"]) == ("ids", "duplicate_id")
    assert decision["duplicate_of"] == "d"
    assert decision["dup_cluster_size"] is None
