"""Spill files: one Parquet file per piece with its scored rows, written and read by workers,
and beside it the piece's MinHash signatures (read by near-dedup where it verifies pairs).

They live under the run's work directory (``OUT/_tmp-*/spill/``, deleted when the run is
published). A retried piece rewrites its files whole under the same names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curation.io.schema import rows_to_table
from curation.tables import decode_table, encode_table

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


def spill_row_groups(stream: IO[bytes]) -> Iterator[pa.Table]:
    """The row groups of a spill file (an open, seekable binary stream), one table each, so a
    reader holds one row group at a time."""
    spill = pq.ParquetFile(stream)
    for index in range(spill.num_row_groups):
        yield spill.read_row_group(index)


def signatures_name(piece: int) -> str:
    """File name of a piece's signatures file, beside its spill file."""
    return f"piece-{piece:07d}.signatures.arrow"


def segments_name(piece: int) -> str:
    """File name of a piece's segment hashes (``dedup.repeated``), beside its spill file."""
    return f"piece-{piece:07d}.segments.arrow"


def shingle_sets_array(sets: Sequence[np.ndarray]) -> pa.ListArray:
    """Shingle sets (uint64 arrays) as one Arrow list array, without a Python int per value."""
    sizes = np.fromiter((len(values) for values in sets), np.int64, len(sets))
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int32)
    values = np.concatenate(sets) if len(sets) else np.empty(0, np.uint64)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.uint64()))


def encode_signatures(
    keys: Sequence[int],
    ranks: Sequence[str],
    signatures: Sequence[bytes],
    shingles: Sequence[np.ndarray],
    width: int,
) -> bytes:
    """A piece's signatures file: its scored documents' record keys (ascending), keeper ranks,
    MinHash signatures of ``width`` bytes each and exact shingle sets (sorted distinct uint64,
    :func:`curation.dedup.minhash.shingle_set`), as an Arrow IPC file (read back by
    :class:`Signatures`). Near-dedup reads these for the few documents that share an LSH
    bucket instead of shuffling them for every document."""
    table = pa.table(
        {
            "_key": pa.array(keys, pa.int64()),
            "rank": pa.array(ranks, pa.string()),
            "signature": pa.array(signatures, pa.binary(width)),
            "shingles": shingle_sets_array(shingles),
        }
    )
    return encode_table(table)


def signature_matrix(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """MinHash signatures (a fixed-size binary column) as rows of a uint32 matrix."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    width = column.type.byte_width
    words = len(column) * width // 4
    values = (
        np.frombuffer(column.buffers()[1], np.uint32, words, column.offset * width)
        if words
        else np.empty(0, np.uint32)
    )
    return values.reshape(len(column), width // 4)


class Signatures:
    """One piece's signatures file (its bytes): ranks, signatures and shingle sets by record
    key."""

    def __init__(self, data: bytes) -> None:
        table = decode_table(data)
        self._keys = table["_key"].to_numpy()
        self._ranks = table["rank"]
        self._signatures = table["signature"].combine_chunks()
        self._shingles = table["shingles"]
        self._matrix = signature_matrix(self._signatures)

    def _rows(self, keys: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self._keys, keys)
        found = index < len(self._keys)
        found[found] = self._keys[index[found]] == keys[found]
        if not found.all():
            raise KeyError(f"no signature for record key {int(keys[~found][0])}")
        return index

    def of(self, keys: np.ndarray) -> np.ndarray:
        """Signatures of ``keys`` (int64 array) as rows of a uint32 matrix, in ``keys`` order;
        ``KeyError`` if a key has none."""
        return self._matrix[self._rows(keys)]

    def column(self, keys: np.ndarray) -> pa.FixedSizeBinaryArray:
        """Signatures of ``keys`` as stored (read back by :func:`signature_matrix`)."""
        return self._signatures.take(self._rows(keys))

    def ranks(self, keys: np.ndarray) -> pa.ChunkedArray:
        """Keeper ranks of ``keys``, in ``keys`` order."""
        return self._ranks.take(self._rows(keys))

    def shingles(self, keys: np.ndarray) -> pa.ListArray:
        """Shingle sets of ``keys`` (a list array of sorted uint64), in ``keys`` order."""
        return self._shingles.take(self._rows(keys)).combine_chunks()
