"""Duplicate resolution on digest tables, and the keeper order (``rank_key``)."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from curation.config import KEEP_POLICY_KEYS, DedupConfig
from curation.decision_batches import DECISION_SCHEMA
from curation.decisions import Reason, Stage, kept
from curation.dedup.digests import digest_table
from curation.dedup.minhash import MinHasher
from curation.dedup.resolve import (
    BAND_SCHEMA,
    CLUSTER_SCHEMA,
    MEMBER_SCHEMA,
    NODE_SCHEMA,
    Node,
    band_entries,
    bucket_parts,
    plausible,
    rank_key,
    resolve_cluster,
    resolve_clusters,
    resolve_exact,
    resolve_ids,
    shared_buckets,
    singleton_decisions,
    star_edges,
    verified,
)
from curation.io.provenance import parse_created

HASHER = MinHasher(num_perm=128, bands=16, rows=8)


def _signature(shift: int) -> bytes:
    """Signature of 100 shingle hashes shifted by ``shift`` (Jaccard (100-s)/(100+s))."""
    return HASHER.signature_of_hashes(np.arange(shift, shift + 100, dtype=np.uint32))


def _shingles(shift: int) -> np.ndarray:
    """The shingle set of :func:`_signature`'s hashes, as a shingle set (sorted uint64)."""
    return np.arange(shift, shift + 100, dtype=np.uint64)


def _scored(key: int, doc_id: str, **fields: object) -> dict[str, object]:
    """A scored row as the scorer leaves it (what a digest is made of)."""
    return {
        "_key": key,
        "id": doc_id,
        "source": "s",
        "source_uri": "f.jsonl",
        "source_record": key + 1,
        "content_hash": f"{key:064x}",
        "_signature": _signature(0),
        "_shingles": _shingles(0),
        "_rank": doc_id,
        "_verdict": None,
        **fields,
    }


def _digests(*rows: dict[str, object]) -> pa.Table:
    return digest_table(rows, HASHER)


def _decisions(table: pa.Table) -> dict[int, dict]:
    """Decisions by key."""
    return {row["_key"]: row for row in table.to_pylist()}


def test_digest_table_of_scored_rows():
    verdict = ("quality", "quality:x.y", "y=1")
    table = _digests(
        _scored(3, "a", synthetic=True, synthetic_score=0.9),
        _scored(4, "b", _verdict=verdict),
        _scored(5, "c", _signature=HASHER.signature("")),
    )
    rows = table.to_pylist()
    assert [row["key"] for row in rows] == [3, 4, 5]
    assert rows[0]["content_hash"] == bytes.fromhex(f"{3:064x}")
    assert (rows[0]["uri"], rows[0]["record"], rows[0]["source"]) == ("f.jsonl", 4, "s")
    assert (rows[0]["synthetic"], rows[0]["synthetic_score"]) == (True, 0.9)
    assert rows[0]["band_hashes"] == HASHER.band_hashes(_signature(0))
    assert rows[2]["band_hashes"] == []  # no shingles: no LSH buckets
    assert (rows[1]["verdict_stage"], rows[1]["verdict_reason"]) == verdict[:2]
    assert rows[0]["verdict_reason"] is None
    # a rejected document only claims its id: nothing dedup would need of it travels
    assert rows[1]["content_hash"] is rows[1]["rank"] is rows[1]["band_hashes"] is None


def test_resolve_ids_first_by_file_then_record_whatever_the_order():
    rows = [
        _scored(0, "same", source_uri="b.jsonl", source_record=1),
        _scored(1, "same", source_uri="a.jsonl", source_record=9),
        _scored(2, "same", source_uri="a.jsonl", source_record=2),
        _scored(3, "other"),
    ]
    for permutation in itertools.permutations(rows):
        decisions, eligible = resolve_ids(_digests(*permutation))
        assert sorted(eligible["key"].to_pylist()) == [2, 3]
        losers = _decisions(decisions)
        assert sorted(losers) == [0, 1]
        for loser in losers.values():
            assert loser["kept"] is False
            assert (loser["reject_stage"], loser["reject_reason"]) == (
                Stage.IDS,
                Reason.DUPLICATE_ID,
            )
            assert loser["duplicate_of"] == "same"
            assert loser["reject_detail"] == "id first used at a.jsonl:2"


