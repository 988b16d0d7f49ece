"""Input files and their records, independent of any file system or runner.

Readers take an open binary stream and yield document or reject rows
(:mod:`curation.records`); the Beam side only opens files and distributes them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from curation.config import LimitsConfig, SourceConfig
from curation.records import (
    Reason,
    RecordOrigin,
    Stage,
    make_reject,
    parse_json_line,
    record_to_row,
)


@dataclass(frozen=True)
class InputFile:
    """One file to read: its source, URI (as the user gave it after glob expansion) and size."""

    source: SourceConfig
    uri: str
    size_bytes: int

    @property
    def compressed(self) -> bool:
        return self.uri.endswith(".gz")


@dataclass
class FileStats:
    """What reading one file found; written to the manifest."""

    source: str
    uri: str
    size_bytes: int
    sha256: str = ""
    records: int = 0
    blank_lines: int = 0
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "uri": self.uri,
            "bytes": self.size_bytes,
            "sha256": self.sha256,
            "records": self.records,
            "blank_lines": self.blank_lines,
            "error": self.error,
        }


class _HashingReader(io.RawIOBase):
    """Wraps a binary stream and hashes every byte read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._stream.read(len(buffer))
        size = len(chunk)
        buffer[:size] = chunk
        self.digest.update(chunk)
        self.bytes_read += size
        return size

    def drain(self) -> None:
        """Hash whatever was not read (e.g. after a decompression error)."""
        while self.read(1 << 20):
            pass


_READ_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile, pa.ArrowException, ValueError)


def _unreadable(origin: RecordOrigin, stats: FileStats, error: Exception) -> dict[str, Any]:
    """Record the error in ``stats`` and return the one reject that stands for the unread rest."""
    stats.error = f"{type(error).__name__}: {error}"[:500]
    stats.records += 1
    return make_reject(origin, Stage.READ, Reason.UNREADABLE_FILE, stats.error)


def read_jsonl(
    stream: IO[bytes], file: InputFile, limits: LimitsConfig, stats: FileStats
) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL (optionally gzip) file, one per non-blank line.

    Line endings ``\\n`` and ``\\r\\n`` are accepted; a UTF-8 BOM on the first line is ignored.
    A read error (e.g. a corrupt ``.gz``) yields one ``unreadable_file`` reject for the rest of
    the file after the records read so far.
    """
    hashing = _HashingReader(stream)
    buffered = io.BufferedReader(hashing, buffer_size=1 << 20)
    lines: IO[bytes] = gzip.GzipFile(fileobj=buffered) if file.compressed else buffered
    number = 0
    try:
        for number, line in enumerate(lines, start=1):  # noqa: B007 - number used after loop
            body = line.rstrip(b"\r\n")
            if not body.strip():
                stats.blank_lines += 1
                continue
            stats.records += 1
            origin = RecordOrigin(file.source, file.uri, number)
            yield parse_json_line(body, origin, limits.max_text_bytes, limits.max_raw_bytes)
    except _READ_ERRORS as error:
        yield _unreadable(RecordOrigin(file.source, file.uri, number + 1), stats, error)
        hashing.drain()
    if stats.records == 0 and stats.error is None:
        stats.records = 1
        yield make_reject(
            RecordOrigin(file.source, file.uri, 0),
            Stage.READ,
            Reason.EMPTY_FILE,
            f"no records ({stats.blank_lines} blank lines)",
        )
    stats.sha256 = hashing.digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def read_parquet(
    stream: IO[bytes], file: InputFile, limits: LimitsConfig, stats: FileStats
) -> Iterator[dict[str, Any]]:
    """Rows of a Parquet file, one per table row (record number = 1-based row index).

    The stream must be seekable. Rows are validated like JSON objects, so a file without the
    text column yields ``missing_text`` rejects (with the row as JSON in ``raw``).
    """
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stats.sha256 = digest.hexdigest()
    stream.seek(0)
    number = 0
    try:
        parquet = pq.ParquetFile(stream)
        for batch in parquet.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                stats.records += 1
                origin = RecordOrigin(file.source, file.uri, number)
                raw = json.dumps(_jsonable(row), ensure_ascii=False).encode("utf-8", "replace")
                yield record_to_row(row, origin, raw, limits.max_text_bytes, limits.max_raw_bytes)
    except _READ_ERRORS as error:
        yield _unreadable(RecordOrigin(file.source, file.uri, number + 1), stats, error)
        return
    if stats.records == 0:
        stats.records = 1
        yield make_reject(
            RecordOrigin(file.source, file.uri, 0), Stage.READ, Reason.EMPTY_FILE, "no rows"
        )


def read_records(
    stream: IO[bytes], file: InputFile, limits: LimitsConfig, stats: FileStats
) -> Iterator[dict[str, Any]]:
    """Dispatch on the source's format."""
    reader = read_parquet if file.source.format == "parquet" else read_jsonl
    yield from reader(stream, file, limits, stats)
