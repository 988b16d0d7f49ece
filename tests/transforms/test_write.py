"""WriteParquetShards: explicit schema, zstd, sorted rows, no empty shards, stable bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq

from tests.transforms.beam_helpers import local_pipeline
from transforms.write import WriteParquetShards, shard_of

SCHEMA = pa.schema(
    [("id", pa.string()), ("source_uri", pa.string()), ("source_record", pa.int64())]
)


def write(rows: list[dict], directory: Path, num_shards: int, workers: int = 1) -> None:
    with local_pipeline(workers) as pipeline:
        _ = (
            pipeline
            | beam.Create(rows)
            | WriteParquetShards(str(directory), SCHEMA, num_shards, "zstd")
        )


def shard_digests(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.glob("part-*.parquet"))
    }


def test_rows_split_sorted_and_no_empty_shard(tmp_path):
    rows = [{"id": f"doc-{i:03d}", "source_uri": "f", "source_record": i} for i in range(50)]
    write(list(reversed(rows)), tmp_path, num_shards=4)
    shards = sorted(tmp_path.glob("part-*.parquet"))
    assert shards, "no shard written"
    total = 0
    for path in shards:
        parquet = pq.ParquetFile(path)
        assert parquet.schema_arrow == SCHEMA
        assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"
        ids = parquet.read().column("id").to_pylist()
        assert ids, f"{path.name} is empty"
        assert ids == sorted(ids)
        index = int(path.stem.split("-")[1])
        assert {shard_of(row_id, 4) for row_id in ids} == {index}
        total += len(ids)
    assert total == 50


def test_few_rows_in_many_shards_leave_no_empty_file(tmp_path):
    rows = [{"id": "only", "source_uri": "f", "source_record": 1}]
    write(rows, tmp_path, num_shards=8)
    shards = list(tmp_path.glob("part-*.parquet"))
    assert len(shards) == 1
    assert pq.ParquetFile(shards[0]).metadata.num_rows == 1


def test_same_rows_give_identical_bytes_with_other_worker_count(tmp_path):
    rows = [{"id": f"d{i}", "source_uri": "f", "source_record": i} for i in range(200)]
    write(rows, tmp_path / "one", num_shards=3, workers=1)
    write(list(reversed(rows)), tmp_path / "two", num_shards=3, workers=2)
    assert shard_digests(tmp_path / "one") == shard_digests(tmp_path / "two")
