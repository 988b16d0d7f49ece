"""Reading inputs: Create(file list) -> Reshuffle -> read, so no splittable source is needed.

This shape runs on every Beam runner (DaskRunner does not run splittable reads) and spreads
files over workers. All I/O goes through ``FileSystems``, so ``gs://``, ``s3://`` and
``hdfs://`` paths work where the matching Beam extra is installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError, LimitsConfig, SourceConfig
from curation.inputs import FileStats, InputFile, read_records
from curation.records import Reason, RecordOrigin, Stage, make_reject

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


class ReadFileFn(beam.DoFn):
    """Reads one file; documents on the main output, rejects and file stats tagged."""

    def __init__(self, limits: LimitsConfig) -> None:
        self._limits = limits

    def process(self, file: InputFile) -> Iterator[Any]:
        stats = FileStats(source=file.source.name, uri=file.uri, size_bytes=file.size_bytes)
        try:
            stream = FileSystems.open(file.uri, compression_type=CompressionTypes.UNCOMPRESSED)
        except OSError as error:
            stats.error = f"{type(error).__name__}: {error}"[:500]
            stats.records = 1
            origin = RecordOrigin(file.source, file.uri, 0)
            reject = make_reject(origin, Stage.READ, Reason.UNREADABLE_FILE, stats.error)
            yield beam.pvalue.TaggedOutput(REJECTS, reject)
            yield beam.pvalue.TaggedOutput(FILE_STATS, stats.as_dict())
            return
        with stream:
            for row in read_records(stream, file, self._limits, stats):
                if "reject_reason" in row:
                    yield beam.pvalue.TaggedOutput(REJECTS, row)
                else:
                    yield row
        yield beam.pvalue.TaggedOutput(FILE_STATS, stats.as_dict())


class ReadInputs(beam.PTransform):
    """Files -> document rows (main), reject rows (``rejects``), file stats (``file_stats``)."""

    def __init__(self, files: Sequence[InputFile], limits: LimitsConfig) -> None:
        super().__init__()
        self._files = list(files)
        self._limits = limits

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.pvalue.DoOutputsTuple:
        return (
            pbegin
            | "ListFiles" >> beam.Create(self._files)
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadFiles"
            >> beam.ParDo(ReadFileFn(self._limits)).with_outputs(REJECTS, FILE_STATS, main="docs")
        )
