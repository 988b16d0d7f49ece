"""File access for the pipeline and the launcher, through Beam's ``FileSystems``.

Every path a run reads or writes goes through here, so local paths, ``gs://``, ``s3://`` and
``hdfs://`` work wherever the matching Beam extra is installed. Domain code in ``curation/``
receives open streams or these functions, never a file system.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import stat
from typing import IO, Literal, NamedTuple

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from curation.io.checkpoint import checkpoint_name, digests_name
from curation.io.spill import segments_name, signatures_name, spill_name


def open_raw(uri: str) -> IO[bytes]:
    """Open ``uri`` for reading as stored (no decompression by file name)."""
    return FileSystems.open(uri, compression_type=CompressionTypes.UNCOMPRESSED)


def create(uri: str) -> IO[bytes]:
    """Create (or replace) ``uri`` for writing as is."""
    return FileSystems.create(uri, compression_type=CompressionTypes.UNCOMPRESSED)


def read_bytes(uri: str) -> bytes:
    with open_raw(uri) as handle:
        return handle.read()


class Listing(NamedTuple):
    """What a path names: ``how`` it was read, its files and the files refused (with why)."""

    how: Literal["file", "directory", "glob"]
    files: list[tuple[str, int]]
    refused: list[tuple[str, str]]


def match_files(pattern: str) -> list[tuple[str, int]]:
    """``(path, size in bytes)`` of every file matching ``pattern`` (a path or a glob)."""
    matched = FileSystems.match([pattern])[0].metadata_list
    return [(item.path, item.size_in_bytes) for item in matched]


def list_path(path: str, follow_symlinks: bool = False) -> Listing:
    """What ``path`` names, its files as ``(path, size in bytes)``, and the files refused.

    A path that names an existing file is that file, taken literally (``data[1].jsonl`` is
    not a glob when it exists); a directory (or, on object stores, a prefix followed by
    ``/``) lists every file below it; anything else is a glob. Local file names may hold any
    bytes. Below a local directory, a symbolic link that leads outside it is refused (listed
    with the reason) unless ``follow_symlinks``, which also descends into linked directories.
    """
    if "://" not in path:
        if os.path.isfile(path):
            return Listing("file", [(path, os.path.getsize(path))], [])
        if os.path.isdir(path):
            return _walk(path, follow_symlinks)
        return Listing("glob", match_files(path), [])
    if not path.endswith("/") and FileSystems.exists(path):
        exact = [item for item in match_files(literal(path)) if item[0] == path]
        if exact:
            return Listing("file", exact, [])
    below = match_files(literal(path.rstrip("/")) + "/**")
    if below:
        return Listing("directory", below, [])
    return Listing("glob", match_files(path), [])


def _walk(root: str, follow_symlinks: bool) -> Listing:
    inside = os.path.realpath(root)
    files, refused = [], []
    for directory, _, names in os.walk(root, followlinks=follow_symlinks):
        for name in names:
            path = os.path.join(directory, name)
            target = os.path.realpath(path)
            if not follow_symlinks and os.path.commonpath([inside, target]) != inside:
                refused.append((path, f"symbolic link to {target}, outside {root}"))
            elif os.path.isfile(path):
                files.append(path)
    return Listing("directory", [(path, os.path.getsize(path)) for path in sorted(files)], refused)


def readable_by_all(uri: str) -> bool:
    """Whether every local user may read ``uri`` (object stores: access is the store's, so
    True)."""
    if "://" in uri:
        return True
    try:
        return bool(os.stat(uri).st_mode & stat.S_IROTH)
    except OSError:
        return True  # reading will fail and say so


def spill_path(spill_dir: str, piece: int) -> str:
    """Where a piece's spill file lives under the run's spill directory."""
    return FileSystems.join(spill_dir, spill_name(piece))


def signatures_path(spill_dir: str, piece: int) -> str:
    """Where a piece's signatures file lives, beside its spill file."""
    return FileSystems.join(spill_dir, signatures_name(piece))


def segments_path(spill_dir: str, piece: int) -> str:
    """Where a piece's segment hashes (``dedup.repeated``) live, beside its spill file."""
    return FileSystems.join(spill_dir, segments_name(piece))


def digests_path(spill_dir: str, piece: int) -> str:
    """Where a piece's digests table lives, beside its spill file."""
    return FileSystems.join(spill_dir, digests_name(piece))


def checkpoint_path(spill_dir: str, piece: int) -> str:
    """Where a piece's checkpoint lives, beside its spill file."""
    return FileSystems.join(spill_dir, checkpoint_name(piece))


#: What to do about a path scheme Beam has no filesystem for.
SCHEME_HINTS = {
    "gs": "install Beam's GCP extra: pip install 'apache-beam[gcp]'",
    "s3": "install boto3 (pip install 'curate[s3]'); endpoint and keys as --s3_* options",
    "hf": (
        "Hugging Face datasets are read from a local copy: hf download --repo-type dataset "
        "ORG/NAME --local-dir DIR, then give DIR"
    ),
}


def no_filesystem(scheme: str) -> str:
    """One line: Beam cannot serve ``scheme://`` paths here, and what to do about it."""
    hint = SCHEME_HINTS.get(scheme, "use a local path, s3:// or gs://")
    return f"no filesystem for {scheme}:// paths: {hint}"


def storage_problem(error: Exception) -> str:
    """One line saying why a path could not be reached, and what to do when it is known."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    path = message.rsplit("Path specified: ", 1)[-1] if "Path specified: " in message else ""
    if not path:
        return message[:300]
    return f"{path}: {no_filesystem(path.split('://', 1)[0])}"


def literal(path: str) -> str:
    """``path`` as the fixed part of a ``FileSystems.match`` pattern: ``[``, ``*`` and ``?`` in
    it are the name's, not wildcards (Beam matches ``[[]`` as ``[`` on every filesystem)."""
    return glob.escape(path)


def delete_file(path: str) -> None:
    """Delete one file, if it exists (the name taken literally)."""
    if "://" not in path:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    elif FileSystems.exists(path):
        FileSystems.delete([path])


def files_below(directory: str) -> list[str]:
    """Every file below ``directory`` (on object stores: every object under the prefix)."""
    pattern = FileSystems.join(literal(directory.rstrip("/")), "**")
    return sorted(item.path for item in FileSystems.match([pattern])[0].metadata_list)


def delete_tree(directory: str) -> None:
    """Delete ``directory`` and everything below it, if it exists."""
    if "://" not in directory:
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        elif os.path.exists(directory):
            os.remove(directory)
        return
    files = files_below(directory)
    if files:
        FileSystems.delete(files)


def move_tree(source: str, target: str) -> None:
    """Move the directory ``source`` to ``target`` (which must not exist): one rename on a
    local disk, one copy-and-delete per object on object stores, which have no directories."""
    if "://" not in source:
        os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
        if os.path.exists(source):
            os.rename(source, target)
        else:
            os.makedirs(target)
        return
    files = files_below(source)
    prefix = source.rstrip("/")
    FileSystems.rename(files, [target.rstrip("/") + path[len(prefix) :] for path in files])
