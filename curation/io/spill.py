"""Spill files: one Parquet file per piece with its scored rows, written and read by workers.

They live under the run's work directory (``OUT/_tmp-*/spill/``, deleted when the run is
published). A retried piece rewrites its file whole under the same name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from curation.io.schema import rows_to_table

#: Rows per row group and per conversion batch: bounds a worker's memory per piece.
SPILL_BATCH_ROWS = 2_000
#: Spill files are read once: favour speed over size.
SPILL_COMPRESSION = "lz4"


def spill_name(piece: int) -> str:
    """File name of a piece's spill file."""
    return f"piece-{piece:07d}.parquet"


class SpillWriter:
    """Appends rows to one piece's spill file (an open binary stream) in row groups of
    :data:`SPILL_BATCH_ROWS`; :meth:`close` finishes the file and closes the stream."""

    def __init__(self, stream: IO[bytes], schema: pa.Schema) -> None:
        self._schema = schema
        self._stream = stream
        self._writer = pq.ParquetWriter(stream, schema, compression=SPILL_COMPRESSION)
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
        self._stream.close()


def read_spills(files: Iterable[bytes], schema: pa.Schema) -> pa.Table:
    """The rows of spill files (their bytes), concatenated in the given order."""
    tables = [pq.read_table(pa.BufferReader(data), schema=schema) for data in files]
    return pa.concat_tables(tables) if tables else schema.empty_table()
