"""Input files and their records, independent of any file system or runner.

Readers take an open binary stream and yield document or reject rows
(:mod:`curation.io.records`); the Beam side only opens files and distributes them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from curation.config import ConfigError, LimitsConfig, SourceConfig
from curation.decisions import Reason, Stage
from curation.io.records import (
    RecordOrigin,
    make_reject,
    parse_json_line,
    record_to_row,
)


@dataclass(frozen=True)
class InputFile:
    """A file to read, or a byte range of one.

    ``uri`` is the path as the user gave it after glob expansion. A range covers the lines
    whose first byte lies in ``[start, end)``; ``end is None`` means the whole file.
    """

    source: SourceConfig
    uri: str
    size_bytes: int
    start: int = 0
    end: int | None = None

    @property
    def compressed(self) -> bool:
        return self.uri.endswith(".gz")

    @property
    def is_range(self) -> bool:
        return self.end is not None

    @property
    def splittable(self) -> bool:
        return self.source.format == "jsonl" and not self.compressed


def split_into_ranges(file: InputFile, split_bytes: int) -> list[InputFile]:
    """Byte ranges of about ``split_bytes`` for a large uncompressed JSONL file, else the file."""
    if not file.splittable or file.size_bytes <= split_bytes:
        return [file]
    starts = range(0, file.size_bytes, split_bytes)
    return [
        replace(file, start=start, end=min(start + split_bytes, file.size_bytes))
        for start in starts
    ]


def range_lines(stream: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """Lines (with their newline) whose first byte lies in ``[start, end)`` of a seekable stream.

    Every line of a file belongs to exactly one range of a partition of ``[0, size)``: a range
    that starts inside a line skips to the next line, and a range reads past ``end`` to finish
    the line it started.
    """
    position = start
    if start > 0:
        stream.seek(start - 1)
        position = start - 1 + len(stream.readline())
    else:
        stream.seek(0)
    while position < end:
        line = stream.readline()
        if not line:
            return
        position += len(line)
        yield line


def count_range_lines(stream: IO[bytes], file: InputFile) -> int:
    """Physical lines (blank ones included) that start in ``file``'s range."""
    assert file.end is not None
    return sum(1 for _ in range_lines(stream, file.start, file.end))


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

    start: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "uri": self.uri,
            "start": self.start,
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
    stream: IO[bytes],
    file: InputFile,
    limits: LimitsConfig,
    stats: FileStats,
    first_line: int = 1,
) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL (optionally gzip) file or byte range, one per non-blank line.

    Records are numbered by physical line (1-based; ``first_line`` is the number of a range's
    first line). Line endings ``\\n`` and ``\\r\\n`` are accepted; a UTF-8 BOM on the first
    line is ignored. A read error (e.g. a corrupt ``.gz``) yields one ``unreadable_file`` reject
    for the rest of the file after the records read so far. The sha256 of a whole file is
    computed while reading; a range leaves it empty (the file is hashed separately).
    """
    hashing = _HashingReader(stream)
    lines: Iterator[bytes]
    if file.is_range:
        lines = range_lines(stream, file.start, file.end or 0)
    else:
        buffered = io.BufferedReader(hashing, buffer_size=1 << 20)
        lines = iter(gzip.GzipFile(fileobj=buffered) if file.compressed else buffered)
    number = first_line - 1
    try:
        for number, line in enumerate(lines, start=first_line):  # noqa: B007 - used below
            body = line.rstrip(b"\r\n")
            if not body.strip():
                stats.blank_lines += 1
                continue
            stats.records += 1
            origin = RecordOrigin(file.source, file.uri, number)
            yield parse_json_line(body, origin, limits.max_text_bytes, limits.max_raw_bytes)
    except _READ_ERRORS as error:
        yield _unreadable(RecordOrigin(file.source, file.uri, number + 1), stats, error)
        if not file.is_range:
            hashing.drain()
    if file.is_range:
        return
    if stats.records == 0 and stats.error is None:
        stats.records = 1
        yield make_reject(
            RecordOrigin(file.source, file.uri, 0),
            Stage.READ,
            Reason.EMPTY_FILE,
            f"no records ({stats.blank_lines} blank lines)",
        )
    stats.sha256 = hashing.digest.hexdigest()


def jsonable(value: Any) -> Any:
    """``value`` with bytes decoded (invalid UTF-8 replaced) and other non-JSON types as str."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
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
    stats.sha256 = sha256_of(stream)
    stream.seek(0)
    number = 0
    try:
        parquet = pq.ParquetFile(stream)
        for batch in parquet.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                stats.records += 1
                origin = RecordOrigin(file.source, file.uri, number)
                raw = json.dumps(jsonable(row), ensure_ascii=False).encode("utf-8", "replace")
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
    stream: IO[bytes],
    file: InputFile,
    limits: LimitsConfig,
    stats: FileStats,
    first_line: int = 1,
) -> Iterator[dict[str, Any]]:
    """Dispatch on the source's format."""
    if file.source.format == "parquet":
        yield from read_parquet(stream, file, limits, stats)
    else:
        yield from read_jsonl(stream, file, limits, stats, first_line)


