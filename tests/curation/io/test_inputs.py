"""File readers over in-memory streams: line handling, gzip, Parquet, errors and hashes."""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import json
import warnings

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.config import LimitsConfig, SourceConfig
from curation.io.formats import HEAD_BYTES, FileFormat, detect_format
from curation.io.inputs import (
    FileStats,
    InputFile,
    count_range_lines,
    first_line_numbers,
    merge_file_stats,
    range_lines,
    read_jsonl,
    read_parquet,
    read_piece,
    read_records,
    split_into_ranges,
)
from curation.io.records import Reason

JSONL = SourceConfig(name="web", paths=("*.jsonl",))
PARQUET = SourceConfig(name="pq", paths=("*.parquet",), format="parquet")
LIMITS = LimitsConfig()


def _read(data: bytes, uri: str = "in.jsonl", source: SourceConfig = JSONL, reader=read_jsonl):
    """Read ``data`` completely; return (rows, stats) after checking the count invariant."""
    stats = FileStats(source.name, uri, len(data))
    file = InputFile(source, uri, len(data), detect_format(uri, data[:HEAD_BYTES], source.format))
    rows = list(reader(io.BytesIO(data), file, LIMITS, stats))
    assert len(rows) == stats.records
    return rows, stats


def _lines(count: int) -> bytes:
    return b"".join(
        json.dumps({"id": f"d{n}", "text": f"doc {n}"}).encode() + b"\n" for n in range(count)
    )


def _rejects(rows: list[dict]) -> list[str]:
    return [row["reject_reason"] for row in rows if "reject_reason" in row]


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def test_jsonl_lf_and_crlf_endings():
    rows, stats = _read(b'{"text": "a"}\r\n{"text": "b"}\n{"text": "c"}')
    assert [row["text"] for row in rows] == ["a", "b", "c"]
    assert stats.records == 3
    assert stats.error is None


def test_blank_lines_are_counted_not_emitted_and_record_numbers_are_line_numbers():
    data = b'\n{"text": "a"}\n   \n\r\n{"text": "b"}\n\n'
    rows, stats = _read(data)
    assert [row["text"] for row in rows] == ["a", "b"]
    assert [row["source_record"] for row in rows] == [2, 5]
    assert stats.blank_lines == 4
    assert stats.records == 2


def test_bom_on_first_line_of_a_file():
    rows, _ = _read(b'\xef\xbb\xbf{"text": "a"}\n{"text": "b"}\n')
    assert [row.get("text") for row in rows] == ["a", "b"]


def test_bad_lines_become_rejects_between_good_ones():
    rows, stats = _read(b'{"text": "a"}\n{oops\n\xff\xfe\n[1]\n{"text": "b"}\n')
    assert _rejects(rows) == [Reason.INVALID_JSON, Reason.INVALID_UTF8, Reason.NOT_AN_OBJECT]
    assert stats.records == 5
    assert stats.error is None


@pytest.mark.parametrize(("data", "blank"), [(b"", 0), (b"\n\n  \r\n", 3)])
def test_empty_file_gives_one_empty_file_reject(data, blank):
    rows, stats = _read(data)
    assert _rejects(rows) == [Reason.EMPTY_FILE]
    assert rows[0]["source_record"] == 0
    assert stats.records == 1
    assert stats.blank_lines == blank
    assert stats.error is None
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


def test_empty_gzip_file_gives_one_empty_file_reject():
    rows, _ = _read(gzip.compress(b""), uri="in.jsonl.gz")
    assert _rejects(rows) == [Reason.EMPTY_FILE]


def test_gzip_file_is_decompressed_and_raw_bytes_hashed():
    plain = _lines(50)
    data = gzip.compress(plain)
    rows, stats = _read(data, uri="in.jsonl.gz")
    assert [row["id"] for row in rows] == [f"d{n}" for n in range(50)]
    assert stats.error is None
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


def test_multi_member_gzip_is_read_completely():
    data = gzip.compress(_lines(3)) + gzip.compress(_lines(2))
    rows, _ = _read(data, uri="in.jsonl.gz")
    assert len(rows) == 5
    assert not _rejects(rows)


def test_plain_file_sha256_matches():
    data = _lines(10_000)  # larger than one read chunk of the hashing reader
    rows, stats = _read(data)
    assert len(rows) == 10_000
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