def test_resolve_ids_rejects_winners_with_a_verdict_and_keeps_them_out_of_dedup():
    verdict = ("language", "language_not_allowed", "lang=de")
    decisions, eligible = resolve_ids(
        _digests(_scored(0, "a", _verdict=verdict), _scored(1, "a"), _scored(2, "b"))
    )
    assert eligible.column_names == ["key", "id", "content_hash", "rank", "band_hashes"]
    assert eligible["key"].to_pylist() == [2]
    by_key = _decisions(decisions)
    assert by_key[0]["reject_reason"] == "language_not_allowed"
    assert by_key[0]["reject_detail"] == "lang=de"
    assert by_key[1]["reject_reason"] == Reason.DUPLICATE_ID  # lost the id to a rejected one


def _eligible(*rows: tuple[int, str, str]) -> pa.Table:
    """Eligible digests from ``(key, rank, content)``."""
    digests = _digests(*(_scored(key, rank, content_hash=content) for key, rank, content in rows))
    return resolve_ids(digests)[1]


def test_resolve_exact_merges_exact_copies_only_when_asked():
    rows = [(3, "d3", "aa" * 32), (1, "d1", "bb" * 32), (2, "d2", "aa" * 32), (4, "d4", "cc" * 32)]
    for permutation in itertools.permutations(rows):
        nodes = resolve_exact(_eligible(*permutation), exact=True)
        assert nodes.schema == NODE_SCHEMA
        pairs = zip(nodes["id"].to_pylist(), nodes["copies"].to_pylist(), strict=True)
        assert sorted(pairs) == [
            ("d1", []),
            ("d2", [3]),  # d2 ranks before d3: it stands for both
            ("d4", []),
        ]
        separate = resolve_exact(_eligible(*permutation), exact=False)
        assert separate["key"].to_pylist() == [1, 2, 3, 4]
        assert separate["copies"].to_pylist() == [[]] * 4


def test_exact_copies_are_listed_in_rank_order():
    rows = [(key, f"r{9 - key}", "ab" * 32) for key in range(5)]
    nodes = resolve_exact(_eligible(*rows), exact=True)
    assert nodes["key"].to_pylist() == [4]
    assert nodes["copies"].to_pylist() == [[3, 2, 1, 0]]


@pytest.mark.parametrize(("batches", "bands", "parts"), [(1, 16, 1), (16, 16, 1), (17, 16, 2)])
def test_bucket_parts(batches, bands, parts):
    assert bucket_parts(batches, bands) == parts


def _nodes(rows: list[tuple[int, str, bytes]], hasher: MinHasher) -> pa.Table:
    """Nodes from ``(key, rank, signature)``."""
    return pa.table(
        {
            "key": [key for key, _, _ in rows],
            "id": [rank for _, rank, _ in rows],
            "copies": [[] for _ in rows],
            "band_hashes": [hasher.band_hashes(signature) for _, _, signature in rows],
        },
        schema=NODE_SCHEMA,
    )


def _buckets_one_by_one(rows: list[tuple[int, str, bytes]], hasher: MinHasher) -> set:
    """Star edges from a plain dict of buckets keyed by (band, band hash): each member to the
    member of smallest rank."""
    buckets: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for key, rank, signature in rows:
        for band, band_hash in enumerate(hasher.band_hashes(signature)):
            buckets.setdefault((band, band_hash), []).append((rank, key))
    edges = set()
    for members in buckets.values():
        (_, hub), *others = sorted(members)
        edges.update((hub, key) for _, key in others)
    return edges


def _star_edges(groups: dict[tuple[int, int], list[pa.Table]], ranks: dict[int, str]) -> list:
    """Star edges of bucket groups' entries, the members' ranks looked up in ``ranks`` (as
    the pipeline does from the members' pieces)."""
    members = [shared_buckets(band, tables[::-1]) for (band, _), tables in groups.items()]
    table = pa.concat_tables(members)
    ranked = table.append_column("rank", pa.array([ranks[k] for k in table["key"].to_pylist()]))
    return sorted(star_edges(ranked))


