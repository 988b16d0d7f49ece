"""Duplicate removal in Beam: unique ids, exact duplicates, MinHash LSH near-duplicates.

Digests travel as Arrow tables (:mod:`curation.dedup.digests`), one element per (piece,
partition) or (partition, bucket group), never one per document, so a runner that holds its
shuffles in memory (the local runner's controller) holds a few arrays per batch. Documents
are named by integer record keys; the text stays in the spill files and the MinHash
signatures and exact shingle sets in the pieces' signatures files, read back where candidate
pairs are verified and clusters resolved; where they must move, they go through files
(:mod:`transforms.file_shuffle`). Every scored document receives exactly one decision;
decisions come out as tables (:mod:`curation.decision_batches`), a few per partition or piece.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial

import apache_beam as beam
import numpy as np
import pyarrow as pa

from curation.config import DedupConfig
from curation.dedup.digests import content_partitions, id_partitions
from curation.dedup.minhash import MinHasher
from curation.dedup.one_step import deduplicate
from curation.dedup.resolve import (
    CLUSTER_SCHEMA,
    NODE_SCHEMA,
    band_entries,
    bucket_parts,
    plausible,
    resolve_clusters,
    resolve_exact,
    resolve_ids,
    shared_buckets,
    singleton_decisions,
    star_edges,
    verified,
)
from curation.io.formats import FileFormat
from curation.io.inputs import InputFile
from curation.io.pieces import key_pieces, piece_bytes, split_piece_key
from curation.io.spill import Signatures, signature_matrix
from curation.tables import concat_sorted, split_by
from transforms.components import ConnectedComponents
from transforms.file_shuffle import Address, parts_path, read_parts, write_parts
from transforms.pause import pause_at
from transforms.runner_workarounds import SplitByTag
from transforms.storage import read_bytes, signatures_path

#: Partitions the pipeline cuts digests into at most: enough to spread the dedup steps over
#: the workers of a machine or a small cluster. Every piece sends one table to each partition,
#: and each table costs a fixed time to split, pickle and unpickle (its schema and framing)
#: whatever its rows, so this overhead per document grows with the number of partitions
#: (docs/dedup.md measures 64 against 16).
MAX_PARTITIONS = 16
#: Runs that read at most this many bytes of text deduplicate in one step
#: (:func:`in_one_step`).
ONE_STEP_MAX_BYTES = 512 * 2**20
#: Text bytes counted per stored byte of compressed JSONL and of Parquet when a run is sized
#: for one step: text compresses about 3-5x (gzip, zstd), and the upper end keeps a compressed
#: run's documents within what :data:`ONE_STEP_MAX_BYTES` of plain JSONL holds.
COMPRESSED_EXPANSION = 5
DECISIONS = "decisions"
ELIGIBLE = "eligible"
NODES = "nodes"
CLUSTERED = "clustered"
BAND_ENTRIES = "band_entries"
#: Steps whose tables go through files (:mod:`transforms.file_shuffle`), with CLUSTERED.
SPOKES = "spokes"
PLAUSIBLE = "plausible"
#: Columns of the digests that the id step needs.
ID_COLUMNS = (
    "key",
    "id",
    "uri",
    "record",
    "content_hash",
    "rank",
    "verdict_stage",
    "verdict_reason",
    "verdict_detail",
    "band_hashes",
)
#: Nodes as the label join gets them (their band hashes have gone to the buckets).
_LABEL_NODE_SCHEMA = pa.schema([field for field in NODE_SCHEMA if field.name != "band_hashes"])


def dedup_partitions(pieces: int) -> int:
    """Partitions of the dedup steps for a run of ``pieces`` pieces (1..MAX_PARTITIONS)."""
    return max(1, min(pieces, MAX_PARTITIONS))


def in_one_step(files: Iterable[InputFile]) -> bool:
    """Whether a run reading ``files`` (its pieces' files or ranges) deduplicates in one step:
    all digests under one key, resolved on one worker (:mod:`curation.dedup.one_step`),
    instead of the ~20 shuffles of the distributed steps. The decisions are the same either
    way; one step saves each shuffle's round trip through the runner (on DaskRunner a shuffle
    slows down with every worker added), while its worker holds every document's digests (a
    few hundred bytes each), so large runs keep the distributed steps. Their size is the text
    they hold: compressed files count :data:`COMPRESSED_EXPANSION` times their bytes."""
    text_bytes = sum(
        piece_bytes(file) * (COMPRESSED_EXPANSION if _compressed(file.format) else 1)
        for file in files
    )
    return text_bytes <= ONE_STEP_MAX_BYTES


def _compressed(stored: FileFormat) -> bool:
    return stored.codec is not None or stored.kind == "parquet"


def _by_id(digests: pa.Table, partitions: int) -> Iterator[tuple[int, pa.Table]]:
    return split_by(digests.select(ID_COLUMNS), id_partitions(digests, partitions))


def _resolve_ids(item: tuple[int, Iterable[pa.Table]], partitions: int) -> Iterator[tuple]:
    pause_at("dedup")
    decisions, eligible = resolve_ids(pa.concat_tables(list(item[1])))
    if decisions.num_rows:
        yield DECISIONS, decisions
    for part in _by_content(eligible, partitions):
        yield ELIGIBLE, part


def _by_content(eligible: pa.Table, partitions: int) -> Iterator[tuple[int, pa.Table]]:
    return split_by(eligible, content_partitions(eligible, partitions))


def _resolve_exact(
    item: tuple[int, Iterable[pa.Table]], exact: bool, bands: int, parts: int
) -> Iterator[tuple]:
    """A content partition's nodes by piece, and (with ``bands``) their LSH band entries
    per bucket group."""
    nodes = resolve_exact(pa.concat_tables(list(item[1])), exact)
    for piece_nodes in split_by(
        nodes.select(_LABEL_NODE_SCHEMA.names), key_pieces(nodes["key"].to_numpy())
    ):
        yield NODES, piece_nodes
    if bands:
        for entries in band_entries(nodes, bands, parts):
            yield BAND_ENTRIES, entries


def _piece_signatures(spill_dir: str, piece: int) -> Signatures:
    return Signatures(read_bytes(signatures_path(spill_dir, piece)))


def _shared_buckets(item: tuple[tuple[int, int], Iterable[pa.Table]]) -> Iterator[tuple]:
    """The members of a bucket group's shared buckets, by member piece."""
    (band, _), entries = item
    members = shared_buckets(band, list(entries))
    return split_by(members, key_pieces(members["key"].to_numpy()))


