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
from curation.decisions import from_verdict
from curation.dedup.minhash import MinHasher
from curation.dedup.resolve import (
    Digest,
    Node,
    NodeBlock,
    NodeFields,
    band_entries,
    bucket_group_edges,
    bucket_parts,
    content_batch,
    digest_fields,
    node_blocks,
    node_fields,
    rank_block,
    resolve_cluster,
    resolve_content_batch,
    resolve_id_group,
    verified,
)
from transforms.components import ConnectedComponents
from transforms.runner_workarounds import SplitByTag

DECISIONS = "decisions"
ELIGIBLE = "eligible"
SINGLETON = "singleton"
CLUSTERED = "clustered"
NODE_BLOCKS = "node_blocks"
BAND_ENTRIES = "band_entries"


def _resolve_ids(item: tuple[str, Iterable[tuple]]) -> Iterator[tuple[str, Any]]:
    winner, losers = resolve_id_group(Digest(*fields) for fields in item[1])
    for decision in losers:
        yield DECISIONS, decision
    if winner.verdict is not None:
        yield DECISIONS, from_verdict(winner.key, winner.verdict)
    else:
        yield ELIGIBLE, winner


def _batch_nodes(
    item: tuple[int, Iterable[tuple]],
    exact: bool,
    hasher: MinHasher | None,
    parts: int,
    blocks: int,
) -> Iterator[tuple[str, Any]]:
    """A content batch's nodes by node block, and (with ``hasher``) their LSH band entries per
    bucket group."""
    nodes = resolve_content_batch((Digest(*fields) for fields in item[1]), exact)
    for block in node_blocks(nodes, blocks):
        yield NODE_BLOCKS, block
    if hasher is not None:
        for entry in band_entries(nodes, hasher, parts):
            yield BAND_ENTRIES, entry


def _block_nodes(groups: Iterable[tuple[NodeFields, ...]]) -> Iterator[Node]:
    """The nodes of one block (all its content batches' groups)."""
    for group in groups:
        for fields in group:
            yield Node(*fields)


def _signatures(groups: Iterable[tuple[NodeFields, ...]]) -> dict[str, bytes]:
    """Rank -> signature of the nodes of one block."""
    return {node.rank: node.signature for node in _block_nodes(groups)}


def _spokes(
    item: tuple[int, dict[str, list]], blocks: int
) -> Iterator[tuple[int, tuple[tuple[str, str, bytes], ...]]]:
    """Candidate edges ``(hub, node)`` of one node block with the node's signature, as one
    element per hub block (rather than one per edge: fewer, larger shuffle elements)."""
    _, joined = item
    signatures = _signatures(joined["nodes"])
    by_hub_block: dict[int, list[tuple[str, str, bytes]]] = {}
    for hub, node in joined["edge"]:
        by_hub_block.setdefault(rank_block(hub, blocks), []).append((hub, node, signatures[node]))
    for block in sorted(by_hub_block):
        yield block, tuple(by_hub_block[block])


def _verified_edges(
    item: tuple[int, dict[str, list]], threshold: float
) -> Iterator[tuple[str, str]]:
    _, joined = item
    signatures = _signatures(joined["nodes"])
    for spokes in joined["spoke"]:
        for hub, node, signature in spokes:
            if verified(signatures[hub], signature, threshold):
                yield hub, node


class VerifyEdges(beam.PTransform):
    """(node blocks, candidate edges) -> the edges whose signatures reach ``threshold``.

    Buckets carry only ranks; each edge meets its two signatures in two joins by node block
    (its node's, then its hub's), so the shuffles carry each signature twice instead of once
    per band, in one element per (content batch, block) instead of one per document.
    """

    def __init__(self, threshold: float, blocks: int) -> None:
        super().__init__()
        self._threshold = threshold
        self._blocks = blocks

    def expand(self, inputs):  # (node blocks, edges); no annotation: Beam reads it as a type hint
        blocks_of_nodes, edges = inputs
        blocks = self._blocks
        spokes = (
            {
                "edge": edges | "ByNodeBlock" >> beam.Map(lambda e: (rank_block(e[1], blocks), e)),
                "nodes": blocks_of_nodes,
            }
            | "JoinNodeSignatures" >> beam.CoGroupByKey()
            | "Spokes" >> beam.FlatMap(_spokes, blocks)
        )
        return (
            {"spoke": spokes, "nodes": blocks_of_nodes}
            | "JoinHubSignatures" >> beam.CoGroupByKey()
            | "Verified" >> beam.FlatMap(_verified_edges, self._threshold)
        )


