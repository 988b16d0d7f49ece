"""Input files and their records, independent of any file system or runner.

Readers take an open binary stream and yield document or reject rows
(:mod:`curation.io.records`); the Beam side only opens files and distributes them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from curation.config import ConfigError, LimitsConfig, SourceConfig
from curation.decisions import Reason, Stage
from curation.io.compression import (
    CHUNK_BYTES,
    DECOMPRESSION_ERRORS,
    check_compressed,
    decompressed,
)
from curation.io.formats import HEAD_BYTES, FileFormat, base_name, detect_format, skip_reason
from curation.io.records import (
    RecordOrigin,
    make_reject,
    parse_json_line,
    printable_uri,
    record_to_row,
)


@dataclass(frozen=True)
class InputFile:
    """A file to read, or a byte range of one.

    ``uri`` is the path as listed (what the file system opens); ``name`` is its printable
    form, used in every output. ``format`` is decided when the inputs are listed
    (:mod:`curation.io.formats`). A range covers the lines whose first byte lies in
    ``[start, end)``; ``end is None`` means the whole file.
    """

    source: SourceConfig
    uri: str
    size_bytes: int
    format: FileFormat = FileFormat("jsonl")
    start: int = 0
    end: int | None = None

    @property
    def name(self) -> str:
        return printable_uri(self.uri)

    @property
    def is_range(self) -> bool:
        return self.end is not None

    @property
    def splittable(self) -> bool:
        return self.format == FileFormat("jsonl")

    def origin(self, record: int) -> RecordOrigin:
        return RecordOrigin(self.source, self.name, record)


@dataclass(frozen=True)
class SkippedFile:
    """A file found by listing a directory or glob that is not read, and why."""

    source: str
    uri: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "uri": printable_uri(self.uri), "reason": self.reason}


def split_into_ranges(file: InputFile, split_bytes: int) -> list[InputFile]:
    """Byte ranges of about ``split_bytes`` for a large uncompressed JSONL file, else the file."""
    if not file.splittable or file.size_bytes <= split_bytes:
        return [file]
    starts = range(0, file.size_bytes, split_bytes)
    return [
        replace(file, start=start, end=min(start + split_bytes, file.size_bytes))
        for start in starts
    ]


Line = tuple[bytes, int]  # a line's bytes (cut to the cap when longer), its full length


def bounded_lines(stream: IO[bytes], max_bytes: int) -> Iterator[Line]:
    """Lines of ``stream`` (with their newline) as ``(bytes, length)``; a line longer than
    ``max_bytes`` is returned cut to ``max_bytes`` and the rest of it is skipped in chunks,
    so memory never holds more than ``max_bytes`` of one line."""
    while line := stream.readline(max_bytes + 1):
        length = len(line)
        if length > max_bytes and not line.endswith(b"\n"):
            line = line[:max_bytes]
            while (rest := stream.readline(CHUNK_BYTES)) and not rest.endswith(b"\n"):
                length += len(rest)
            length += len(rest)
        yield line, length


def range_lines(stream: IO[bytes], start: int, end: int, max_bytes: int) -> Iterator[Line]:
    """Lines whose first byte lies in ``[start, end)`` of a seekable stream, as
    :func:`bounded_lines` gives them.

    Every line of a file belongs to exactly one range of a partition of ``[0, size)``: a range
    that starts inside a line skips to the next line, and a range reads past ``end`` to finish
    the line it started.
    """
    position = start
    stream.seek(max(start - 1, 0))
    lines = bounded_lines(stream, max_bytes)
    if start > 0:
        position = start - 1 + next(lines, (b"", 0))[1]
    for line, length in lines:
        if position >= end:
            return
        position += length
        yield line, length


def count_range_lines(stream: IO[bytes], file: InputFile, max_line_bytes: int) -> int:
    """Physical lines (blank ones included) that start in ``file``'s range."""
    assert file.end is not None
    return sum(1 for _ in range_lines(stream, file.start, file.end, max_line_bytes))


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
        self.raw = stream
        self.digest = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.raw.read(len(buffer))
        size = len(chunk)
        buffer[:size] = chunk
        self.digest.update(chunk)
        self.bytes_read += size
        return size

    def drain(self) -> None:
        """Hash whatever was not read (e.g. after a decompression error)."""
        while self.read(CHUNK_BYTES):
            pass

    def finish(self) -> str:
        """Hash the rest of the stream; return the hex sha256 of all of it."""
        self.drain()
        return self.digest.hexdigest()


