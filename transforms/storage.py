"""File access for the pipeline and the launcher, through Beam's ``FileSystems``.

Every path a run reads or writes goes through here, so local paths, ``gs://``, ``s3://`` and
``hdfs://`` work wherever the matching Beam extra is installed. Domain code in ``curation/``
receives open streams or these functions, never a file system.
"""

from __future__ import annotations

import os
from typing import IO, Literal

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


def list_path(path: str) -> tuple[Literal["file", "directory", "glob"], list[tuple[str, int]]]:
    """What ``path`` names, and its files as ``(path, size in bytes)``.

    A path that names an existing file is that file, taken literally (``data[1].jsonl`` is
    not a glob when it exists); a directory (or, on object stores, a prefix followed by
    ``/``) lists every file below it; anything else is a glob. Local file names may hold any
    bytes.
    """
    if "://" not in path:
        if os.path.isfile(path):
            return "file", [(path, os.path.getsize(path))]
        if os.path.isdir(path):
            found = [
                os.path.join(root, name)
                for root, _, names in os.walk(path)
                for name in names
                if os.path.isfile(os.path.join(root, name))
            ]
            return "directory", [(name, os.path.getsize(name)) for name in sorted(found)]
        return "glob", match_files(path)
    if not path.endswith("/") and FileSystems.exists(path):
        exact = [item for item in match_files(path) if item[0] == path]
        if exact:
            return "file", exact
    below = match_files(path.rstrip("/") + "/**")
    if below:
        return "directory", below
    return "glob", match_files(path)


def spill_path(spill_dir: str, piece: int) -> str:
    """Where a piece's spill file lives under the run's spill directory."""
    return FileSystems.join(spill_dir, spill_name(piece))
