"""The backends against the libraries they re-implement or wrap."""

from __future__ import annotations

import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from curation.langid.cleaning import (
    clean_text,
    cleaned_head,
    cleaned_windows,
    fold_shouting,
    head_sample,
    script_language,
    window_starts,
)
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


@pytest.mark.parametrize("n_trial", [1, 2, 3])
@pytest.mark.parametrize("text", TEXTS[:4] + TEXTS[7:9])
def test_langdetect_n_trial_is_the_library_knob(
    reference: DetectorFactory, text: str, n_trial: int
) -> None:
    # Fewer trials is langdetect's own Detector.n_trial, not a re-implementation.
    detector = reference.create()
    detector.n_trial = n_trial
    detector.append(text)
    try:
        expected = dict(merge_ranked([(x.lang, x.prob) for x in detector.get_probabilities()], 99))
    except Exception:
        expected = {}
    got = dict(LangdetectBackend(n_trial=n_trial).predict(text, k=99))
    assert got.keys() == expected.keys()
    for lang, prob in expected.items():
        assert got[lang] == pytest.approx(prob, abs=1e-9)


def test_langdetect_n_trial_must_be_positive() -> None:
    with pytest.raises(ValueError, match="n_trial"):
        LangdetectBackend(n_trial=0)


def test_fasttext_backend_refuses_newlines_and_maps_labels() -> None:
    backend = FastTextBackend()
    with pytest.raises(ValueError, match="one line"):
        backend.predict("two\nlines")
    ranked = backend.predict("Das ist ein ganz normaler deutscher Satz.", k=3)
    assert ranked == backend.predict("Das ist ein ganz normaler deutscher Satz.", k=3)
    assert all(not code.startswith("__label__") for code, _ in ranked)
    assert list(ranked) == sorted(ranked, key=lambda a: (-a[1], a[0]))


NOISY = (
    "<div class='x'>Die Würde des Menschen ist unantastbar.</div> Sie zu achten &amp; zu schützen "
    "ist 2024 Verpflichtung https://gesetze.de/gg/art_1 aller staatlichen Gewalt. <a href='x'>"
    "Mehr</a> " * 12
)


@pytest.mark.parametrize("max_chars", [20, 100, 150, 300])
@pytest.mark.parametrize("text", [*TEXTS, NOISY, NOISY.replace(" ", "\n"), "x" * 5000])
def test_cleaned_head_equals_cleaning_the_whole_prefix(text: str, max_chars: int) -> None:
    # Cleaning only the first ~1.25 x max_chars raw characters must not change the sample.
    expected = head_sample(clean_text(text[: 4 * max_chars]), max_chars)
    assert cleaned_head(text, max_chars, 4) == expected


def test_windows_are_deterministic_and_spread() -> None:
    assert window_starts(100, 50, 3) == [0]  # short text: read as one head sample
    assert window_starts(2000, 100, 3) == [0, 950, 1900]
    assert window_starts(2000, 100, 1) == [0]
    text = "\n\n".join(
        f"Absatz {i}: " + "Die Würde des Menschen ist unantastbar. " * 4 for i in range(9)
    )
    sample = cleaned_windows(text, 150, 3, 4)
    assert sample == cleaned_windows(text, 150, 3, 4)
    assert len(sample) <= 150 + 2
    assert "\n" not in sample
    assert cleaned_windows(text, 150, 1, 4) == cleaned_head(text, 150, 4)
    assert cleaned_windows("kurz und gut", 150, 3, 4) == "kurz und gut"
    # Up to the windows' raw extent (2 x (1.25 x 100 + 16) = 282) the text is read as one head.
    medium = ("Die Würde des Menschen ist unantastbar. " * 8)[:280]
    assert cleaned_windows(medium, 200, 2, 4) == cleaned_head(medium, 200, 4)
    long = medium + " Ende " + "Sie zu achten und zu schützen ist Pflicht. " * 20
    sample = cleaned_windows(long, 200, 2, 4)
    assert sample.startswith("Die Würde") and sample.endswith("zu schützen ist Pflicht.")
    assert "Ende" not in sample and len(sample) <= 200 + 1


@pytest.mark.parametrize(
    "text",
    [
        "HELLO WORLD",
        "Hello World",
        "ВСЕ ЛЮДИ РОЖДАЮТСЯ СВОБОДНЫМИ И РАВНЫМИ",
        "Все люди рождаются свободными",
        "STRASSE UND FUß",
        "ΌΛΟΙ ΟΙ ΆΝΘΡΩΠΟΙ ΓΕΝΝΙΟΎΝΤΑΙ ΕΛΕΎΘΕΡΟΙ",
        "NASA ESA CERN and the rest",
        "中文 ABC",
        "AB cd",
    ],
)
def test_fold_shouting_matches_letter_count(text: str) -> None:
    upper = sum(map(str.isupper, text))
    cased = upper + sum(map(str.islower, text))
    expected = text.lower() if cased > 5 and upper > 0.8 * cased else text
    assert fold_shouting(text) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι", "el"),
        ("모든 인간은 태어날 때부터 자유로우며", "ko"),
        ("すべての人間は、生まれながらにして自由であり", "ja"),
        ("เด็กทุกคนมีสิทธิที่จะได้รับการศึกษา", "th"),
        ("כל בני האדם נולדו בני חורין ושווים", "he"),
        ("அனைத்து மனிதர்களும் சுதந்திரமாகவே பிறக்கின்றனர்", "ta"),
        ("모든 인간은 (UN) 태어날 때부터 자유로우며", "ko"),  # Latin minority: langdetect drops it
        ("Greek: α", None),  # Latin majority
        ("人人生而自由，在尊严和权利上一律平等", None),  # Han alone: Chinese or Japanese
        ("Все люди рождаются свободными", None),  # Cyrillic: several languages
        ("सभी मनुष्यों को गौरव और अधिकारों के मामले में", None),  # Devanagari: hi, mr, ne
        ("Όλοι 모든", None),  # two scripts
        ("", None),
        ("123 !!!", None),
    ],
)
def test_script_language(text: str, lang: str | None) -> None:
    assert script_language(text) == lang
