"""Duplicate resolution on small per-document digests (no text), runner independent.

Each function resolves one group that a runner has gathered by key (an id, a content hash,
an LSH bucket, a cluster) and returns *decisions*: what happens to each document. Every
document ends with exactly one decision. Groups are sorted before use, so the result does not
depend on the order a runner delivers them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

import numpy as np
import xxhash

from curation.config import KEEP_POLICY_KEYS
from curation.decisions import Decision, Reason, Stage, kept, rejected
from curation.dedup.minhash import MinHasher, estimated_jaccard

_PRIORITY_OFFSET = 1_000_000


def rank_key(doc: dict[str, Any], policy: tuple[str, ...] = KEEP_POLICY_KEYS) -> str:
    """A string that sorts documents in keeper order: the smallest is kept.

    Components follow ``policy``: ``not_synthetic`` (unflagged first), ``quality`` (higher
    ``quality_score`` first), ``created`` (earlier first, missing last), ``priority`` (higher
    source priority first), ``id`` (smallest first). The id always ends the key, so keys are
    unique and ties are broken by id whatever the policy.
    """
    parts = []
    for key in policy:
        if key == "not_synthetic":
            parts.append("1" if doc.get("synthetic") else "0")
        elif key == "quality":
            score = doc.get("quality_score")
            parts.append(f"{1.0 - (score if score is not None else 0.0):.6f}")
        elif key == "created":
            created = doc.get("created")  # a UTC datetime: fixed-width ISO text sorts by time
            parts.append("0" + created.isoformat(timespec="microseconds") if created else "1")
        elif key == "priority":
            parts.append(f"{_PRIORITY_OFFSET - int(doc.get('priority') or 0):07d}")
    parts.append(doc["id"])
    return "\x1f".join(parts)


@dataclass(frozen=True)
class Digest:
    """What dedup (and the synthetic cap) need of a document; no text.

    Identity, origin, hashes, keeper rank, per-document verdict and synthetic flag.
    """

    key: str  # internal per-record key (piece + position, see curation.io.pieces)
    id: str
    source: str
    uri: str
    record: int
    content_hash: str
    signature: bytes
    rank: str  # sorts in keeper order; unique per id
    verdict: tuple[str, str, str] | None  # per-document rejection (a Verdict), if any
    synthetic: bool = False
    synthetic_score: float | None = None

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Digest:
        return cls(
            key=doc["_key"],
            id=doc["id"],
            source=doc["source"],
            uri=doc["source_uri"],
            record=doc["source_record"],
            content_hash=doc["content_hash"],
            signature=doc["_signature"],
            rank=doc["_rank"],
            verdict=doc["_verdict"],
            synthetic=bool(doc.get("synthetic")),
            synthetic_score=doc.get("synthetic_score"),
        )


@dataclass(frozen=True)
class Node:
    """A document that takes part in near-dedup: the keeper of its exact-duplicate group.

    ``exact_copies`` are the record keys of the group's other members; they are decided with
    the cluster, so their ``duplicate_of`` names the document finally kept.
    """

    rank: str
    key: str
    id: str
    signature: bytes
    exact_copies: tuple[str, ...] = ()

    @property
    def weight(self) -> int:
        """Documents this node stands for: itself and its exact copies."""
        return 1 + len(self.exact_copies)


#: A digest's or node's field values in order, as a plain tuple (``Digest(*fields)`` and
#: ``Node(*fields)`` rebuild them). Shuffles carry these: Beam's coder encodes and decodes a
#: tuple of strings and bytes ~10x faster than a dataclass, which it pickles element by element.
digest_fields = attrgetter(*(field.name for field in fields(Digest)))
node_fields = attrgetter(*(field.name for field in fields(Node)))
NodeFields = tuple[str, str, str, bytes, tuple[str, ...]]


def resolve_id_group(digests: Iterable[Digest]) -> tuple[Digest, list[Decision]]:
    """Records sharing an id: the first by (file, record number) keeps it.

    Returns the winner and a ``duplicate_id`` decision for every other record.
    """
    ordered = sorted(digests, key=lambda d: (d.uri, d.record))
    winner = ordered[0]
    losers = [
        rejected(
            d.key,
            Stage.IDS,
            Reason.DUPLICATE_ID,
            f"id first used at {winner.uri}:{winner.record}",
            duplicate_of=winner.id,
        )
        for d in ordered[1:]
    ]
    return winner, losers


def resolve_exact_group(digests: Iterable[Digest]) -> Node:
    """Documents with the same ``content_hash``: the best-ranked stands for all of them."""
    keeper, *copies = sorted(digests, key=lambda d: d.rank)
    return Node(
        keeper.rank,
        keeper.key,
        keeper.id,
        keeper.signature,
        exact_copies=tuple(copy.key for copy in copies),
    )


def content_batch(content_hash: str, batches: int) -> int:
    """The batch (``0 .. batches - 1``) of a hex ``content_hash``: exact copies share one."""
    return int(content_hash[:16], 16) % batches


def resolve_content_batch(digests: Iterable[Digest], exact: bool) -> list[Node]:
    """The near-dedup nodes of one content batch, in rank order: with ``exact``, one per
    content hash (:func:`resolve_exact_group`), else one per document."""
    groups: dict[str, list[Digest]] = {}
    for digest in digests:
        groups.setdefault(digest.content_hash if exact else digest.key, []).append(digest)
    return sorted(map(resolve_exact_group, groups.values()), key=lambda node: node.rank)


def rank_block(rank: str, blocks: int) -> int:
    """The node block (``0 .. blocks - 1``) of a rank: where a node's signature and data meet
    its candidate edges and its cluster label, found from the rank alone (XXH64 of it)."""
    return xxhash.xxh64_intdigest(rank.encode("utf-8", "surrogatepass")) % blocks


#: Nodes of one content batch that share a node block: ``(block, node fields)``.
NodeBlock = tuple[int, tuple[NodeFields, ...]]


def node_blocks(nodes: Iterable[Node], blocks: int) -> list[NodeBlock]:
    """``nodes`` grouped by :func:`rank_block`, in block order, each group in input order.

    Joins by block instead of by rank move one element per (content batch, block) instead of
    one per document, which keeps a runner's per-element shuffle cost off the verification and
    label joins."""
    grouped: dict[int, list[NodeFields]] = {}
    for node in nodes:
        grouped.setdefault(rank_block(node.rank, blocks), []).append(node_fields(node))
    return [(block, tuple(grouped[block])) for block in sorted(grouped)]


def bucket_parts(batches: int, bands: int) -> int:
    """Bucket groups per LSH band for ``batches`` content batches: about one group per batch
    over all bands, so a group holds the band hashes of about ``bands`` batches' documents."""
    return max(1, -(-batches // bands))


#: A bucket group: ``(band, part)``; its members are the nodes whose band hash is ``part``
#: modulo the number of parts.
BucketGroup = tuple[int, int]
#: A group's entries from one batch: band hashes (uint64, native byte order) and their ranks.
BandEntries = tuple[bytes, tuple[str, ...]]


def band_entries(
    nodes: Sequence[Node], hasher: MinHasher, parts: int
) -> Iterator[tuple[BucketGroup, BandEntries]]:
    """The LSH band hashes of a batch of nodes, one element per bucket group they fall in.

    Shuffling a few arrays per batch instead of one ``(band key, rank)`` element per band and
    document keeps the per-element cost of a runner's shuffle off the bucket step (16 elements
    per document at the default bands). A bucket is a band and a hash: its members all land
    in the same group. Nodes without band hashes (no shingles) take no part.
    """
    rows = [(hashes, node.rank) for node in nodes if (hashes := hasher.band_hashes(node.signature))]
    if not rows:
        return
    hashes = np.array([row[0] for row in rows], dtype=np.uint64)
    ranks = np.array([row[1] for row in rows], dtype=object)
    group_parts = hashes % np.uint64(parts)
    for band in range(hasher.bands):
        for part in range(parts):
            members = group_parts[:, band] == part
            if members.any():
                entries = (hashes[members, band].tobytes(), tuple(ranks[members].tolist()))
                yield (band, part), entries


def bucket_group_edges(entries: Iterable[BandEntries]) -> Iterator[tuple[str, str]]:
    """Star edges (:func:`bucket_edges`) of every bucket in one bucket group: the members of a
    bucket have equal band hashes. Buckets of one member, most of them, are skipped in numpy."""
    chunks = list(entries)
    hashes = np.concatenate([np.frombuffer(chunk[0], dtype=np.uint64) for chunk in chunks])
    ranks = [rank for chunk in chunks for rank in chunk[1]]
    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, len(ordered)))
    shared = sizes > 1
    for start, size in zip(starts[shared].tolist(), sizes[shared].tolist(), strict=True):
        yield from bucket_edges(ranks[index] for index in order[start : start + size].tolist())


