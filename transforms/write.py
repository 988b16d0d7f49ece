"""Writing rows as Parquet shards with an explicit schema, deterministic contents, no empties.

Rows go to shard ``xxh64(id) % num_shards``; each shard's rows are sorted by
(id, source_uri, source_record) before writing, so a shard's bytes depend only on the input
and config, not on the runner or worker count. Shards that would be empty are not written
(shard numbers may then have gaps).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
import xxhash
from apache_beam.io.filesystems import FileSystems

from curation.schema import rows_to_table


def shard_of(row_id: str, num_shards: int) -> int:
    return xxhash.xxh64_intdigest(row_id.encode("utf-8")) % num_shards


def shard_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def _sort_key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["id"], row["source_uri"], row["source_record"]


class _WriteShard(beam.DoFn):
    def __init__(self, directory: str, schema: pa.Schema, compression: str) -> None:
        self._directory = directory
        self._schema = schema
        self._compression = compression

    def process(self, item: tuple[int, Iterable[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
        index, rows = item
        ordered = sorted(rows, key=_sort_key)
        table = rows_to_table(ordered, self._schema)
        path = FileSystems.join(self._directory, shard_name(index))
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression=self._compression, row_group_size=10_000)
        data = sink.getvalue().to_pybytes()
        with FileSystems.create(path) as handle:
            handle.write(data)
        yield {
            "path": path,
            "rows": table.num_rows,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }


class WriteParquetShards(beam.PTransform):
    """Rows -> Parquet shards in ``directory``; outputs one stats dict per written shard."""

    def __init__(
        self, directory: str, schema: pa.Schema, num_shards: int, compression: str = "zstd"
    ) -> None:
        super().__init__()
        self._directory = directory
        self._schema = schema
        self._num_shards = max(1, num_shards)
        self._compression = compression

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        num_shards = self._num_shards
        return (
            rows
            | "AssignShard" >> beam.Map(lambda row: (shard_of(row["id"], num_shards), row))
            | "GroupShards" >> beam.GroupByKey()
            | "WriteShard"
            >> beam.ParDo(_WriteShard(self._directory, self._schema, self._compression))
        )


class _WriteRecordFile(beam.DoFn):
    def __init__(self, path: str) -> None:
        self._path = path

    def process(self, item: tuple[None, Iterable[tuple[str, dict[str, Any]]]]) -> Iterator[str]:
        record: dict[str, list[dict[str, Any]]] = {}
        for kind, entry in item[1]:
            record.setdefault(kind, []).append(entry)
        for entries in record.values():
            entries.sort(key=lambda entry: json.dumps(entry, sort_keys=True))
        with FileSystems.create(self._path) as handle:
            handle.write(json.dumps(record, indent=1, sort_keys=True).encode("utf-8"))
        yield self._path


class WriteRunRecord(beam.PTransform):
    """``(kind, dict)`` entries -> one JSON file ``{kind: [dict, ...]}``, entries sorted.

    Make it the pipeline's last step, fed by every other sink: DaskRunner computes only the
    last transform and what it depends on.
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def expand(self, entries: beam.PCollection) -> beam.PCollection:
        return (
            entries
            | "OneGroup" >> beam.Map(lambda entry: (None, entry))
            | "Gather" >> beam.GroupByKey()
            | "Write" >> beam.ParDo(_WriteRecordFile(self._path))
        )
