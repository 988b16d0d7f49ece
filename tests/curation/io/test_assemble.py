"""assemble_piece: every document exactly one decision, read rejects none, order kept."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from curation.decision_batches import decision_table
from curation.decisions import kept, rejected
from curation.io.assemble import DecisionMismatch, assemble_piece
from curation.io.pieces import piece_key
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
    return OutputSchemas(rejects.append(pa.field("_key", pa.int64())), corpus, rejects)


SPILL, CORPUS, REJECTS = dataclasses.astuple(small_schemas(("id", pa.string())))


def spilled(*rows: tuple[int, str | None]) -> pa.Table:
    """Spilled rows of piece 3 from ``(row, read reject reason)``."""
    return pa.Table.from_pylist(
        [
            {"id": f"d{row}", "_key": piece_key(3, row), "reject_reason": reason}
            for row, reason in rows
        ],
        schema=SPILL,
    )


def key(row: int) -> int:
    return piece_key(3, row)


def assemble(row_groups: list[pa.Table], decisions: list) -> tuple[pa.Table, pa.Table]:
    parts = list(assemble_piece(row_groups, decision_table(decisions), CORPUS, REJECTS))
    assert len(parts) == len(row_groups)
    corpus, rejects = zip(*parts, strict=True)
    return pa.concat_tables(corpus), pa.concat_tables(rejects)


def test_kept_and_rejected_split_with_decision_columns_row_group_by_row_group():
    row_groups = [spilled((0, None), (1, "invalid_json")), spilled((2, None), (3, None))]
    decisions = [
        kept(key(0), "D0", 2),
        rejected(key(2), "near_dedup", "near_duplicate", None, duplicate_of="D0"),
        kept(key(3)),
    ]
    corpus, rejects = assemble(row_groups, decisions)
    assert corpus.schema == CORPUS and rejects.schema == REJECTS
    assert corpus.to_pylist() == [
        {"id": "d0", "dup_cluster_id": "D0", "dup_cluster_size": 2},
        {"id": "d3", "dup_cluster_id": None, "dup_cluster_size": None},
    ]
    assert rejects.column("id").to_pylist() == ["d1", "d2"]
    assert rejects.column("reject_reason").to_pylist() == ["invalid_json", "near_duplicate"]
    assert rejects.column("duplicate_of").to_pylist() == [None, "D0"]


def test_a_row_group_of_read_rejects_takes_no_decision():
    corpus, rejects = assemble([spilled((0, "invalid_json")), spilled((1, None))], [kept(key(1))])
    assert corpus.column("id").to_pylist() == ["d1"]
    assert rejects.column("id").to_pylist() == ["d0"]


@pytest.mark.parametrize(
    "decisions, message",
    [
        ([], "piece 3 row 0: no decision"),
        ([kept(key(0)), kept(key(0))], "two decisions"),
        ([kept(key(0)), kept(key(7))], "1 decisions for unknown records, e.g. piece 3 row 7"),
        ([kept(key(1))], "no decision"),
    ],
)
def test_lost_or_doubled_decisions_raise(decisions, message):
    with pytest.raises(DecisionMismatch, match=message):
        assemble([spilled((0, None), (1, "invalid_json"))], decisions)
