"""Spill files: one Parquet file per piece with its scored rows, written and read by workers.

They live under the run's work directory (``OUT/_tmp-*/spill/``, deleted when the run is
published) and go through ``FileSystems``, so they work on any file system the output does.
A retried piece rewrites its file whole under the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.io.schema import rows_to_table

#: Rows per row group and per conversion batch: bounds a worker's memory per piece.
SPILL_BATCH_ROWS = 2_000
#: Spill files are read once: favour speed over size.
SPILL_COMPRESSION = "lz4"


def spill_path(directory: str, piece: int) -> str:
    return FileSystems.join(directory, f"piece-{piece:07d}.parquet")


class SpillWriter:
    """Appends rows to one piece's spill file in row groups of :data:`SPILL_BATCH_ROWS`."""

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self._schema = schema
        self._handle = FileSystems.create(path)
        self._writer = pq.ParquetWriter(self._handle, schema, compression=SPILL_COMPRESSION)
        self._batch: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self._batch.append(row)
        if len(self._batch) >= SPILL_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._writer.write_table(rows_to_table(self._batch, self._schema))
            self._batch = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        self._handle.close()


def read_spills(directory: str, pieces: Sequence[int], schema: pa.Schema) -> pa.Table:
    """The spilled rows of ``pieces``, concatenated in the given order."""
    tables = []
    for piece in pieces:
        with FileSystems.open(spill_path(directory, piece)) as handle:
            data = handle.read()
        tables.append(pq.read_table(pa.BufferReader(data), schema=schema))
    return pa.concat_tables(tables) if tables else schema.empty_table()
