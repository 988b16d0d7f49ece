"""The output contract: explicit pyarrow schemas of corpus and reject shards.

Corpus rows are kept documents; reject rows carry the same columns (null where the stage
that computes them never ran) plus why and where they were rejected. Columns may be added in
later versions; none is removed or changes meaning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from curation.io.partition import partitioned_schema

_PY_TO_ARROW = {float: pa.float64(), int: pa.int64(), str: pa.string(), bool: pa.bool_()}

LANG_ALTERNATIVE = pa.struct([("lang", pa.string()), ("score", pa.float64())])
LANG_SHARE = pa.struct([("lang", pa.string()), ("share", pa.float64())])


def quality_struct(metric_fields: Sequence[str]) -> pa.StructType:
    """One float field per quality metric, named ``<scorer>__<metric>``."""
    return pa.struct([(name, pa.float64()) for name in metric_fields])


def signals_struct(signal_fields: Mapping[str, type]) -> pa.StructType:
    """The synthetic-text evidence struct, typed from the scorer's declared fields."""
    return pa.struct([(name, _PY_TO_ARROW[kind]) for name, kind in signal_fields.items()])


def corpus_schema(metric_fields: Sequence[str], signal_fields: Mapping[str, type]) -> pa.Schema:
    """Schema of ``OUT/corpus/part-*.parquet``."""
    return pa.schema(
        [
            ("id", pa.string()),
            ("text", pa.string()),
            ("source", pa.string()),
            ("source_uri", pa.string()),
            ("source_record", pa.int64()),
            ("url", pa.string()),
            ("license", pa.string()),
            ("created", pa.timestamp("us", tz="UTC")),
            ("created_raw", pa.string()),
            ("metadata", pa.string()),
            ("content_hash", pa.string()),
            ("text_bytes", pa.int64()),
            ("lang", pa.string()),
            ("lang_score", pa.float64()),
            ("lang_reliable", pa.bool_()),
            ("lang_alternatives", pa.list_(LANG_ALTERNATIVE)),
            ("lang_shares", pa.list_(LANG_SHARE)),
            ("quality", quality_struct(metric_fields)),
            ("quality_score", pa.float64()),
            ("synthetic_score", pa.float64()),
            ("synthetic", pa.bool_()),
            ("synthetic_signals", signals_struct(signal_fields)),
            ("dup_cluster_id", pa.string()),
            ("dup_cluster_size", pa.int64()),
            ("run_id", pa.string()),
        ]
    )


REJECT_COLUMNS = [
    ("reject_stage", pa.string()),
    ("reject_reason", pa.string()),
    ("reject_detail", pa.string()),
    ("duplicate_of", pa.string()),
    ("raw", pa.binary()),
]


def reject_schema(metric_fields: Sequence[str], signal_fields: Mapping[str, type]) -> pa.Schema:
    """Schema of ``OUT/rejects/part-*.parquet``: corpus columns plus the reject columns."""
    schema = corpus_schema(metric_fields, signal_fields)
    for name, kind in REJECT_COLUMNS:
        schema = schema.append(pa.field(name, kind))
    return schema


def spill_schema(metric_fields: Sequence[str], signal_fields: Mapping[str, type]) -> pa.Schema:
    """Schema of a piece's spill file: reject columns plus the internal record key ``_key``
    (:func:`curation.io.pieces.piece_key`)."""
    return reject_schema(metric_fields, signal_fields).append(pa.field("_key", pa.int64()))


def rows_to_table(rows: Sequence[Mapping[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (dicts; missing keys are null, extra keys ignored) to a table of exactly ``schema``."""
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(columns, schema=schema)


@dataclass(frozen=True)
class OutputSchemas:
    """The three schemas of one run, from its quality metrics and synthetic signal fields."""

    spill: pa.Schema
    corpus: pa.Schema
    rejects: pa.Schema

    @classmethod
    def of(
        cls,
        metric_fields: Sequence[str],
        signal_fields: Mapping[str, type],
        partition_by: Sequence[str] = (),
    ) -> OutputSchemas:
        """``partition_by`` columns of the corpus are typed as partition keys."""
        corpus = partitioned_schema(corpus_schema(metric_fields, signal_fields), partition_by)
        return cls(
            spill=spill_schema(metric_fields, signal_fields),
            corpus=corpus,
            rejects=reject_schema(metric_fields, signal_fields),
        )
