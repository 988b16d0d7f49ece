"""Policy: per-document rules in order, synthetic handling, keeper order from the config."""

from __future__ import annotations

import pytest

from curation.config import CurationConfig, SourceConfig
from curation.decisions import Reason, Stage
from curation.policy import Policy

SOURCES = (SourceConfig(name="s", paths=("f.jsonl",)),)


def scored(lang: str = "en", lang_score: float = 0.99, synthetic: bool = False) -> dict:
    return {"lang": lang, "lang_score": lang_score, "synthetic": synthetic, "synthetic_score": 0.97}


def test_policy_is_read_from_the_config_once():
    config = CurationConfig(
        sources=SOURCES,
        language={"allowed": ["en", "de"], "min_score": 0.5},
        quality={"reject": False},
        synthetic={"policy": "cap", "max_share": 0.2},
        dedup={"keep_policy": ["quality", "id"]},
    )
    policy = Policy.of(config)
    assert policy == Policy(("en", "de"), 0.5, False, "cap", 0.2, ("quality", "id"))
    assert policy.synthetic_cap == 0.2


@pytest.mark.parametrize("synthetic", ["tag", "drop"])
def test_no_cap_unless_the_cap_policy(synthetic):
    assert Policy(synthetic=synthetic).synthetic_cap is None


def test_rules_in_order_language_quality_synthetic():
    policy = Policy(allowed_languages=("en",), min_language_score=0.5, synthetic="drop")
    failure = ("gopher_quality", "word_count", 3)
    everything_wrong = scored("de", 0.1, synthetic=True)
    assert policy.verdict(everything_wrong, failure).reason == Reason.LANGUAGE_NOT_ALLOWED
    low = policy.verdict(scored("en", 0.1, synthetic=True), failure)
    assert (low.stage, low.reason) == (Stage.LANGUAGE, Reason.LANGUAGE_LOW_CONFIDENCE)
    quality = policy.verdict(scored(synthetic=True), failure)
    assert quality == (Stage.QUALITY, "quality:gopher_quality.word_count", "word_count=3")
    synthetic = policy.verdict(scored(synthetic=True), None)
    assert (synthetic.stage, synthetic.reason) == (Stage.SYNTHETIC, Reason.SYNTHETIC)
    assert policy.verdict(scored(), None) is None


def test_tagging_and_quality_off_reject_nothing():
    policy = Policy(reject_quality=False, synthetic="tag")
    assert policy.verdict(scored(synthetic=True), ("c4_quality", "min_sentences", 1)) is None


def test_keeper_rank_follows_the_keep_order():
    better, worse = (
        {"id": "b", "quality_score": 0.9, "synthetic": True},
        {"id": "a", "quality_score": 0.1, "synthetic": False},
    )
    by_quality = Policy(keep_order=("quality", "id"))
    by_not_synthetic = Policy(keep_order=("not_synthetic", "quality", "id"))
    assert min([better, worse], key=by_quality.rank) is better
    assert min([better, worse], key=by_not_synthetic.rank) is worse


def test_pii_and_contamination_verdicts_come_after_the_other_rules():
    policy = Policy.of(CurationConfig(sources=SOURCES, pii={"policy": "reject"}))
    doc = {**scored(), "pii": {"email": 2, "ipv4": 0, "phone": 1}}
    assert policy.verdict(doc, None) == (Stage.PII, Reason.PII, "email=2 phone=1")
    assert policy.verdict(doc, ("c4", "rule", 1.0))[0] == Stage.QUALITY
    clean = {**scored(), "pii": {"email": 0}}
    assert policy.verdict(clean, None, ("qa.jsonl", "a b c")) == (
        Stage.DECONTAMINATION,
        Reason.CONTAMINATED,
        "set=qa.jsonl ngram='a b c'",
    )
    redacting = Policy.of(CurationConfig(sources=SOURCES, pii={"policy": "redact"}))
    assert redacting.verdict(doc, None) is None
