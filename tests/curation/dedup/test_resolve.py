"""Duplicate resolution decisions and the keeper order (``rank_key``)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from curation.config import KEEP_POLICY_KEYS, DedupConfig
from curation.decisions import Reason, Stage, kept
from curation.dedup.minhash import MinHasher
from curation.dedup.resolve import (
    Digest,
    Node,
    band_entries,
    bucket_edges,
    bucket_group_edges,
    bucket_parts,
    content_batch,
    node_blocks,
    node_fields,
    rank_block,
    rank_key,
    resolve_cluster,
    resolve_content_batch,
    resolve_exact_group,
    resolve_id_group,
    verified,
)
from curation.io.provenance import parse_created

HASHER = MinHasher(num_perm=128, bands=16, rows=8)


def record_key(uri: str, record: int) -> str:
    """A record key for hand-made digests (any string unique per record will do)."""
    return f"{uri}#{record}"


def _signature(shift: int) -> bytes:
    """Signature of 100 shingle hashes shifted by ``shift`` (Jaccard (100-s)/(100+s))."""
    return HASHER.signature_of_hashes(np.arange(shift, shift + 100, dtype=np.uint32))


def _digest(doc_id: str, uri: str, record: int, rank: str | None = None) -> Digest:
    return Digest(
        key=record_key(uri, record),
        id=doc_id,
        source="s",
        uri=uri,
        record=record,
        content_hash="ab" * 32,
        signature=_signature(0),
        rank=rank or doc_id,
        verdict=None,
    )


def _node(rank: str, shift: int = 0, weight: int = 1) -> Node:
    copies = tuple(f"copy-{rank}-{i}" for i in range(weight - 1))
    return Node(
        rank=rank,
        key=f"key-{rank}",
        id=f"id-{rank}",
        signature=_signature(shift),
        exact_copies=copies,
    )


def test_digest_of_a_scored_document():
    doc = {
        "_key": "k",
        "id": "d",
        "source": "s",
        "source_uri": "u",
        "source_record": 3,
        "content_hash": "h",
        "_signature": b"\x00" * 4,
        "_rank": "r",
        "_verdict": None,
        "text": "not needed",
    }
    digest = Digest.of(doc)
    assert (digest.key, digest.id, digest.uri, digest.record, digest.rank) == (
        "k",
        "d",
        "u",
        3,
        "r",
    )


def test_resolve_id_group_first_by_file_then_record_whatever_the_order():
    digests = [
        _digest("same", "b.jsonl", 1),
        _digest("same", "a.jsonl", 9),
        _digest("same", "a.jsonl", 2),
    ]
    for permutation in itertools.permutations(digests):
        winner, losers = resolve_id_group(permutation)
        assert (winner.uri, winner.record) == ("a.jsonl", 2)
        assert [loser["_key"] for loser in losers] == [
            record_key("a.jsonl", 9),
            record_key("b.jsonl", 1),
        ]
        for loser in losers:
            assert loser["kept"] is False
            assert loser["reject_reason"] == Reason.DUPLICATE_ID
            assert loser["reject_stage"] == Stage.IDS
            assert loser["duplicate_of"] == "same"
            assert "a.jsonl:2" in loser["reject_detail"]


def test_resolve_id_group_single_record_has_no_losers():
    winner, losers = resolve_id_group([_digest("x", "a", 1)])
    assert winner.id == "x"
    assert losers == []


def test_resolve_exact_group_keeps_best_rank_and_counts_weight():
    digests = [_digest("c", "f", 1), _digest("a", "f", 2), _digest("b", "f", 3)]
    for permutation in itertools.permutations(digests):
        node = resolve_exact_group(permutation)
        assert (node.id, node.rank, node.key, node.weight) == ("a", "a", record_key("f", 2), 3)
        assert node.signature == digests[1].signature
        assert node.exact_copies == (record_key("f", 3), record_key("f", 1))  # by rank b, c


def test_resolve_exact_group_singleton():
    node = resolve_exact_group([_digest("solo", "f", 1)])
    assert node.weight == 1
    assert node.exact_copies == ()


def test_content_batch_is_in_range_and_shared_by_equal_hashes():
    hashes = [f"{n:064x}" for n in (0, 1, 7, 2**200, 2**255 + 3)]
    assert [content_batch(h, 7) for h in hashes] == [content_batch(h, 7) for h in hashes]
    assert all(0 <= content_batch(h, 7) < 7 for h in hashes)
    assert {content_batch(h, 1) for h in hashes} == {0}


def test_node_blocks_group_every_node_once_by_its_rank_block():
    nodes = [_node(f"r{index:03d}", weight=1 + index % 3) for index in range(200)]
    for blocks in (1, 7, 500):
        grouped = node_blocks(nodes, blocks)
        assert [block for block, _ in grouped] == sorted({block for block, _ in grouped})
        assert all(0 <= block < blocks for block, _ in grouped)
        members = [fields for _, group in grouped for fields in group]
        assert sorted(members) == sorted(map(node_fields, nodes))
        for block, group in grouped:
            assert {rank_block(fields[0], blocks) for fields in group} == {block}
    assert [Node(*fields) for fields in map(node_fields, nodes)] == nodes
    assert rank_block("r001", 7) == rank_block("r001", 7)  # a pure function of the rank


def _content_digest(doc_id: str, content: str) -> Digest:
    return dataclasses.replace(
        _digest(doc_id, "f", int(doc_id[1:])), content_hash=content, rank=doc_id
    )


def test_resolve_content_batch_merges_exact_copies_only_when_asked():
    digests = [
        _content_digest("d3", "aa"),
        _content_digest("d1", "bb"),
        _content_digest("d2", "aa"),
        _content_digest("d4", "cc"),
    ]
    for permutation in itertools.permutations(digests):
        nodes = resolve_content_batch(permutation, exact=True)
        assert [(n.rank, n.weight) for n in nodes] == [("d1", 1), ("d2", 2), ("d4", 1)]
        assert nodes[1].exact_copies == (record_key("f", 3),)
        separate = resolve_content_batch(permutation, exact=False)
        assert [(n.rank, n.weight) for n in separate] == [(f"d{k}", 1) for k in (1, 2, 3, 4)]


@pytest.mark.parametrize(("batches", "bands", "parts"), [(1, 16, 1), (16, 16, 1), (17, 16, 2)])
def test_bucket_parts(batches, bands, parts):
    assert bucket_parts(batches, bands) == parts


def _buckets_one_by_one(nodes: list[Node], hasher: MinHasher) -> set[tuple[str, str]]:
    """Star edges from a plain dict of buckets keyed by (band, band hash)."""
    buckets: dict[tuple[int, int], list[str]] = {}
    for node in nodes:
        for band, band_hash in enumerate(hasher.band_hashes(node.signature)):
            buckets.setdefault((band, band_hash), []).append(node.rank)
    return {edge for members in buckets.values() for edge in bucket_edges(members)}


@pytest.mark.parametrize("parts", [1, 3])
def test_band_entries_in_batches_give_the_edges_of_every_bucket(parts):
    hasher = MinHasher(num_perm=32, bands=8, rows=4)
    rng = np.random.default_rng(5)
    nodes = []
    for index in range(300):
        # Families of 20 nodes with overlapping shingle sets: some bands shared, some not.
        family, shift = divmod(index, 20)
        values = np.arange(family * 1000 + shift, family * 1000 + shift + 40, dtype=np.uint32)
        noise = rng.integers(0, 2**32, size=int(rng.integers(0, 4)), dtype=np.uint32)
        signature = hasher.signature_of_hashes(np.concatenate([values, noise]))
        nodes.append(Node(f"r{index:04d}", f"k{index}", f"id{index}", signature))
    nodes.append(Node("r-empty", "k-empty", "id-empty", hasher.signature("")))
    groups: dict[tuple[int, int], list] = {}
    for start in range(0, len(nodes), 70):  # five batches
        for group, entries in band_entries(nodes[start : start + 70], hasher, parts):
            assert 0 <= group[0] < hasher.bands and 0 <= group[1] < parts
            groups.setdefault(group, []).append(entries)
    assert len(groups) == hasher.bands * parts
    edges = [edge for chunks in groups.values() for edge in bucket_group_edges(reversed(chunks))]
    expected = _buckets_one_by_one(nodes, hasher)
    assert len(expected) > 100
    assert set(edges) == expected
    assert all("r-empty" not in edge for edge in edges)


def test_equal_band_contents_in_different_bands_are_different_buckets():
    hasher = MinHasher(num_perm=16, bands=4, rows=4)
    same = bytes(64)  # every band holds the same four values
    assert len(set(hasher.band_hashes(same))) == 1
    shifted = bytes(16) + b"\x01" * 48  # equal to `same` in band 0 only
    nodes = [Node("a", "ka", "ia", same), Node("b", "kb", "ib", shifted)]
    groups: dict[tuple[int, int], list] = {}
    for group, entries in band_entries(nodes, hasher, parts=1):
        groups.setdefault(group, []).append(entries)
    edges = {group: list(bucket_group_edges(chunks)) for group, chunks in groups.items()}
    assert edges == {(0, 0): [("a", "b")], (1, 0): [], (2, 0): [], (3, 0): []}


def test_bucket_edges_form_a_star_on_the_smallest_member():
    edges = list(bucket_edges(reversed([f"n{k}" for k in (4, 2, 7, 1, 9)])))
    assert edges == [("n1", "n2"), ("n1", "n4"), ("n1", "n7"), ("n1", "n9")]


def test_verification_drops_dissimilar_pairs():
    assert verified(_signature(0), _signature(2), threshold=0.8)  # J 0.96
    assert not verified(_signature(0), _signature(60), threshold=0.8)  # J 0.25


@pytest.mark.parametrize("members", [[], ["only"], ["x", "x"]])
def test_bucket_without_two_distinct_members_yields_nothing(members):
    assert list(bucket_edges(members)) == []


def test_resolve_cluster_keeps_smallest_rank_and_counts_weights():
    members = [
        _node("r3", shift=2, weight=1),
        _node("r1", weight=2),
        _node("r2", shift=5, weight=4),
    ]
    decisions = resolve_cluster(reversed(members), label="r1")
    keeper, *others = decisions
    assert keeper == kept("key-r1", "id-r1", 7)
    copies = [d for d in others if d["reject_reason"] == Reason.EXACT_DUPLICATE]
    assert sorted(d["_key"] for d in copies) == ["copy-r1-0", "copy-r2-0", "copy-r2-1", "copy-r2-2"]
    for decision in copies:
        assert decision["reject_stage"] == Stage.EXACT_DEDUP
        assert decision["duplicate_of"] == "id-r1", "exact copies name the final keeper"
        assert decision["dup_cluster_id"] == "id-r1"
    others = [d for d in others if d not in copies]
    assert [d["_key"] for d in others] == ["key-r2", "key-r3"]
    for decision in others:
        assert decision["kept"] is False
        assert decision["reject_reason"] == Reason.NEAR_DUPLICATE
        assert decision["reject_stage"] == Stage.NEAR_DEDUP
        assert decision["duplicate_of"] == "id-r1"
        assert decision["dup_cluster_id"] == "id-r1"
        similarity = float(decision["reject_detail"].split("=")[1])
        assert decision["reject_detail"].startswith("estimated_jaccard=")
        assert 0.7 < similarity < 1.0


def test_resolve_cluster_singleton_sizes():
    (alone,) = resolve_cluster([_node("r")], label="r")
    assert alone["dup_cluster_id"] is None
    assert alone["dup_cluster_size"] == 1
    with_exact_duplicates, *copies = resolve_cluster([_node("r", weight=3)], label="r")
    assert len(copies) == 2
    assert with_exact_duplicates["dup_cluster_id"] == "id-r"
    assert with_exact_duplicates["dup_cluster_size"] == 3


def test_resolve_cluster_rejects_a_wrong_label():
    with pytest.raises(ValueError, match="r2"):
        resolve_cluster([_node("r1"), _node("r2")], label="r2")


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