def _ranked_members(
    item: tuple[int, Iterable[pa.Table]], spill_dir: str, partitions: int
) -> Iterator[tuple]:
    """One piece's bucket members with their ranks (from its signatures file), by bucket
    partition."""
    piece, tables = item
    members = pa.concat_tables(list(tables))
    ranks = _piece_signatures(spill_dir, piece).ranks(members["key"].to_numpy())
    buckets = members["band_hash"].to_numpy() % np.uint64(partitions)
    return split_by(members.append_column("rank", ranks), buckets.astype(np.int64))


def _piece_of(key: int) -> int:
    return split_piece_key(key)[0]


def _spokes(item: tuple[int, Iterable[tuple[int, int]]], spill_dir: str) -> list[tuple]:
    """Candidate edges ``(hub, member)`` whose members are in one piece, with the members'
    MinHash signatures, as a table per hub piece (through a file: ``(hub piece, address)``)."""
    piece, edges = item
    pairs = np.array(sorted(edges), dtype=np.int64)
    spokes = pa.table(
        {
            "hub": pairs[:, 0],
            "member": pairs[:, 1],
            "member_signature": _piece_signatures(spill_dir, piece).column(pairs[:, 1]),
        }
    )
    parts = split_by(spokes, key_pieces(pairs[:, 0]))
    return write_parts(parts_path(spill_dir, SPOKES, piece), parts)


