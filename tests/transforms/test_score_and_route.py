"""ScoreDocuments, ApplyDecisions and SplitByTag on a local runner."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from curation.config import CurationConfig, SourceConfig
from curation.records import record_key
from tests.transforms.beam_helpers import local_pipeline
from transforms.assemble import CORPUS, REJECTED, ApplyDecisions
from transforms.score import ScoreDocuments
from transforms.tags import SplitByTag

ENGLISH = (
    "The city council met on Tuesday evening to discuss the new budget for the public library. "
    "Members agreed to extend the opening hours on weekends, and the reading room will be "
    "renovated next spring with funds raised by the local community over the last three years. "
    "Residents who attended the meeting asked for more children's books and a quiet study area."
)
GERMAN = (
    "Der Stadtrat hat am Dienstagabend über den neuen Haushalt der öffentlichen Bibliothek "
    "beraten. Die Mitglieder einigten sich darauf, die Öffnungszeiten am Wochenende zu "
    "verlängern, und der Lesesaal wird im nächsten Frühjahr renoviert."
)


def doc(doc_id: str, text: str, record: int) -> dict:
    return {
        "_key": record_key("f.jsonl", record),
        "id": doc_id,
        "text": text,
        "source": "s",
        "source_uri": "f.jsonl",
        "source_record": record,
        "license": "CC0-1.0",
        "priority": 0,
    }


def test_score_documents_adds_every_score_and_applies_the_language_policy():
    config = CurationConfig(
        sources=(SourceConfig(name="s", paths=("f.jsonl",)),),
        language={"allowed": ["en"]},
        quality={"reject": False},
    )
    with local_pipeline() as pipeline:
        scored = (
            pipeline
            | beam.Create([doc("en", ENGLISH, 1), doc("de", GERMAN, 2)])
            | ScoreDocuments(config)
        )
        summary = scored | beam.Map(
            lambda row: (
                row["id"],
                row["lang"],
                (row["_verdict"] or {}).get("reason"),
                len(row["_signature"]),
                len(row["content_hash"]),
                row["synthetic_signals"] is not None,
                0.0 <= row["quality_score"] <= 1.0,
            )
        )
        assert_that(
            summary,
            equal_to(
                [
                    ("en", "en", None, 512, 64, True, True),
                    ("de", "de", "language_not_allowed", 512, 64, True, True),
                ]
            ),
        )


def _summary(row: dict) -> tuple:
    return row["id"], row["run_id"], "_key" in row


@pytest.mark.parametrize("kept", [True, False])
def test_apply_decisions_routes_each_document_once(kept):
    decision = {"_key": record_key("f.jsonl", 1), "kept": kept, "dup_cluster_size": 1}
    if not kept:
        decision.update(reject_stage="near_dedup", reject_reason="near_duplicate")
    with local_pipeline() as pipeline:
        docs = pipeline | "Docs" >> beam.Create([doc("a", ENGLISH, 1)])
        decisions = pipeline | "Decisions" >> beam.Create([(decision["_key"], decision)])
        routed = (docs, decisions) | ApplyDecisions(run_id="run-test")
        expected = [("a", "run-test", False)]
        assert_that(
            routed[CORPUS] | "C" >> beam.Map(_summary),
            equal_to(expected if kept else []),
            label="corpus",
        )
        assert_that(
            routed[REJECTED] | "R" >> beam.Map(_summary),
            equal_to([] if kept else expected),
            label="rejected",
        )


def test_split_by_tag_selects_each_tag():
    with local_pipeline() as pipeline:
        parts = (
            pipeline
            | beam.Create([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
            | SplitByTag(["a", "b"])
        )
        assert_that(parts["a"], equal_to([1, 3]), label="a")
        assert_that(parts["b"], equal_to([2]), label="b")
