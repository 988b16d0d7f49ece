"""Writing the output: Parquet shards assembled from spill files, and the run record.

A shard is a fixed group of input pieces (:mod:`curation.io.pieces`); its rows are in input
order and its bytes depend only on the input and config, not on the runner or worker count.
Shards that would be empty are not written (shard numbers may then have gaps).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import apache_beam as beam
import numpy as np
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems

from curation.config import RepeatedConfig
from curation.decision_batches import DECISION_SCHEMA, by_piece
from curation.diversity.sample import SAMPLE_COLUMNS, ShardSampler
from curation.io.assemble import DecisionMismatch, assemble_piece
from curation.io.partition import partitions
from curation.io.pieces import key_pieces
from curation.io.schema import OutputSchemas
from curation.io.shard_file import ParquetStream
from curation.io.spill import spill_row_groups
from curation.tables import concat_sorted, split_by
from transforms.diversity import DIVERSITY_SAMPLE
from transforms.pause import pause_at
from transforms.repeated import REPEATED, RepeatedSegments, piece_removal, shard_repeated
from transforms.storage import create, open_raw, spill_path

DECISION = "decision"
SPILLED = "spilled"
#: Tags of the shard stats :class:`WriteShards` outputs.
CORPUS_SHARDS = "corpus_shards"
REJECT_SHARDS = "reject_shards"


def shard_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


@dataclass(frozen=True)
class ShardLayout:
    """Where shards come from and go: spill directory, pieces per shard, output directories."""

    spill_dir: str
    pieces: dict[int, tuple[int, ...]]  # shard -> its piece indices, in input order
    corpus_dir: str
    rejects_dir: str
    partition_by: tuple[str, ...] = ()  # Hive-style corpus directories (curation.io.partition)


class ShardInputs(NamedTuple):
    """What a shard is assembled from."""

    decisions: dict[int, pa.Table]  # piece -> its decisions, sorted by key
    spilled: set[int]  # its spilled pieces
    repeated: np.ndarray  # hashes of its repeated segments (``dedup.repeated``), sorted uint64


def shard_inputs(item: tuple[tuple[int, Any], Iterable[tuple[str, Any]]]) -> ShardInputs:
    """A shard's gathered entries (:class:`GatherShards`) -> its :class:`ShardInputs`;
    decisions of a piece that did not spill are a bug."""
    (shard, _), entries = item
    tables, spilled, repeated = [], set(), []
    for kind, entry in entries:
        if kind == SPILLED:
            spilled.add(entry)
        elif kind == REPEATED:
            repeated.append(entry)
        else:
            tables.append(entry)
    decisions = dict(by_piece(concat_sorted(tables, DECISION_SCHEMA, "_key")))
    if set(decisions) - spilled:
        unknown = sorted(set(decisions) - spilled)
        raise DecisionMismatch(f"shard {shard}: decisions for pieces {unknown}, not its own")
    return ShardInputs(decisions, spilled, shard_repeated(repeated))


class GatherShards(beam.PTransform):
    """(decision tables, spilled markers ``(shard, piece)``) -> ``((shard, part), entries)``:
    each shard's decisions and spilled pieces under one key per part of ``parts`` (read by
    :func:`shard_inputs`). Parts are written independently, so a shard's parts can go to
    different workers; ``(None,)``: the shard is one part.

    With ``repeated`` (:class:`~transforms.repeated.RepeatedSegments`' settings, spill
    directory and buckets), each shard also gets the hashes of its repeated segments."""

    def __init__(
        self,
        shard_of_piece: np.ndarray,
        repeated: tuple[RepeatedConfig, str, int] | None = None,
        parts: tuple[Any, ...] = (None,),
    ) -> None:
        super().__init__()
        self._shard_of_piece = shard_of_piece
        self._repeated = repeated
        self._parts = parts

    def expand(self, inputs):  # (decisions, spilled); no annotation: Beam reads it as a type hint
        decisions, spilled = inputs
        shard_of_piece = self._shard_of_piece
        by_shard = decisions | "DecisionsByShard" >> beam.FlatMap(_by_shard, shard_of_piece)
        markers = spilled | "MarkersByShard" >> beam.Map(lambda item: (item[0], (SPILLED, item[1])))
        entries = [by_shard, markers]
        if self._repeated is not None:
            settings, spill_dir, buckets = self._repeated
            entries.append(
                decisions
                | "RepeatedSegments"
                >> RepeatedSegments(settings, spill_dir, shard_of_piece, buckets)
            )
        return (
            entries
            | "All" >> beam.Flatten()
            | "ForEachPart" >> beam.FlatMap(_for_each_part, self._parts)
            | "GroupShards" >> beam.GroupByKey()
        )


def _for_each_part(entry: tuple[int, Any], parts: tuple[Any, ...]) -> Iterator[tuple[tuple, Any]]:
    shard, value = entry
    for part in parts:
        yield (shard, part), value


class _WriteShardFn(beam.DoFn):
    def __init__(
        self,
        layout: ShardLayout,
        schemas: OutputSchemas,
        codec: str,
        repeated: RepeatedConfig | None,
    ) -> None:
        self._layout = layout
        self._schemas = schemas
        self._codec = codec
        self._repeated = repeated
        self._sample = set(SAMPLE_COLUMNS) <= set(schemas.corpus.names)

    def process(
        self, item: tuple[tuple[int, str], Iterable[tuple[str, Any]]]
    ) -> Iterator[tuple[str, Any]]:
        shard, kind = item[0]
        expected = self._layout.pieces[shard]
        inputs = shard_inputs(item)
        decisions, spilled = inputs.decisions, inputs.spilled
        if spilled != set(expected):
            raise RuntimeError(f"shard {shard}: pieces {sorted(set(expected) - spilled)} missing")
        layout, schemas, name = self._layout, self._schemas, shard_name(shard)
        files: dict[str, ParquetStream] = {}
        sampler = ShardSampler() if kind == CORPUS_SHARDS and self._sample else None

        def file(subdir: str) -> ParquetStream:
            if subdir not in files:
                directory = layout.corpus_dir if kind == CORPUS_SHARDS else layout.rejects_dir
                path = FileSystems.join(_below(directory, subdir), name)
                schema = schemas.corpus if kind == CORPUS_SHARDS else schemas.rejects
                files[subdir] = ParquetStream(path, schema, self._codec, create)
            return files[subdir]

        for piece in expected:
            piece_decisions = decisions.get(piece, DECISION_SCHEMA.empty_table())
            removal = piece_removal(self._repeated, inputs.repeated, layout.spill_dir, piece)
            with open_raw(spill_path(layout.spill_dir, piece)) as spill:
                spilled_rows = spill_row_groups(spill)
                for corpus, rejects in assemble_piece(
                    spilled_rows,
                    piece_decisions,
                    schemas.corpus,
                    schemas.rejects,
                    removal.apply if removal is not None else None,
                ):
                    if kind == REJECT_SHARDS:
                        file("").add(rejects)
                        continue
                    if sampler is not None:
                        sampler.add(corpus)
                    for subdir, rows in partitions(corpus, layout.partition_by):
                        file(subdir).add(rows)
        written = [stream.close() for _, stream in sorted(files.items())]
        # a shard whose pieces hold no rows writes no file: a pause there would show none
        pause_at("write", pause=any(stats is not None for stats in written))
        yield from ((kind, stats) for stats in written if stats is not None)
        if sampler is not None:
            for source, sample in sorted(sampler.samples().items()):
                yield DIVERSITY_SAMPLE, (source, sample)


def _by_shard(decisions: pa.Table, shard_of_piece: np.ndarray) -> Iterator[tuple[int, tuple]]:
    """``(shard, (DECISION, its decisions))`` for each shard ``decisions`` has records of."""
    shards = shard_of_piece[key_pieces(decisions["_key"].to_numpy())]
    for shard, rows in split_by(decisions, shards):
        yield shard, (DECISION, rows)


def _below(directory: str, subdirectory: str) -> str:
    """``directory/subdirectory``, or ``directory`` itself for ``""``."""
    return FileSystems.join(directory, subdirectory) if subdirectory else directory


class WriteShards(beam.PTransform):
    """(decision tables, spilled markers) -> corpus and reject shards.

    A shard's corpus file and its rejects file are written by two tasks (two workers where
    there are), each from the spill files of the shard's pieces: rows in input order,
    decisions applied, kept rows to ``corpus_dir``, the rest to ``rejects_dir``, each with
    its explicit schema. Empty shard files are not written. Outputs
    ``(CORPUS_SHARDS | REJECT_SHARDS, stats)`` per written file and
    ``(DIVERSITY_SAMPLE, (source, sample))`` per source of the shard's kept rows (when the
    corpus schema has the :data:`~curation.diversity.sample.SAMPLE_COLUMNS`).

    With ``repeated`` (``dedup.repeated``), segments found in more than its
    ``max_documents`` kept documents are removed from the kept documents as they are written
    (:mod:`transforms.repeated`, counted in ``buckets`` hash buckets).
    """

    def __init__(
        self,
        layout: ShardLayout,
        schemas: OutputSchemas,
        compression: str = "zstd",
        repeated: RepeatedConfig | None = None,
        buckets: int = 1,
    ) -> None:
        super().__init__()
        self._layout = layout
        self._schemas = schemas
        self._compression = compression
        self._repeated = repeated
        self._buckets = buckets
        pieces = [(piece, shard) for shard, owned in layout.pieces.items() for piece in owned]
        self._shard_of_piece = np.zeros(1 + max((piece for piece, _ in pieces), default=0), int)
        for piece, shard in pieces:
            self._shard_of_piece[piece] = shard

    def expand(self, inputs):  # (decisions, spilled); no annotation: Beam reads it as a type hint
        repeated = self._repeated
        counting = None if repeated is None else (repeated, self._layout.spill_dir, self._buckets)
        write = _WriteShardFn(self._layout, self._schemas, self._compression, repeated)
        return (
            inputs
            | "Gather"
            >> GatherShards(self._shard_of_piece, counting, (CORPUS_SHARDS, REJECT_SHARDS))
            | "WriteShard" >> beam.ParDo(write)
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
