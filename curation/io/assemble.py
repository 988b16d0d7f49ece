"""Assembling output tables: a shard's spilled rows plus one decision per document.

Spilled rows are documents with every score (decision columns still empty) and rejects from
reading (decision columns already set). Each document must receive exactly one decision;
anything else is a bug and raises, because a lost or doubled record must never be written.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from curation.decisions import DECISION_COLUMNS, Decision

KEY_COLUMN = "_key"


class DecisionMismatch(RuntimeError):
    """A document without a decision, or a decision without a document."""


def apply_decisions(
    spilled: pa.Table,
    decisions: Iterable[Decision],
    corpus_schema: pa.Schema,
    reject_schema: pa.Schema,
) -> tuple[pa.Table, pa.Table]:
    """Split ``spilled`` into (corpus, rejects) tables of exactly the given schemas.

    Rows keep their spill order (input order). Rows whose ``reject_reason`` is already set
    were rejected while reading and take no decision.
    """
    by_key: dict[str, Decision] = {}
    for decision in decisions:
        if decision["_key"] in by_key:
            raise DecisionMismatch(f"record {decision['_key']!r}: two decisions")
        by_key[decision["_key"]] = decision
    columns = {name: spilled.column(name).to_pylist() for name in DECISION_COLUMNS}
    keys = spilled.column(KEY_COLUMN).to_pylist()
    kept = []
    for row, (key, read_reason) in enumerate(zip(keys, columns["reject_reason"], strict=True)):
        if read_reason is not None:
            kept.append(False)
            continue
        decision = by_key.pop(key, None)
        if decision is None:
            raise DecisionMismatch(f"record {key!r}: no decision")
        kept.append(bool(decision["kept"]))
        for name in DECISION_COLUMNS:
            columns[name][row] = decision[name]
    if by_key:
        raise DecisionMismatch(f"{len(by_key)} decisions for unknown records, e.g. {min(by_key)!r}")
    table = spilled
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pa.array(values, table.schema.field(name).type))
    mask = pa.array(kept, pa.bool_())
    corpus = table.filter(mask).select(corpus_schema.names).cast(corpus_schema)
    rejects = table.filter(pc.invert(mask)).select(reject_schema.names)
    return corpus, rejects.cast(reject_schema)
