"""File access for the pipeline and the launcher, through Beam's ``FileSystems``.

Every path a run reads or writes goes through here, so local paths, ``gs://``, ``s3://`` and
``hdfs://`` work wherever the matching Beam extra is installed. Domain code in ``curation/``
receives open streams or these functions, never a file system.
"""

from __future__ import annotations

from typing import IO

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from curation.io.spill import spill_name


def open_raw(uri: str) -> IO[bytes]:
    """Open ``uri`` for reading as stored (no decompression by file name)."""
    return FileSystems.open(uri, compression_type=CompressionTypes.UNCOMPRESSED)


def create(uri: str) -> IO[bytes]:
    """Create (or replace) ``uri`` for writing as is."""
    return FileSystems.create(uri, compression_type=CompressionTypes.UNCOMPRESSED)


def read_bytes(uri: str) -> bytes:
    with open_raw(uri) as handle:
        return handle.read()


def match_files(pattern: str) -> list[tuple[str, int]]:
    """``(path, size in bytes)`` of every file matching ``pattern`` (a path or a glob)."""
    matched = FileSystems.match([pattern])[0].metadata_list
    return [(item.path, item.size_in_bytes) for item in matched]


def spill_path(spill_dir: str, piece: int) -> str:
    """Where a piece's spill file lives under the run's spill directory."""
    return FileSystems.join(spill_dir, spill_name(piece))
