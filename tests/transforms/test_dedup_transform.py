"""Deduplicate on digests of hand-made scored documents: ids, verdicts, exact and near copies."""

from __future__ import annotations

import random

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from curation.config import DedupConfig
from curation.dedup.minhash import MinHasher
from curation.dedup.normalize import content_hash
from curation.dedup.resolve import Digest, rank_key
from curation.io.pieces import piece_key, split_piece_key
from curation.io.provenance import parse_created
from tests.transforms.beam_helpers import local_pipeline
from transforms.dedup import Deduplicate

HASHER = MinHasher(num_perm=128, bands=9, rows=13)
_WORDS = [
    "committee",
    "budget",
    "library",
    "hours",
    "weekend",
    "reading",
    "room",
    "renovated",
    "spring",
    "funds",
    "community",
    "planning",
    "council",
    "river",
    "bridge",
    "market",
    "square",
    "museum",
    "school",
    "garden",
    "harbour",
    "station",
]
#: 200 pseudo-random words: one changed word moves the word-5-gram Jaccard to about 0.95.
_RNG = random.Random(7)
BASE_WORDS = [f"{_RNG.choice(_WORDS)}{_RNG.randrange(50)}" for _ in range(200)]
BASE = " ".join(BASE_WORDS)
NEAR = " ".join(BASE_WORDS[:100] + ["changed"] + BASE_WORDS[101:])
OTHER = (
    "a completely different text about mountain hiking routes in the northern alps with "
    "notes on weather safety equipment and the best huts to stay in during late summer months"
)


def scored(doc_id: str, text: str, record: int, verdict=None, created=None, quality=0.5):
    doc = {
        "_key": piece_key(0, record),
        "id": doc_id,
        "source": "s",
        "source_uri": "f.jsonl",
        "source_record": record,
        "text": text,
        "content_hash": content_hash(text),
        "_signature": HASHER.signature(text),
        "_verdict": verdict,
        "created": parse_created(created),
        "quality_score": quality,
        "synthetic": False,
        "priority": 0,
    }
    doc["_rank"] = rank_key(doc)
    return doc


def summarize(decision: dict) -> tuple:
    return (
        str(split_piece_key(decision["_key"])[1]),
        decision["kept"],
        decision.get("reject_reason"),
        decision.get("duplicate_of"),
        decision.get("dup_cluster_size"),
    )


def run_dedup(
    docs: list[dict], config: DedupConfig, expected: list[tuple], batches: int = 3
) -> None:
    with local_pipeline() as pipeline:
        decisions = (
            pipeline
            | beam.Create(docs)
            | beam.Map(Digest.of)
            | Deduplicate(config, HASHER, batches=batches)
            | beam.Map(lambda item: summarize(item[1]))
        )
        assert_that(decisions, equal_to(expected))


@pytest.mark.parametrize("batches", [1, 3, 40])
def test_every_document_gets_one_decision_by_kind(batches):
    docs = [
        scored("a", BASE, 1, created="2020-01-01"),
        scored("b", BASE.upper(), 2, created="2019-01-01"),  # exact duplicate, older: keeper
        scored("c", NEAR, 3, created="2018-01-01"),  # near duplicate, oldest: keeper of all
        scored("a", OTHER, 4),  # duplicate id
        scored("d", OTHER, 5, verdict=("quality", "quality:x.y", "")),
        scored("e", OTHER + " and more", 6),
    ]
    expected = [
        ("1", False, "exact_duplicate", "c", None),  # names the final keeper, not b
        ("2", False, "near_duplicate", "c", None),
        ("3", True, None, None, 3),
        ("4", False, "duplicate_id", "a", None),
        ("5", False, "quality:x.y", None, None),
        ("6", True, None, None, 1),
    ]
    run_dedup(docs, DedupConfig(), expected, batches)


def test_exact_dedup_switched_off_leaves_exact_copies_to_near_dedup():
    docs = [
        scored("a", BASE, 1, created="2020-01-01"),
        scored("b", BASE.upper(), 2, created="2019-01-01"),
        scored("e", OTHER, 3),
    ]
    expected = [
        ("1", False, "near_duplicate", "b", None),
        ("2", True, None, None, 2),
        ("3", True, None, None, 1),
    ]
    run_dedup(docs, DedupConfig(exact=False), expected)


def test_near_dedup_switched_off_keeps_near_copies():
    docs = [scored("a", BASE, 1), scored("c", NEAR, 2)]
    expected = [("1", True, None, None, 1), ("2", True, None, None, 1)]
    run_dedup(docs, DedupConfig(near=False), expected)


def test_higher_quality_copy_is_kept():
    docs = [scored("a", BASE, 1, quality=0.2), scored("z", NEAR, 2, quality=0.9)]
    expected = [("1", False, "near_duplicate", "z", None), ("2", True, None, None, 2)]
    run_dedup(docs, DedupConfig(), expected)
