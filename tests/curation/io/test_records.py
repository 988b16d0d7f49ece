"""Record validation: every reject reason, raw bytes, ids, field mapping and keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from curation.config import SourceConfig
from curation.io.records import (
    MAX_LISTED_FIELDS,
    Reason,
    RecordOrigin,
    Stage,
    derived_id,
    listed_fields,
    parse_json_line,
    record_to_row,
)

SOURCE = SourceConfig(name="web", paths=("web.jsonl",), license="cc-by")
MAPPED = SourceConfig(
    name="mapped",
    paths=("m.jsonl",),
    text_field="body",
    id_field="doc_id",
    url_field="link",
    created_field="date",
    priority=7,
)
MAX_TEXT = 1_000
MAX_RAW = 64


def _parse(line: bytes, record: int = 1, source: SourceConfig = SOURCE, **limits: int) -> dict:
    origin = RecordOrigin(source, "data/web.jsonl", record)
    return parse_json_line(
        line, origin, limits.get("max_text_bytes", MAX_TEXT), limits.get("max_raw_bytes", MAX_RAW)
    )


def _assert_reject(row: dict, reason: str, stage: str) -> None:
    assert row["reject_reason"] == reason, row
    assert row["reject_stage"] == stage
    assert row["reject_detail"]
    assert "text" not in row


def test_valid_record_becomes_a_document():
    row = _parse(b'{"id": "d1", "text": "Hello world"}', record=3)
    assert "reject_reason" not in row
    assert row["id"] == "d1"
    assert row["text"] == "Hello world"
    assert row["source"] == "web"
    assert row["license"] == "cc-by"
    assert row["source_uri"] == "data/web.jsonl"
    assert row["source_record"] == 3
    assert row["priority"] == 0
    assert row["url"] is None
    assert row["created"] is None


@pytest.mark.parametrize(
    "line",
    [b"{not json}", b'{"text": "abc', b'{"text": "abc"', b'{"text": "a"} trailing', b"{'a': 1}"],
)
def test_invalid_or_truncated_json(line):
    row = _parse(line)
    _assert_reject(row, Reason.INVALID_JSON, Stage.READ)
    assert row["raw"] == line


def test_deeply_nested_json_is_invalid_json_not_a_crash():
    line = b'{"text": "x", "a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    _assert_reject(_parse(line), Reason.INVALID_JSON, Stage.READ)


def test_invalid_utf8_bytes():
    line = b'{"text": "caf\xe9"}'
    row = _parse(line)
    _assert_reject(row, Reason.INVALID_UTF8, Stage.READ)
    assert row["raw"] == line


def test_lone_surrogate_escape_is_invalid_utf8():
    line = b'{"id": "s1", "text": "bad \\ud800 text"}'
    row = _parse(line)
    _assert_reject(row, Reason.INVALID_UTF8, Stage.VALIDATE)
    assert row["id"] == "s1"
    assert row["raw"] == line


def test_surrogate_pair_escape_is_valid():
    row = _parse(b'{"text": "smile \\ud83d\\ude00"}')
    assert row["text"] == "smile \U0001f600"


def test_lone_surrogate_in_id_url_created_falls_back_to_none():
    line = b'{"doc_id": "\\udc00", "body": "ok", "link": "\\ud800", "date": "\\udfff"}'
    row = _parse(line, source=MAPPED)
    assert row["text"] == "ok"
    assert row["id"] == derived_id(RecordOrigin(MAPPED, "data/web.jsonl", 1))
    assert row["url"] is None
    assert row["created"] is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [(b"[1, 2]", "list"), (b'"text"', "str"), (b"42", "int"), (b"null", "NoneType")],
)
def test_not_an_object(line, kind):
    row = _parse(line)
    _assert_reject(row, Reason.NOT_AN_OBJECT, Stage.VALIDATE)
    assert kind in row["reject_detail"]


def test_missing_text_keeps_own_id():
    row = _parse(b'{"id": "m1", "content": "x"}')
    _assert_reject(row, Reason.MISSING_TEXT, Stage.VALIDATE)
    assert row["id"] == "m1"
    assert "'text'" in row["reject_detail"]


def test_missing_text_detail_names_the_fields_longest_text_first():
    """Names only (the values stay private), read back by the misread-source diagnosis."""
    row = _parse(b'{"id": "m1", "title": "short", "body": "a much longer text", "n": 3}')
    assert row["reject_detail"].startswith("field 'text' is absent")
    assert listed_fields(row["reject_detail"]) == ["body", "title", "id", "n"]
    odd = _parse(b'{"\\ud800": "x", "text": null}')
    assert listed_fields(odd["reject_detail"]) == ["\ud800", "text"]
    assert odd["reject_detail"].isascii()
    many = json.dumps({f"f{i:03d}": i for i in range(100)}).encode()
    assert len(listed_fields(_parse(many)["reject_detail"])) == MAX_LISTED_FIELDS
    assert listed_fields("field 'text' is absent") == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [(b'["a"]', "list"), (b"12", "int"), (b"1.5", "float"), (b"{}", "dict")],
)
def test_non_string_text(value, kind):
    row = _parse(b'{"text": ' + value + b"}")
    _assert_reject(row, Reason.NON_STRING_TEXT, Stage.VALIDATE)
    assert kind in row["reject_detail"]


def test_null_text_counts_as_missing():
    row = _parse(b'{"text": null}')
    _assert_reject(row, Reason.MISSING_TEXT, Stage.VALIDATE)
    assert "null" in row["reject_detail"]


@pytest.mark.parametrize("text", [b'""', b'"   "', b'" \\n\\t\\r "', b'"\\u3000\\u00a0"'])
def test_empty_or_whitespace_text(text):
    _assert_reject(_parse(b'{"text": ' + text + b"}"), Reason.EMPTY_TEXT, Stage.VALIDATE)


def test_text_too_long_counts_utf8_bytes():
    at_limit = _parse(b'{"text": "hello"}', max_text_bytes=5)
    assert at_limit["text"] == "hello"
    row = _parse('{"text": "héllo"}'.encode(), max_text_bytes=5)  # 6 UTF-8 bytes
    _assert_reject(row, Reason.TEXT_TOO_LONG, Stage.VALIDATE)
    assert "6 bytes" in row["reject_detail"]


def test_bom_on_first_line_is_ignored():
    row = _parse(b'\xef\xbb\xbf{"text": "first"}', record=1)
    assert row["text"] == "first"


def test_bom_on_a_later_line_is_invalid_json():
    _assert_reject(_parse(b'\xef\xbb\xbf{"text": "x"}', record=2), Reason.INVALID_JSON, Stage.READ)


def test_raw_bytes_are_capped():
    line = b"{" + b"x" * 500
    assert _parse(line, max_raw_bytes=10)["raw"] == line[:10]
    assert _parse(line, max_raw_bytes=0)["raw"] is None  # 0 keeps no raw bytes
    assert _parse(line, max_raw_bytes=10_000)["raw"] == line


def test_derived_id_is_deterministic_and_per_record():
    first = _parse(b'{"text": "a"}', record=4)
    again = _parse(b'{"text": "different text"}', record=4)
    other = _parse(b'{"text": "a"}', record=5)
    assert first["id"] == again["id"] == "web:data/web.jsonl:4"
    assert other["id"] != first["id"]


@pytest.mark.parametrize(("value", "expected"), [(b'"abc"', "abc"), (b"17", "17")])
def test_own_id_string_or_int(value, expected):
    assert _parse(b'{"id": ' + value + b', "text": "t"}')["id"] == expected


@pytest.mark.parametrize("value", [b"null", b'""', b"[1]", b'{"a": 1}'])
def test_unusable_own_id_falls_back_to_derived(value):
    row = _parse(b'{"id": ' + value + b', "text": "t"}', record=9)
    assert row["id"] == "web:data/web.jsonl:9"


def test_field_mapping_for_text_id_url_created_priority():
    row = _parse(
        b'{"doc_id": 5, "body": "mapped text", "link": "https://x.org/a", "date": "2021-03-04",'
        b' "text": "ignored"}',
        source=MAPPED,
    )
    assert row["text"] == "mapped text"
    assert row["id"] == "5"
    assert row["url"] == "https://x.org/a"
    assert row["created"] == datetime(2021, 3, 4, tzinfo=UTC)
    assert row["created_raw"] == "2021-03-04"
    assert row["priority"] == 7
    assert row["source"] == "mapped"
    assert json.loads(row["metadata"]) == {"text": "ignored"}  # unmapped, so kept


def test_non_scalar_url_and_created_become_none_and_stay_in_metadata():
    row = _parse(b'{"body": "t", "link": ["a"], "date": {"y": 2020}}', source=MAPPED)
    assert row["url"] is None
    assert row["created"] is None
    assert row["created_raw"] is None
    assert json.loads(row["metadata"]) == {"link": ["a"], "date": {"y": 2020}}


def test_mapped_values_no_column_can_hold_are_kept_in_metadata():
    """A licence that is not text, a lone-surrogate url: not stored, so kept as given."""
    source = SourceConfig(name="s", paths=("s",), url_field="u", license_field="lic")
    row = _parse(b'{"text": "t", "u": "\\ud800", "lic": {"spdx": "MIT"}}', source=source)
    assert (row["url"], row["license"]) == (None, "unknown")
    assert json.loads(row["metadata"]) == {"u": "\ud800", "lic": {"spdx": "MIT"}}
    stored = _parse(b'{"text": "t", "u": "https://x.org", "lic": "MIT"}', source=source)
    assert (stored["url"], stored["license"], stored["metadata"]) == ("https://x.org", "MIT", None)


@pytest.mark.parametrize("depth", range(900, 1000, 10))
def test_nesting_too_deep_to_keep_is_invalid_json_not_a_crash(depth):
    """json.loads accepts a little deeper nesting than writing it back as metadata does."""
    line = b'{"text": "x", "a": ' + b"[" * depth + b"]" * depth + b"}"
    row = _parse(line)
    if "reject_reason" in row:
        _assert_reject(row, Reason.INVALID_JSON, Stage.READ)
    else:
        assert json.loads(row["metadata"])["a"]


def test_url_and_created_ignored_without_mapping():
    row = _parse(b'{"text": "t", "url": "https://x.org", "created": "2020"}')
    assert row["url"] is None
    assert row["created"] is None


def test_record_to_row_accepts_decoded_objects():
    origin = RecordOrigin(SOURCE, "u", 2)
    row = record_to_row({"text": "ok", "id": 3}, origin, None, MAX_TEXT, MAX_RAW)
    assert row["id"] == "3"
    reject = record_to_row({"text": None}, origin, None, MAX_TEXT, MAX_RAW)
    assert reject["raw"] is None


DOLMA = SourceConfig(
    name="dolma",
    paths=("d.json.gz",),
    license="odc-by",
    created_field="created",
    url_field="metadata.url",
    license_field="metadata.license",
)


def test_every_unmapped_field_is_kept_as_canonical_json():
    record = {
        "id": "d1",
        "text": "Hello",
        "source": "wiki",
        "added": "2024-01-01",
        "created": "2023-05-01T12:00:00Z",
        "metadata": {"url": "https://example.org/a", "license": "MIT", "tags": ["x", 1, None]},
        "score": float("nan"),
    }
    row = _parse(json.dumps(record).encode(), source=DOLMA)
    metadata = json.loads(row["metadata"])
    assert metadata == {
        "source": "wiki",
        "added": "2024-01-01",
        "metadata": record["metadata"],
        "score": "NaN",
    }
    assert row["metadata"] == json.dumps(metadata, sort_keys=True, separators=(",", ":"))
    assert row["url"] == "https://example.org/a"  # a dotted path into nested objects


def test_a_record_licence_overrides_the_source_licence():
    line = json.dumps({"text": "Hello", "metadata": {"license": "MIT"}}).encode()
    assert _parse(line, source=DOLMA)["license"] == "MIT"
    assert _parse(b'{"text": "Hello"}', source=DOLMA)["license"] == "odc-by"
    assert (
        _parse(b'{"text": "Hello", "metadata": {"license": null}}', source=DOLMA)["license"]
        == "odc-by"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-05-01T12:00:00Z", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01T14:00:00+02:00", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01 12:00:00", datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("2023-05-01", datetime(2023, 5, 1, tzinfo=UTC)),
        (1682942400, datetime(2023, 5, 1, 12, tzinfo=UTC)),
        (1682942400000, datetime(2023, 5, 1, 12, tzinfo=UTC)),
        ("last tuesday", None),
        (True, None),
    ],
)
def test_created_is_one_utc_timestamp_with_the_original_kept(value, expected):
    row = _parse(json.dumps({"text": "Hello", "created": value}).encode(), source=DOLMA)
    assert row["created"] == expected
    assert row["created_raw"] == str(value)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "true"])
def test_an_id_that_is_not_a_usable_value_is_replaced_and_kept_in_metadata(value):
    row = _parse(b'{"id": ' + value.encode() + b', "text": "Hello"}', record=4)
    assert row["id"] == "web:data/web.jsonl:4"
    assert "id" in json.loads(row["metadata"])
