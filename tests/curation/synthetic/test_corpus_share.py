"""The reported corpus share: widened intervals and the disagreement flag."""

from __future__ import annotations

import hashlib

import pytest

from curation.synthetic.corpus_share import (
    AGREE,
    CHECKED_METHOD,
    DISAGREE,
    NOT_COMPARED,
    SCORE_METHOD,
    SWITCH,
    WORD_METHOD,
    Margins,
    ShareValidation,
    checked,
    corpus_share,
    plugged_corpus_share,
    widen,
)
from curation.synthetic.model import DEFAULT_MODEL_PATH
from curation.synthetic.share import ShareEstimate
from curation.synthetic.word_share import DEFAULT_REFERENCE_PATH

VALIDATION = ShareValidation(
    reported=WORD_METHOD,
    margins={
        SCORE_METHOD: Margins(0.2, 0.1),
        WORD_METHOD: Margins(0.05, 0.1),
        CHECKED_METHOD: Margins(0.02, 0.04),
    },
    description={"validation": "constructed"},
)


def est(share: float, low: float, high: float, n: int = 500) -> ShareEstimate:
    return ShareEstimate(share=share, low=low, high=high, n=n, method="any")


def test_widen_adds_margins_and_clips():
    wide = widen(WORD_METHOD, est(0.1, 0.02, 0.2), Margins(0.05, 0.1))
    assert (wide.low, wide.high) == pytest.approx((0.0, 0.3))
    assert (wide.statistical_low, wide.statistical_high, wide.share) == (0.02, 0.2, 0.1)
    assert widen(WORD_METHOD, est(0.95, 0.9, 0.99), Margins(0.05, 0.1)).high == 1.0


def test_overlapping_intervals_report_the_validated_method():
    result = corpus_share(est(0.30, 0.25, 0.35), est(0.12, 0.08, 0.16), VALIDATION)
    assert result.agreement == AGREE and result.reliable
    out = result.as_dict()
    assert out["method"] == WORD_METHOD and out["share"] == 0.12
    assert (out["low"], out["high"]) == pytest.approx((0.03, 0.26))
    assert out["n"] == 500 and set(out["estimates"]) == {SCORE_METHOD, WORD_METHOD, CHECKED_METHOD}
    assert out["estimates"][SCORE_METHOD]["low"] == pytest.approx(0.05)
    # 0.30 and 0.12 are within SWITCH: the checked estimate is the score-based one.
    assert out["estimates"][CHECKED_METHOD]["share"] == 0.30
    assert out["estimates"][CHECKED_METHOD]["low"] == pytest.approx(0.23)


def test_checked_takes_the_word_estimate_only_when_far_from_the_score():
    words = est(0.05, 0.02, 0.09)
    near = est(0.05 + SWITCH - 0.01, 0.3, 0.4)
    far = est(0.05 + SWITCH + 0.01, 0.3, 0.4)
    assert checked(near, words).share == near.share and checked(near, words).low == 0.3
    assert checked(far, words).share == 0.05 and checked(far, words).low == 0.02
    assert checked(far, words).method == CHECKED_METHOD


def test_disjoint_intervals_are_unreliable_and_give_no_share():
    # score widened: 0.35-0.75; words widened: 0.0-0.2
    result = corpus_share(est(0.6, 0.55, 0.65), est(0.05, 0.0, 0.1), VALIDATION)
    assert result.agreement == DISAGREE and not result.reliable
    out = result.as_dict()
    assert out["share"] is None and out["low"] is None and out["high"] is None
    assert out["reliable"] is False and out["note"].startswith("unreliable")
    assert out["estimates"][WORD_METHOD]["share"] == 0.05  # both kept for the reader


def test_without_a_word_estimate_only_the_score_is_reported():
    for words in (None, ShareEstimate(float("nan"), 0.0, 1.0, 0, WORD_METHOD)):
        result = corpus_share(est(0.3, 0.25, 0.35), words, VALIDATION)
        assert result.agreement == NOT_COMPARED and result.reliable
        assert result.as_dict()["method"] == SCORE_METHOD
        assert result.as_dict()["share"] == 0.3


def test_with_a_scorer_plugin_only_the_word_estimate_is_reported():
    out = plugged_corpus_share(800, est(0.12, 0.08, 0.16, n=400), VALIDATION).as_dict()
    assert set(out["estimates"]) == {WORD_METHOD}
    assert out["method"] == WORD_METHOD and out["share"] == 0.12 and out["n"] == 800
    assert (out["low"], out["high"]) == pytest.approx((0.03, 0.26))
    assert out["reliable"] and out["agreement"] == NOT_COMPARED
    assert out["note"].startswith(f"only {WORD_METHOD} applies (a scorer plug-in's scores")


def test_with_a_scorer_plugin_and_no_word_estimate_there_is_no_share():
    for words in (None, est(0.0, 0.0, 0.0, n=0)):
        out = plugged_corpus_share(800, words, VALIDATION).as_dict()
        assert (out["share"], out["low"], out["high"], out["method"]) == (None,) * 4
        assert not out["reliable"] and out["agreement"] == NOT_COMPARED
        assert out["estimates"] == {} and out["n"] == 800
        assert out["note"].startswith("no validated estimate: a scorer plug-in's scores")


def test_shipped_validation_states_its_method_and_coverage():
    shipped = ShareValidation.load()
    assert set(shipped.margins) == {SCORE_METHOD, WORD_METHOD, CHECKED_METHOD}
    assert shipped.reported in shipped.margins
    reported = shipped.description["methods"][shipped.reported]
    assert reported["coverage_nested"] >= 0.9 and reported["coverage_widened"] >= 0.9
    assert "leave-one-domain-family-out" in shipped.description["validation"]


def test_shipped_margins_were_measured_with_the_shipped_model_and_reference():
    """Retraining the model or refitting the reference calls for benchmarks/share_eval.py."""
    rests_on = ShareValidation.load().description["validated_artefacts"]
    for path in (DEFAULT_MODEL_PATH, DEFAULT_REFERENCE_PATH):
        assert rests_on[path.name] == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