def _plausible_edges(
    item: tuple[int, Iterable[Address]], spill_dir: str, threshold: float
) -> list[tuple]:
    """A hub piece's candidate edges whose estimated Jaccard is within
    :data:`~curation.dedup.resolve.ESTIMATE_MARGIN` of ``threshold``, with the hubs' shingle
    sets, as a table per member piece (through a file: ``(member piece, address)``)."""
    piece, addresses = item
    spokes = read_parts(addresses)
    hubs = spokes["hub"].to_numpy()
    signatures = _piece_signatures(spill_dir, piece)
    keep = plausible(signatures.of(hubs), signature_matrix(spokes["member_signature"]), threshold)
    hubs, members = hubs[keep], spokes["member"].to_numpy()[keep]
    candidates = pa.table(
        {"hub": hubs, "member": members, "hub_shingles": signatures.shingles(hubs)}
    )
    parts = split_by(candidates, key_pieces(members))
    return write_parts(parts_path(spill_dir, PLAUSIBLE, piece), parts)


def _verified_edges(
    item: tuple[int, Iterable[Address]], spill_dir: str, threshold: float
) -> Iterator[tuple[int, int]]:
    piece, addresses = item
    candidates = read_parts(addresses)
    hubs, members = candidates["hub"].to_numpy(), candidates["member"].to_numpy()
    member_shingles = _piece_signatures(spill_dir, piece).shingles(members)
    keep = verified(candidates["hub_shingles"].combine_chunks(), member_shingles, threshold)
    yield from zip(hubs[keep].tolist(), members[keep].tolist(), strict=True)


class VerifyEdges(beam.PTransform):
    """Candidate edges ``(hub, member)`` -> those whose exact shingle-set Jaccard reaches
    ``threshold``.

    Neither signatures nor shingle sets are shuffled for every document, and those that move
    go through files (:mod:`transforms.file_shuffle`): edges are grouped by their member's
    piece, which reads the members' signatures and sends them on; by their hub's piece, which
    drops the edges whose estimated Jaccard is far below the threshold
    (:func:`~curation.dedup.resolve.plausible`) and sends the others on with the hubs' shingle
    sets; and by their member's piece again, which reads the members' sets and compares.
    """

    def __init__(self, threshold: float, spill_dir: str) -> None:
        super().__init__()
        self._threshold = threshold
        self._spill_dir = spill_dir

    def expand(self, edges: beam.PCollection) -> beam.PCollection:
        return (
            edges
            | "ByMemberPiece" >> beam.Map(lambda edge: (_piece_of(edge[1]), edge))
            | "GroupByMemberPiece" >> beam.GroupByKey()
            | "Spokes" >> beam.FlatMap(_spokes, self._spill_dir)
            | "GroupByHubPiece" >> beam.GroupByKey()
            | "Plausible" >> beam.FlatMap(_plausible_edges, self._spill_dir, self._threshold)
            | "GroupByMemberPieceAgain" >> beam.GroupByKey()
            | "Verified" >> beam.FlatMap(_verified_edges, self._spill_dir, self._threshold)
        )


