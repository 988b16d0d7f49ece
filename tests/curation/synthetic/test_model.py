"""Tests of the shipped model, the scorer's API and abstention."""

import gzip
import hashlib
import json
from typing import get_origin

import numpy as np
import pyarrow as pa
import pytest

from curation.io.schema import signals_struct
from curation.synthetic import SIGNAL_FIELDS, SUPPORTED_LANGUAGES, SyntheticScorer
from curation.synthetic.model import (
    CompiledModel,
    ModelArtefact,
    feature_vector,
    reprior,
)
from curation.synthetic.ngrams import NgramScorer, ngram_counts, tfidf_matrix
from curation.synthetic.scorer import TOP_FEATURES
from curation.synthetic.signals import analyse
from tests.paths import SHARED_SYNTHETIC

DEV = SHARED_SYNTHETIC / "dev.jsonl.gz"
CHAT = {"gpt-3.5-turbo", "gpt-4", "claude-3-opus-20240229", "claude-3-sonnet-20240229"}
CHAT |= {"gemini-1.5-pro"}
# dev1's other languages: none reaches <= 5 % human FPR on held-apart data with a language-
# agnostic model except Arabic, which is not built yet (docs/synthetic.md, Languages).
OTHER_DEV_LANGUAGES = ("ar", "bg", "id", "ru", "ur", "zh")

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
PLAIN_TEXTS = (
    PLAIN_ESSAY,
    "My favorite place is my grandmother house in the village. It is small but very nice. There "
    "is a big tree in the garden and we sit under it in the summer. My grandmother cook very good "
    "food, I like her soup the most. In the evening we watch the stars because in the city you can "
    "not see them. I go there every holiday with my sister. When I will be older I want to live in "
    "a village too because it is quiet and people are friendly.",
    "Last weekend me and my brother went to the park. We took our bikes and a ball. First we rode "
    "around the lake two times. Then we played soccer with some kids we met there. My brother "
    "scored three goals and I scored one. After that we were hungry so we bought hot dogs. It "
    "started to rain so we went home fast. We were all wet but it was a really fun day. I hope we "
    "can go again next week if the weather is good.",
    "Many people think that money is the most important thing in life. I do not agree with this "
    "idea. Of course money is necessary for food and house, but it can not buy happiness. For "
    "example my uncle has a lot of money but he is always busy and he is not happy. My father has "
    "less money but he have time for his family. In my opinion family and friends are more "
    "important than money. Also health is important, if you are sick the money can not help you.",
    "Technology is very useful in our life. We use phone and computer every day. With internet we "
    "can learn many things and talk with people in other country. But technology also have bad "
    "sides. Some children play games all day and they dont go outside. They dont sleep enough and "
    "they have problem in school. I think parents should control the time of children on the "
    "phone. Technology is good when we use it in a correct way but it is bad when we use it too "
    "much.",
    "In my country the education system is different from here. We have school six days in the "
    "week and the classes are very big, sometimes fifty students. The teacher talk and we write, "
    "we dont discuss so much. Here the classes are small and the teacher ask our opinion. At first "
    "it was difficult for me because I was shy to speak. Now I like it more. I think both systems "
    "have good and bad points, but I learn more when I can ask questions.",
)

# Informal writing by young writers (written for this test): the informal words LLM rewrites of
# reviews and dialogue add (hey, amazing, okay, enjoy, absolutely) must not make it "machine".
YOUNG_INFORMAL_TEXTS = (
    "Hey guys! So I went to this new pizza place yesterday with my mom and it was amazing. The "
    "pizza was so good and the cheese was like really stretchy lol. Okay the only bad thing was we "
    "had to wait a long time because there was alot of people. But I would totally go again. My "
    "little brother got a milkshake and he spilled it on the table haha. I hope they open one "
    "closer to our house.",
    "Okay so this movie was amazing. I watched it with my friends on saturday and we all loved it. "
    "The part where the dog finds his way home made me cry a little bit not gonna lie. The bad guy "
    "was kind of dumb but thats ok. I enjoy movies like this because they are funny and sad at the "
    "same time. Absolutely going to watch it again!!",
    "hey so my summer was pretty fun. we went to the lake and i learned how to swim without the "
    "floaty thing. my dad said i was really brave. we also had a bbq and my uncle burned the "
    "burgers lol. okay the best part was when we saw fireworks on the 4th of july, they were "
    "amazing. i cant wait for next summer.",
)


@pytest.fixture(scope="module")
def scorer():
    return SyntheticScorer()


