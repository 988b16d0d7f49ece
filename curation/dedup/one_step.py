"""Deduplication of a whole run's digests in one process, without shuffles.

The same steps as the distributed path (:class:`transforms.dedup.DeduplicateDigests`), in one
call: ids, exact copies, LSH buckets, star edges, verification, connected components and
cluster keepers, each by the function of :mod:`curation.dedup.resolve` that the distributed
path calls per group. Every step sorts its rows, so the decisions are those of the distributed
path (a test compares both). Memory: the digests of every document (a few hundred bytes each)
plus the ranks, signatures and shingle sets of the near-duplicate candidates only, and what
:data:`EDGES_AT_A_TIME` candidate edges copy of them for their check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain

import numpy as np
import pyarrow as pa

from curation.config import DedupConfig
from curation.dedup.resolve import (
    CLUSTER_SCHEMA,
    MEMBER_SCHEMA,
    band_entries,
    plausible,
    resolve_clusters,
    resolve_exact,
    resolve_ids,
    shared_buckets,
    singleton_decisions,
    star_edges,
    verified,
)
from curation.dedup.unionfind import components
from curation.io.pieces import key_pieces
from curation.io.spill import Signatures
from curation.tables import group_rows

#: Candidate edges verified at a time: bounds the signature rows (512 bytes each at 128
#: permutations) and shingle sets copied for the check, which for every edge of a large run at
#: once would be several times the digests' memory.
EDGES_AT_A_TIME = 1 << 15


class CandidateRows:
    """Ranks, MinHash signatures and shingle sets of the documents ``keys`` (record keys),
    gathered from their pieces' signatures files, each file read once."""

    def __init__(self, keys: np.ndarray, signatures: Callable[[int], Signatures]) -> None:
        self._keys = np.unique(keys)
        ranks, matrices, shingles = [], [], []
        for piece, rows in group_rows(key_pieces(self._keys)):
            piece_keys = self._keys[rows]
            store = signatures(piece)
            ranks.extend(store.ranks(piece_keys).chunks)
            matrices.append(store.of(piece_keys))
            shingles.append(store.shingles(piece_keys))
        self._ranks = pa.chunked_array(ranks, pa.string()).combine_chunks()
        self._matrix = np.concatenate(matrices) if matrices else np.empty((0, 0), np.uint32)
        self._shingles = pa.chunked_array(shingles, pa.list_(pa.uint64())).combine_chunks()

    def _rows(self, keys: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._keys, keys)

    def ranks(self, keys: np.ndarray) -> pa.Array:
        return self._ranks.take(self._rows(keys))

    def signatures(self, keys: np.ndarray) -> np.ndarray:
        return self._matrix[self._rows(keys)]

    def shingles(self, keys: np.ndarray) -> pa.ListArray:
        return self._shingles.take(self._rows(keys))


def _verified(candidates: CandidateRows, edges: np.ndarray, threshold: float) -> np.ndarray:
    """Which ``edges`` (hub, spoke rows) pass :func:`plausible`, then :func:`verified`."""
    hubs, spokes = edges[:, 0], edges[:, 1]
    keep = plausible(candidates.signatures(hubs), candidates.signatures(spokes), threshold)
    rows = np.flatnonzero(keep)
    keep[rows] = verified(
        candidates.shingles(hubs[rows]), candidates.shingles(spokes[rows]), threshold
    )
    return keep


def deduplicate(
    digests: pa.Table, config: DedupConfig, bands: int, signatures: Callable[[int], Signatures]
) -> Iterator[pa.Table]:
    """Decision tables of every document in ``digests`` (all pieces' digest tables as one).

    ``bands``: LSH bands of the run's hasher (0: no near dedup); ``signatures``: piece -> its
    signatures file. Runs with reference corpora keep the distributed path (their size is not
    known in advance).
    """
    decisions, eligible = resolve_ids(digests)
    if decisions.num_rows:
        yield decisions
    nodes = resolve_exact(eligible, config.exact)
    if config.near and bands:
        yield from _near_decisions(nodes, config, bands, signatures)
    else:
        yield singleton_decisions(nodes)


def _near_decisions(
    nodes: pa.Table,
    config: DedupConfig,
    bands: int,
    signatures: Callable[[int], Signatures],
) -> Iterator[pa.Table]:
    """Decisions of ``nodes`` (:data:`~curation.dedup.resolve.NODE_SCHEMA`): singletons, and
    the clusters of their verified LSH candidate edges."""
    members = pa.concat_tables(
        [shared_buckets(band, [entries]) for (band, _), entries in band_entries(nodes, bands, 1)]
        or [MEMBER_SCHEMA.empty_table()]
    )
    candidates = CandidateRows(members["key"].to_numpy(), signatures)
    ranked = members.append_column("rank", candidates.ranks(members["key"].to_numpy()))
    pairs = np.fromiter(chain.from_iterable(star_edges(ranked)), np.int64).reshape(-1, 2)
    edges = np.unique(pairs, axis=0)  # sorted, each edge once
    if config.verify and len(edges):
        keep = np.concatenate(
            [
                _verified(candidates, edges[start : start + EDGES_AT_A_TIME], config.threshold)
                for start in range(0, len(edges), EDGES_AT_A_TIME)
            ]
        )
        edges = edges[keep]
    hubs, spokes = edges[:, 0], edges[:, 1]
    labels = components(zip(hubs.tolist(), spokes.tolist(), strict=True))
    keys = nodes["key"].to_numpy()
    clustered = np.isin(keys, np.fromiter(labels, np.int64, len(labels)))
    yield singleton_decisions(nodes.filter(pa.array(~clustered)))
    if clustered.any():
        member_keys = keys[clustered]
        clusters = (
            nodes.filter(pa.array(clustered))
            .append_column("label", pa.array([labels[key] for key in member_keys.tolist()]))
            .append_column("rank", candidates.ranks(member_keys))
            .append_column("shingles", candidates.shingles(member_keys))
        )
        yield resolve_clusters(clusters.select(CLUSTER_SCHEMA.names))
