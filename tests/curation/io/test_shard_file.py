"""ParquetStream: a file streamed row group by row group has the bytes of one write_table."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.io.shard_file import ROW_GROUP_ROWS, ParquetStream

SCHEMA = pa.schema(
    [("text", pa.string()), ("n", pa.int64()), ("lang", pa.dictionary(pa.int32(), pa.string()))]
)


def batches(count: int, rows: int, seed: int = 0) -> list[pa.Table]:
    """Tables of ``rows`` random rows each, filtered unevenly (as kept rows of spill row
    groups are), so chunk boundaries fall anywhere."""
    rng = np.random.default_rng(seed)
    tables = []
    for index in range(count):
        words = rng.integers(0, 50, size=rows)
        table = pa.table(
            {
                "text": [f"word{w} " * int(w) for w in words],
                "n": np.arange(rows) + index * rows,
                "lang": pa.array([["en", "de", "fr"][w % 3] for w in words]).dictionary_encode(),
            },
            schema=SCHEMA,
        )
        tables.append(table.filter(pa.array(rng.random(rows) < 0.7)))
    return tables


class Files(dict):
    """In-memory files by path, created through :meth:`create` as ``FileSystems`` would."""

    def create(self, path: str) -> io.BytesIO:
        stream = self[path] = _Kept()
        return stream


class _Kept(io.BytesIO):
    def close(self) -> None:  # keep the bytes readable after the writer closes the file
        self.data = self.getvalue()
        super().close()


@pytest.mark.parametrize("rows", [2_000, 3_333, ROW_GROUP_ROWS + 1])
def test_same_bytes_as_writing_the_whole_table_at_once(rows):
    parts = batches(9, rows)
    whole = pa.BufferOutputStream()
    pq.write_table(
        pa.concat_tables(parts), whole, compression="zstd", row_group_size=ROW_GROUP_ROWS
    )
    files = Files()
    stream = ParquetStream("out/part.parquet", SCHEMA, "zstd", files.create)
    for part in parts:
        stream.add(part)
    stats = stream.close()
    data = files["out/part.parquet"].data
    assert data == whole.getvalue().to_pybytes()
    assert stats["rows"] == sum(part.num_rows for part in parts)
    assert stats["bytes"] == len(data)
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    assert metadata.num_row_groups == -(-stats["rows"] // ROW_GROUP_ROWS)


def test_a_file_without_rows_is_never_created():
    files = Files()
    stream = ParquetStream("empty.parquet", SCHEMA, "zstd", files.create)
    stream.add(batches(1, 10)[0].slice(0, 0))
    assert stream.close() is None
    assert files == {}