def words_of(*texts: str) -> list[str]:
    return " ".join(texts).split()


def test_result_schema_matches_signal_fields(scorer):
    for text, lang in ((LLM_TEXT, "en"), ("too short", "en"), (LLM_TEXT, "fr")):
        result = scorer.score(text, lang)
        assert list(result.signals) == list(SIGNAL_FIELDS)
        for name, value in result.signals.items():
            kind = SIGNAL_FIELDS[name]
            assert value is None or isinstance(value, get_origin(kind) or kind)
        stored = pa.array([result.signals], type=signals_struct(SIGNAL_FIELDS))
        assert stored.to_pylist() == [result.signals]


def test_supported_languages_match_artefact():
    assert ModelArtefact.load().supported_languages == SUPPORTED_LANGUAGES


@pytest.mark.parametrize(
    ("text", "lang", "reason"),
    [
        *((LLM_TEXT, lang, "unsupported_language") for lang in OTHER_DEV_LANGUAGES),
        (LLM_TEXT, "de", "unsupported_language"),
        (LLM_TEXT, None, "no_language"),
        ("A short but perfectly fine sentence.", "en", "too_short"),
    ],
)
def test_abstains(scorer, text, lang, reason):
    result = scorer.score(text, lang)
    assert result.score is None and result.flagged is None
    assert result.signals["score_low"] is None and result.signals["score_high"] is None
    assert result.signals["abstain_reason"] == reason


def test_scores_texts_down_to_min_words_and_abstains_below(scorer):
    """Texts of 30-49 words (abstained on before) are scored; 29 words still abstain."""
    words = words_of(*PLAIN_TEXTS)
    min_words = ModelArtefact.load().min_words
    assert min_words == 30
    scored = scorer.score(" ".join(words[:min_words]), "en")
    assert scored.score is not None and scored.signals["abstain_reason"] is None
    assert scored.signals["n_words"] == min_words
    short = scorer.score(" ".join(words[: min_words - 1]), "en")
    assert short.score is None and short.signals["abstain_reason"] == "too_short"


def test_interval_brackets_score_and_widens_as_texts_get_shorter(scorer):
    """The 95 % interval contains the score; its log-odds width shrinks like 1/sqrt(n)."""
    words = words_of(LLM_TEXT, PLAIN_ESSAY, LLM_TEXT, PLAIN_ESSAY)
    widths = []
    for n in (30, 45, 60, 90, 150):
        r = scorer.score(" ".join(words[:n]), "en")
        low, high = r.signals["score_low"], r.signals["score_high"]
        assert 0.0 < low <= r.score <= high < 1.0
        widths.append(np.log(high / (1 - high)) - np.log(low / (1 - low)))
    assert all(a > b for a, b in zip(widths, widths[1:], strict=False)), widths
    cal = ModelArtefact.load().model.calibration
    assert cal.spread > 0 and cal.slope(30) > 0  # short texts still scale evidence positively


def test_band_thresholds_and_override(scorer):
    art = ModelArtefact.load()
    edges = [band.min_words for band in art.bands]
    assert edges[0] == art.min_words and edges == sorted(edges)
    assert art.threshold_for(edges[0]) == art.bands[0].threshold
    assert art.threshold_for(10**6) == art.bands[-1].threshold == scorer.threshold
    for band, upper in zip(art.bands, edges[1:], strict=False):
        assert art.threshold_for(upper - 1) == band.threshold
    fixed = SyntheticScorer(threshold=0.5)
    assert fixed.threshold_for(30) == fixed.threshold_for(500) == 0.5


def test_llm_style_scores_above_plain_non_native_prose(scorer):
    llm = scorer.score(LLM_TEXT, "en")
    plain = scorer.score(PLAIN_ESSAY, "en")
    assert 0.0 <= plain.score < llm.score <= 1.0
    assert llm.flagged and not plain.flagged
    assert llm.signals["abstain_reason"] is None
    top = llm.signals["top_features"]
    assert [set(item) for item in top] == [{"feature", "contribution"}] * TOP_FEATURES
    magnitudes = [abs(item["contribution"]) for item in top]
    assert magnitudes == sorted(magnitudes, reverse=True) and magnitudes[0] > 0


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


