"""Duplicate removal in Beam: unique ids, exact duplicates, MinHash LSH near-duplicates.

Only small digests (ids, hashes, signatures, keeper ranks) are shuffled; the text stays in
the spill files and is joined back by key when the shards are written
(:mod:`transforms.write`). Every scored document receives exactly one decision, keyed by its
internal record key.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from curation.config import DedupConfig
from curation.dedup import (
    Digest,
    Node,
    band_entries,
    bucket_group_edges,
    bucket_parts,
    content_batch,
    resolve_cluster,
    resolve_content_batch,
    resolve_id_group,
    verdict_decision,
    verified,
)
from curation.minhash import MinHasher
from transforms.components import ConnectedComponents
from transforms.tags import SplitByTag

DECISIONS = "decisions"
ELIGIBLE = "eligible"
SINGLETON = "singleton"
CLUSTERED = "clustered"
NODES = "nodes"
BAND_ENTRIES = "band_entries"


def _resolve_ids(item: tuple[str, Iterable[Digest]]) -> Iterator[tuple[str, Any]]:
    winner, losers = resolve_id_group(item[1])
    for decision in losers:
        yield DECISIONS, decision
    if winner.verdict is not None:
        yield DECISIONS, verdict_decision(winner)
    else:
        yield ELIGIBLE, winner


def _batch_nodes(
    item: tuple[int, Iterable[Digest]], exact: bool, hasher: MinHasher | None, parts: int
) -> Iterator[tuple[str, Any]]:
    """A content batch's nodes, and (with ``hasher``) their LSH band entries per bucket group."""
    nodes = resolve_content_batch(item[1], exact)
    for node in nodes:
        yield NODES, node
    if hasher is not None:
        for entry in band_entries(nodes, hasher, parts):
            yield BAND_ENTRIES, entry


def _spokes(item: tuple[str, dict[str, list]]) -> Iterator[tuple[str, tuple[str, bytes]]]:
    """Candidate edges of one node, re-keyed by their hub with the node's signature."""
    node, joined = item
    for hub in joined["hub"]:
        yield hub, (node, joined["signature"][0])


def _verified_edges(
    item: tuple[str, dict[str, list]], threshold: float
) -> Iterator[tuple[str, str]]:
    hub, joined = item
    for node, signature in joined["spoke"]:
        if verified(joined["signature"][0], signature, threshold):
            yield hub, node


def _label_nodes(item: tuple[str, dict[str, list]]) -> Iterator[tuple[str, Any]]:
    """Tag a node ``(SINGLETON, node)`` when no verified edge touches it, else
    ``(CLUSTERED, (label, node))``."""
    _, joined = item
    labels = joined["label"]
    for node in joined["node"]:
        yield (CLUSTERED, (labels[0], node)) if labels else (SINGLETON, node)


def _resolve_cluster(item: tuple[str, Iterable[Node]]) -> list[dict[str, Any]]:
    label, members = item
    return resolve_cluster(members, label)


def _resolve_singleton(node: Node) -> list[dict[str, Any]]:
    return resolve_cluster([node], node.rank)


class VerifyEdges(beam.PTransform):
    """(nodes, candidate edges) -> the edges whose signatures reach ``threshold``.

    Buckets carry only ranks; each edge meets its two signatures in two joins by rank (node,
    then hub), so the shuffles carry each signature twice instead of once per band.
    """

    def __init__(self, threshold: float) -> None:
        super().__init__()
        self._threshold = threshold

    def expand(self, inputs):  # (nodes, edges); no annotation: Beam reads it as a type hint
        nodes, edges = inputs
        signatures = nodes | "Signatures" >> beam.Map(lambda node: (node.rank, node.signature))
        spokes = (
            {
                "hub": edges | "ByNode" >> beam.Map(lambda edge: (edge[1], edge[0])),
                "signature": signatures,
            }
            | "JoinNodeSignatures" >> beam.CoGroupByKey()
            | "Spokes" >> beam.FlatMap(_spokes)
        )
        return (
            {"spoke": spokes, "signature": signatures}
            | "JoinHubSignatures" >> beam.CoGroupByKey()
            | "Verified" >> beam.FlatMap(_verified_edges, self._threshold)
        )


