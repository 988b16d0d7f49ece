"""CapSynthetic: flagged kept documents beyond the per-source share become rejects."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from curation.dedup.resolve import Digest
from tests.transforms.beam_helpers import local_pipeline
from transforms.synthetic_cap import CapSynthetic


def scored(key: str, source: str, score: float | None, flagged: bool | None) -> Digest:
    return Digest(
        key=key,
        id=key,
        source=source,
        uri="f.jsonl",
        record=1,
        content_hash="h",
        signature=b"",
        rank=key,
        verdict=None,
        synthetic=bool(flagged),
        synthetic_score=score,
    )


def test_cap_per_source_drops_highest_scores_and_keeps_other_decisions():
    docs = [
        scored("a1", "a", 0.99, True),
        scored("a2", "a", 0.97, True),
        scored("a3", "a", 0.10, False),
        scored("a4", "a", None, None),  # abstained: never flagged
        scored("a5", "a", 0.98, True),  # rejected earlier: not counted
        scored("b1", "b", 0.99, True),
        scored("b2", "b", 0.20, False),
    ]
    decisions = [(doc.key, {"_key": doc.key, "kept": doc.key != "a5"}) for doc in docs]
    with local_pipeline() as pipeline:
        result = (
            pipeline | "Docs" >> beam.Create(docs),
            pipeline | "Decisions" >> beam.Create(decisions),
        ) | CapSynthetic(max_share=0.34)
        summary = result | beam.Map(lambda item: (item[0], item[1].get("reject_reason")))
        # source a: 4 kept, 2 flagged; 1 / 3 <= 0.34 allows one: a1 (0.99) goes.
        # source b: 2 kept, 1 flagged; 1 / 2 > 0.34 allows none: b1 goes.
        expected = [
            ("a1", "synthetic_cap"),
            ("a2", None),
            ("a3", None),
            ("a4", None),
            ("a5", None),
            ("b1", "synthetic_cap"),
            ("b2", None),
        ]
        assert_that(summary, equal_to(expected))
