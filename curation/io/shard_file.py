"""Output Parquet files written as a stream, row group by row group.

A shard writer hands rows over in whatever batches it assembles them in (a spill row group's
kept rows, say); :class:`ParquetStream` buffers them until a whole output row group is there
and writes it, so the file's bytes equal those of ``pq.write_table`` on all its rows at once
(same row groups, same chunks within them) while the writer holds at most a row group.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

#: Rows per row group of an output shard.
ROW_GROUP_ROWS = 10_000


class _Sink:
    """A binary stream that counts and hashes the bytes it passes on to ``handle``."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes) -> int:
        self._handle.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()
        self.closed = True


class ParquetStream:
    """One Parquet file at ``path``, created through ``create`` with its first rows."""

    def __init__(
        self,
        path: str,
        schema: pa.Schema,
        compression: str,
        create: Callable[[str], IO[bytes]],
    ) -> None:
        self._path = path
        self._schema = schema
        self._compression = compression
        self._create = create
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._rows = 0
        self._sink: _Sink | None = None
        self._writer: pq.ParquetWriter | None = None

    def add(self, rows: pa.Table) -> None:
        """Append ``rows`` (of the file's schema)."""
        if rows.num_rows == 0:
            return
        self._pending.append(rows)
        self._pending_rows += rows.num_rows
        while self._pending_rows >= ROW_GROUP_ROWS:
            self._write(ROW_GROUP_ROWS)

    def _write(self, count: int) -> None:
        pending = pa.concat_tables(self._pending)
        if self._writer is None:
            self._sink = _Sink(self._create(self._path))
            self._writer = pq.ParquetWriter(self._sink, self._schema, compression=self._compression)
        self._writer.write_table(pending.slice(0, count), row_group_size=ROW_GROUP_ROWS)
        self._rows += count
        rest = pending.slice(count)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def close(self) -> dict[str, Any] | None:
        """Finish the file; its path, rows, bytes and sha256, or ``None`` if it got no rows
        (and so was never created)."""
        if self._pending_rows:
            self._write(self._pending_rows)
        if self._writer is None or self._sink is None:
            return None
        self._writer.close()
        self._sink.close()
        return {
            "path": self._path,
            "rows": self._rows,
            "bytes": self._sink.size,
            "sha256": self._sink.sha256.hexdigest(),
        }
