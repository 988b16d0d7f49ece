"""Duplicate resolution on columns of digests (no text), runner independent.

Each function resolves the tables a runner has gathered under one key (an id partition, a
content partition, an LSH bucket group, a piece, a cluster partition) and returns
*decisions* (:mod:`curation.decision_batches`): what happens to each document. Every document
ends with exactly one decision. Rows are sorted before use, so the result does not depend on
the order a runner delivers them in. Documents are named by their integer record keys; ranks
decide every keeper.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.config import KEEP_POLICY_KEYS
from curation.decision_batches import decision_batch, decision_table
from curation.decisions import Decision, Reason, Stage, kept, rejected
from curation.dedup.minhash import exact_jaccard, exact_jaccards
from curation.dedup.reference import keeper_runs, reference_detail
from curation.io.pieces import split_piece_key

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


def _run_starts(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """True where a sorted column's value differs from the row before (and at row 0)."""
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    starts = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        differs = pc.not_equal(values.slice(1), values.slice(0, len(values) - 1))
        starts[1:] = differs.to_numpy(zero_copy_only=False)
    return starts


#: Columns of the documents that pass the id step and take part in dedup.
ELIGIBLE_COLUMNS = ("key", "id", "content_hash", "rank", "band_hashes")


def resolve_ids(digests: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Records sharing an id: the first by (file, record number) keeps it.

    Returns ``(decisions, eligible)``: a ``duplicate_id`` reject for every other record, the
    reject of every winner that a per-document rule rejected (its verdict), and the other
    winners' :data:`ELIGIBLE_COLUMNS`.
    """
    order = pc.sort_indices(
        pa.table(
            {
                "id": digests["id"],
                "uri": digests["uri"].cast(pa.string()),
                "record": digests["record"],
                "key": digests["key"],
            }
        ),
        sort_keys=[(name, "ascending") for name in ("id", "uri", "record", "key")],
    )
    table = digests.take(order)
    first = _run_starts(table["id"])
    losers = np.flatnonzero(~first)
    winner_of = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))
    winners = table.take(winner_of[losers])
    details = [
        f"id first used at {uri}:{record}"
        for uri, record in zip(
            winners["uri"].to_pylist(), winners["record"].to_pylist(), strict=True
        )
    ]
    duplicates = decision_batch(
        table["key"].take(losers),
        False,
        reject_stage=[Stage.IDS] * len(losers),
        reject_reason=[Reason.DUPLICATE_ID] * len(losers),
        reject_detail=details,
        duplicate_of=winners["id"],
    )
    winners = table.filter(first)
    has_verdict = pc.is_valid(winners["verdict_reason"])
    judged = winners.filter(has_verdict)
    verdicts = decision_batch(
        judged["key"],
        False,
        reject_stage=judged["verdict_stage"],
        reject_reason=judged["verdict_reason"],
        reject_detail=judged["verdict_detail"],
    )
    eligible = winners.filter(pc.invert(has_verdict)).select(ELIGIBLE_COLUMNS)
    return pa.concat_tables([duplicates, verdicts]), eligible


#: A near-dedup node: the keeper of an exact-duplicate group, the record keys of the group's
#: other members (its exact copies, in rank order) and its band hashes. Copies are decided
#: with the node, so their ``duplicate_of`` names the document finally kept.
NODE_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),
        ("id", pa.string()),
        ("copies", pa.list_(pa.int64())),
        ("band_hashes", pa.list_(pa.uint64())),
    ]
)


def resolve_exact(eligible: pa.Table, exact: bool) -> pa.Table:
    """The near-dedup nodes of one content partition: with ``exact``, one per content hash
    (the best-ranked document stands for the others), else one per document."""
    if exact:
        sort_keys = [("content_hash", "ascending"), ("rank", "ascending")]
        table = eligible.take(pc.sort_indices(eligible.select(["content_hash", "rank"]), sort_keys))
        first = _run_starts(table["content_hash"])
    else:
        table = eligible.take(pc.sort_indices(eligible["key"]))
        first = np.ones(table.num_rows, dtype=bool)
    starts = np.flatnonzero(first)
    copy_counts = np.diff(np.append(starts, table.num_rows)) - 1
    offsets = np.concatenate(([0], np.cumsum(copy_counts))).astype(np.int32)
    copies = pa.ListArray.from_arrays(
        pa.array(offsets), table["key"].combine_chunks().filter(pa.array(~first))
    )
    keepers = table.take(starts)
    columns = {name: keepers[name] for name in NODE_SCHEMA.names if name != "copies"}
    return pa.table({**columns, "copies": copies}).select(NODE_SCHEMA.names)


def bucket_parts(batches: int, bands: int) -> int:
    """Bucket groups per LSH band for ``batches`` content batches: about one group per batch
    over all bands, so a group holds the band hashes of about ``bands`` batches' documents."""
    return max(1, -(-batches // bands))


#: A bucket group: ``(band, part)``; its members are the nodes whose band hash is ``part``
#: modulo the number of parts.
BucketGroup = tuple[int, int]
#: A bucket group's entries from one content partition.
BAND_SCHEMA = pa.schema([("band_hash", pa.uint64()), ("key", pa.int64())])
#: Members of the LSH buckets that have more than one: ``(band, band_hash)`` is the bucket.
#: Where a member's piece is read, its rank is appended (:func:`star_edges`).
MEMBER_SCHEMA = pa.schema([("band", pa.int32()), ("band_hash", pa.uint64()), ("key", pa.int64())])


def band_entries(nodes: pa.Table, bands: int, parts: int) -> Iterator[tuple[BucketGroup, pa.Table]]:
    """The LSH band hashes of a table of nodes, one table per bucket group they fall in.

    A bucket is a band and a hash: its members all land in the same group. Nodes without band
    hashes (no shingles) take no part.
    """
    with_bands = nodes.filter(pc.greater(pc.list_value_length(nodes["band_hashes"]), 0))
    if with_bands.num_rows == 0:
        return
    hashes = pc.list_flatten(with_bands["band_hashes"]).to_numpy().reshape(-1, bands)
    keys = with_bands["key"].to_numpy()
    group_parts = hashes % np.uint64(parts)
    for band in range(bands):
        for part in range(parts):
            members = np.flatnonzero(group_parts[:, band] == part)
            if members.size:
                entries = {"band_hash": hashes[members, band], "key": keys[members]}
                yield (band, part), pa.table(entries, schema=BAND_SCHEMA)


def shared_buckets(band: int, entries: Sequence[pa.Table]) -> pa.Table:
    """The members of every bucket with more than one member in one bucket group of
    ``band`` (:data:`MEMBER_SCHEMA`). Most buckets have one member: only the shared ones,
    whose members are near-duplicate candidates, go on."""
    table = pa.concat_tables(entries)
    hashes, keys = table["band_hash"].to_numpy(), table["key"].to_numpy()
    order = np.lexsort((keys, hashes))
    hashes, keys = hashes[order], keys[order]
    shared = np.zeros(len(hashes), dtype=bool)
    if len(hashes) > 1:
        same = hashes[1:] == hashes[:-1]
        shared[1:] |= same
        shared[:-1] |= same
    count = int(shared.sum())
    return pa.table(
        {
            "band": np.full(count, band, np.int32),
            "band_hash": hashes[shared],
            "key": keys[shared],
        },
        schema=MEMBER_SCHEMA,
    )


def star_edges(members: pa.Table) -> Iterator[tuple[int, int]]:
    """Star edges ``(hub, member)`` (record keys) of the buckets in a table of bucket members
    with their ranks (:data:`MEMBER_SCHEMA` and ``rank``): each member of a bucket to the
    member of smallest rank.

    A bucket of k members yields k - 1 edges (never k^2 pairs), so a bucket of 100,000
    identical documents costs one sort. Edges are candidates: see :func:`verified`.
    """
    sort_keys = [(name, "ascending") for name in ("band", "band_hash", "rank")]
    table = members.take(pc.sort_indices(members.select(["band", "band_hash", "rank"]), sort_keys))
    bands, hashes = table["band"].to_numpy(), table["band_hash"].to_numpy()
    keys = table["key"].to_numpy()
    first = np.ones(len(keys), dtype=bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (bands[1:] != bands[:-1])
    hubs = keys[np.flatnonzero(first)[np.cumsum(first) - 1]]
    yield from zip(hubs[~first].tolist(), keys[~first].tolist(), strict=True)


#: How far below the threshold a candidate's MinHash estimate may be and still be verified
#: exactly: 0.15 is over 4 standard deviations of a 128-permutation estimate at J = 0.8
#: (sqrt(0.8 * 0.2 / 128) = 0.035), so no pair at the threshold is lost in practice, while most
#: LSH false positives (J 0.3-0.6) never need their shingle sets moved.
ESTIMATE_MARGIN = 0.15
_UNKNOWN = np.uint32(0xFFFFFFFF)


def plausible(hubs: np.ndarray, members: np.ndarray, threshold: float) -> np.ndarray:
    """Which candidate edges' signatures (matching rows of two uint32 matrices) estimate a
    Jaccard of at least ``threshold - ESTIMATE_MARGIN``: those worth an exact check. A
    signature of all ones (a reference document's, which its index does not store; a document
    without shingles has one too but no band to be a candidate by) is unknown: always checked."""
    equal = np.count_nonzero(hubs == members, axis=1) / max(hubs.shape[1], 1)
    unknown = (hubs == _UNKNOWN).all(axis=1) | (members == _UNKNOWN).all(axis=1)
    return (equal >= threshold - ESTIMATE_MARGIN) | unknown


def verified(hubs: pa.ListArray, members: pa.ListArray, threshold: float) -> np.ndarray:
    """Which candidate edges' shingle sets (matching rows of two list arrays of sorted
    uint64, :func:`~curation.dedup.minhash.shingle_set`) have an exact Jaccard of at least
    ``threshold``.

    Dropping the other candidates removes every LSH false positive: no pair below the
    threshold is linked, however close its MinHash estimate came.
    """
    return exact_jaccards(hubs, members) >= threshold


def singleton_decisions(nodes: pa.Table, references: Mapping[int, str] | None = None) -> pa.Table:
    """Decisions of nodes in no near-duplicate cluster: each is kept; one with exact copies
    is a cluster of its own (its id, size = copies + 1) whose copies are ``exact_duplicate``
    rejects naming it (and, for a node of a reference piece in ``references``, piece -> run,
    naming its run in the detail)."""
    copies = nodes["copies"]
    sizes = pc.add(pc.list_value_length(copies), 1)
    ids = nodes["id"]
    cluster_ids = pc.if_else(pc.greater(sizes, 1), ids, pa.scalar(None, pa.string()))
    keepers = decision_batch(nodes["key"], True, dup_cluster_id=cluster_ids, dup_cluster_size=sizes)
    parents = pc.list_parent_indices(copies)
    keepers_of_copies = ids.take(parents)
    runs = keeper_runs(nodes["key"].take(parents).to_numpy(), references or {})
    details = [
        reference_detail(f"same content_hash as {keeper}", run)
        for keeper, run in zip(keepers_of_copies.to_pylist(), runs, strict=True)
    ]
    count = len(keepers_of_copies)
    exact_copies = decision_batch(
        pc.list_flatten(copies),
        False,
        reject_stage=[Stage.EXACT_DEDUP] * count,
        reject_reason=[Reason.EXACT_DUPLICATE] * count,
        reject_detail=details,
        duplicate_of=keepers_of_copies,
        dup_cluster_id=keepers_of_copies,
    )
    return pa.concat_tables([keepers, exact_copies])


@dataclass(frozen=True)
class Node:
    """A node of a near-duplicate cluster, with its shingle set (sorted distinct uint64)."""

    rank: str
    key: int
    id: str
    shingles: np.ndarray
    exact_copies: tuple[int, ...] = ()

    @property
    def weight(self) -> int:
        """Documents this node stands for: itself and its exact copies."""
        return 1 + len(self.exact_copies)


#: Members of near-duplicate clusters: a node, its cluster's label and its shingle set.
CLUSTER_SCHEMA = pa.schema(
    [
        ("label", pa.int64()),
        ("key", pa.int64()),
        ("id", pa.string()),
        ("rank", pa.string()),
        ("copies", pa.list_(pa.int64())),
        ("shingles", pa.list_(pa.uint64())),
    ]
)


def resolve_clusters(members: pa.Table, references: Mapping[int, str] | None = None) -> pa.Table:
    """Decisions of every cluster (rows of one label) in a table of cluster members
    (``references``: reference piece -> its run, see :func:`resolve_cluster`)."""
    clusters: dict[int, list[Node]] = {}
    shingles = members["shingles"].combine_chunks()
    offsets = shingles.offsets.to_numpy()
    values = shingles.values.to_numpy()
    rows = members.drop_columns(["shingles"]).to_pylist()
    for index, row in enumerate(rows):
        node_set = values[offsets[index] : offsets[index + 1]]
        node = Node(row["rank"], row["key"], row["id"], node_set, tuple(row["copies"]))
        clusters.setdefault(row["label"], []).append(node)
    return decision_table(
        decision
        for label in sorted(clusters)
        for decision in resolve_cluster(clusters[label], references or {})
    )


def resolve_cluster(
    members: Iterable[Node], references: Mapping[int, str] | None = None
) -> list[Decision]:
    """Decisions for one near-duplicate cluster: its smallest rank is kept.

    The keeper is kept with the cluster's id (its own document id) and size (documents it
    stands for, exact duplicates included); every other member is a ``near_duplicate`` reject
    whose detail gives the exact Jaccard of its shingles to the keeper's (below the threshold
    for a member linked to the keeper only through others), and every exact copy of any member
    an ``exact_duplicate`` reject; all of them name the keeper in ``duplicate_of``, and a
    keeper from a reference piece (``references``: piece -> run) adds its run to the detail.
    """
    ordered = sorted(members, key=lambda n: n.rank)
    keeper = ordered[0]
    run = (references or {}).get(split_piece_key(keeper.key)[0])
    size = sum(node.weight for node in ordered)
    cluster_id = keeper.id if len(ordered) > 1 or keeper.weight > 1 else None
    decisions = [kept(keeper.key, cluster_id, size)]
    for node in ordered:
        decisions.extend(
            rejected(
                copy,
                Stage.EXACT_DEDUP,
                Reason.EXACT_DUPLICATE,
                reference_detail(f"same content_hash as {node.id}", run),
                duplicate_of=keeper.id,
                cluster_id=cluster_id,
            )
            for copy in node.exact_copies
        )
    for node in ordered[1:]:
        similarity = exact_jaccard(keeper.shingles, node.shingles)
        decisions.append(
            rejected(
                node.key,
                Stage.NEAR_DEDUP,
                Reason.NEAR_DUPLICATE,
                reference_detail(f"jaccard={similarity:.3f}", run),
                duplicate_of=keeper.id,
                cluster_id=cluster_id,
            )
        )
    return decisions
