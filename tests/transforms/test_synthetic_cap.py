"""CapSynthetic: flagged kept documents beyond the per-source share become rejects."""

from __future__ import annotations

import apache_beam as beam
import numpy as np
from apache_beam.testing.util import assert_that, equal_to

from curation.decision_batches import decision_table
from curation.decisions import kept, rejected
from curation.dedup.digests import digest_table
from curation.dedup.minhash import MinHasher
from curation.io.pieces import piece_key, split_piece_key
from tests.transforms.beam_helpers import local_pipeline
from transforms.synthetic_cap import CapSynthetic

HASHER = MinHasher(num_perm=16, bands=4, rows=4)
#: name -> (piece, source, synthetic score, flagged); pieces 0 and 1 are source a's, 2 is b's.
DOCS = {
    "a1": (0, "a", 0.99, True),
    "a2": (0, "a", 0.97, True),
    "a3": (1, "a", 0.10, False),
    "a4": (1, "a", None, False),  # abstained: never flagged
    "a5": (1, "a", 0.98, True),  # rejected earlier: not counted
    "b1": (2, "b", 0.99, True),
    "b2": (2, "b", 0.20, False),
}


def key(name: str) -> int:
    return piece_key(DOCS[name][0], sorted(DOCS).index(name))


def digests() -> list:
    """The digest table of each piece."""
    pieces: dict[int, list[dict]] = {}
    for name, (piece, source, score, flagged) in sorted(DOCS.items()):
        pieces.setdefault(piece, []).append(
            {
                "_key": key(name),
                "id": name,
                "source": source,
                "source_uri": f"{source}.jsonl",
                "source_record": 1,
                "content_hash": "00" * 32,
                "_signature": HASHER.signature_of_hashes(np.arange(4, dtype=np.uint32)),
                "_shingles": np.arange(4, dtype=np.uint64),
                "_rank": name,
                "_verdict": None,
                "synthetic": flagged,
                "synthetic_score": score,
            }
        )
    return [digest_table(rows, HASHER) for rows in pieces.values()]


def summarize(decision: dict) -> tuple[str, int, str | None]:
    """(document name, piece, reject reason) of a decision."""
    piece, ordinal = split_piece_key(decision["_key"])
    return sorted(DOCS)[ordinal], piece, decision["reject_reason"]


def test_cap_per_source_drops_highest_scores_and_keeps_other_decisions():
    decisions = [kept(key(name)) for name in DOCS if name != "a5"]
    decisions.append(rejected(key("a5"), "ids", "duplicate_id", None))
    with local_pipeline() as pipeline:
        result = (
            pipeline | "Docs" >> beam.Create(digests()),
            pipeline | "Decisions" >> beam.Create([decision_table(decisions)]),
        ) | CapSynthetic(max_share=0.34)
        summary = result | beam.FlatMap(lambda table: map(summarize, table.to_pylist()))
        # source a: 4 kept, 2 flagged; 1 / 3 <= 0.34 allows one: a1 (0.99) goes.
        # source b: 2 kept, 1 flagged; 1 / 2 > 0.34 allows none: b1 goes.
        expected = [
            ("a1", 0, "synthetic_cap"),
            ("a2", 0, None),
            ("a3", 1, None),
            ("a4", 1, None),
            ("a5", 1, "duplicate_id"),
            ("b1", 2, "synthetic_cap"),
            ("b2", 2, None),
        ]
        assert_that(summary, equal_to(expected))