def test_truncated_gzip_contributes_no_document():
    plain = _lines(5_000)
    data = gzip.compress(plain)[:-200]
    rows, stats = _read(data, uri="in.jsonl.gz")
    assert rows[-1]["reject_reason"] == Reason.UNREADABLE_FILE
    corrupt = rows[:-1]
    assert 0 < len(corrupt) < 5_000
    assert {row["reject_reason"] for row in corrupt} == {Reason.CORRUPT_FILE}
    assert [row["raw"] for row in corrupt] == plain.splitlines()[: len(corrupt)]
    assert [row["source_record"] for row in corrupt] == list(range(1, len(corrupt) + 1))
    assert stats.error
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("cut", [5, 15])
def test_gzip_cut_inside_header_or_first_block(cut):
    data = gzip.compress(_lines(100))[:cut]
    rows, stats = _read(data, uri="in.jsonl.gz")
    assert _rejects(rows) == [Reason.UNREADABLE_FILE]
    assert stats.error
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


def test_corrupt_gzip_body_is_unreadable_and_fully_hashed():
    compressed = bytearray(gzip.compress(_lines(2_000)))
    middle = len(compressed) // 2
    compressed[middle : middle + 64] = bytes(64)
    data = bytes(compressed)
    rows, stats = _read(data, uri="in.jsonl.gz")
    assert rows[-1]["reject_reason"] == Reason.UNREADABLE_FILE
    assert stats.error
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("damaged", [False, True])
def test_a_compressed_file_leaves_nothing_open_but_the_callers_stream(tmp_path, damaged):
    """The buffers a compressed file is read through let go of the file; only the stream the
    caller opened stays, for the caller to close (no ResourceWarning when they are freed)."""
    data = gzip.compress(_lines(2_000), mtime=0)
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(data[: len(data) // 2] if damaged else data)
    file = InputFile(JSONL, str(path), path.stat().st_size, detect_format(path.name, data[:4]))
    stats = FileStats(JSONL.name, file.uri, file.size_bytes)
    with open(path, "rb") as stream, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = list(read_records(stream, file, LIMITS, stats, 1))
        gc.collect()
        assert not stream.closed
    assert len(rows) == stats.records
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_gz_name_over_other_data_is_one_unreadable_reject():
    data = b"PK\x03\x04" + _lines(3)
    file = InputFile(
        JSONL, "in.jsonl.gz", len(data), detect_format("in.jsonl.gz", data[:HEAD_BYTES])
    )
    stats = FileStats(JSONL.name, file.uri, len(data))
    rows = list(read_piece(lambda _: io.BytesIO(data), file, 1, LIMITS, stats))
    assert _rejects(rows) == [Reason.UNREADABLE_FILE]
    assert "named as gzip data" in stats.error


def test_stats_as_dict():
    data = b'{"text": "a"}\n\n'
    _, stats = _read(data)
    assert (
        stats.as_dict().items()
        >= {
            "source": "web",
            "uri": "in.jsonl",
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "records": 1,
            "blank_lines": 1,
            "error": None,
        }.items()
    )


def test_parquet_with_the_right_schema():
    table = pa.table(
        {"id": ["p1", None, "p3"], "text": ["one", "two", None], "score": [1.0, 2.0, 3.0]}
    )
    data = _parquet_bytes(table)
    rows, stats = _read(data, uri="t.parquet", source=PARQUET, reader=read_parquet)
    assert [row.get("text") for row in rows] == ["one", "two", None]
    assert rows[0]["id"] == "p1"
    assert rows[1]["id"] == "pq:t.parquet:2"
    assert [row["source_record"] for row in rows] == [1, 2, 3]
    assert _rejects(rows) == [Reason.MISSING_TEXT]
    assert stats.sha256 == hashlib.sha256(data).hexdigest()
    assert stats.error is None


def test_parquet_without_text_column_gives_missing_text_with_raw_json():
    table = pa.table({"id": [1, 2], "body": ["a", "é"], "blob": [b"\x00\x01", b"x"]})
    rows, _ = _read(_parquet_bytes(table), uri="t.parquet", source=PARQUET, reader=read_parquet)
    assert _rejects(rows) == [Reason.MISSING_TEXT, Reason.MISSING_TEXT]
    assert [row["id"] for row in rows] == ["1", "2"]
    raw = json.loads(rows[1]["raw"].decode("utf-8"))
    assert raw["body"] == "é"
    assert raw["id"] == 2


def test_parquet_spanning_several_batches():
    table = pa.table({"text": [f"t{n}" for n in range(2_500)]})
    rows, _ = _read(_parquet_bytes(table), uri="t.parquet", source=PARQUET, reader=read_parquet)
    assert len(rows) == 2_500
    assert rows[-1]["source_record"] == 2_500


def test_parquet_with_no_rows_gives_empty_file():
    table = pa.table({"text": pa.array([], pa.string())})
    rows, _ = _read(_parquet_bytes(table), uri="t.parquet", source=PARQUET, reader=read_parquet)
    assert _rejects(rows) == [Reason.EMPTY_FILE]


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_parquet_is_unreadable(damage):
    good = _parquet_bytes(pa.table({"text": ["a", "b"]}))
    data = b"not a parquet file at all" if damage == "garbage" else good[: len(good) // 2]
    rows, stats = _read(data, uri="t.parquet", source=PARQUET, reader=read_parquet)
    assert _rejects(rows) == [Reason.UNREADABLE_FILE]
    assert stats.error
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


def test_read_records_dispatches_on_format():
    parquet = _parquet_bytes(pa.table({"text": ["from parquet"]}))
    rows, _ = _read(parquet, uri="x.bin", source=PARQUET, reader=read_records)
    assert rows[0]["text"] == "from parquet"
    rows, _ = _read(b'{"text": "from jsonl"}\n', uri="x.bin", reader=read_records)
    assert rows[0]["text"] == "from jsonl"


def _mixed_jsonl() -> bytes:
    """Lines of varied length with CRLF, blank lines, a BOM and a bad line."""
    parts = [b'\xef\xbb\xbf{"text": "bom"}\n']
    for n in range(40):
        text = "w" * (n * 7 % 23)
        ending = b"\r\n" if n % 3 == 0 else b"\n"
        parts.append(json.dumps({"id": f"r{n}", "text": text or "x"}).encode() + ending)
        if n % 5 == 0:
            parts.append(b"\n" if n % 2 else b"  \r\n")
        if n == 17:
            parts.append(b"{broken\n")
    parts.append(b'{"text": "no newline at end"}')
    return b"".join(parts)


def test_range_lines_partition_the_file():
    data = _mixed_jsonl()
    whole = data.splitlines(keepends=True)
    for split in (1, 2, 7, 50, 333, len(data) - 1):
        pieces = [
            line
            for start in range(0, len(data), split)
            for line, _ in range_lines(
                io.BytesIO(data), start, min(start + split, len(data)), len(data)
            )
        ]
        assert pieces == whole, split


def test_split_into_ranges_covers_the_file_once():
    file = InputFile(JSONL, "big.jsonl", 1_000)
    ranges = split_into_ranges(file, 300)
    assert [(r.start, r.end) for r in ranges] == [(0, 300), (300, 600), (600, 900), (900, 1000)]
    assert split_into_ranges(file, 1_000) == [file]
    gz = InputFile(JSONL, "big.jsonl.gz", 1_000, FileFormat("jsonl", "gzip"))
    assert split_into_ranges(gz, 300) == [gz]
    parquet = InputFile(PARQUET, "big.parquet", 1_000, FileFormat("parquet"))
    assert len(split_into_ranges(parquet, 300)) == 1


@pytest.mark.parametrize("split", [3, 64, 500])
def test_reading_ranges_equals_reading_the_whole_file(split):
    data = _mixed_jsonl()
    whole_rows, whole_stats = _read(data)
    file = InputFile(JSONL, "in.jsonl", len(data))
    ranges = split_into_ranges(file, split)
    assert len(ranges) > 1
    counts = [(r.start, count_range_lines(io.BytesIO(data), r, 1024)) for r in ranges]
    first = first_line_numbers(counts)
    rows, parts = [], []
    for part in ranges:
        stats = FileStats(JSONL.name, part.uri, part.size_bytes, start=part.start)
        rows.extend(read_jsonl(io.BytesIO(data), part, LIMITS, stats, first[part.start]))
        parts.append(stats.as_dict())
    assert rows == whole_rows
    merged = merge_file_stats(reversed(parts), whole_stats.sha256)
    assert merged["records"] == whole_stats.records == len(rows)
    assert merged["blank_lines"] == whole_stats.blank_lines
    assert merged["ranges"] == len(ranges)
    assert merged["sha256"] == hashlib.sha256(data).hexdigest()
    assert merged["error"] is None
    assert "start" not in merged


def test_first_line_numbers_accumulate_in_start_order():
    assert first_line_numbers([(200, 4), (0, 10), (100, 3)]) == {0: 1, 100: 11, 200: 14}


def test_merge_file_stats_joins_errors():
    parts = [
        {"start": 10, "records": 2, "blank_lines": 0, "error": "B", "sha256": ""},
        {"start": 0, "records": 3, "blank_lines": 1, "error": "A", "sha256": ""},
    ]
    merged = merge_file_stats(parts, None)
    assert merged["error"] == "A; B"
    assert merged["records"] == 5
    assert merged["sha256"] == ""
