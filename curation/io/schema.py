"""The output contract: explicit pyarrow schemas of corpus and reject shards.

Corpus rows are kept documents; reject rows carry the same columns (null where the stage
that computes them never ran) plus why and where they were rejected. Columns may be added in
later versions; none is removed or changes meaning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin, get_type_hints, is_typeddict

import pyarrow as pa

from curation.io.partition import partitioned_schema

#: Version of the shard schema, in each shard's key-value metadata. 2: counts are int64
#: (``quality.*_count``, ``*_lines``), ``synthetic_signals.top_features`` a list of structs.
SCHEMA_VERSION = 2
#: Keys of the Parquet key-value metadata of every corpus and reject shard.
RUN_ID_KEY, SCHEMA_VERSION_KEY, CONFIG_SHA256_KEY = (
    "curate.run_id",
    "curate.schema_version",
    "curate.config_sha256",
)

_PY_TO_ARROW = {float: pa.float64(), int: pa.int64(), str: pa.string(), bool: pa.bool_()}


def arrow_type(kind: Any) -> pa.DataType:
    """The Arrow type of a declared Python field type: ``float``, ``int``, ``str``, ``bool``,
    ``list[T]``, or a ``TypedDict`` (a struct of its fields, in order)."""
    if is_typeddict(kind):
        return pa.struct([(name, arrow_type(t)) for name, t in get_type_hints(kind).items()])
    if get_origin(kind) is list:
        return pa.list_(arrow_type(get_args(kind)[0]))
    return _PY_TO_ARROW[kind]


def file_metadata(run_id: str, config_sha256: str) -> dict[str, str]:
    """The Parquet key-value metadata of a run's shards."""
    return {
        RUN_ID_KEY: run_id,
        SCHEMA_VERSION_KEY: str(SCHEMA_VERSION),
        CONFIG_SHA256_KEY: config_sha256,
    }


LANG_ALTERNATIVE = pa.struct([("lang", pa.string()), ("score", pa.float64())])
LANG_SHARE = pa.struct([("lang", pa.string()), ("share", pa.float64())])
#: One edit of a document's text, in the order they were made: the step that made it
#: (``pii_redaction``, ``plugin:<name>``, ``repeated_paragraphs`` / ``repeated_lines``), the
#: spans it replaced or removed (null when the step does not say) and the text's length in
#: characters before and after.
TEXT_EDIT = pa.struct(
    [
        ("step", pa.string()),
        ("spans", pa.int64()),
        ("chars_before", pa.int64()),
        ("chars_after", pa.int64()),
    ]
)
#: Column of the runs whose steps may edit the text (PII redaction, plug-ins' ``format``,
#: repeated-segment removal).
TEXT_EDITS_COLUMN = pa.field("text_edits", pa.list_(TEXT_EDIT))
#: Column of the runs with ``dedup.repeated``: the character spans ``[start, end)`` of the
#: repeated paragraphs or lines removed from the text, in the text before their removal (one
#: per removed segment, in order; null when nothing was removed).
REPEATED_SPANS_COLUMN = pa.field(
    "repeated_spans", pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64())]))
)
#: Columns a run with plug-ins adds at the end of the corpus columns (absent otherwise, so
#: the output of a run without plug-ins is what it was before they existed).
PLUGIN_COLUMNS = [
    pa.field("plugin_scores", pa.map_(pa.string(), pa.float64())),  # "<plugin>.<key>" -> score
]


def pii_columns(pii_types: Sequence[str]) -> list[pa.Field]:
    """The column a run with ``pii.policy`` other than ``off`` adds at the end of the corpus
    columns: ``pii``, spans found per type."""
    return [pa.field("pii", pa.struct([(name, pa.int64()) for name in pii_types]))]


def quality_struct(metric_fields: Mapping[str, type]) -> pa.StructType:
    """One field per quality metric, named ``<scorer>__<metric>``: int64 for counts, float64
    otherwise."""
    return pa.struct([(name, arrow_type(kind)) for name, kind in metric_fields.items()])


def signals_struct(signal_fields: Mapping[str, Any]) -> pa.StructType:
    """The synthetic-text evidence struct, typed from the scorer's declared fields."""
    return pa.struct([(name, arrow_type(kind)) for name, kind in signal_fields.items()])


def corpus_schema(
    metric_fields: Mapping[str, type],
    signal_fields: Mapping[str, Any],
    extra_fields: Sequence[pa.Field] = (),
) -> pa.Schema:
    """Schema of ``OUT/corpus/part-*.parquet``; ``extra_fields`` (columns of optional steps,
    such as :func:`pii_columns`) come last."""
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
            *extra_fields,
        ]
    )


REJECT_COLUMNS = [
    ("reject_stage", pa.string()),
    ("reject_reason", pa.string()),
    ("reject_detail", pa.string()),
    ("duplicate_of", pa.string()),
    ("raw", pa.binary()),
]


def reject_schema(
    metric_fields: Mapping[str, type],
    signal_fields: Mapping[str, Any],
    extra_fields: Sequence[pa.Field] = (),
) -> pa.Schema:
    """Schema of ``OUT/rejects/part-*.parquet``: corpus columns plus the reject columns."""
    schema = corpus_schema(metric_fields, signal_fields, extra_fields)
    for name, kind in REJECT_COLUMNS:
        schema = schema.append(pa.field(name, kind))
    return schema


def spill_schema(
    metric_fields: Mapping[str, type],
    signal_fields: Mapping[str, Any],
    extra_fields: Sequence[pa.Field] = (),
) -> pa.Schema:
    """Schema of a piece's spill file: reject columns plus the internal record key ``_key``
    (:func:`curation.io.pieces.piece_key`)."""
    schema = reject_schema(metric_fields, signal_fields, extra_fields)
    return schema.append(pa.field("_key", pa.int64()))


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
        metric_fields: Mapping[str, type],
        signal_fields: Mapping[str, Any],
        partition_by: Sequence[str] = (),
        extra_fields: Sequence[pa.Field] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> OutputSchemas:
        """``partition_by`` columns of the corpus are typed as partition keys; ``extra_fields``
        are the optional steps' columns; ``metadata`` (:func:`file_metadata`) is the shards'
        Parquet key-value metadata."""
        corpus = corpus_schema(metric_fields, signal_fields, extra_fields)
        return cls(
            spill=spill_schema(metric_fields, signal_fields, extra_fields),
            corpus=partitioned_schema(corpus, partition_by).with_metadata(metadata),
            rejects=reject_schema(metric_fields, signal_fields, extra_fields).with_metadata(
                metadata
            ),
        )
