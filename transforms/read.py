"""Reading inputs without splittable sources: Create(file ranges) -> Reshuffle -> read.

This shape runs on every Beam runner (DaskRunner does not run splittable reads). Large
uncompressed JSONL files are split into byte ranges at line boundaries so one big file spreads
over workers; their line numbers come from a parallel line count of each range, joined by key,
so record numbers are the same however the file was split. All I/O goes through
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
from curation.inputs import (
    FileStats,
    InputFile,
    count_range_lines,
    first_line_numbers,
    merge_file_stats,
    read_records,
    sha256_of,
    split_into_ranges,
)
from curation.records import Reason, RecordOrigin, Stage, make_reject
from transforms.tags import SplitByTag

DOCS = "docs"
REJECTS = "rejects"
FILE_STATS = "file_stats"


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


def _count_lines(file: InputFile) -> tuple[str, tuple[int, int]]:
    with _open(file.uri) as stream:
        return file.uri, (file.start, count_range_lines(stream, file))


def _first_lines(item: tuple[str, Iterable[tuple[int, int]]]) -> Iterator[tuple[Any, int]]:
    uri, counts = item
    for start, number in first_line_numbers(counts).items():
        yield (uri, start), number


def _with_first_line(item: tuple[Any, dict[str, list]]) -> Iterator[tuple[InputFile, int]]:
    _, joined = item
    numbers = joined["first_line"]
    for file in joined["file"]:
        yield file, numbers[0] if numbers else 1


def _hash_file(file: InputFile) -> tuple[str, str]:
    with _open(file.uri) as stream:
        return file.uri, sha256_of(stream)


def _merge_stats(item: tuple[str, dict[str, list]]) -> dict[str, Any]:
    _, joined = item
    hashes = joined["sha256"]
    return merge_file_stats(joined["stats"], hashes[0] if hashes else None)


class ReadFileFn(beam.DoFn):
    """Reads one file or range; emits ``(tag, row)`` with tags docs, rejects and file_stats."""

    def __init__(self, limits: LimitsConfig) -> None:
        self._limits = limits

    def process(self, element: tuple[InputFile, int]) -> Iterator[Any]:
        file, first_line = element
        stats = FileStats(file.source.name, file.uri, file.size_bytes, start=file.start)
        try:
            stream = _open(file.uri)
        except OSError as error:
            stats.error = f"{type(error).__name__}: {error}"[:500]
            stats.records = 1
            origin = RecordOrigin(file.source, file.uri, 0)
            reject = make_reject(origin, Stage.READ, Reason.UNREADABLE_FILE, stats.error)
            yield REJECTS, reject
            yield FILE_STATS, stats.as_dict()
            return
        with stream:
            for row in read_records(stream, file, self._limits, stats, first_line):
                yield (REJECTS if "reject_reason" in row else DOCS), row
        yield FILE_STATS, stats.as_dict()


class ReadInputs(beam.PTransform):
    """Files -> documents (``docs``), reject rows (``rejects``), per-file stats (``file_stats``)."""

    def __init__(self, files: Sequence[InputFile], limits: LimitsConfig, split_bytes: int) -> None:
        super().__init__()
        self._parts = [part for file in files for part in split_into_ranges(file, split_bytes)]
        self._split_files = sorted(
            {part.uri: part for part in self._parts if part.is_range}.values(), key=lambda f: f.uri
        )
        self._limits = limits

    def expand(self, pbegin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        parts = (
            pbegin | "ListRanges" >> beam.Create(self._parts) | "SpreadRanges" >> beam.Reshuffle()
        )
        first_lines = (
            parts
            | "SplitOnly" >> beam.Filter(lambda part: part.is_range)
            | "CountLines" >> beam.Map(_count_lines)
            | "GroupCounts" >> beam.GroupByKey()
            | "FirstLines" >> beam.FlatMap(_first_lines)
        )
        numbered = (
            {
                "file": parts
                | "KeyRanges" >> beam.Map(lambda part: ((part.uri, part.start), part)),
                "first_line": first_lines,
            }
            | "JoinFirstLines" >> beam.CoGroupByKey()
            | "Number" >> beam.FlatMap(_with_first_line)
            | "SpreadNumbered" >> beam.Reshuffle()
        )
        read = (
            numbered
            | "ReadRanges" >> beam.ParDo(ReadFileFn(self._limits))
            | "SplitRead" >> SplitByTag([DOCS, REJECTS, FILE_STATS])
        )
        hashes = (
            pbegin
            | "ListSplitFiles" >> beam.Create(self._split_files)
            | "SpreadSplitFiles" >> beam.Reshuffle()
            | "HashSplitFiles" >> beam.Map(_hash_file)
        )
        stats = (
            {
                "stats": read[FILE_STATS] | "StatsByUri" >> beam.Map(lambda s: (s["uri"], s)),
                "sha256": hashes,
            }
            | "JoinStats" >> beam.CoGroupByKey()
            | "MergeStats" >> beam.Map(_merge_stats)
        )
        return {DOCS: read[DOCS], REJECTS: read[REJECTS], FILE_STATS: stats}
