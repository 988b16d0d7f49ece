"""Repeated paragraphs and lines: boilerplate that many documents of a corpus share
(navigation, cookie banners, licence footers; ``dedup.repeated``, docs/dedup.md).

A document's *segments* are its paragraphs (runs of non-blank lines; blank lines separate
them) or its non-blank lines (``\\n`` separates them), each without the whitespace around it.
A segment is counted under the XXH3-64 of its normal form: NFKC, case-folded, whitespace runs
collapsed to one space (the normal form of ``content_hash``), and only when that form has at
least ``min_chars`` characters. The scoring pass stores each document's distinct segment
hashes (:class:`PieceSegments`); counting keeps those of the documents that end up kept
(:func:`kept_counts`, :func:`merge_counts`); where kept documents are written,
:class:`RepeatedRemoval` cuts the segments counted in more than ``max_documents`` of them and
records the character spans it cut.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import xxhash

from curation.config import RepeatedConfig
from curation.decision_batches import DECISION_SCHEMA
from curation.decisions import Reason, Stage
from curation.dedup.normalize import collapse_whitespace, fold_case
from curation.quality.text import TextStats

#: A paragraph: from a non-space character over line breaks that lead to a non-blank line.
_PARAGRAPH = re.compile(r"\S(?:[^\n]++|\n(?=[^\S\n]*+\S))*+")
#: A non-blank line, from its first non-space character.
_LINE = re.compile(r"\S[^\n]*+")
_UNITS = {"paragraph": _PARAGRAPH, "line": _LINE}
#: One table of a piece's segment hashes: a row per distinct segment of each document.
SEGMENTS_SCHEMA = pa.schema([("_key", pa.int64()), ("hash", pa.uint64())])


class Segment(NamedTuple):
    """A segment's characters ``[start, end)`` in the text, and its hash (``None``: shorter
    than ``min_chars``, never counted or removed)."""

    start: int
    end: int
    hash: int | None


def segments(text: str, unit: str, min_chars: int) -> list[Segment]:
    """The paragraphs or lines (``unit``) of ``text``, in order."""
    found = []
    for match in _UNITS[unit].finditer(text):
        content = match.group().rstrip()
        normal = collapse_whitespace(fold_case(content))
        digest = xxhash.xxh3_64_intdigest(normal.encode("utf-8"))
        start = match.start()
        countable = len(normal) >= min_chars
        found.append(Segment(start, start + len(content), digest if countable else None))
    return found


def segment_hashes(text: str, unit: str, min_chars: int) -> np.ndarray:
    """The distinct hashes of the countable segments of ``text`` (sorted uint64)."""
    found = segments(text, unit, min_chars)
    hashes = [segment.hash for segment in found if segment.hash is not None]
    return np.unique(np.array(hashes, np.uint64))


class PieceSegments:
    """The distinct segment hashes of one piece's documents, by record key."""

    def __init__(self, settings: RepeatedConfig) -> None:
        self._unit, self._min_chars = settings.unit, settings.min_chars
        self._keys: list[np.ndarray] = []
        self._hashes: list[np.ndarray] = []

    def add(self, key: int, text: str) -> None:
        hashes = segment_hashes(text, self._unit, self._min_chars)
        self._keys.append(np.full(len(hashes), key, np.int64))
        self._hashes.append(hashes)

    def table(self) -> pa.Table:
        """A table of :data:`SEGMENTS_SCHEMA`, in the order documents were added."""
        if not self._keys:
            return SEGMENTS_SCHEMA.empty_table()
        keys, hashes = np.concatenate(self._keys), np.concatenate(self._hashes)
        return pa.Table.from_arrays([pa.array(keys), pa.array(hashes)], schema=SEGMENTS_SCHEMA)


def kept_counts(piece_segments: pa.Table, kept_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hashes, documents)``: each distinct hash of the kept documents' segments (sorted
    uint64) and how many of those documents hold it (int64)."""
    kept = np.isin(piece_segments["_key"].to_numpy(), kept_keys)
    return np.unique(piece_segments["hash"].to_numpy()[kept], return_counts=True)


def merge_counts(
    hashes: Sequence[np.ndarray], counts: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Several ``(hashes, counts)`` pairs as one: distinct hashes (sorted) and summed counts."""
    if not hashes:
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    found, where = np.unique(np.concatenate(hashes), return_inverse=True)
    totals = np.zeros(len(found), np.int64)
    np.add.at(totals, where, np.concatenate(counts).astype(np.int64))
    return found, totals


class Removal(NamedTuple):
    """What :func:`remove_segments` did to a text."""

    text: str
    #: ``[start, end)`` in the text before the removal, one per removed segment, in order.
    spans: list[tuple[int, int]]
    #: Segments of the text (all, also those shorter than ``min_chars``).
    segments: int