def _label_nodes(item: tuple[int, dict[str, list]]) -> Iterator[tuple[str, Any]]:
    """Tag each node of one block ``(SINGLETON, node)`` when no verified edge touches it, else
    ``(CLUSTERED, (label, node fields))`` (fields: shuffled next)."""
    _, joined = item
    labels = dict(joined["label"])
    for node in _block_nodes(joined["nodes"]):
        label = labels.get(node.rank)
        yield (SINGLETON, node) if label is None else (CLUSTERED, (label, node_fields(node)))


def _nodes_of_block(block: NodeBlock) -> Iterator[Node]:
    return _block_nodes([block[1]])


def _resolve_cluster(item: tuple[str, Iterable[NodeFields]]) -> list[dict[str, Any]]:
    label, members = item
    return resolve_cluster((Node(*fields) for fields in members), label)


def _resolve_singleton(node: Node) -> list[dict[str, Any]]:
    return resolve_cluster([node], node.rank)


class NearDuplicateClusters(beam.PTransform):
    """(node blocks, band entries) -> ``{SINGLETON: node, CLUSTERED: (label, node)}``; a
    cluster's label is its best rank. Singletons (most documents) skip the cluster shuffle."""

    def __init__(self, config: DedupConfig, blocks: int) -> None:
        super().__init__()
        self._config = config
        self._blocks = blocks

    def expand(self, inputs):  # (node blocks, band entries); no annotation, see VerifyEdges
        blocks_of_nodes, entries = inputs
        blocks = self._blocks
        edges = (
            entries
            | "GroupBuckets" >> beam.GroupByKey()
            | "StarEdges" >> beam.FlatMap(lambda group: bucket_group_edges(group[1]))
            | "DistinctEdges" >> beam.Distinct()
        )
        if self._config.verify:
            edges = (blocks_of_nodes, edges) | "Verify" >> VerifyEdges(
                self._config.threshold, blocks
            )
        labels = (
            edges
            | "Components" >> ConnectedComponents(max_rounds=self._config.max_rounds)
            | "LabelsByBlock" >> beam.Map(lambda label: (rank_block(label[0], blocks), label))
        )
        return (
            {"nodes": blocks_of_nodes, "label": labels}
            | "JoinLabels" >> beam.CoGroupByKey()
            | "LabelNodes" >> beam.FlatMap(_label_nodes)
            | "SplitClusters" >> SplitByTag([SINGLETON, CLUSTERED])
        )


class Deduplicate(beam.PTransform):
    """Digests -> one decision per document, keyed by the internal record key.

    ``batches`` (>= 1) sets the parallelism of the exact-duplicate step: documents are grouped
    into that many batches by content hash, each batch resolves its exact copies and emits its
    nodes' LSH band hashes as a few arrays, and its nodes in as many node blocks (by rank) for
    the verification and label joins (the pipeline uses its number of input pieces).
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
            | "ById" >> beam.Map(lambda digest: (digest.id, digest_fields(digest)))
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
            >> beam.Map(
                lambda digest: (content_batch(digest.content_hash, batches), digest_fields(digest))
            )
            | "GroupContent" >> beam.GroupByKey()
            | "ResolveExact" >> beam.FlatMap(_batch_nodes, config.exact, hasher, parts, batches)
            | "SplitNodes" >> SplitByTag([NODE_BLOCKS, BAND_ENTRIES])
        )
        if config.near:
            near = (nodes[NODE_BLOCKS], nodes[BAND_ENTRIES]) | "NearDuplicates" >> (
                NearDuplicateClusters(config, batches)
            )
            singletons = near[SINGLETON]
            decisions.append(
                near[CLUSTERED]
                | "GroupClusters" >> beam.GroupByKey()
                | "ResolveClusters" >> beam.FlatMap(_resolve_cluster)
            )
        else:
            singletons = nodes[NODE_BLOCKS] | "BlockNodes" >> beam.FlatMap(_nodes_of_block)
        decisions.append(singletons | "ResolveSingletons" >> beam.FlatMap(_resolve_singleton))
        return (
            decisions
            | "AllDecisions" >> beam.Flatten()
            | "ByKey" >> beam.Map(lambda decision: (decision["_key"], decision))
        )
