"""The backends against the libraries they re-implement or wrap."""

from __future__ import annotations

import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from curation.langid.cleaning import clean_text, fold_shouting, head_sample
from curation.langid.codes import merge_ranked, normalize_code
from curation.langid.fasttext_backend import FastTextBackend
from curation.langid.langdetect_backend import LangdetectBackend

TEXTS = [
    "The quick brown fox jumps over the lazy dog near the riverbank.",
    "NASA and the ESA launched a PROBE to Jupiter; see https://nasa.gov or mail info@esa.int",
    "Tiếng Việt là ngôn ngữ chính thức của Việt Nam, có nhiều dấu thanh.",
    "Das ist ein kurzer deutscher Satz mit Umlauten: ä, ö, ü und ß.",
    "هذه جملة عربية قصيرة مع بعض الكلمات اللاتينية like this one.",
    "これは日本語の文です。カタカナとひらがなと漢字が混ざっています。",
    "中文句子，包含一些常用的汉字和标点符号。",
    "Ок ок",
    "Ja nee",
    "a",
]


@pytest.fixture(scope="module")
def reference() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


@pytest.fixture(scope="module")
def langdetect_backend() -> LangdetectBackend:
    return LangdetectBackend()


def _reference_probs(factory: DetectorFactory, text: str) -> dict[str, float]:
    detector = factory.create()
    detector.append(text)
    try:
        ranked = detector.get_probabilities()
    except Exception:  # langdetect raises when the text has no known n-gram
        return {}
    return dict(merge_ranked([(x.lang, x.prob) for x in ranked], 99))


@pytest.mark.parametrize("text", TEXTS)
def test_langdetect_backend_matches_langdetect(
    reference: DetectorFactory, langdetect_backend: LangdetectBackend, text: str
) -> None:
    expected = _reference_probs(reference, text)
    got = dict(langdetect_backend.predict(text, k=99))
    assert got.keys() == expected.keys()
    for lang, prob in expected.items():
        assert got[lang] == pytest.approx(prob, abs=1e-9)


def test_fasttext_backend_reads_bundled_model() -> None:
    ranked = FastTextBackend().predict("Das ist ein ganz normaler deutscher Satz.", k=3)
    assert ranked[0][0] == "de"
    assert 1 <= len(ranked) <= 3  # lid.176's hierarchical softmax may return fewer labels
    assert all(0.0 <= p <= 1.0 for _, p in ranked)


def test_label_mapping() -> None:
    assert normalize_code("__label__en") == "en"
    assert normalize_code("zh-cn") == normalize_code("zh-tw") == "zh"
    assert normalize_code("__label__als") == "gsw"  # Alemannic, not ISO 639-3 als (Tosk Albanian)
    assert normalize_code("__label__ceb") == "ceb"
    merged = merge_ranked([("zh-cn", 0.5), ("zh-tw", 0.3), ("ko", 0.1), ("ja", 0.1)], 3)
    assert merged == (("zh", 0.8), ("ja", 0.1), ("ko", 0.1))


def test_both_backends_share_code_space(langdetect_backend: LangdetectBackend) -> None:
    fasttext = FastTextBackend()
    for text in TEXTS[:7]:
        assert fasttext.predict(text, 1)[0][0] == langdetect_backend.predict(text, 1)[0][0]


def test_cleaning_helpers() -> None:
    cleaned = clean_text("<b>Hi</b> https://x.org/a a@b.co 42 &amp;\n\n *there*  l'été")
    assert cleaned == "Hi there l'été"
    assert head_sample("alpha beta gamma delta", 13) == "alpha beta"
    assert head_sample("alpha", 0) == "alpha"
    assert fold_shouting("HELLO WORLD") == "hello world"
    assert fold_shouting("Hello World") == "Hello World"
