"""Resolving ``dedup.reference`` paths into reference files, before anything is written.

A path is a curate output (it has ``_SUCCESS`` and ``index/``): its index files when they were
made with this run's MinHash parameters, else its corpus shards, indexed on the fly. Anything
else is a Parquet file, directory or glob whose files have a string ``text`` column (and,
optionally, an ``id`` column). A path that is none of these is a :class:`ConfigError`.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError
from curation.dedup.minhash import MinHasher
from curation.dedup.reference import ReferenceFile, index_parameters, read_index_metadata
from pipelines.output import CORPUS_DIR, INDEX_DIR, INDEX_PATTERN, SUCCESS_FILE, list_shards
from transforms.storage import list_path, open_raw, read_bytes, storage_problem

TEXT_COLUMN = "text"
ID_COLUMN = "id"


def resolve_references(paths: tuple[str, ...], hasher: MinHasher) -> tuple[ReferenceFile, ...]:
    """The files of every reference path, in the order given (:class:`ConfigError` for a path
    that is not a curate output nor holds Parquet files with a text column)."""
    files: list[ReferenceFile] = []
    for path in paths:
        try:
            files.extend(_reference_files(path, hasher))
        except ConfigError as error:
            raise ConfigError(f"dedup.reference {path!r}: {error}") from None
        except (OSError, ValueError, pa.ArrowException) as error:
            raise ConfigError(f"dedup.reference {path!r}: {storage_problem(error)}") from None
    return tuple(files)


def _reference_files(path: str, hasher: MinHasher) -> list[ReferenceFile]:
    success = FileSystems.join(path, SUCCESS_FILE)
    if FileSystems.exists(success):
        run = read_bytes(success).decode("ascii", "replace").strip() or path
        index = list_shards(FileSystems.join(path, INDEX_DIR), INDEX_PATTERN)
        wanted = index_parameters(hasher)
        if index and all(_index_parameters(file) == wanted for file in index):
            return [ReferenceFile(file, run) for file in index]
        corpus = list_shards(FileSystems.join(path, CORPUS_DIR))
        return [ReferenceFile(file, run, TEXT_COLUMN, ID_COLUMN) for file in corpus]
    listed = [name for name, _ in list_path(path).files if name.endswith(".parquet")]
    if not listed:
        raise ConfigError("no curate output (_SUCCESS) and no .parquet file there")
    return [_corpus_file(name, path) for name in sorted(listed)]


def _index_parameters(file: str) -> dict | None:
    with open_raw(file) as handle:
        recorded = read_index_metadata(pq.read_schema(handle).metadata)
    if recorded is None:
        return None
    return {key: value for key, value in recorded.items() if key != "run_id"}


def _corpus_file(file: str, path: str) -> ReferenceFile:
    with open_raw(file) as handle:
        schema = pq.read_schema(handle)
    text_type = schema.field(TEXT_COLUMN).type if TEXT_COLUMN in schema.names else None
    if text_type is None or not (
        pa.types.is_string(text_type) or pa.types.is_large_string(text_type)
    ):
        raise ConfigError(f"{file}: no string column {TEXT_COLUMN!r} to deduplicate against")
    id_column = ID_COLUMN if ID_COLUMN in schema.names else None
    return ReferenceFile(file, path, TEXT_COLUMN, id_column)
