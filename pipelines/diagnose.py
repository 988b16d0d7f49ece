"""Sources whose records mostly failed the same way: the sign of a misread input (a wrong
text field, a wrong format), not of bad data. Each becomes one line naming what the records
do hold, and the run exits non-zero after publishing everything it read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.config import SourceConfig
from curation.decisions import Reason
from pipelines.output import OutputCounts

#: Share of a source's records failing for one of :data:`MISREAD_REASONS` that makes it
#: suspect.
MISREAD_SHARE = 0.9
#: Reasons that say the records were not read as the source's config describes them.
MISREAD_REASONS = (
    Reason.MISSING_TEXT,
    Reason.NON_STRING_TEXT,
    Reason.NOT_AN_OBJECT,
    Reason.INVALID_JSON,
    Reason.INVALID_UTF8,
)
#: Rejected records whose raw bytes are read to find the fields records have.
EXAMPLES = 200


def misread_sources(
    counts: OutputCounts, sources: Sequence[SourceConfig], reject_shards: Sequence[str]
) -> list[str]:
    """One line per source where at least :data:`MISREAD_SHARE` of the records were rejected
    for the same :data:`MISREAD_REASONS` reason."""
    totals = counts.records_by_source()
    by_reason: Counter = Counter()
    for (source, _stage, reason), n in counts.rejected.items():
        by_reason[(source, reason)] += n
    lines = []
    for source in sources:
        total = totals[source.name]
        for reason in MISREAD_REASONS:
            failed = by_reason[(source.name, reason)]
            if total and failed >= MISREAD_SHARE * total:
                share = f"{failed} of {total} records ({failed / total:.0%})"
                lines.append(_explain(source, reason, share, reject_shards))
    return lines


def _explain(source: SourceConfig, reason: str, share: str, reject_shards: Sequence[str]) -> str:
    head = f"source {source.name!r}: {share} rejected {reason}"
    if reason == Reason.MISSING_TEXT:
        fields = _fields(_raw_records(reject_shards, source.name, reason))
        if not fields:
            return f"{head}: no field {source.text_field!r}"
        names = ", ".join(sorted(fields))
        return (
            f"{head}: no field {source.text_field!r}; the records have {names}; did you mean "
            f"{_text_like(fields)!r}? (--text-field, or text_field in the YAML)"
        )
    if reason == Reason.NON_STRING_TEXT:
        return f"{head}: field {source.text_field!r} is not a string (--text-field, text_field)"
    return f"{head}: is the input another format or encoding? (--format, format in the YAML)"


def _raw_records(reject_shards: Sequence[str], source: str, reason: str) -> list[dict]:
    """Up to :data:`EXAMPLES` rejected records of ``source`` for ``reason``, parsed."""
    found: list[dict] = []
    for path in reject_shards:
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle, columns=["source", "reject_reason", "raw"])
        mask = pc.and_(pc.equal(table["source"], source), pc.equal(table["reject_reason"], reason))
        for raw in table.filter(mask)["raw"].to_pylist():
            try:
                record = json.loads(raw)
            except (TypeError, ValueError):
                continue
            if isinstance(record, dict):
                found.append(record)
            if len(found) >= EXAMPLES:
                return found
    return found


def _fields(records: Sequence[Mapping]) -> dict[str, float]:
    """Field name -> mean length of its string values (0 when never a string)."""
    lengths: dict[str, list[int]] = {}
    for record in records:
        for key, value in record.items():
            lengths.setdefault(key, []).append(len(value) if isinstance(value, str) else 0)
    return {key: sum(values) / len(values) for key, values in lengths.items()}


def _text_like(fields: Mapping[str, float]) -> str:
    """The field whose values are the longest strings (ties by name)."""
    return min(fields, key=lambda key: (-fields[key], key))
