"""DeduplicateDigests on digests of hand-made scored documents: ids, verdicts, exact, near copies,
by the distributed steps and by the one step, in the same pipeline.

Documents are spread over two pieces, each with its digest table and its signatures file (as
the scoring step writes them), so copies and clusters cross pieces and partitions."""

from __future__ import annotations

import random
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

import curation.dedup.one_step
from curation.config import DedupConfig, SourceConfig
from curation.dedup.digests import PieceDigests
from curation.dedup.minhash import MinHasher, estimated_jaccard, exact_jaccard
from curation.dedup.normalize import content_hash
from curation.dedup.one_step import EDGES_AT_A_TIME
from curation.dedup.resolve import rank_key
from curation.io.formats import FileFormat
from curation.io.inputs import InputFile
from curation.io.pieces import piece_key, split_piece_key
from curation.io.provenance import parse_created
from curation.io.spill import signatures_name
from tests.transforms.beam_helpers import local_pipeline
from transforms.dedup import ONE_STEP_MAX_BYTES, DeduplicateDigests, in_one_step

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
        "_key": piece_key(record % 2, record),
        "id": doc_id,
        "source": "s",
        "source_uri": "f.jsonl",
        "source_record": record,
        "text": text,
        "content_hash": content_hash(text),
        **dict(zip(("_signature", "_shingles"), HASHER.sketch(text), strict=True)),
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


def digest_pieces(docs: list[dict], spill_dir: Path) -> list:
    """The digest table of each piece, its signatures file written to ``spill_dir``."""
    spill_dir.mkdir(exist_ok=True)
    pieces: dict[int, PieceDigests] = {}
    for doc in sorted(docs, key=lambda doc: doc["_key"]):
        pieces.setdefault(split_piece_key(doc["_key"])[0], PieceDigests(HASHER)).add(doc)
    for piece, digests in pieces.items():
        (spill_dir / signatures_name(piece)).write_bytes(digests.signatures_file())
    return [digests.table() for digests in pieces.values()]


def run_dedup(
    tmp_path: Path,
    docs: list[dict],
    config: DedupConfig,
    expected: list[tuple],
    partitions: int = 3,
) -> None:
    """Both paths: the distributed steps over ``partitions`` and the one step."""
    spill_dir = tmp_path / "spill"
    tables = digest_pieces(docs, spill_dir)
    with local_pipeline() as pipeline:
        created = pipeline | beam.Create(tables)
        for one_step in (False, True):
            decisions = (
                created
                | f"Dedup{one_step}"
                >> DeduplicateDigests(config, HASHER, partitions, str(spill_dir), one_step=one_step)
                | f"Summarize{one_step}"
                >> beam.FlatMap(lambda table: [summarize(row) for row in table.to_pylist()])
            )
            assert_that(decisions, equal_to(expected), label=f"Check{one_step}")


@pytest.mark.parametrize("partitions", [1, 3, 40])
def test_every_document_gets_one_decision_by_kind(tmp_path, partitions):
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
    run_dedup(tmp_path, docs, DedupConfig(), expected, partitions)


def test_exact_dedup_switched_off_leaves_exact_copies_to_near_dedup(tmp_path):
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
    run_dedup(tmp_path, docs, DedupConfig(exact=False), expected)


def test_near_dedup_switched_off_keeps_near_copies(tmp_path):
    docs = [scored("a", BASE, 1), scored("c", NEAR, 2)]
    expected = [("1", True, None, None, 1), ("2", True, None, None, 1)]
    run_dedup(tmp_path, docs, DedupConfig(near=False), expected)


def test_higher_quality_copy_is_kept(tmp_path):
    docs = [scored("a", BASE, 1, quality=0.2), scored("z", NEAR, 2, quality=0.9)]
    expected = [("1", False, "near_duplicate", "z", None), ("2", True, None, None, 2)]
    run_dedup(tmp_path, docs, DedupConfig(), expected)


def _five_edits(seed: int) -> str:
    """BASE with five words replaced at positions drawn with ``seed``."""
    rng, words = random.Random(seed), list(BASE_WORDS)
    for position in rng.sample(range(len(words)), 5):
        words[position] = f"edit{seed}x{position}"
    return " ".join(words)


@pytest.mark.parametrize("edges_at_a_time", [EDGES_AT_A_TIME, 1])
def test_a_pair_below_the_threshold_is_never_merged_however_close_its_estimate(
    tmp_path, monkeypatch, edges_at_a_time
):
    # Exact word-5-gram Jaccard 0.798 to BASE, but 107 of 128 MinHash values agree (0.836)
    # and the two share an LSH bucket: only the exact Jaccard keeps them apart.
    below = _five_edits(2)
    assert exact_jaccard(HASHER.sketch(BASE)[1], HASHER.sketch(below)[1]) < 0.8
    assert estimated_jaccard(HASHER.sketch(BASE)[0], HASHER.sketch(below)[0]) > 0.83
    docs = [scored("a", BASE, 1), scored("b", below, 2), scored("c", NEAR, 3)]
    expected = [
        ("1", True, None, None, 2),
        ("2", True, None, None, 1),
        ("3", False, "near_duplicate", "a", None),
    ]
    # one step verifies its candidate edges a chunk at a time: chunks of one edge, same result
    monkeypatch.setattr(curation.dedup.one_step, "EDGES_AT_A_TIME", edges_at_a_time)
    run_dedup(tmp_path, docs, DedupConfig(), expected)


def test_one_step_takes_no_references(tmp_path):
    with local_pipeline() as pipeline:
        references = pipeline | beam.Create([])
        with pytest.raises(ValueError, match="references"):
            DeduplicateDigests(
                DedupConfig(), HASHER, 1, str(tmp_path), references=references, one_step=True
            )


def test_compressed_inputs_count_as_the_text_they_hold():
    """One step is sized by text: a compressed file or Parquet of a fifth of the limit holds
    about as much as plain JSONL of the whole limit."""
    source = SourceConfig(name="s", paths=("x",))
    fifth = ONE_STEP_MAX_BYTES // 5

    def files(size: int, stored: FileFormat) -> list[InputFile]:
        return [InputFile(source, "a", size, stored), InputFile(source, "b", 1, stored)]

    assert in_one_step(files(ONE_STEP_MAX_BYTES - 1, FileFormat("jsonl")))
    assert not in_one_step(files(ONE_STEP_MAX_BYTES, FileFormat("jsonl")))
    for stored in (FileFormat("jsonl", "zstd"), FileFormat("jsonl", "gzip"), FileFormat("parquet")):
        assert in_one_step(files(fifth - 1, stored))
        assert not in_one_step(files(fifth + 1, stored))
