"""DocumentScorer: the per-document columns and the language options it passes on."""

from __future__ import annotations

import pytest

from curation.config import CurationConfig, SourceConfig
from curation.plan import resolve_plan
from curation.scoring import DocumentScorer
from tests.transforms.test_score import ENGLISH, GERMAN

SOURCES = (SourceConfig(name="s", paths=("f.jsonl",)),)


def doc(doc_id: str, text: str, record: int) -> dict:
    return {
        "id": doc_id,
        "text": text,
        "source": "s",
        "source_uri": "f.jsonl",
        "source_record": record,
        "license": "CC0-1.0",
        "priority": 0,
    }


@pytest.fixture(scope="module")
def mixed() -> dict:
    return doc("mixed", ENGLISH + "\n\n" + GERMAN, 1)


def test_paragraph_shares_only_when_enabled(mixed):
    plain = DocumentScorer(resolve_plan(CurationConfig(sources=SOURCES))).score(mixed)
    assert "lang_shares" not in plain
    config = CurationConfig(sources=SOURCES, language={"paragraph_shares": True})
    shares = {
        item["lang"]: item["share"]
        for item in DocumentScorer(resolve_plan(config)).score(mixed)["lang_shares"]
    }
    assert set(shares) == {"de", "en"}
    assert shares["en"] > shares["de"] > 0.3
    assert sum(shares.values()) == pytest.approx(1.0)


def test_min_chars_marks_short_texts_unreliable():
    short = doc("short", "Guten Morgen, wie geht es dir heute?", 1)
    lenient = DocumentScorer(
        resolve_plan(CurationConfig(sources=SOURCES, language={"min_chars": 5}))
    )
    strict = DocumentScorer(
        resolve_plan(CurationConfig(sources=SOURCES, language={"min_chars": 500}))
    )
    assert lenient.score(short)["lang_reliable"] is True
    assert strict.score(short)["lang_reliable"] is False


def test_language_thresholds_apply_only_to_that_language():
    german, english = doc("de", GERMAN, 1), doc("en", ENGLISH, 2)
    plain = DocumentScorer(resolve_plan(CurationConfig(sources=SOURCES)))
    assert plain.score(german)["_verdict"][1] == "quality:gopher_quality.word_count"
    config = CurationConfig(
        sources=SOURCES,
        quality={"languages": {"de": {"gopher_quality": {"min_words": 10}}}},
    )
    scorer = DocumentScorer(resolve_plan(config))
    scored_german = scorer.score(german)
    assert scored_german["quality"]["gopher_quality__word_count"] < 50
    assert scored_german["_verdict"] is None or "word_count" not in scored_german["_verdict"][1]
    assert scorer.score(english)["_verdict"] == plain.score(english)["_verdict"]


def test_pii_redaction_is_scored_hashed_and_recorded():
    text = ENGLISH + " Mail jane@example.org."
    config = CurationConfig(sources=SOURCES, pii={"policy": "redact"})
    scored = DocumentScorer(resolve_plan(config)).score(doc("p", text, 1))
    assert scored["text"] == ENGLISH + " Mail <EMAIL>."
    assert scored["pii"]["email"] == 1 and scored["text_edits"] == [
        {
            "step": "pii_redaction",
            "spans": 1,
            "chars_before": len(text),
            "chars_after": len(scored["text"]),
        }
    ]
    unedited = DocumentScorer(resolve_plan(CurationConfig(sources=SOURCES))).score(
        doc("q", ENGLISH + " Mail <EMAIL>.", 2)
    )
    assert scored["content_hash"] == unedited["content_hash"]
    assert "pii" not in unedited and "text_edits" not in unedited


def test_only_documents_without_a_verdict_are_sketched_for_dedup():
    config = CurationConfig(
        sources=SOURCES, language={"allowed": ["en"]}, quality={"reject": False}
    )
    scorer = DocumentScorer(resolve_plan(config))
    rejected, kept = scorer.score(doc("de", GERMAN, 1)), scorer.score(doc("en", ENGLISH, 2))
    assert rejected["_verdict"] is not None and kept["_verdict"] is None
    assert rejected["_signature"] is rejected["_shingles"] is rejected["_rank"] is None
    assert kept["_signature"] is not None and kept["_rank"] is not None
    assert len(kept["_shingles"]) > 0
    # Both keep the content hash and size (output columns of kept and rejected rows alike).
    assert len(rejected["content_hash"]) == len(kept["content_hash"]) == 64
    assert rejected["text_bytes"] == len(GERMAN.encode("utf-8"))


def test_documents_rejected_by_a_rule_are_not_synthetic_scored_unless_asked():
    german = doc("de", GERMAN, 1)  # rejected: too few words for gopher_quality
    default = DocumentScorer(resolve_plan(CurationConfig(sources=SOURCES))).score(german)
    assert default["_verdict"][0] == "quality"
    assert default["synthetic_score"] is None and default["synthetic"] is None
    signals = default["synthetic_signals"]
    assert signals["abstain_reason"] == "rejected"
    assert {k for k, v in signals.items() if v is not None} == {"abstain_reason"}
    config = CurationConfig(sources=SOURCES, synthetic={"score_rejected": True})
    asked = DocumentScorer(resolve_plan(config))
    english = doc("en", " ".join(ENGLISH.split()[:40]), 2)  # under gopher_quality's 50 words
    scored = asked.score(english)
    assert scored["_verdict"][1] == "quality:gopher_quality.word_count"
    assert scored["synthetic_score"] is not None
    assert scored["synthetic_signals"]["n_words"] == 40


def test_documents_in_a_language_the_model_does_not_score_get_no_signals():
    """Like rejected documents: the English model's signals would change no verdict."""
    config = CurationConfig(sources=SOURCES, synthetic={"score_rejected": True})
    scored = DocumentScorer(resolve_plan(config)).score(doc("de", GERMAN, 1))
    assert scored["lang"] == "de"
    assert scored["_verdict"][0] == "quality"  # scoring rejected documents changes no verdict
    assert scored["synthetic_score"] is None and scored["synthetic"] is None
    signals = scored["synthetic_signals"]
    assert signals["abstain_reason"] == "unsupported_language"
    assert {k for k, v in signals.items() if v is not None} == {"abstain_reason"}
