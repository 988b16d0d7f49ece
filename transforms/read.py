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

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam

from curation.io.inputs import (
    InputFile,
    count_range_lines,
    first_line_numbers,
    merge_file_stats,
    sha256_of,
)
from curation.io.pieces import Piece
from transforms.storage import open_raw


def _count_lines(piece: Piece, max_line_bytes: int) -> tuple[str, tuple[int, int]]:
    file = piece.file
    with open_raw(file.uri) as stream:
        return file.name, (file.start, count_range_lines(stream, file, max_line_bytes))


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
    with open_raw(file.uri) as stream:
        return file.name, sha256_of(stream)


def _merge_stats(item: tuple[str, dict[str, list]]) -> dict[str, Any]:
    _, joined = item
    hashes = joined["sha256"]
    return merge_file_stats(joined["stats"], hashes[0] if hashes else None)


class NumberedPieces(beam.PTransform):
    """Pieces -> (piece, number of its first line), spread over workers.

    Line numbers of a range come from a parallel line count of the ranges before it in the
    same file, so record numbers are the same however the file was split (lines longer than
    ``max_line_bytes`` are counted without being held in memory).
    """

    def __init__(self, pieces: Sequence[Piece], max_line_bytes: int) -> None:
        super().__init__()
        self._pieces = list(pieces)
        self._max_line_bytes = max_line_bytes

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        pieces = (
            pbegin
            # Create's own reshuffle would only precede this one
            | "ListPieces" >> beam.Create(self._pieces, reshuffle=False)
            | "SpreadPieces" >> beam.Reshuffle()
        )
        first_lines = (
            pieces
            | "RangesOnly" >> beam.Filter(lambda piece: piece.file.is_range)
            | "CountLines" >> beam.Map(_count_lines, self._max_line_bytes)
            | "GroupCounts" >> beam.GroupByKey()
            | "FirstLines" >> beam.FlatMap(_first_lines)
        )
        return (
            {
                "piece": pieces
                | "KeyPieces"
                >> beam.Map(lambda piece: ((piece.file.name, piece.file.start), piece)),
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
        split = {piece.file.name: piece.file for piece in pieces if piece.file.is_range}
        self._split_files = [split[uri] for uri in sorted(split)]

    def expand(self, piece_stats: beam.PCollection) -> beam.PCollection:
        hashes = (
            piece_stats.pipeline
            | "ListSplitFiles" >> beam.Create(self._split_files, reshuffle=False)
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
