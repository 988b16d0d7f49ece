"""Which listed files are data and how each is stored (names, then magic bytes)."""

from __future__ import annotations

import bz2
import gzip
import lzma

import pytest
import zstandard

from curation.io.formats import HEAD_BYTES, FileFormat, detect_format, kind_from_name, skip_reason

PLAIN = b'{"text": "a"}\n'


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jsonl", "jsonl"),
        ("a.json", "jsonl"),
        ("a.NDJSON", "jsonl"),
        ("a.jsonl.gz", "jsonl"),
        ("v1_5r2-0000.json.gz", "jsonl"),
        ("a.jsonl.zst", "jsonl"),
        ("a.jsonl.bz2", "jsonl"),
        ("a.jsonl.xz", "jsonl"),
        ("train-00000-of-00002.parquet", "parquet"),
        ("README.md", None),
        ("LICENSE", None),
        ("config.yaml", None),
        ("a.parquet.gz", None),
        ("a.gz", None),
    ],
)
def test_kind_from_name(name, kind):
    assert kind_from_name(name) == kind


@pytest.mark.parametrize(
    ("data", "codec"),
    [
        (gzip.compress(PLAIN, mtime=0), "gzip"),
        (zstandard.ZstdCompressor().compress(PLAIN), "zstd"),
        (bz2.compress(PLAIN), "bz2"),
        (lzma.compress(PLAIN), "xz"),
        (PLAIN, None),
    ],
)
def test_compression_comes_from_the_first_bytes(data, codec):
    for name in ("docs.jsonl", "docs"):
        assert detect_format(name, data[:HEAD_BYTES]) == FileFormat("jsonl", codec)
    if codec is not None:  # a name announcing another codec does not matter
        assert detect_format("docs.jsonl.bz2", data[:HEAD_BYTES]) == FileFormat("jsonl", codec)


def test_a_name_announcing_compression_the_bytes_lack_is_an_error():
    found = detect_format("docs.jsonl.gz", b"PK\x03\x04rest")
    assert found.error is not None and "gzip" in found.error and "504b0304" in found.error


def test_record_format_from_the_name_then_parquet_magic_then_jsonl():
    assert detect_format("x.parquet", b"PAR1") == FileFormat("parquet")
    assert detect_format("data.bin", b"PAR1\x15\x04") == FileFormat("parquet")
    assert detect_format("data.bin", b'{"text"') == FileFormat("jsonl")
    assert detect_format("data.txt", b"PAR1", kind="jsonl") == FileFormat("jsonl")
    assert detect_format("x.jsonl", b"", kind="parquet") == FileFormat("parquet")


def test_skip_reasons_of_listed_files():
    assert skip_reason("part-0.jsonl.zst", "auto") is None
    assert skip_reason("t.parquet", "auto") is None
    assert "not a data file" in skip_reason("README.md", "auto")
    assert "hidden" in skip_reason("_SUCCESS", "auto")
    assert "hidden" in skip_reason(".DS_Store", "auto")
    assert "parquet file name in a source of format jsonl" in skip_reason("t.parquet", "jsonl")


def test_text_that_starts_like_bzip2_is_not_taken_for_it():
    # found by the property test: a plain line "BZh..." was read as a broken bzip2 stream
    for head in (b"BZh", b"BZh9 and so", b'BZh{"text"'):
        assert detect_format("docs.jsonl", head) == FileFormat("jsonl", None)
    assert detect_format("docs.jsonl", bz2.compress(b"")[:10]).codec == "bz2"
