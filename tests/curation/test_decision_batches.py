"""Decision tables: built from dicts or columns, split by the piece of their records."""

from __future__ import annotations

import pyarrow as pa
import pytest

from curation.decision_batches import DECISION_SCHEMA, by_piece, decision_batch, decision_table
from curation.decisions import kept, rejected
from curation.io.pieces import piece_key


def test_columns_and_dicts_give_the_same_table():
    keys = [piece_key(0, 1), piece_key(2, 0)]
    columns = decision_batch(
        keys,
        False,
        reject_stage=["ids", "ids"],
        reject_reason=pa.array(["duplicate_id"] * 2),
        duplicate_of=["a", "b"],
    )
    dicts = decision_table(
        rejected(key, "ids", "duplicate_id", None, duplicate_of=keeper)
        for key, keeper in zip(keys, "ab", strict=True)
    )
    assert columns.schema == DECISION_SCHEMA
    assert columns.equals(dicts)
    assert decision_batch([3], True, dup_cluster_size=[1]).to_pylist() == [kept(3, None, 1)]


def test_unknown_column_is_refused():
    with pytest.raises(TypeError, match="reject_detial"):
        decision_batch([1], False, reject_detial=["x"])


def test_by_piece_groups_records_of_each_piece():
    keys = [piece_key(4, 0), piece_key(1, 7), piece_key(4, 2), piece_key(1, 3)]
    decisions = decision_table(kept(key) for key in keys)
    split = {piece: table["_key"].to_pylist() for piece, table in by_piece(decisions)}
    assert split == {1: [piece_key(1, 7), piece_key(1, 3)], 4: [piece_key(4, 0), piece_key(4, 2)]}
    assert list(by_piece(decision_table([]))) == []