@pytest.mark.parametrize("parts", [1, 3])
def test_band_entries_in_batches_give_the_edges_of_every_bucket(parts):
    hasher = MinHasher(num_perm=32, bands=8, rows=4)
    rng = np.random.default_rng(5)
    rows = []
    for index in range(300):
        # Families of 20 nodes with overlapping shingle sets: some bands shared, some not.
        family, shift = divmod(index, 20)
        values = np.arange(family * 1000 + shift, family * 1000 + shift + 40, dtype=np.uint32)
        noise = rng.integers(0, 2**32, size=int(rng.integers(0, 4)), dtype=np.uint32)
        signature = hasher.signature_of_hashes(np.concatenate([values, noise]))
        rows.append((index, f"r{(index * 7919) % 300:04d}", signature))  # rank order != key
    rows.append((300, "r-empty", hasher.signature("")))
    groups: dict[tuple[int, int], list[pa.Table]] = {}
    for start in range(0, len(rows), 70):  # five batches
        for group, entries in band_entries(_nodes(rows[start : start + 70], hasher), 8, parts):
            assert 0 <= group[0] < hasher.bands and 0 <= group[1] < parts
            groups.setdefault(group, []).append(entries)
    assert len(groups) == hasher.bands * parts
    edges = _star_edges(groups, {key: rank for key, rank, _ in rows})
    expected = _buckets_one_by_one(rows, hasher)
    assert len(expected) > 100
    assert set(edges) == expected  # the same pair may come from several bands
    assert all(300 not in edge for edge in edges)


def test_equal_band_contents_in_different_bands_are_different_buckets():
    hasher = MinHasher(num_perm=16, bands=4, rows=4)
    same = bytes(64)  # every band holds the same four values
    assert len(set(hasher.band_hashes(same))) == 1
    shifted = bytes(16) + b"\x01" * 48  # equal to `same` in band 0 only
    nodes = _nodes([(0, "a", same), (1, "b", shifted)], hasher)
    groups = {group: [table] for group, table in band_entries(nodes, 4, parts=1)}
    assert sorted(groups) == [(0, 0), (1, 0), (2, 0), (3, 0)]
    assert _star_edges(groups, {0: "a", 1: "b"}) == [(0, 1)]


def test_only_shared_buckets_go_on():
    entries = pa.table(
        {"band_hash": np.array([7, 3, 7, 9, 3], np.uint64), "key": [1, 2, 3, 4, 5]},
        schema=BAND_SCHEMA,
    )
    members = shared_buckets(5, [entries.slice(0, 2), entries.slice(2)])
    assert members.schema == MEMBER_SCHEMA
    assert members.to_pylist() == [
        {"band": 5, "band_hash": 3, "key": 2},
        {"band": 5, "band_hash": 3, "key": 5},
        {"band": 5, "band_hash": 7, "key": 1},
        {"band": 5, "band_hash": 7, "key": 3},
    ]


def test_star_edges_centre_each_bucket_on_its_best_rank():
    members = pa.table(
        {
            "band": [0, 0, 0, 1, 1, 0, 0],
            "band_hash": np.array([5, 5, 5, 5, 5, 6, 6], np.uint64),
            "key": [10, 11, 12, 10, 13, 14, 15],
            "rank": ["c", "a", "b", "c", "d", "f", "e"],
        }
    )
    # band 0 hash 5: hub 11 (rank a); band 1 hash 5 is another bucket: hub 10 (rank c)
    assert sorted(star_edges(members)) == [(10, 13), (11, 10), (11, 12), (15, 14)]


def test_verification_keeps_exactly_the_pairs_at_or_above_the_threshold():
    def sets(*shifts: int) -> pa.ListArray:
        return pa.array([_shingles(shift) for shift in shifts], pa.list_(pa.uint64()))

    # exact Jaccard (100 - s) / (100 + s): 11 -> 0.8018, 12 -> 0.7857, 60 -> 0.25, 0 -> 1.0
    hubs, members = sets(0, 0, 0, 5), sets(11, 12, 60, 5)
    assert verified(hubs, members, threshold=0.8).tolist() == [True, False, False, True]
    assert verified(hubs, members, threshold=0.78).tolist() == [True, True, False, True]