def bucket_edges(ranks: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Star edges of one LSH bucket: every member to the bucket's smallest rank.

    A bucket of k members yields at most k - 1 edges (never k^2 pairs), so a bucket of
    100,000 identical documents costs one sort. Edges are candidates: see :func:`verified`.
    """
    ordered = sorted(set(ranks))
    for node in ordered[1:]:
        yield ordered[0], node


def verified(hub: bytes, node: bytes, threshold: float) -> bool:
    """Whether a candidate edge's signatures estimate a Jaccard of at least ``threshold``.

    Dropping the other candidates removes most LSH false positives (pairs below the threshold
    that share a band by chance).
    """
    return estimated_jaccard(hub, node) >= threshold


def resolve_cluster(members: Iterable[Node], label: str) -> list[Decision]:
    """Decisions for one near-duplicate cluster whose smallest rank (the keeper) is ``label``.

    The keeper is kept with the cluster's id (its own document id) and size (documents it
    stands for, exact duplicates included); every other member is a ``near_duplicate`` reject
    whose detail gives its estimated Jaccard to the keeper, and every exact copy of any member
    an ``exact_duplicate`` reject; all of them name the keeper in ``duplicate_of``.
    """
    ordered = sorted(members, key=lambda n: n.rank)
    keeper = ordered[0]
    if keeper.rank != label:
        raise ValueError(f"cluster label {label!r} is not its smallest member")
    size = sum(node.weight for node in ordered)
    cluster_id = keeper.id if len(ordered) > 1 or keeper.weight > 1 else None
    decisions = [kept(keeper.key, cluster_id, size)]
    for node in ordered:
        decisions.extend(
            rejected(
                copy,
                Stage.EXACT_DEDUP,
                Reason.EXACT_DUPLICATE,
                f"same content_hash as {node.id}",
                duplicate_of=keeper.id,
                cluster_id=cluster_id,
            )
            for copy in node.exact_copies
        )
    for node in ordered[1:]:
        similarity = estimated_jaccard(keeper.signature, node.signature)
        decisions.append(
            rejected(
                node.key,
                Stage.NEAR_DEDUP,
                Reason.NEAR_DUPLICATE,
                f"estimated_jaccard={similarity:.3f}",
                duplicate_of=keeper.id,
                cluster_id=cluster_id,
            )
        )
    return decisions
