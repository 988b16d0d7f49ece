"""Reading inputs without splittable sources: Create(pieces) -> Reshuffle -> read.

This shape runs on every Beam runner (DaskRunner does not run splittable reads). Large
uncompressed JSONL files are split into byte ranges at line boundaries (pieces, see
:mod:`curation.io.pieces`) so one big file spreads over workers; their line numbers come from a
parallel line count of each range, joined by key, so record numbers are the same however the
file was split. All I/O goes through
``FileSystems``: ``gs://``, ``s3://`` and ``hdfs://`` paths work where the matching Beam extra
is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError, LimitsConfig, SourceConfig
from curation.io.inputs import (
    FileStats,
    InputFile,
    count_range_lines,
    first_line_numbers,
    merge_file_stats,
    read_records,
    sha256_of,
)
from curation.io.pieces import Piece
from curation.io.records import Reason, RecordOrigin, Stage, make_reject


def expand_source(source: SourceConfig) -> list[InputFile]:
    """Files of a source: each path is a file, a directory (all files below it) or a glob.

    Raises :class:`ConfigError` when a path matches nothing, so a typo fails before any work.
    """
    files: dict[str, InputFile] = {}
    for path in source.paths:
        pattern = path.rstrip("/") + "/**" if _is_local_directory(path) else path
        matched = FileSystems.match([pattern])[0].metadata_list
        if not matched:
            raise ConfigError(f"source {source.name!r}: path {path!r} matches no file")
        for item in matched:
            files.setdefault(item.path, InputFile(source, item.path, item.size_in_bytes))
    return [files[uri] for uri in sorted(files)]


def _is_local_directory(path: str) -> bool:
    return "://" not in path and os.path.isdir(path)


def _open(uri: str) -> Any:
    return FileSystems.open(uri, compression_type=CompressionTypes.UNCOMPRESSED)


def _count_lines(piece: Piece) -> tuple[str, tuple[int, int]]:
    file = piece.file
    with _open(file.uri) as stream:
        return file.uri, (file.start, count_range_lines(stream, file))


def _by_range(piece: Piece) -> tuple[tuple[str, int], Piece]:
    return (piece.file.uri, piece.file.start), piece


def _first_lines(item: tuple[str, Iterable[tuple[int, int]]]) -> Iterator[tuple[Any, int]]:
    uri, counts = item
    for start, number in first_line_numbers(counts).items():
        yield (uri, start), number


def _with_first_line(item: tuple[Any, dict[str, list]]) -> Iterator[tuple[Piece, int]]:
    _, joined = item
    numbers = joined["first_line"]
    for piece in joined["piece"]:
        yield piece, numbers[0] if numbers else 1


def _hash_file(file: InputFile) -> tuple[str, str]:
    with _open(file.uri) as stream:
        return file.uri, sha256_of(stream)


def _merge_stats(item: tuple[str, dict[str, list]]) -> dict[str, Any]:
    _, joined = item
    hashes = joined["sha256"]
    return merge_file_stats(joined["stats"], hashes[0] if hashes else None)


def read_piece(
    file: InputFile, first_line: int, limits: LimitsConfig, stats: FileStats
) -> Iterator[dict[str, Any]]:
    """Rows of one file or range: documents, and reject rows (with ``reject_reason``).

    ``stats`` is filled in as the rows are consumed. A file that cannot be opened is one
    ``unreadable_file`` reject.
    """
    try:
        stream = _open(file.uri)
    except OSError as error:
        stats.error = f"{type(error).__name__}: {error}"[:500]
        stats.records = 1
        origin = RecordOrigin(file.source, file.uri, 0)
        yield make_reject(origin, Stage.READ, Reason.UNREADABLE_FILE, stats.error)
        return
    with stream:
        yield from read_records(stream, file, limits, stats, first_line)


class NumberedPieces(beam.PTransform):
    """Pieces -> (piece, number of its first line), spread over workers.

    Line numbers of a range come from a parallel line count of the ranges before it in the
    same file, so record numbers are the same however the file was split.
    """

    def __init__(self, pieces: Sequence[Piece]) -> None:
        super().__init__()
        self._pieces = list(pieces)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        pieces = (
            pbegin | "ListPieces" >> beam.Create(self._pieces) | "SpreadPieces" >> beam.Reshuffle()
        )
        first_lines = (
            pieces
            | "RangesOnly" >> beam.Filter(lambda piece: piece.file.is_range)
            | "CountLines" >> beam.Map(_count_lines)
            | "GroupCounts" >> beam.GroupByKey()
            | "FirstLines" >> beam.FlatMap(_first_lines)
        )
        return (
            {
                "piece": pieces
                | "KeyPieces"
                >> beam.Map(lambda piece: ((piece.file.uri, piece.file.start), piece)),
                "first_line": first_lines,
            }
            | "JoinFirstLines" >> beam.CoGroupByKey()
            | "Number" >> beam.FlatMap(_with_first_line)
            | "SpreadNumbered" >> beam.Reshuffle()
        )


class MergeFileStats(beam.PTransform):
    """Stats of every piece -> one stats dict per input file, with the whole file's sha256.

    Files read in one piece hash themselves while reading; split files are hashed whole by a
    separate step, joined by uri.
    """

    def __init__(self, pieces: Sequence[Piece]) -> None:
        super().__init__()
        split = {piece.file.uri: piece.file for piece in pieces if piece.file.is_range}
        self._split_files = [split[uri] for uri in sorted(split)]

    def expand(self, piece_stats: beam.PCollection) -> beam.PCollection:
        hashes = (
            piece_stats.pipeline
            | "ListSplitFiles" >> beam.Create(self._split_files)
            | "SpreadSplitFiles" >> beam.Reshuffle()
            | "HashSplitFiles" >> beam.Map(_hash_file)
        )
        return (
            {
                "stats": piece_stats | "StatsByUri" >> beam.Map(lambda s: (s["uri"], s)),
                "sha256": hashes,
            }
            | "JoinStats" >> beam.CoGroupByKey()
            | "MergeStats" >> beam.Map(_merge_stats)
        )
