"""Tests of the shipped model, the scorer's API and abstention."""

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from curation.synthetic import SIGNAL_FIELDS, SUPPORTED_LANGUAGES, SyntheticScorer
from curation.synthetic.model import ModelArtefact, feature_vector, reprior
from curation.synthetic.signals import compute_signals

DEV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "synthetic" / "dev.jsonl.gz"
CHAT = {"gpt-3.5-turbo", "gpt-4", "claude-3-opus-20240229", "claude-3-sonnet-20240229"}
CHAT |= {"gemini-1.5-pro"}

LLM_TEXT = (
    "In today's rapidly evolving landscape, it is important to note that innovative strategies "
    "play a crucial role. Additionally, organizations must navigate the complexities of a "
    "multifaceted environment, leveraging comprehensive insights to foster meaningful growth. "
    "Furthermore, this transformative approach underscores the pivotal importance of seamless "
    "collaboration, ensuring that stakeholders can effectively harness emerging opportunities. "
    "Ultimately, embracing these intricate dynamics will pave the way for a sustainable future."
)
PLAIN_ESSAY = (
    "I think students should do sports at school. Sports is good for the body and good for the "
    "mind. When I was in my country I play football every day with my friends. We was happy. "
    "Some people say sports take too much time but I dont agree. If you do sport you can study "
    "better after. My teacher also say this. So I think all students must do sport two or three "
    "times in the week, it is not too much time and it make them healthy and happy."
)


@pytest.fixture(scope="module")
def scorer():
    return SyntheticScorer()


def test_result_schema_matches_signal_fields(scorer):
    for text, lang in ((LLM_TEXT, "en"), ("too short", "en"), (LLM_TEXT, "fr")):
        result = scorer.score(text, lang)
        assert list(result.signals) == list(SIGNAL_FIELDS)
        for name, value in result.signals.items():
            assert value is None or isinstance(value, SIGNAL_FIELDS[name])


def test_supported_languages_match_artefact():
    assert ModelArtefact.load().supported_languages == SUPPORTED_LANGUAGES


@pytest.mark.parametrize(
    ("text", "lang", "reason"),
    [
        (LLM_TEXT, "de", "unsupported_language"),
        (LLM_TEXT, None, "no_language"),
        ("A short but perfectly fine sentence.", "en", "too_short"),
    ],
)
def test_abstains(scorer, text, lang, reason):
    result = scorer.score(text, lang)
    assert result.score is None and result.flagged is None
    assert result.signals["abstain_reason"] == reason


def test_llm_style_scores_above_plain_non_native_prose(scorer):
    llm = scorer.score(LLM_TEXT, "en")
    plain = scorer.score(PLAIN_ESSAY, "en")
    assert 0.0 <= plain.score < llm.score <= 1.0
    assert llm.flagged and not plain.flagged
    assert llm.signals["abstain_reason"] is None
    assert llm.signals["top_features"].count(":") == 3


def test_deterministic_and_threshold_override(scorer):
    assert scorer.score(LLM_TEXT, "en") == scorer.score(LLM_TEXT, "en")
    assert SyntheticScorer(threshold=1.0).score(LLM_TEXT, "en").flagged is False


def test_max_chars_scores_only_a_prefix():
    scorer = SyntheticScorer(max_chars=1000)
    assert scorer.score(PLAIN_ESSAY * 200, "en").signals["n_words"] < 300


def test_reprior_formula():
    assert reprior(0.5, 0.1) == pytest.approx(0.1)
    assert reprior(0.9, 0.5) == pytest.approx(0.9)
    assert reprior(0.8, 0.2) == pytest.approx(0.8 * 0.2 / (0.8 * 0.2 + 0.2 * 0.8))


def _auroc(y: np.ndarray, s: np.ndarray) -> float:
    ranks = np.argsort(np.argsort(s)) + 1.0
    n1, n0 = y.sum(), (1 - y).sum()
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


@pytest.mark.skipif(not DEV.exists(), reason=f"dev set not found at {DEV}")
def test_reproduces_recorded_metrics_on_fixed_slice():
    art = ModelArtefact.load()
    raw = DEV.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == art.metadata["training_set_sha256"]
    ys, rows = [], []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        r = json.loads(line)
        if r["lang"] != "en" or not (r["label"] == "human" or r["generator"] in CHAT):
            continue
        signals = compute_signals(r["text"])
        if signals["n_words"] < art.min_words:
            continue
        ys.append(r["label"] == "machine")
        rows.append(feature_vector(signals, art.model.names))
        if len(rows) == 300:
            break
    p = art.model.probability(np.asarray(rows, dtype=float))
    check = art.metadata["check_slice"]
    assert _auroc(np.asarray(ys, dtype=int), p) == pytest.approx(check["auroc"], abs=1e-9)
    assert float(p.mean()) == pytest.approx(check["mean_score"], abs=1e-9)
