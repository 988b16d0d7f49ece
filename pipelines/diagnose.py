"""Sources whose records mostly failed the same way: the sign of a misread input (a wrong
text field, a wrong format), not of bad data. Each becomes one line naming what the records
do hold, and the run exits non-zero after publishing everything it read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.config import SourceConfig
from curation.decisions import Reason
from curation.io.records import listed_fields
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
#: Rejected records whose details are read to find the fields records have.
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
        listings = _field_listings(reject_shards, source.name)
        if not listings:
            return f"{head}: no field {source.text_field!r}"
        names = ", ".join(sorted({name for listing in listings for name in listing}))
        longest = Counter(listing[0] for listing in listings)
        guess = min(longest, key=lambda name: (-longest[name], name))
        return (
            f"{head}: no field {source.text_field!r}; the records have {names}; did you mean "
            f"{guess!r}? (--text-field, or text_field in the YAML)"
        )
    if reason == Reason.NON_STRING_TEXT:
        return f"{head}: field {source.text_field!r} is not a string (--text-field, text_field)"
    return f"{head}: is the input another format or encoding? (--format, format in the YAML)"


def _field_listings(reject_shards: Sequence[str], source: str) -> list[list[str]]:
    """Field names of up to :data:`EXAMPLES` of the source's ``missing_text`` records, the one
    holding the longest text first, from their reject details (:func:`listed_fields`)."""
    found: list[list[str]] = []
    for path in reject_shards:
        with FileSystems.open(path) as handle:
            table = pq.read_table(handle, columns=["source", "reject_reason", "reject_detail"])
        mask = pc.and_(
            pc.equal(table["source"], source),
            pc.equal(table["reject_reason"], Reason.MISSING_TEXT),
        )
        for detail in table.filter(mask)["reject_detail"].to_pylist():
            names = listed_fields(detail)
            if names:
                found.append(names)
            if len(found) >= EXAMPLES:
                return found
    return found