def sha256_of(stream: IO[bytes]) -> str:
    """Hex sha256 of a whole stream, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def merge_file_stats(parts: Iterable[dict[str, Any]], sha256: str | None) -> dict[str, Any]:
    """One file's stats from the stats of its ranges (and the separately computed sha256)."""
    ordered = sorted(parts, key=lambda part: part["start"])
    merged = dict(ordered[0])
    merged["records"] = sum(part["records"] for part in ordered)
    merged["blank_lines"] = sum(part["blank_lines"] for part in ordered)
    errors = [part["error"] for part in ordered if part["error"]]
    merged["error"] = "; ".join(errors) if errors else None
    merged["ranges"] = len(ordered)
    if sha256 is not None:
        merged["sha256"] = sha256
    del merged["start"]
    return merged


def first_line_numbers(counts: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Range start -> number of its first line, from (range start, lines in range) pairs."""
    numbers, line = {}, 1
    for start, count in sorted(counts):
        numbers[start] = line
        line += count
    return numbers


#: Lists a path or glob as ``(path, size in bytes)`` pairs (the pipeline passes Beam's
#: ``FileSystems.match``, see ``transforms.storage.match_files``).
Matcher = Callable[[str], list[tuple[str, int]]]
#: Opens a path for reading as stored (no decompression by file name).
Opener = Callable[[str], IO[bytes]]


def expand_source(source: SourceConfig, match: Matcher) -> list[InputFile]:
    """Files of a source: each path is a file, a local directory (all files below it) or a
    glob, listed by ``match``.

    Raises :class:`ConfigError` when a path matches nothing, so a typo fails before any work.
    """
    files: dict[str, InputFile] = {}
    for path in source.paths:
        local_directory = "://" not in path and os.path.isdir(path)
        matched = match(path.rstrip("/") + "/**" if local_directory else path)
        if not matched:
            raise ConfigError(f"source {source.name!r}: path {path!r} matches no file")
        for uri, size in matched:
            files.setdefault(uri, InputFile(source, uri, size))
    return [files[uri] for uri in sorted(files)]


def read_piece(
    open_file: Opener, file: InputFile, first_line: int, limits: LimitsConfig, stats: FileStats
) -> Iterator[dict[str, Any]]:
    """Rows of one file or range: documents, and reject rows (with ``reject_reason``).

    ``stats`` is filled in as the rows are consumed. A file that ``open_file`` cannot open is
    one ``unreadable_file`` reject.
    """
    try:
        stream = open_file(file.uri)
    except OSError as error:
        stats.error = f"{type(error).__name__}: {error}"[:500]
        stats.records = 1
        origin = RecordOrigin(file.source, file.uri, 0)
        yield make_reject(origin, Stage.READ, Reason.UNREADABLE_FILE, stats.error)
        return
    with stream:
        yield from read_records(stream, file, limits, stats, first_line)