_READ_ERRORS = (*DECOMPRESSION_ERRORS, pa.ArrowException, ValueError)


def _unreadable(origin: RecordOrigin, stats: FileStats, error: Exception) -> dict[str, Any]:
    """Record the error in ``stats`` and return the one reject that stands for the unread rest."""
    stats.error = f"{type(error).__name__}: {error}"[:500]
    stats.records += 1
    return make_reject(origin, Stage.READ, Reason.UNREADABLE_FILE, stats.error)


def _file_lines(
    hashing: _HashingReader, file: InputFile, limits: LimitsConfig, stats: FileStats
) -> tuple[io.BufferedReader, Iterator[Line], str | None]:
    """The buffer a whole file's lines are read through (over ``hashing``, or for a compressed
    file over the stream itself), the lines, and why its records cannot be trusted (``None``
    if they can).
    A compressed file is decompressed once to check it (:mod:`curation.io.compression`),
    hashed on that pass, and read again from the start."""
    buffered: IO[bytes] = io.BufferedReader(hashing, buffer_size=CHUNK_BYTES)
    codec = file.format.codec
    problem = None
    if codec is not None:
        problem = check_compressed(buffered, codec, limits.max_decompressed_bytes)
        stats.sha256 = hashing.finish()
        hashing.raw.seek(0)
        buffered = io.BufferedReader(hashing.raw, buffer_size=CHUNK_BYTES)
    return buffered, bounded_lines(decompressed(buffered, codec), limits.max_line_bytes), problem


def read_jsonl(
    stream: IO[bytes],
    file: InputFile,
    limits: LimitsConfig,
    stats: FileStats,
    first_line: int = 1,
) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file (any codec of :mod:`curation.io.compression`) or byte range, one
    per non-blank line.

    Records are numbered by physical line (1-based; ``first_line`` is the number of a range's
    first line). Line endings ``\\n`` and ``\\r\\n`` are accepted; a UTF-8 BOM on the first
    line is ignored. A line longer than ``limits.max_line_bytes`` is rejected
    ``line_too_long`` unparsed. Every record of a compressed file that fails its integrity
    check is rejected ``corrupt_file`` (raw kept); a read error yields one ``unreadable_file``
    reject for the rest of the file after the records read so far. The sha256 of a whole file
    is computed while reading; a range leaves it empty (the file is hashed separately).
    """
    problem, hashing, buffered = None, None, None
    if file.is_range:
        lines = range_lines(stream, file.start, file.end or 0, limits.max_line_bytes)
    else:
        hashing = _HashingReader(stream)
        buffered, lines, problem = _file_lines(hashing, file, limits, stats)
        stats.error = problem
    try:
        yield from _jsonl_rows(lines, problem, file, limits, stats, first_line)
        if hashing is not None and not stats.sha256:
            stats.sha256 = hashing.finish()
    finally:
        if buffered is not None:  # the caller closes ``stream``; the buffer lets go of it
            buffered.detach()
    if file.is_range or stats.records or stats.error is not None:
        return
    stats.records = 1
    detail = f"no records ({stats.blank_lines} blank lines)"
    yield make_reject(file.origin(0), Stage.READ, Reason.EMPTY_FILE, detail)


def _jsonl_rows(
    lines: Iterator[Line],
    problem: str | None,
    file: InputFile,
    limits: LimitsConfig,
    stats: FileStats,
    first_line: int,
) -> Iterator[dict[str, Any]]:
    """:func:`read_jsonl`'s rows of ``lines``: documents and rejects, and for a read error one
    ``unreadable_file`` reject for the rest of the file."""
    number = first_line - 1
    try:
        for number, (line, length) in enumerate(lines, start=first_line):  # noqa: B007
            body = line.rstrip(b"\r\n")
            if not body.strip():
                stats.blank_lines += 1
                continue
            stats.records += 1
            origin = file.origin(number)
            if problem is not None:
                yield make_reject(
                    origin, Stage.READ, Reason.CORRUPT_FILE, problem, body, limits.max_raw_bytes
                )
            elif length > limits.max_line_bytes:
                detail = f"line is {length} bytes, limits.max_line_bytes = {limits.max_line_bytes}"
                yield make_reject(
                    origin, Stage.READ, Reason.LINE_TOO_LONG, detail, body, limits.max_raw_bytes
                )
            else:
                yield parse_json_line(body, origin, limits.max_text_bytes, limits.max_raw_bytes)
    except _READ_ERRORS as error:
        yield _unreadable(file.origin(number + 1), stats, error)


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
                origin = file.origin(number)
                raw = json.dumps(jsonable(row), ensure_ascii=False).encode("utf-8", "replace")
                yield record_to_row(row, origin, raw, limits.max_text_bytes, limits.max_raw_bytes)
    except _READ_ERRORS as error:
        yield _unreadable(file.origin(number + 1), stats, error)
        return
    if stats.records == 0:
        stats.records = 1
        yield make_reject(file.origin(0), Stage.READ, Reason.EMPTY_FILE, "no rows")


def read_records(
    stream: IO[bytes],
    file: InputFile,
    limits: LimitsConfig,
    stats: FileStats,
    first_line: int = 1,
) -> Iterator[dict[str, Any]]:
    """Dispatch on the file's format."""
    if file.format.kind == "parquet":
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