def remove_segments(text: str, unit: str, min_chars: int, repeated: np.ndarray) -> Removal | None:
    """``text`` without its segments whose hash is in ``repeated`` (uint64), or ``None`` when
    it has none. A removed segment takes the separator before it (those before the first kept
    segment the separator after them), so the rest keeps its layout."""
    found = segments(text, unit, min_chars)
    countable = [index for index, segment in enumerate(found) if segment.hash is not None]
    hashes = np.array([found[index].hash for index in countable], np.uint64)
    hit = np.isin(hashes, repeated)
    if not hit.any():
        return None
    removed = np.array(countable)[hit].tolist()
    gone = set(removed)
    leading = next((index for index in range(len(found)) if index not in gone), None)
    spans = []
    for index in removed:
        if leading is None or index < leading:  # nothing kept before it
            end = found[index + 1].start if index + 1 < len(found) else len(text)
            spans.append((found[index].start, end))
        else:
            spans.append((found[index - 1].end, found[index].end))
    kept_parts, position = [], 0
    for start, end in spans:
        kept_parts.append(text[position:start])
        position = end
    kept_parts.append(text[position:])
    return Removal("".join(kept_parts), spans, len(found))


def word_count(text: str) -> int:
    """Words of ``text`` as the quality scorers count them (:mod:`curation.quality.text`)."""
    return TextStats(text, None).word_stats[0]


def edit_step(unit: str) -> str:
    """The ``text_edits`` step name of a unit's removal: ``repeated_paragraphs`` or
    ``repeated_lines``."""
    return f"repeated_{unit}s"


def holders(piece_segments: pa.Table, repeated: np.ndarray) -> np.ndarray:
    """Record keys (sorted, distinct) of the documents of a piece's segment table that hold
    one of the ``repeated`` hashes: the only ones a removal has to look at."""
    hit = np.isin(piece_segments["hash"].to_numpy(), repeated)
    return np.unique(piece_segments["_key"].to_numpy()[hit])


class RepeatedRemoval:
    """Removes the ``repeated`` segment hashes (uint64) from the kept documents of spilled row
    groups as they are assembled (:func:`curation.io.assemble.assemble_piece`); only the
    documents whose record keys are in ``holders`` are looked at (:func:`holders`)."""

    def __init__(self, settings: RepeatedConfig, repeated: np.ndarray, holders: np.ndarray) -> None:
        self._settings = settings
        self._repeated = np.unique(repeated.astype(np.uint64))
        self._holders = holders

    def apply(
        self, rows: pa.Table, scored: np.ndarray, decisions: pa.Table
    ) -> tuple[pa.Table, pa.Table]:
        """``(rows, decisions)`` after the removal: ``rows`` are spilled rows, ``scored`` says
        which of them take a decision, ``decisions`` those decisions in order. An edited kept
        document gets its new ``text`` and ``text_bytes``, a ``text_edits`` entry and its
        ``repeated_spans``; one left with fewer than ``min_words`` words is rejected instead
        (its text left as it was)."""
        settings = self._settings
        positions = np.flatnonzero(scored)
        kept = decisions["kept"].to_numpy(zero_copy_only=False) & np.isin(
            rows["_key"].to_numpy()[positions], self._holders
        )
        if not kept.any():
            return rows, decisions
        texts = rows["text"].to_pylist()
        edited: dict[int, Removal] = {}
        too_short: dict[int, str] = {}  # decision index -> reject detail
        for index in np.flatnonzero(kept).tolist():
            position = int(positions[index])
            removal = remove_segments(
                texts[position], settings.unit, settings.min_chars, self._repeated
            )
            if removal is None:
                continue
            words = word_count(removal.text)
            if words < settings.min_words:
                too_short[index] = (
                    f"{len(removal.spans)} of {removal.segments} {settings.unit}s in more than "
                    f"{settings.max_documents} documents; {words} words left, "
                    f"min_words {settings.min_words}"
                )
            else:
                edited[position] = removal
        if edited:
            rows = self._edit(rows, edited)
        if too_short:
            decisions = _reject(decisions, too_short)
        return rows, decisions

    def _edit(self, rows: pa.Table, edited: dict[int, Removal]) -> pa.Table:
        step = edit_step(self._settings.unit)
        texts, sizes = rows["text"].to_pylist(), rows["text_bytes"].to_pylist()
        edits, spans = rows["text_edits"].to_pylist(), rows["repeated_spans"].to_pylist()
        for position, removal in edited.items():
            before = texts[position]
            texts[position] = removal.text
            sizes[position] = len(removal.text.encode("utf-8"))
            entry = {
                "step": step,
                "spans": len(removal.spans),
                "chars_before": len(before),
                "chars_after": len(removal.text),
            }
            edits[position] = (edits[position] or []) + [entry]
            spans[position] = [{"start": start, "end": end} for start, end in removal.spans]
        for name, values in (
            ("text", texts),
            ("text_bytes", sizes),
            ("text_edits", edits),
            ("repeated_spans", spans),
        ):
            field = rows.schema.field(name)
            rows = rows.set_column(
                rows.schema.get_field_index(name), field, pa.array(values, field.type)
            )
        return rows


def _reject(decisions: pa.Table, details: dict[int, str]) -> pa.Table:
    """``decisions`` with those at the indices of ``details`` turned into rejections."""
    rows: list[dict[str, Any]] = decisions.to_pylist()
    for index, detail in details.items():
        rows[index].update(
            kept=False,
            reject_stage=Stage.REPEATED_CONTENT,
            reject_reason=Reason.REPEATED_CONTENT,
            reject_detail=detail,
            dup_cluster_size=None,
        )
    return pa.Table.from_pylist(rows, schema=DECISION_SCHEMA)