def test_run_time_path_equals_matrix_model():
    """The sparse per-document path gives the decision value and contributions of the matrix
    model (signals + the n-gram tf-idf row) used in training."""
    model = ModelArtefact.load().model
    assert len(model.ngrams) == 2  # word 1-2 grams, function-word 3-grams
    compiled = CompiledModel(model)
    for text in (LLM_TEXT, *PLAIN_TEXTS):
        a = analyse(text)
        z, contributions = compiled.decision(a.signals, a.units)
        x = feature_vector(a.signals, model.names)
        tfidf = [
            tfidf_matrix([ngram_counts(a.units, b.orders, b.kept)], b.terms, b.idf)
            for b in model.ngrams
        ]
        assert z == pytest.approx(float(model.decision(x[None, :], tfidf)[0]), abs=1e-9)
        contrib = np.concatenate(
            [
                model.coef * model.standardise(x),
                *(t.toarray()[0] * b.coef for t, b in zip(tfidf, model.ngrams, strict=True)),
            ]
        )
        top = compiled.top_contributions(contributions, 3)
        order = np.argsort(-np.abs(contrib), kind="stable")[:3]
        assert [v for _, v in top] == pytest.approx(contrib[order].tolist(), abs=1e-9)
        assert [name for name, _ in top] == [model.input_names[j] for j in order]


def test_model_without_its_ngram_counts_is_an_error():
    model = ModelArtefact.load().model
    a = analyse(LLM_TEXT)
    with pytest.raises(TypeError, match="units"):
        CompiledModel(model).decision(a.signals)


def test_ngrams_are_model_inputs_but_not_output_signals(scorer):
    words, functions = ModelArtefact.load().model.ngrams
    terms = set(words.terms)
    assert {"the", "of the", "it is", ". the"} <= terms
    assert {". it is", "one of the", "* of the"} <= set(functions.terms)
    # Fairness rules of the vocabularies: no contractions, no bare sentence-end count.
    for block in (words, functions):
        assert "." not in block.terms and not any("'" in t for t in block.terms)
    assert (
        words.kept is None and {"the", ".", "of"} <= functions.kept and len(functions.kept) == 200
    )
    assert not any(k.startswith("g_") for k in scorer.score(LLM_TEXT, "en").signals)


def test_ngram_inputs_ignore_whitespace_and_case():
    for block in ModelArtefact.load().model.ngrams:
        grams = NgramScorer([block])
        a = grams.contributions(analyse("The cat sat on the mat.\n\nIt was   THE cat.").units)
        b = grams.contributions(analyse("the cat sat on the mat. it was the cat.").units)
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()
        assert a[0].size > 3


def _auroc(y: np.ndarray, s: np.ndarray) -> float:
    ranks = np.argsort(np.argsort(s)) + 1.0
    n1, n0 = y.sum(), (1 - y).sum()
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


@pytest.mark.skipif(
    not DEV.exists(), reason=f"shared dev set absent ({DEV}): it lives in ../shared beside the repo"
)
def test_reproduces_recorded_metrics_on_fixed_slice(scorer):
    art = ModelArtefact.load()
    raw = DEV.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == art.metadata["training_set_sha256"]["dev1"]
    ys, ps = [], []
    for line in gzip.decompress(raw).decode("utf-8").splitlines():
        r = json.loads(line)
        if r["lang"] != "en" or not (r["label"] == "human" or r["generator"] in CHAT):
            continue
        result = scorer.score(r["text"], "en")
        if result.score is None:
            continue
        ys.append(r["label"] == "machine")
        ps.append(result.score)
        if len(ps) == 300:
            break
    p = np.asarray(ps)
    check = art.metadata["check_slice"]
    assert _auroc(np.asarray(ys, dtype=int), p) == pytest.approx(check["auroc"], abs=1e-9)
    assert float(p.mean()) == pytest.approx(check["mean_score"], abs=1e-9)


def test_informal_young_writing_stays_far_below_threshold(scorer):
    """With weaker regularisation of the n-grams (C = 30) these scored 0.24-0.47."""
    for text in YOUNG_INFORMAL_TEXTS:
        result = scorer.score(text, "en")
        assert result.score is not None and result.score < 0.3, (result.score, text[:40])
        assert not result.flagged


def test_plain_prose_stays_below_threshold(scorer):
    """Plain, simple prose (non-native / young style, written for this test) is not flagged,
    neither whole nor cut to 30-60 words."""
    for text in PLAIN_TEXTS:
        result = scorer.score(text, "en")
        assert result.score is not None and result.score < 0.5, (result.score, text[:40])
        for n in (30, 45, 60):
            cut = scorer.score(" ".join(text.split()[:n]), "en")
            assert not cut.flagged, (n, cut.score, text[:40])