def test_singletons_are_kept_and_their_exact_copies_rejected():
    nodes = pa.table({"key": [5, 7], "id": ["alone", "with-copies"], "copies": [[], [9, 2]]})
    decisions = singleton_decisions(nodes)
    assert decisions.schema == DECISION_SCHEMA
    by_key = _decisions(decisions)
    assert by_key[5] == kept(5, None, 1)
    assert by_key[7] == kept(7, "with-copies", 3)
    for copy in (9, 2):
        assert by_key[copy]["reject_reason"] == Reason.EXACT_DUPLICATE
        assert by_key[copy]["reject_stage"] == Stage.EXACT_DEDUP
        assert by_key[copy]["reject_detail"] == "same content_hash as with-copies"
        assert by_key[copy]["duplicate_of"] == "with-copies"
        assert by_key[copy]["dup_cluster_id"] == "with-copies"


def _node(rank: str, shift: int = 0, weight: int = 1) -> Node:
    index = int(rank[1:])
    copies = tuple(1000 * index + i for i in range(weight - 1))
    return Node(
        rank=rank, key=index, id=f"id-{rank}", shingles=_shingles(shift), exact_copies=copies
    )


def test_resolve_cluster_keeps_smallest_rank_and_counts_weights():
    members = [
        _node("r3", shift=2, weight=1),
        _node("r1", weight=2),
        _node("r2", shift=5, weight=4),
    ]
    decisions = resolve_cluster(reversed(members))
    keeper, *others = decisions
    assert keeper == kept(1, "id-r1", 7)
    copies = [d for d in others if d["reject_reason"] == Reason.EXACT_DUPLICATE]
    assert sorted(d["_key"] for d in copies) == [1000, 2000, 2001, 2002]
    for decision in copies:
        assert decision["reject_stage"] == Stage.EXACT_DEDUP
        assert decision["duplicate_of"] == "id-r1", "exact copies name the final keeper"
        assert decision["dup_cluster_id"] == "id-r1"
    others = [d for d in others if d not in copies]
    assert [d["_key"] for d in others] == [2, 3]
    for decision in others:
        assert decision["kept"] is False
        assert decision["reject_reason"] == Reason.NEAR_DUPLICATE
        assert decision["reject_stage"] == Stage.NEAR_DEDUP
        assert decision["duplicate_of"] == "id-r1"
        assert decision["dup_cluster_id"] == "id-r1"
    # exact Jaccard to the keeper's shingles: shift 5 -> 95 / 105, shift 2 -> 98 / 102
    assert [d["reject_detail"] for d in others] == ["jaccard=0.905", "jaccard=0.961"]


def test_resolve_cluster_singleton_sizes():
    (alone,) = resolve_cluster([_node("r4")])
    assert alone["dup_cluster_id"] is None
    assert alone["dup_cluster_size"] == 1
    with_exact_duplicates, *copies = resolve_cluster([_node("r4", weight=3)])
    assert len(copies) == 2
    assert with_exact_duplicates["dup_cluster_id"] == "id-r4"
    assert with_exact_duplicates["dup_cluster_size"] == 3


def test_resolve_clusters_resolves_each_label_in_a_table_of_members():
    members = [(10, _node("r1")), (10, _node("r2", shift=3)), (20, _node("r5", weight=2))]
    table = pa.table(
        {
            "label": [label for label, _ in members],
            "key": [node.key for _, node in members],
            "id": [node.id for _, node in members],
            "rank": [node.rank for _, node in members],
            "copies": [list(node.exact_copies) for _, node in members],
            "shingles": [node.shingles for _, node in members],
        },
        schema=CLUSTER_SCHEMA,
    )
    by_key = _decisions(resolve_clusters(table))
    assert sorted(by_key) == [1, 2, 5, 5000]
    assert by_key[1]["dup_cluster_size"] == 2 and by_key[2]["duplicate_of"] == "id-r1"
    assert by_key[5]["dup_cluster_size"] == 2 and by_key[5000]["duplicate_of"] == "id-r5"


def _doc(doc_id: str, created: str | None = None, **fields: object) -> dict[str, object]:
    """A scored document as the keeper policy sees it (``created`` parsed as the reader does)."""
    return {
        "id": doc_id,
        "synthetic": False,
        "quality_score": 0.5,
        "created": parse_created(created),
        **fields,
    }


