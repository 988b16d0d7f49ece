"""Assembling output rows: a piece's spilled rows plus one decision per document.

Spilled rows are documents with every score (decision columns still empty) and rejects from
reading (decision columns already set). A piece's decisions come as one table sorted by
record key and are applied row group by row group, so memory is bounded by a row group, not
a shard. Each document must receive exactly one decision; anything else is a bug and raises,
because a lost or doubled record must never be written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.decisions import DECISION_COLUMNS
from curation.io.pieces import split_piece_key

KEY_COLUMN = "_key"
#: An edit of a row group before it is split (e.g.
#: :meth:`curation.dedup.repeated.RepeatedRemoval.apply`): ``(rows, scored mask, decisions of
#: the scored rows) -> (rows, decisions)``.
RowGroupEdit = Callable[[pa.Table, np.ndarray, pa.Table], tuple[pa.Table, pa.Table]]


class DecisionMismatch(RuntimeError):
    """A document without a decision, or a decision without a document."""


def _record(key: int) -> str:
    piece, ordinal = split_piece_key(key)
    return f"piece {piece} row {ordinal}"


def assemble_piece(
    row_groups: Iterable[pa.Table],
    decisions: pa.Table,
    corpus_schema: pa.Schema,
    reject_schema: pa.Schema,
    edit: RowGroupEdit | None = None,
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """``(corpus rows, reject rows)`` of each spilled row group of one piece, in spill order,
    each of exactly the given schema; ``edit`` (if given) sees each row group with its
    decisions before the split.

    ``decisions`` are the piece's (:data:`~curation.decision_batches.DECISION_SCHEMA`),
    sorted by key. Rows whose ``reject_reason`` is already set were rejected while reading and
    take no decision.
    """
    keys = decisions[KEY_COLUMN].to_numpy()
    doubled = keys[1:][np.diff(keys) <= 0]
    if doubled.size:
        raise DecisionMismatch(f"{_record(int(doubled[0]))}: two decisions")
    used = 0
    for rows in row_groups:
        scored = pc.is_null(rows["reject_reason"]).to_numpy(zero_copy_only=False)
        row_keys = rows[KEY_COLUMN].to_numpy()[scored]
        taken = decisions.slice(used, len(row_keys))
        if not np.array_equal(taken[KEY_COLUMN].to_numpy(), row_keys):
            missing = np.setdiff1d(row_keys, keys)
            if missing.size:
                raise DecisionMismatch(f"{_record(int(missing[0]))}: no decision")
            raise DecisionMismatch(f"decisions out of step with {_record(int(row_keys[0]))}")
        used += len(row_keys)
        if edit is not None:
            rows, taken = edit(rows, scored, taken)
        yield _split(rows, scored, taken, corpus_schema, reject_schema)
    if used < len(keys):
        raise DecisionMismatch(
            f"{len(keys) - used} decisions for unknown records, e.g. {_record(int(keys[used]))}"
        )


def _split(
    rows: pa.Table,
    scored: np.ndarray,
    decisions: pa.Table,
    corpus_schema: pa.Schema,
    reject_schema: pa.Schema,
) -> tuple[pa.Table, pa.Table]:
    """``rows`` with the decisions of its scored rows (in order) set, split into kept and
    rejected."""
    index = np.full(len(scored), -1)
    index[scored] = np.arange(decisions.num_rows)
    spread = pa.array(index, mask=index < 0)
    scored_mask = pa.array(scored)
    for name in DECISION_COLUMNS:
        position = rows.schema.get_field_index(name)
        values = pc.if_else(scored_mask, decisions[name].take(spread), rows[name])
        rows = rows.set_column(position, name, values.cast(rows.schema.field(name).type))
    kept = pc.fill_null(decisions["kept"].take(spread), False)
    corpus = rows.filter(kept).select(corpus_schema.names).cast(corpus_schema)
    rejects = rows.filter(pc.invert(kept)).select(reject_schema.names)
    return corpus, rejects.cast(reject_schema)
