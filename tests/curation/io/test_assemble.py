"""apply_decisions: every document exactly one decision, read rejects none, order kept."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from curation.decisions import kept, rejected
from curation.io.assemble import DecisionMismatch, apply_decisions
from curation.io.schema import OutputSchemas


def small_schemas(*fields: tuple[str, pa.DataType]) -> OutputSchemas:
    """Spill, corpus and reject schemas with ``fields``, the decision columns and ``_key``."""
    corpus = pa.schema([*fields, ("dup_cluster_id", pa.string()), ("dup_cluster_size", pa.int64())])
    rejects = pa.schema(
        list(corpus)
        + [
            ("reject_stage", pa.string()),
            ("reject_reason", pa.string()),
            ("reject_detail", pa.string()),
            ("duplicate_of", pa.string()),
        ]
    )
    return OutputSchemas(rejects.append(pa.field("_key", pa.string())), corpus, rejects)


SPILL, CORPUS, REJECTS = dataclasses.astuple(small_schemas(("id", pa.string())))


def spilled(*rows: tuple[str, str | None]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"id": key.upper(), "_key": key, "reject_reason": reason} for key, reason in rows],
        schema=SPILL,
    )


def test_kept_and_rejected_split_with_decision_columns():
    table = spilled(("a", None), ("b", "invalid_json"), ("c", None))
    decisions = [
        rejected("c", "near_dedup", "near_duplicate", None, duplicate_of="A"),
        kept("a", "A", 2),
    ]
    corpus, rejects = apply_decisions(table, decisions, CORPUS, REJECTS)
    assert corpus.schema == CORPUS and rejects.schema == REJECTS
    assert corpus.to_pylist() == [{"id": "A", "dup_cluster_id": "A", "dup_cluster_size": 2}]
    assert rejects.column("id").to_pylist() == ["B", "C"]
    assert rejects.column("reject_reason").to_pylist() == ["invalid_json", "near_duplicate"]
    assert rejects.column("duplicate_of").to_pylist() == [None, "A"]


@pytest.mark.parametrize(
    "decisions, message",
    [
        ([], "no decision"),
        ([kept("a"), kept("a")], "two decisions"),
        ([kept("a"), kept("zz")], "unknown records"),
    ],
)
def test_lost_or_doubled_decisions_raise(decisions, message):
    with pytest.raises(DecisionMismatch, match=message):
        apply_decisions(spilled(("a", None)), decisions, CORPUS, REJECTS)