def _label_nodes(
    item: tuple[int, dict[str, list]],
    spill_dir: str,
    partitions: int,
    references: Mapping[int, str],
) -> Iterator[tuple]:
    """One piece's nodes: ``(DECISIONS, decisions)`` for those no verified edge
    touches, ``(CLUSTERED, (partition, address))`` of a table of the others with their
    labels and shingle sets (:data:`~curation.dedup.resolve.CLUSTER_SCHEMA`) per label
    partition, through a file."""
    piece, joined = item
    nodes = concat_sorted(joined["nodes"], _LABEL_NODE_SCHEMA, "key")
    labels = dict(joined["label"])
    keys = nodes["key"].to_numpy()
    clustered = np.isin(keys, np.fromiter(labels, np.int64, len(labels)))
    yield DECISIONS, singleton_decisions(nodes.filter(pa.array(~clustered)), references)
    if clustered.any():
        members = nodes.filter(pa.array(clustered))
        member_keys = keys[clustered]
        signatures = _piece_signatures(spill_dir, piece)
        member_labels = np.array([labels[key] for key in member_keys.tolist()], np.int64)
        members = (
            members.append_column("label", pa.array(member_labels))
            .append_column("rank", signatures.ranks(member_keys))
            .append_column("shingles", signatures.shingles(member_keys))
        )
        parts = split_by(members.select(CLUSTER_SCHEMA.names), member_labels % partitions)
        for address in write_parts(parts_path(spill_dir, CLUSTERED, piece), parts):
            yield CLUSTERED, address


def _cluster_decisions(
    item: tuple[int, Iterable[Address]], references: Mapping[int, str]
) -> pa.Table:
    return resolve_clusters(read_parts(item[1]), references)


class NearDuplicateClusters(beam.PTransform):
    """(nodes by piece, band entries) -> decisions by piece of every node and its copies."""

    def __init__(
        self,
        config: DedupConfig,
        partitions: int,
        spill_dir: str,
        references: Mapping[int, str],
    ) -> None:
        super().__init__()
        self._config = config
        self._partitions = partitions
        self._spill_dir = spill_dir
        self._references = references

    def expand(self, inputs):  # (nodes, band entries); no annotation: Beam reads it as a type hint
        nodes, entries = inputs
        edges = (
            entries
            | "GroupBuckets" >> beam.GroupByKey()
            | "SharedBuckets" >> beam.FlatMap(_shared_buckets)
            | "GroupByMemberPiece" >> beam.GroupByKey()
            | "RankMembers" >> beam.FlatMap(_ranked_members, self._spill_dir, self._partitions)
            | "GroupRankedBuckets" >> beam.GroupByKey()
            | "StarEdges" >> beam.FlatMap(lambda group: star_edges(pa.concat_tables(group[1])))
            | "DistinctEdges" >> beam.Distinct()
        )
        if self._config.verify:
            edges = edges | "Verify" >> VerifyEdges(self._config.threshold, self._spill_dir)
        labels = (
            edges
            | "Components" >> ConnectedComponents(max_rounds=self._config.max_rounds)
            | "LabelsByPiece" >> beam.Map(lambda label: (_piece_of(label[0]), label))
        )
        labelled = (
            {"nodes": nodes, "label": labels}
            | "JoinLabels" >> beam.CoGroupByKey()
            | "LabelNodes"
            >> beam.FlatMap(_label_nodes, self._spill_dir, self._partitions, self._references)
            | "SplitLabelled" >> SplitByTag([DECISIONS, CLUSTERED])
        )
        clusters = (
            labelled[CLUSTERED]
            | "GroupClusters" >> beam.GroupByKey()
            | "ResolveClusters" >> beam.Map(_cluster_decisions, self._references)
        )
        return (labelled[DECISIONS], clusters) | "NearDecisions" >> beam.Flatten()


def _in_one_step(
    item: tuple[None, Iterable[pa.Table]], config: DedupConfig, bands: int, spill_dir: str
) -> Iterator[pa.Table]:
    pause_at("dedup")
    digests = pa.concat_tables([table.select(ID_COLUMNS) for table in item[1]])
    yield from deduplicate(digests, config, bands, partial(_piece_signatures, spill_dir))


def _singletons(item: tuple[int, pa.Table], references: Mapping[int, str]) -> pa.Table:
    return singleton_decisions(item[1], references)