#: Lists a path as ``(how, [(path, size in bytes)], [(refused path, why)])``, ``how`` being
#: ``file`` (a path naming a file is that file), ``directory`` (every file below it) or
#: ``glob`` (the pipeline passes ``transforms.storage.list_path``).
Lister = Callable[
    [str], tuple[Literal["file", "directory", "glob"], list[tuple[str, int]], list[tuple[str, str]]]
]
#: Opens a path for reading as stored (no decompression by file name).
Opener = Callable[[str], IO[bytes]]


def _format_of(uri: str, source: SourceConfig, open_file: Opener) -> FileFormat:
    try:
        with open_file(uri) as stream:
            head = stream.read(HEAD_BYTES)
    except OSError:
        head = b""  # reading will fail again and reject the file as unreadable_file
    return detect_format(base_name(uri), head, source.format)


def expand_source(
    source: SourceConfig, list_path: Lister, open_file: Opener
) -> tuple[list[InputFile], list[SkippedFile]]:
    """The data files of a source, each with its format, and the files skipped (see
    :mod:`curation.io.formats` for which files are read).

    Raises :class:`ConfigError` when a path matches nothing or holds no data file, so a typo
    fails before any work.
    """
    files: dict[str, InputFile] = {}
    skipped: dict[str, SkippedFile] = {}
    for path in source.paths:
        how, matched, refused = list_path(path)
        for uri, reason in refused:
            skipped.setdefault(uri, SkippedFile(source.name, uri, reason))
        if not matched:
            raise ConfigError(f"source {source.name!r}: path {path!r} matches no file")
        passed = []
        for uri, size in matched:
            reason = None if how == "file" else skip_reason(base_name(uri), source.format)
            if reason is None:
                passed.append((uri, size))
            else:
                skipped.setdefault(uri, SkippedFile(source.name, uri, reason))
        if not passed:
            example = skipped[matched[0][0]]
            raise ConfigError(
                f"source {source.name!r}: path {path!r} holds no data file "
                f"({len(matched)} skipped, e.g. {printable_uri(example.uri)}: {example.reason})"
            )
        for uri, size in passed:
            if uri not in files:
                files[uri] = InputFile(source, uri, size, _format_of(uri, source, open_file))
    return (
        [files[uri] for uri in sorted(files)],
        [skipped[uri] for uri in sorted(skipped) if uri not in files],
    )


def read_piece(
    open_file: Opener, file: InputFile, first_line: int, limits: LimitsConfig, stats: FileStats
) -> Iterator[dict[str, Any]]:
    """Rows of one file or range: documents, and reject rows (with ``reject_reason``).

    ``stats`` is filled in as the rows are consumed. A file that ``open_file`` cannot open, or
    whose bytes are not what its name says (:attr:`FileFormat.error`), is one
    ``unreadable_file`` reject.
    """
    try:
        if file.format.error is not None:
            raise OSError(file.format.error)
        stream = open_file(file.uri)
    except OSError as error:
        yield _unreadable(file.origin(0), stats, error)
        return
    with stream:
        yield from read_records(stream, file, limits, stats, first_line)
