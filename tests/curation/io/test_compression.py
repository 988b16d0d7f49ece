"""Compressed input: every codec read, damage and truncation found before records are trusted,
long lines and decompression bombs bounded."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import tracemalloc

import pytest
import zstandard

from curation.config import LimitsConfig, SourceConfig
from curation.decisions import Reason
from curation.io.compression import check_compressed, decompressed
from curation.io.formats import HEAD_BYTES, detect_format
from curation.io.inputs import FileStats, InputFile, bounded_lines, read_jsonl

SOURCE = SourceConfig(name="web", paths=("x",))
LIMITS = LimitsConfig()
LINES = b"".join(
    json.dumps({"id": f"d{n}", "text": f"doc {n}"}).encode() + b"\n" for n in range(3000)
)
COMPRESS = {
    "gzip": gzip.compress,
    "zstd": lambda data: zstandard.ZstdCompressor(write_checksum=True).compress(data),
    "bz2": bz2.compress,
    "xz": lzma.compress,
}


def read(data: bytes, name: str, limits: LimitsConfig = LIMITS):
    file = InputFile(SOURCE, name, len(data), detect_format(name, data[:HEAD_BYTES]))
    stats = FileStats(SOURCE.name, name, len(data))
    rows = list(read_jsonl(io.BytesIO(data), file, limits, stats))
    assert len(rows) == stats.records
    return rows, stats


@pytest.mark.parametrize("codec", COMPRESS)
def test_every_codec_is_read_and_the_raw_bytes_hashed(codec):
    data = COMPRESS[codec](LINES)
    rows, stats = read(data, "docs.jsonl")
    assert [row["id"] for row in rows] == [f"d{n}" for n in range(3000)]
    assert stats.error is None
    assert stats.sha256 == hashlib.sha256(data).hexdigest()


def test_zstd_of_several_frames():
    compressor = zstandard.ZstdCompressor()
    data = compressor.compress(LINES[:1000]) + compressor.compress(LINES[1000:])
    assert decompressed(io.BytesIO(data), "zstd").read() == LINES


@pytest.mark.parametrize("codec", COMPRESS)
def test_truncated_file_fails_the_check(codec):
    data = COMPRESS[codec](LINES)
    assert check_compressed(io.BytesIO(data), codec, 1 << 30) is None
    problem = check_compressed(io.BytesIO(data[: len(data) // 2]), codec, 1 << 30)
    assert problem is not None and f"damaged {codec}" in problem


def test_gzip_whose_crc_fails_publishes_nothing():
    data = bytearray(gzip.compress(LINES))
    data[-8] ^= 0xFF  # the CRC-32 in the trailer: every block decompresses, the check fails
    rows, stats = read(bytes(data), "docs.jsonl.gz")
    assert len(rows) == 3001  # every line, and where reading stopped
    assert {row["reject_reason"] for row in rows[:-1]} == {Reason.CORRUPT_FILE}
    assert rows[-1]["reject_reason"] == Reason.UNREADABLE_FILE
    assert "CRC check failed" in rows[0]["reject_detail"]
    assert rows[0]["raw"] == LINES.splitlines()[0]
    assert stats.error


def test_zstd_whose_checksum_fails_publishes_nothing():
    data = bytearray(COMPRESS["zstd"](LINES))
    data[-1] ^= 0xFF  # the frame's content checksum
    rows, _ = read(bytes(data), "docs.jsonl.zst")
    assert rows and {row["reject_reason"] for row in rows} <= {
        Reason.CORRUPT_FILE,
        Reason.UNREADABLE_FILE,
    }
    assert not [row for row in rows if "text" in row]


def test_a_line_longer_than_the_cap_is_rejected_unparsed():
    long_line = json.dumps({"id": "big", "text": "x" * 5000}).encode()
    lines = LINES.splitlines(keepends=True)
    data = b"".join(lines[:100]) + long_line + b"\n" + b"".join(lines[100:200])
    limits = LimitsConfig(max_line_bytes=2048, max_text_bytes=2048, max_raw_bytes=100)
    rows, _ = read(data, "docs.jsonl", limits)
    assert len(rows) == 201
    assert rows[100]["reject_reason"] == Reason.LINE_TOO_LONG
    assert rows[100]["raw"] == long_line[:100]
    assert rows[101]["id"] == "d100"


def test_bounded_lines_never_hold_more_than_the_cap():
    stream = io.BytesIO(b"a\n" + b"z" * 10_000 + b"\nb")
    assert list(bounded_lines(stream, 100)) == [(b"a\n", 2), (b"z" * 100, 10_001), (b"b", 1)]


@pytest.mark.parametrize("codec", COMPRESS)
def test_a_decompression_bomb_is_a_reject_in_bounded_memory(codec):
    """64 MiB of zeros, one line, with lines capped at 1 MiB: one ``line_too_long`` reject,
    and the reader's allocations (traced by ``tracemalloc``: every bytes object the codecs
    return) peak at a few times the cap, not at the decompressed size. zstd expands zeros
    some 32,000-fold, so one 1 MiB read of compressed input would be 32 GiB decompressed."""
    bomb = COMPRESS[codec](bytes(64 * 1024 * 1024))
    limits = LimitsConfig(max_line_bytes=1 << 20, max_text_bytes=1 << 20)
    tracemalloc.start()
    try:
        rows, _ = read(bomb, "bomb.jsonl", limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [row["reject_reason"] for row in rows] == [Reason.LINE_TOO_LONG]
    assert "67108864 bytes" in rows[0]["reject_detail"]
    assert len(rows[0]["raw"]) == limits.max_raw_bytes
    assert peak < 16 * limits.max_line_bytes
    limits = LimitsConfig(max_decompressed_bytes=1 << 20)
    rows, stats = read(bomb, "bomb.jsonl", limits)
    assert {row["reject_reason"] for row in rows} == {Reason.CORRUPT_FILE}
    assert "max_decompressed_bytes" in stats.error