def _own_decisions(decisions: pa.Table, references: Mapping[int, str]) -> Iterator[pa.Table]:
    """The decisions of the run's own documents (reference documents are never decided)."""
    pieces = key_pieces(decisions["_key"].to_numpy())
    own = ~np.isin(pieces, np.fromiter(references, np.int64, len(references)))
    if own.all():
        yield decisions
    elif own.any():
        yield decisions.filter(pa.array(own))


class DeduplicateDigests(beam.PTransform):
    """Digest tables (one per piece) -> decision tables: one decision per document.

    ``partitions`` (>= 1) sets the parallelism: documents are cut into that many id
    partitions, then content partitions (each resolves its exact copies and emits its nodes'
    LSH band hashes as a few arrays per bucket group) and cluster partitions. ``spill_dir``
    holds the pieces' signatures files.

    ``references`` (:mod:`curation.dedup.reference`): eligible-document tables of reference
    pieces (their signatures files in ``spill_dir``), and ``reference_runs`` maps each
    reference piece to its run. Reference documents join exact and near dedup, always win
    their group and get no decision of their own.

    ``one_step`` (:func:`in_one_step`; not with ``references``): gather every digest table on
    one worker and resolve them there in one step; same decisions, ``partitions`` unused.
    """

    def __init__(
        self,
        config: DedupConfig,
        hasher: MinHasher,
        partitions: int,
        spill_dir: str,
        references: beam.PCollection | None = None,
        reference_runs: Mapping[int, str] | None = None,
        one_step: bool = False,
    ) -> None:
        super().__init__()
        if partitions < 1:
            raise ValueError(f"partitions must be >= 1, got {partitions}")
        if one_step and references is not None:
            raise ValueError("one_step takes no references (their size is not known)")
        self._config = config
        self._hasher = hasher
        self._partitions = partitions
        self._spill_dir = spill_dir
        self._references = references
        self._reference_runs = dict(reference_runs or {})
        self._one_step = one_step

    def expand(self, digests: beam.PCollection) -> beam.PCollection:
        if self._one_step:
            return self._in_one_step(digests)
        config, partitions = self._config, self._partitions
        ids = (
            digests
            | "ById" >> beam.FlatMap(_by_id, partitions)
            | "GroupIds" >> beam.GroupByKey()
            | "ResolveIds" >> beam.FlatMap(_resolve_ids, partitions)
            | "SplitIds" >> SplitByTag([DECISIONS, ELIGIBLE])
        )
        bands = self._hasher.bands if config.near else 0
        parts = bucket_parts(partitions, self._hasher.bands)
        eligible = ids[ELIGIBLE]
        if self._references is not None:
            references = self._references | "ReferencesByContent" >> beam.FlatMap(
                _by_content, partitions
            )
            eligible = (eligible, references) | "WithReferences" >> beam.Flatten()
        runs = self._reference_runs
        nodes = (
            eligible
            | "GroupContent" >> beam.GroupByKey()
            | "ResolveExact" >> beam.FlatMap(_resolve_exact, config.exact, bands, parts)
            | "SplitNodes" >> SplitByTag([NODES, BAND_ENTRIES])
        )
        if config.near:
            near = (nodes[NODES], nodes[BAND_ENTRIES]) | "NearDuplicates" >> (
                NearDuplicateClusters(config, partitions, self._spill_dir, runs)
            )
        else:
            near = nodes[NODES] | "Singletons" >> beam.Map(_singletons, runs)
        if runs:
            near = near | "OwnDecisions" >> beam.FlatMap(_own_decisions, runs)
        return (ids[DECISIONS], near) | "AllDecisions" >> beam.Flatten()

    def _in_one_step(self, digests: beam.PCollection) -> beam.PCollection:
        bands = self._hasher.bands if self._config.near else 0
        return (
            digests
            | "UnderOneKey" >> beam.Map(lambda table: (None, table))
            | "GroupAll" >> beam.GroupByKey()
            | "InOneStep" >> beam.FlatMap(_in_one_step, self._config, bands, self._spill_dir)
        )
