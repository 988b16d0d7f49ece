"""A scorer plug-in (``synthetic.scorer``) in place of the shipped model: its scores, intervals
and abstentions in the synthetic columns, the shipped signals beside them, its failures as
rejects, and a class outside the interface as a one-line config error."""

from __future__ import annotations

import logging
import math

import pytest

from curation.config import ConfigError, PluginConfig, SyntheticConfig
from curation.synthetic import SyntheticScorer
from curation.synthetic.plugin import (
    ABSTAIN_SCORER,
    PluggedScorer,
    ScorerFailed,
    build_synthetic_scorer,
)
from curation.synthetic.scorer import ABSTAIN_TOO_SHORT, ABSTAIN_UNSUPPORTED_LANGUAGE
from curation.synthetic.signals import SIGNAL_NAMES
from tests.curation.synthetic import scorer_plugins

MODULE = "tests.curation.synthetic.scorer_plugins"
PLAIN = "The river runs past the old mill and the children walk along it to school each day."
#: Long enough for the shipped model's minimum length (the default of a plug-in's).
LONG = " ".join([PLAIN] * 3)


def _scorer(class_name: str, threshold: float | None = None, **args) -> PluggedScorer:
    spec = PluginConfig(**{"class": f"{MODULE}:{class_name}", "args": args})
    scorer = build_synthetic_scorer(SyntheticConfig(scorer=spec, threshold=threshold))
    assert isinstance(scorer, PluggedScorer)
    return scorer


def test_without_a_scorer_the_shipped_model_scores():
    assert isinstance(build_synthetic_scorer(SyntheticConfig()), SyntheticScorer)


def test_the_plugins_score_interval_and_flag_fill_the_columns_beside_the_signals():
    scorer = _scorer("MarkerShare")
    text = PLAIN + " It is a testament to a crucial tapestry we delve into."
    result = scorer.score(text, "en")
    words = text.lower().replace(".", " ").split()
    expected = min(1.0, 10 * 4 / len(words))
    assert result.score == pytest.approx(expected)
    assert result.flagged is (expected >= 0.5)
    assert result.signals["score_low"] == pytest.approx(max(0.0, expected - 0.1))
    assert result.signals["score_high"] == pytest.approx(min(1.0, expected + 0.1))
    assert result.signals["abstain_reason"] is None and result.signals["top_features"] is None
    shipped = SyntheticScorer().score(text, "en").signals
    assert {name: result.signals[name] for name in SIGNAL_NAMES} == {
        name: shipped[name] for name in SIGNAL_NAMES
    }


def test_a_plain_text_is_scored_low_and_not_flagged():
    result = _scorer("MarkerShare").score(PLAIN, "en")
    assert (result.score, result.flagged) == (0.0, False)


def test_the_plugins_languages_and_minimum_length_decide_what_abstains():
    scorer = _scorer("MarkerShare")
    assert scorer.score(PLAIN, "de").signals["abstain_reason"] == ABSTAIN_UNSUPPORTED_LANGUAGE
    assert scorer.language_abstention("fr") is None  # the plug-in's language, not the model's
    assert scorer.score("Ten words: below the shipped model's thirty, above five.", "en").score == 0
    short = scorer.score("Four words only here.", "en")
    assert (short.score, short.signals["abstain_reason"]) == (None, ABSTAIN_TOO_SHORT)
    answered_none = scorer.score(PLAIN + " abstain", "en")
    assert (answered_none.score, answered_none.flagged) == (None, None)
    assert answered_none.signals["abstain_reason"] == ABSTAIN_SCORER


@pytest.mark.parametrize(
    ("text", "detail"),
    [(PLAIN + " boom", "score: RuntimeError: kaboom"), (PLAIN + " nan", "score: returned nan")],
)
def test_a_document_the_plugin_fails_on_is_its_reject(text, detail):
    with pytest.raises(ScorerFailed) as failed:
        _scorer("MarkerShare").score(text, "en")
    assert failed.value.verdict.stage == "plugin"
    assert failed.value.verdict.reason == "plugin:markers.error"
    assert failed.value.verdict.detail.startswith(detail)


