"""Input formats: which listed files are data, and how each one is stored. Decided once per
file, when the inputs are listed, so every worker reads a file the same way.

- **Which files are read.** A path that names a file is always read. Files found by listing a
  directory or matching a glob are read when their name says they are data
  (:data:`DATA_SUFFIXES`); the others (README.md, LICENSE, YAML, hidden or ``_``-prefixed
  files such as ``_SUCCESS``) are skipped, and each skipped file is reported with the reason.
- **Record format.** The source's ``format`` when it is ``jsonl`` or ``parquet``; with ``auto``
  (the default) the file name, then the file's first bytes (Parquet's ``PAR1``); anything else
  is read as JSONL.
- **Compression** (JSONL only) comes from the first bytes (the magic numbers of gzip, zstd,
  bzip2 and xz), so a gzip file named ``.jsonl`` is still read; a file whose name announces a
  compression its bytes do not have (a ZIP archive named ``.jsonl.gz``) is not read at all:
  it becomes one ``unreadable_file`` reject saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["jsonl", "parquet"]
Codec = Literal["gzip", "zstd", "bz2", "xz"]

#: Record-format suffixes of data file names.
DATA_SUFFIXES: dict[str, Kind] = {
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
#: Compression suffixes that may follow a JSONL suffix (``docs.jsonl.zst``).
CODEC_SUFFIXES: dict[str, Codec] = {
    ".gz": "gzip",
    ".gzip": "gzip",
    ".zst": "zstd",
    ".zstd": "zstd",
    ".bz2": "bz2",
    ".xz": "xz",
}
#: Leading bytes of each compressed format. bzip2's own magic is three letters a text may
#: start with ("BZh"), so its block size digit and first block (or end-of-stream) marker are
#: part of the pattern.
CODEC_MAGIC: dict[Codec, re.Pattern[bytes]] = {
    "gzip": re.compile(rb"\x1f\x8b"),
    "zstd": re.compile(rb"\x28\xb5\x2f\xfd"),
    "bz2": re.compile(rb"BZh[1-9](\x31\x41\x59\x26\x53\x59|\x17\x72\x45\x38\x50\x90)"),
    "xz": re.compile(rb"\xfd7zXZ\x00"),
}
PARQUET_MAGIC = b"PAR1"
#: Bytes of a file's head that detection needs.
HEAD_BYTES = 10


@dataclass(frozen=True)
class FileFormat:
    kind: Kind
    codec: Codec | None = None
    #: Why the file cannot be read as its name says (then it is not read), or None.
    error: str | None = None


def codec_from_name(name: str) -> Codec | None:
    lowered = name.lower()
    return next(
        (codec for suffix, codec in CODEC_SUFFIXES.items() if lowered.endswith(suffix)), None
    )


def base_name(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def kind_from_name(name: str) -> Kind | None:
    """The record format a file name announces (``None`` for a name that is not data)."""
    lowered = name.lower()
    for suffix, codec in CODEC_SUFFIXES.items():
        if lowered.endswith(suffix):
            lowered = lowered[: -len(suffix)]
            kind = DATA_SUFFIXES.get("." + lowered.rsplit(".", 1)[-1]) if "." in lowered else None
            return kind if kind == "jsonl" and codec else None
    return DATA_SUFFIXES.get("." + lowered.rsplit(".", 1)[-1]) if "." in lowered else None


def skip_reason(name: str, kind: str) -> str | None:
    """Why a file found by listing a directory or glob is not read (``None``: read it).

    ``kind`` is the source's ``format`` (``auto``, ``jsonl`` or ``parquet``)."""
    if name.startswith((".", "_")):
        return "hidden or marker file (name starts with '.' or '_')"
    announced = kind_from_name(name)
    if announced is None:
        return "not a data file name (.jsonl, .json, .ndjson, optionally compressed, .parquet)"
    if kind != "auto" and announced != kind:
        return f"a {announced} file name in a source of format {kind}"
    return None


def codec_of(head: bytes) -> Codec | None:
    for codec, magic in CODEC_MAGIC.items():
        if magic.match(head):
            return codec
    return None


def detect_format(name: str, head: bytes, kind: str = "auto") -> FileFormat:
    """How to read a file named ``name`` whose first bytes are ``head``."""
    if kind == "auto":
        announced = kind_from_name(name)
        if announced is None:
            announced = "parquet" if head.startswith(PARQUET_MAGIC) else "jsonl"
        kind = announced
    if kind == "parquet":
        return FileFormat("parquet")
    codec, announced = codec_of(head), codec_from_name(name)
    if announced is not None and codec is None and head:
        error = f"named as {announced} data but its bytes are not (they start {head[:4].hex()})"
        return FileFormat("jsonl", None, error)
    return FileFormat("jsonl", codec)
