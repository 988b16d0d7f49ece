"""Writing the output: Parquet shards assembled from spill files, and the run record.

A shard is a fixed group of input pieces (:mod:`curation.io.pieces`); its rows are in input
order and its bytes depend only on the input and config, not on the runner or worker count.
Shards that would be empty are not written (shard numbers may then have gaps).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.io.assemble import apply_decisions
from curation.io.partition import partitions
from curation.io.pieces import split_piece_key
from curation.io.schema import OutputSchemas
from curation.io.spill import read_spills
from transforms.storage import read_bytes, spill_path

ROW_GROUP_ROWS = 10_000
DECISION = "decision"
SPILLED = "spilled"
#: Tags of the shard stats :class:`WriteShards` outputs.
CORPUS_SHARDS = "corpus_shards"
REJECT_SHARDS = "reject_shards"


def shard_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def write_table(table: pa.Table, path: str, compression: str) -> dict[str, Any]:
    """Write one Parquet file through ``FileSystems``; return its path, rows, bytes, sha256."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=compression, row_group_size=ROW_GROUP_ROWS)
    data = sink.getvalue().to_pybytes()
    with FileSystems.create(path) as handle:
        handle.write(data)
    return {
        "path": path,
        "rows": table.num_rows,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


@dataclass(frozen=True)
class ShardLayout:
    """Where shards come from and go: spill directory, pieces per shard, output directories."""

    spill_dir: str
    pieces: dict[int, tuple[int, ...]]  # shard -> its piece indices, in input order
    corpus_dir: str
    rejects_dir: str
    partition_by: tuple[str, ...] = ()  # Hive-style corpus directories (curation.io.partition)


class _WriteShardFn(beam.DoFn):
    def __init__(self, layout: ShardLayout, schemas: OutputSchemas, codec: str) -> None:
        self._layout = layout
        self._schemas = schemas
        self._codec = codec

    def process(self, item: tuple[int, Iterable[tuple[str, Any]]]) -> Iterator[tuple[str, Any]]:
        shard, entries = item
        expected = self._layout.pieces[shard]
        decisions, spilled = [], set()
        for kind, entry in entries:
            if kind == SPILLED:
                spilled.add(entry)
            else:
                decisions.append(entry)
        if spilled != set(expected):
            raise RuntimeError(f"shard {shard}: pieces {sorted(set(expected) - spilled)} missing")
        spill_dir = self._layout.spill_dir
        spills = (read_bytes(spill_path(spill_dir, piece)) for piece in expected)
        table = read_spills(spills, self._schemas.spill)
        corpus, rejects = apply_decisions(
            table, decisions, self._schemas.corpus, self._schemas.rejects
        )
        name = shard_name(shard)
        layout = self._layout
        files = [
            (CORPUS_SHARDS, _below(layout.corpus_dir, subdir), rows)
            for subdir, rows in partitions(corpus, layout.partition_by)
        ]
        files.append((REJECT_SHARDS, layout.rejects_dir, rejects))
        for kind, directory, rows in files:
            if rows.num_rows:
                yield kind, write_table(rows, FileSystems.join(directory, name), self._codec)


def _below(directory: str, subdirectory: str) -> str:
    """``directory/subdirectory``, or ``directory`` itself for ``""``."""
    return FileSystems.join(directory, subdirectory) if subdirectory else directory


class WriteShards(beam.PTransform):
    """(decisions by record key, spilled markers) -> corpus and reject shards.

    Each shard is written by one worker from the spill files of its pieces: rows in input
    order, decisions applied, kept rows to ``corpus_dir``, the rest to ``rejects_dir``, each
    with its explicit schema. Empty shard files are not written. Outputs
    ``(CORPUS_SHARDS | REJECT_SHARDS, stats)`` per written file.
    """

    def __init__(
        self,
        layout: ShardLayout,
        schemas: OutputSchemas,
        compression: str = "zstd",
    ) -> None:
        super().__init__()
        self._layout = layout
        self._schemas = schemas
        self._compression = compression
        self._shard_of_piece = {
            piece: shard for shard, pieces in layout.pieces.items() for piece in pieces
        }

    def expand(self, inputs):  # (decisions, spilled); no annotation: Beam reads it as a type hint
        decisions, spilled = inputs
        shard_of_piece = self._shard_of_piece
        by_shard = decisions | "DecisionsByShard" >> beam.Map(
            lambda item: (shard_of_piece[split_piece_key(item[0])[0]], (DECISION, item[1]))
        )
        markers = spilled | "MarkersByShard" >> beam.Map(lambda item: (item[0], (SPILLED, item[1])))
        return (
            (by_shard, markers)
            | "Both" >> beam.Flatten()
            | "GroupShards" >> beam.GroupByKey()
            | "WriteShard"
            >> beam.ParDo(_WriteShardFn(self._layout, self._schemas, self._compression))
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
