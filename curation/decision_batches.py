"""Decisions in columns: one Arrow table per batch of documents instead of a dict each.

Shuffles and the shard writers carry decisions as tables of :data:`DECISION_SCHEMA` (the
columns of :class:`~curation.decisions.Decision`), keyed by the input piece their documents
come from, so a runner holds a few arrays per batch rather than Python objects per document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from curation.decisions import Decision
from curation.io.pieces import key_pieces
from curation.tables import split_by

DECISION_SCHEMA = pa.schema(
    [
        ("_key", pa.int64()),
        ("kept", pa.bool_()),
        ("reject_stage", pa.string()),
        ("reject_reason", pa.string()),
        ("reject_detail", pa.string()),
        ("duplicate_of", pa.string()),
        ("dup_cluster_id", pa.string()),
        ("dup_cluster_size", pa.int64()),
    ]
)
assert tuple(DECISION_SCHEMA.names) == tuple(Decision.__annotations__)


def decision_table(decisions: Iterable[Decision]) -> pa.Table:
    """Decision dicts (few: duplicates, clusters) as one table."""
    return pa.Table.from_pylist(list(decisions), schema=DECISION_SCHEMA)


def decision_batch(keys: Any, kept: bool, **columns: Any) -> pa.Table:
    """Decisions of ``keys`` (int64 array or sequence) with ``kept`` for all of them; each
    other column of :data:`DECISION_SCHEMA` is an array of ``len(keys)`` values or absent
    (all null)."""
    count = len(keys)
    arrays = [pa.array(keys, pa.int64()), pa.array(np.full(count, kept), pa.bool_())]
    for field in list(DECISION_SCHEMA)[2:]:
        values = columns.pop(field.name, None)
        arrays.append(pa.nulls(count, field.type) if values is None else _array(values, field))
    if columns:
        raise TypeError(f"not decision columns: {sorted(columns)}")
    return pa.Table.from_arrays(arrays, schema=DECISION_SCHEMA)


def _array(values: Any, field: pa.Field) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.cast(field.type) if isinstance(values, pa.Array) else pa.array(values, field.type)


def by_piece(decisions: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    """``(piece, its decisions)`` for each input piece that ``decisions`` has records of."""
    return split_by(decisions, key_pieces(decisions["_key"].to_numpy()))