@pytest.mark.parametrize(
    "answer", [1.5, -0.1, True, "0.5", [0.5, 0.6, 0.4], [0.5, 0.4], [0.5, math.inf, 0.6]]
)
def test_an_answer_outside_the_interface_fails_the_document(answer):
    with pytest.raises(ScorerFailed):
        _scorer("Answers", answer=answer).score(LONG, "en")


def test_a_bare_probability_takes_the_configured_threshold_and_has_no_interval():
    result = _scorer("PlainProbability", threshold=0.8).score(LONG, "en")
    assert (result.score, result.flagged) == (0.7, False)
    assert result.signals["score_low"] is None and result.signals["score_high"] is None
    assert _scorer("MarkerShare", threshold=0.0).score(PLAIN, "en").flagged is True


@pytest.mark.parametrize(
    ("class_name", "message"),
    [
        ("PlainProbability", "PlainProbability.threshold must be a number in [0, 1]"),
        ("FilterOnly", "FilterOnly has no score(text, lang)"),
        ("BadLanguages", "BadLanguages.languages must be a collection"),
        ("BadBatchSize", "BadBatchSize.batch_size must be an integer >= 1"),
        ("Missing", "has no class 'Missing'"),
    ],
)
def test_a_class_outside_the_interface_is_a_one_line_config_error(class_name, message):
    with pytest.raises(ConfigError, match="^synthetic.scorer") as error:
        _scorer(class_name)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_batch_goes_to_score_batch_and_a_failing_batch_text_by_text(tmp_path):
    log = tmp_path / "batches.txt"
    scorer = _scorer("BatchMarkerShare", log=str(log))
    texts = [PLAIN, PLAIN + " boom", "Too short.", PLAIN + " A crucial testament.", PLAIN]
    results = scorer.score_many(texts, ["en", "en", "en", "en", "de"])
    alone = _scorer("MarkerShare")
    assert results[0].result == alone.score(PLAIN, "en") and results[0].failed is None
    assert results[1].failed is not None
    assert results[1].failed.reason == "plugin:batch_markers.error"
    assert results[1].result.signals["abstain_reason"] == "scorer_error"
    assert results[2].result.signals["abstain_reason"] == ABSTAIN_TOO_SHORT
    assert results[3].result.score == alone.score(texts[3], "en").score > 0
    assert results[4].result.signals["abstain_reason"] == ABSTAIN_UNSUPPORTED_LANGUAGE
    # one batch call of the three texts it scores; it raised (boom), so text by text after
    assert log.read_text().split() == ["3"]
    assert scorer.batch_size == 3


def test_a_batch_answer_of_another_length_is_asked_again_text_by_text(caplog):
    scorer = _scorer("ShortBatch")
    with caplog.at_level(logging.WARNING):  # `curate run` shows warnings with --verbose only
        for _ in range(2):
            results = scorer.score_many([PLAIN, PLAIN], ["en", "en"])
            assert [r.result.score for r in results] == [0.0, 0.0]
    (warning,) = caplog.messages  # said once per scorer
    assert warning == "markers: score_batch gave 1 answers for 2 texts; asking text by text"


def test_a_batch_may_answer_with_an_array(caplog):
    scorer_plugins.ArrayBatch.calls = 0
    scorer = _scorer("ArrayBatch")
    with caplog.at_level(logging.WARNING):
        results = scorer.score_many([PLAIN, PLAIN, PLAIN], ["en", "en", "en"])
    assert [r.result.score for r in results] == [0.25] * 3
    assert scorer_plugins.ArrayBatch.calls == 1 and not caplog.messages


def test_setup_runs_once_before_the_first_score_and_not_when_built():
    scorer_plugins.SetUpOnce.setups = 0
    scorer = _scorer("SetUpOnce")
    assert scorer_plugins.SetUpOnce.setups == 0  # built (as in the launcher): not set up
    assert scorer.score(PLAIN, "en").score == 0.0
    scorer.score_many([PLAIN, PLAIN], ["en", "en"])
    assert scorer_plugins.SetUpOnce.setups == 1


def test_the_description_names_the_plugin_and_what_it_scores():
    assert _scorer("MarkerShare").describe() == {
        "scorer": f"{MODULE}:MarkerShare",
        "languages": ["en", "fr"],
        "min_words": 5,
        "threshold": 0.5,
    }
    shipped = SyntheticScorer().describe()
    assert shipped["scorer"] == "shipped" and shipped["languages"] == ["en"]