def _keeper(*docs: dict[str, object], policy: tuple[str, ...] = KEEP_POLICY_KEYS) -> str:
    return min(docs, key=lambda doc: rank_key(doc, policy))["id"]


def test_unflagged_beats_synthetic_even_with_lower_quality():
    human = _doc("z", quality_score=0.1)
    synthetic = _doc("a", synthetic=True, quality_score=0.99)
    assert _keeper(human, synthetic) == "z"


def test_higher_quality_wins():
    assert _keeper(_doc("a", quality_score=0.4), _doc("b", quality_score=0.9)) == "b"
    assert _keeper(_doc("a", quality_score=None), _doc("b", quality_score=0.0)) == "a"  # id tie
    assert _keeper(_doc("a", quality_score=None), _doc("b", quality_score=0.01)) == "b"
    assert _keeper(_doc("a", quality_score=0.0), _doc("b", quality_score=1.0)) == "b"


def test_earlier_created_beats_later_and_missing():
    early = _doc("c", created="2019-05-01")
    late = _doc("a", created="2021-01-01")
    missing = _doc("b")
    assert _keeper(early, late, missing) == "c"
    assert _keeper(late, missing) == "a"
    assert _keeper(_doc("b", created="2020-01-01T10:00:00"), _doc("a", created="2020-01-02")) == "b"
    # the instant decides, not the text: 09:00+02:00 is 07:00 UTC
    plus_two = _doc("b", created="2020-01-01T09:00:00+02:00")
    assert _keeper(plus_two, _doc("a", created="2020-01-01T08:00:00Z")) == "b"


def test_higher_priority_wins_across_the_whole_range():
    for low, high in [(0, 1), (-1, 0), (-1_000_000, 1_000_000), (9, 10), (99, 100)]:
        assert _keeper(_doc("a", priority=low), _doc("b", priority=high)) == "b"
    assert _keeper(_doc("b", priority=None), _doc("a", priority=0)) == "a"


def test_id_breaks_ties_and_keys_are_unique():
    docs = [_doc(doc_id) for doc_id in ("b", "a", "c")]
    assert _keeper(*docs) == "a"
    assert len({rank_key(doc) for doc in docs}) == 3


def test_custom_policy_order_is_respected():
    high_priority = _doc("a", priority=5, quality_score=0.2)
    high_quality = _doc("b", priority=0, quality_score=0.9)
    assert _keeper(high_priority, high_quality) == "b"
    assert _keeper(high_priority, high_quality, policy=("priority", "quality")) == "a"
    assert _keeper(high_priority, high_quality, policy=("quality", "priority")) == "b"
    synthetic_early = _doc("s", synthetic=True, created="2000-01-01")
    human_late = _doc("h", created="2020-01-01")
    assert _keeper(synthetic_early, human_late, policy=("created", "not_synthetic")) == "s"
    assert _keeper(synthetic_early, human_late, policy=("quality",)) == "h"  # id only


def test_policy_with_id_before_other_keys_is_refused():
    with pytest.raises(ValueError, match="must be the last"):
        DedupConfig(keep_policy=("id", "quality"))


def test_only_candidates_near_the_threshold_by_their_estimate_are_checked_exactly():
    def matrix(*shifts: int) -> np.ndarray:
        return np.array([np.frombuffer(_signature(shift), np.uint32) for shift in shifts])

    # exact Jaccard (100 - s) / (100 + s): 0 -> 1.0, 20 -> 0.67, 60 -> 0.25
    hubs, members = matrix(0, 0, 0), matrix(0, 20, 60)
    assert plausible(hubs, members, threshold=0.8).tolist() == [True, True, False]
    assert plausible(hubs, members, threshold=0.95).tolist() == [True, False, False]


def test_an_unknown_signature_is_always_checked_exactly():
    unknown = np.full((1, 128), 0xFFFFFFFF, np.uint32)
    other = np.frombuffer(_signature(60), np.uint32).reshape(1, 128)
    assert plausible(unknown, other, 0.8).tolist() == [True]
    assert plausible(other, unknown, 0.8).tolist() == [True]
