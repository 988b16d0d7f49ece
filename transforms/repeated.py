"""Counting repeated paragraphs or lines over the kept documents (``dedup.repeated``).

Columnar all the way (:mod:`curation.dedup.repeated`): each shard gathers its kept documents'
record keys (one int64 array per decision batch), reads the segment hashes its pieces stored
when they were scored, and counts them, emitting one ``(hashes, counts)`` pair of arrays per
hash bucket (``hash % buckets``). Each bucket merges its pairs, finds the hashes held by more
than ``max_documents`` documents, and sends every shard back only those of its own hashes, so a
shard writer gets the few repeated hashes it needs, never the whole table (and no side input:
DaskRunner materialises side inputs inside each task).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
import numpy as np
import pyarrow as pa

from curation.config import RepeatedConfig
from curation.dedup.repeated import RepeatedRemoval, holders, kept_counts, merge_counts
from curation.io.pieces import key_pieces
from curation.tables import decode_table, group_rows
from transforms.storage import read_bytes, segments_path

#: The kind of a shard's repeated hashes among its gathered entries (:class:`~transforms.write.
#: GatherShards`).
REPEATED = "repeated"


def _kept_by_shard(decisions: pa.Table, shard_of_piece: np.ndarray) -> Iterator[tuple]:
    """``(shard, kept record keys)`` for each shard ``decisions`` keep documents of."""
    keys = decisions["_key"].to_numpy()[decisions["kept"].to_numpy(zero_copy_only=False)]
    for shard, rows in group_rows(shard_of_piece[key_pieces(keys)]):
        yield shard, keys[rows]


def _shard_counts(
    item: tuple[int, Iterable[np.ndarray]], spill_dir: str, buckets: int
) -> Iterator[tuple[int, tuple[int, np.ndarray, np.ndarray]]]:
    """``(bucket, (shard, hashes, counts))``: one shard's segment counts over its kept
    documents, split by hash bucket."""
    shard, key_arrays = item
    keys = np.sort(np.concatenate(list(key_arrays)))
    hashes, counts = [], []
    for piece, rows in group_rows(key_pieces(keys)):
        table = decode_table(read_bytes(segments_path(spill_dir, piece)))
        found, documents = kept_counts(table, keys[rows])
        hashes.append(found)
        counts.append(documents)
    found, documents = merge_counts(hashes, counts)
    for bucket, rows in group_rows((found % np.uint64(buckets)).astype(np.int64)):
        yield bucket, (shard, found[rows], documents[rows])


def _repeated_by_shard(
    item: tuple[int, Iterable[tuple[int, np.ndarray, np.ndarray]]], max_documents: int
) -> Iterator[tuple[int, tuple[str, np.ndarray]]]:
    """``(shard, (REPEATED, hashes))``: a bucket's hashes held by more than ``max_documents``
    kept documents, to each shard that has any of them."""
    _, entries = item
    entries = list(entries)
    found, documents = merge_counts([e[1] for e in entries], [e[2] for e in entries])
    repeated = found[documents > max_documents]
    if not repeated.size:
        return
    for shard, hashes, _ in entries:
        mine = hashes[np.isin(hashes, repeated)]
        if mine.size:
            yield shard, (REPEATED, mine)


class RepeatedSegments(beam.PTransform):
    """Decision tables -> ``(shard, (REPEATED, hashes))``: the hashes of the segments found in
    more than ``settings.max_documents`` kept documents, to each shard holding them (a shard
    may get several arrays, one per bucket). ``spill_dir`` holds the pieces' segment files,
    ``shard_of_piece`` maps pieces to shards; ``buckets`` (>= 1) sets the counting's
    parallelism."""

    def __init__(
        self,
        settings: RepeatedConfig,
        spill_dir: str,
        shard_of_piece: np.ndarray,
        buckets: int,
    ) -> None:
        super().__init__()
        if buckets < 1:
            raise ValueError(f"buckets must be >= 1, got {buckets}")
        self._settings = settings
        self._spill_dir = spill_dir
        self._shard_of_piece = shard_of_piece
        self._buckets = buckets

    def expand(self, decisions: beam.PCollection) -> beam.PCollection:
        return (
            decisions
            | "KeptByShard" >> beam.FlatMap(_kept_by_shard, self._shard_of_piece)
            | "GroupKept" >> beam.GroupByKey()
            | "CountShard" >> beam.FlatMap(_shard_counts, self._spill_dir, self._buckets)
            | "GroupBuckets" >> beam.GroupByKey()
            | "Repeated" >> beam.FlatMap(_repeated_by_shard, self._settings.max_documents)
        )


def shard_repeated(arrays: Iterable[np.ndarray]) -> np.ndarray:
    """A shard's repeated hashes (its :data:`REPEATED` entries) as one sorted uint64 array."""
    arrays = list(arrays)
    return np.sort(np.concatenate(arrays)) if arrays else np.empty(0, np.uint64)


def piece_removal(
    settings: RepeatedConfig | None, repeated: np.ndarray, spill_dir: str, piece: int
) -> RepeatedRemoval | None:
    """The removal of a shard's ``repeated`` hashes from one of its pieces, or ``None`` when
    none of the piece's documents holds one (read from the piece's segment file)."""
    if settings is None or not repeated.size:
        return None
    found = holders(decode_table(read_bytes(segments_path(spill_dir, piece))), repeated)
    return RepeatedRemoval(settings, repeated, found) if found.size else None