class NearDuplicateClusters(beam.PTransform):
    """(nodes, band entries) -> ``{SINGLETON: node, CLUSTERED: (label, node)}``; a cluster's
    label is its best rank. Singletons (most documents) skip the cluster shuffle."""

    def __init__(self, config: DedupConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, inputs):  # (nodes, band entries); no annotation, see VerifyEdges
        nodes, entries = inputs
        edges = (
            entries
            | "GroupBuckets" >> beam.GroupByKey()
            | "StarEdges" >> beam.FlatMap(lambda group: bucket_group_edges(group[1]))
            | "DistinctEdges" >> beam.Distinct()
        )
        if self._config.verify:
            edges = (nodes, edges) | "Verify" >> VerifyEdges(self._config.threshold)
        labels = edges | "Components" >> ConnectedComponents(max_rounds=self._config.max_rounds)
        nodes_by_rank = nodes | "NodesByRank" >> beam.Map(lambda node: (node.rank, node))
        return (
            {"node": nodes_by_rank, "label": labels}
            | "JoinLabels" >> beam.CoGroupByKey()
            | "LabelNodes" >> beam.FlatMap(_label_nodes)
            | "SplitClusters" >> SplitByTag([SINGLETON, CLUSTERED])
        )


class Deduplicate(beam.PTransform):
    """Digests -> one decision per document, keyed by the internal record key.

    ``batches`` (>= 1) sets the parallelism of the exact-duplicate step: documents are grouped
    into that many batches by content hash, each batch resolves its exact copies and emits its
    nodes' LSH band hashes as a few arrays (the pipeline uses its number of input pieces).
    """

    def __init__(self, config: DedupConfig, hasher: MinHasher, batches: int) -> None:
        super().__init__()
        if batches < 1:
            raise ValueError(f"batches must be >= 1, got {batches}")
        self._config = config
        self._hasher = hasher
        self._batches = batches

    def expand(self, digests: beam.PCollection) -> beam.PCollection:
        config, batches = self._config, self._batches
        ids = (
            digests
            | "ById" >> beam.Map(lambda digest: (digest.id, digest))
            | "GroupIds" >> beam.GroupByKey()
            | "ResolveIds" >> beam.FlatMap(_resolve_ids)
            | "SplitIds" >> SplitByTag([DECISIONS, ELIGIBLE])
        )
        decisions = [ids[DECISIONS]]
        hasher = self._hasher if config.near else None
        parts = bucket_parts(batches, self._hasher.bands)
        nodes = (
            ids[ELIGIBLE]
            | "ByContentBatch"
            >> beam.Map(lambda digest: (content_batch(digest.content_hash, batches), digest))
            | "GroupContent" >> beam.GroupByKey()
            | "ResolveExact" >> beam.FlatMap(_batch_nodes, config.exact, hasher, parts)
            | "SplitNodes" >> SplitByTag([NODES, BAND_ENTRIES])
        )
        singletons = nodes[NODES]
        if config.near:
            near = (nodes[NODES], nodes[BAND_ENTRIES]) | "NearDuplicates" >> NearDuplicateClusters(
                config
            )
            singletons = near[SINGLETON]
            decisions.append(
                near[CLUSTERED]
                | "GroupClusters" >> beam.GroupByKey()
                | "ResolveClusters" >> beam.FlatMap(_resolve_cluster)
            )
        decisions.append(singletons | "ResolveSingletons" >> beam.FlatMap(_resolve_singleton))
        return (
            decisions
            | "AllDecisions" >> beam.Flatten()
            | "ByKey" >> beam.Map(lambda decision: (decision["_key"], decision))
        )
