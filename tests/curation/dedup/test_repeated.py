"""Repeated paragraphs and lines: segments, hashes counted once per document, the spans a
removal cuts, and the rejection of documents left too short."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from curation.config import RepeatedConfig
from curation.decision_batches import decision_batch
from curation.dedup.repeated import (
    PieceSegments,
    RepeatedRemoval,
    holders,
    kept_counts,
    merge_counts,
    remove_segments,
    segment_hashes,
    segments,
)
from curation.io.schema import REPEATED_SPANS_COLUMN, TEXT_EDITS_COLUMN

BANNER = "We use cookies to improve your experience on this site."
FOOTER = "Copyright 2026 Example Ltd. All rights reserved."
BODY = "The river froze over in January.\nPeople skated from one village to the next."
TEXT = f"{BANNER}\n\n{BODY}\n\n\n{FOOTER}\n"


def _hash(text: str, unit: str = "paragraph", min_chars: int = 1) -> int:
    (segment,) = segments(text, unit, min_chars)
    assert segment.hash is not None
    return segment.hash


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    parts, position = [], 0
    for start, end in spans:
        parts.append(text[position:start])
        position = end
    return "".join(parts) + text[position:]


def test_paragraphs_are_blank_line_separated_and_lines_are_lines():
    paragraphs = [TEXT[s.start : s.end] for s in segments(TEXT, "paragraph", 1)]
    assert paragraphs == [BANNER, BODY, FOOTER]
    lines = [TEXT[s.start : s.end] for s in segments(TEXT, "line", 1)]
    assert lines == [BANNER, *BODY.split("\n"), FOOTER]


def test_a_line_of_spaces_separates_paragraphs_and_crlf_text_segments_the_same():
    text = "First paragraph here.\r\n  \t\r\nSecond paragraph here.\r\n"
    assert [text[s.start : s.end] for s in segments(text, "paragraph", 1)] == [
        "First paragraph here.",
        "Second paragraph here.",
    ]


def test_hash_ignores_case_and_whitespace_but_not_words_or_punctuation():
    assert _hash("Accept  all\tCookies") == _hash("accept all cookies")
    assert _hash("Accept all cookies") != _hash("Accept all cookies!")
    assert _hash("Accept all cookies") != _hash("Accept some cookies")


def test_segments_shorter_than_min_chars_have_no_hash():
    found = segments("Home\n\nA longer paragraph of text.", "paragraph", 10)
    assert found[0].hash is None and found[1].hash is not None


def test_a_document_counts_a_segment_once():
    text = f"{BANNER}\n\n{BODY}\n\n{BANNER}"
    assert len(segment_hashes(text, "paragraph", 1)) == 2
    settings = RepeatedConfig(min_chars=1)
    piece = PieceSegments(settings)
    piece.add(7, text)
    piece.add(8, BANNER)
    table = piece.table()
    hashes, counts = kept_counts(table, np.array([7, 8]))
    assert dict(zip(hashes.tolist(), counts.tolist(), strict=True))[_hash(BANNER)] == 2
    hashes, counts = kept_counts(table, np.array([8]))  # only kept documents count
    assert counts.tolist() == [1]


def test_merge_counts_sums_the_counts_of_equal_hashes():
    found, totals = merge_counts(
        [np.array([1, 5], np.uint64), np.array([5, 9], np.uint64)],
        [np.array([2, 3]), np.array([4, 1])],
    )
    assert found.tolist() == [1, 5, 9] and totals.tolist() == [2, 7, 1]


def test_a_first_segment_takes_the_separator_after_it():
    removal = remove_segments(TEXT, "paragraph", 1, np.array([_hash(BANNER)], np.uint64))
    assert removal is not None
    assert removal.text == f"{BODY}\n\n\n{FOOTER}\n"
    assert removal.spans == [(0, len(BANNER) + 2)]
    assert _cut(TEXT, removal.spans) == removal.text


def test_a_later_segment_takes_the_separator_before_it():
    repeated = np.array([_hash(FOOTER), _hash(BANNER)], np.uint64)
    removal = remove_segments(TEXT, "paragraph", 1, repeated)
    assert removal is not None
    assert removal.text == f"{BODY}\n"
    assert _cut(TEXT, removal.spans) == removal.text
    assert len(removal.spans) == 2 and removal.segments == 3
    every = np.array([_hash(FOOTER), _hash(BANNER), _hash(BODY)], np.uint64)
    emptied = remove_segments(TEXT, "paragraph", 1, every)
    assert emptied is not None and emptied.text == ""
    assert _cut(TEXT, emptied.spans) == ""


def test_line_unit_removes_single_lines_inside_a_paragraph():
    line = "People skated from one village to the next."
    removal = remove_segments(TEXT, "line", 1, np.array([_hash(line, "line")], np.uint64))
    assert removal is not None
    assert removal.text == f"{BANNER}\n\nThe river froze over in January.\n\n\n{FOOTER}\n"
    # as a paragraph, that line is part of a larger segment: nothing is removed
    assert remove_segments(TEXT, "paragraph", 1, np.array([_hash(line)], np.uint64)) is None


def test_short_segments_are_never_removed():
    text = "Home\n\nThe body of the page."
    assert remove_segments(text, "paragraph", 10, np.array([_hash("Home")], np.uint64)) is None


def _rows(texts: list[str]) -> pa.Table:
    columns = [("_key", pa.int64()), ("text", pa.string()), ("text_bytes", pa.int64())]
    schema = pa.schema([*columns, TEXT_EDITS_COLUMN, REPEATED_SPANS_COLUMN])
    return pa.table(
        {
            "_key": list(range(len(texts))),
            "text": texts,
            "text_bytes": [len(t.encode()) for t in texts],
            "text_edits": [None] * len(texts),
            "repeated_spans": [None] * len(texts),
        },
        schema=schema,
    )


def test_kept_documents_are_edited_and_too_short_ones_rejected():
    long_body = " ".join(["word"] * 60)
    texts = [
        f"{BANNER}\n\n{long_body}",  # kept, banner removed
        f"{BANNER}\n\nToo few words here.",  # kept before, too short after
        f"{BANNER}\n\n{long_body}",  # rejected earlier: left alone
        "Too few words, and nothing repeated.",  # kept: never rejected by this step
    ]
    scored = np.array([True, True, True, True])
    decisions = decision_batch([0, 1, 2, 3], True)
    decisions = decisions.set_column(1, "kept", pa.array([True, True, False, True]))
    repeated = np.array([_hash(BANNER)], np.uint64)
    removal = RepeatedRemoval(RepeatedConfig(min_words=50), repeated, np.arange(4))
    rows, decided = removal.apply(_rows(texts), scored, decisions)
    out = rows.to_pylist()
    assert out[0]["text"] == long_body
    assert out[0]["text_bytes"] == len(long_body.encode())
    assert out[0]["text_edits"] == [
        {
            "step": "repeated_paragraphs",
            "spans": 1,
            "chars_before": len(texts[0]),
            "chars_after": len(long_body),
        }
    ]
    assert out[0]["repeated_spans"] == [{"start": 0, "end": len(BANNER) + 2}]
    assert [row["text"] for row in out[1:]] == texts[1:]
    assert all(row["text_edits"] is None for row in out[1:])
    assert decided["kept"].to_pylist() == [True, False, False, True]
    rejected = decided.to_pylist()[1]
    assert (rejected["reject_stage"], rejected["reject_reason"]) == (
        "repeated_content",
        "repeated_content",
    )
    assert rejected["reject_detail"] == (
        "1 of 2 paragraphs in more than 10 documents; 4 words left, min_words 50"
    )


def test_only_the_holders_of_a_repeated_hash_are_looked_at():
    settings = RepeatedConfig(min_chars=1, min_words=1)
    piece = PieceSegments(settings)
    piece.add(0, TEXT)
    piece.add(1, BODY)
    repeated = np.array([_hash(BANNER)], np.uint64)
    assert holders(piece.table(), repeated).tolist() == [0]
    rows, decisions = _rows([TEXT, TEXT]), decision_batch([0, 1], True)
    # key 1 holds the banner too, but its segment file says it does not: it is not looked at
    edited, _ = RepeatedRemoval(settings, repeated, np.array([0])).apply(
        rows, np.array([True, True]), decisions
    )
    assert edited["text"].to_pylist() == [f"{BODY}\n\n\n{FOOTER}\n", TEXT]


@pytest.mark.parametrize("repeated", [np.empty(0, np.uint64), np.array([1, 2], np.uint64)])
def test_nothing_repeated_leaves_the_row_group_as_it_was(repeated):
    rows, decisions = _rows([TEXT]), decision_batch([0], True)
    removal = RepeatedRemoval(RepeatedConfig(), repeated, np.array([0]))
    result = removal.apply(rows, np.array([True]), decisions)
    assert result[0].equals(rows) and result[1].equals(decisions)
