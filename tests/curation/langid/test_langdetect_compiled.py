"""The compiled n-gram extraction and random walks against langdetect itself, bit for bit."""

from __future__ import annotations

import random

import numpy as np
import pytest

from curation.langid.codes import merge_ranked
from curation.langid.langdetect_backend import (
    SEED,
    LangdetectBackend,
    _load_factory,
    _load_profiles,
    _profile_texts,
)
from curation.langid.langdetect_compiled import (
    Profiles,
    detector_text,
    gram_keys,
    language_probabilities,
    ngram_rows,
)

# Letters of scripts langdetect knows (Latin with diacritics, Cyrillic, Greek, Arabic, Devanagari,
# Han, kana, Hangul), capitals, digits, punctuation, spaces and one lone surrogate.
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyz" * 3
    + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2
    + "àéîõüçñßăşţșțđơư"
    + "абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗ"
    + "αβγδεζηθικλμνξοπρστυφχψω"
    + "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    + "कखगघङचछजझटठडढणतथदधनपफबभमयरलवशसह"
    + "的一是不了人我在有他这中大来上国个到说们"
    + "あいうえおかきくけこアイウエオカキクケコ"
    + "가나다라마바사아자차카타파하"
    + "0123456789.,;:!?'\"()-–—…\u2019\ud800"
    + "      "
)


def _random_texts(count: int, seed: int = 7) -> list[str]:
    generator = random.Random(seed)
    texts = []
    for _ in range(count):
        length = generator.choice((1, 3, 8, 40, 200, 600))
        texts.append("".join(generator.choice(ALPHABET) for _ in range(length)))
    return texts


def _library(text: str, n_trial: int) -> tuple[tuple[str, float], ...]:
    detector = _load_factory().create()
    detector.n_trial = n_trial
    detector.append(text)
    try:
        ranked = detector.get_probabilities()
    except Exception:  # langdetect raises when the text has no known n-gram
        return ()
    return merge_ranked([(item.lang, item.prob) for item in ranked], 99)


@pytest.mark.parametrize("n_trial", [1, 2, 7])
def test_backend_equals_the_library_to_the_last_bit(n_trial: int) -> None:
    backend = LangdetectBackend(n_trial)
    texts = _random_texts(300) + ["Ein ganz normaler Satz.", "HELLO World", "x", "  ", ""]
    for text in texts:
        assert backend.predict(text, 99) == _library(text, n_trial), text


def test_text_and_ngrams_follow_the_library() -> None:
    factory = _load_factory()
    profiles = _load_profiles()
    words = sorted(factory.word_lang_prob_map, key=lambda word: gram_keys([word])[0])
    texts = _random_texts(100, seed=11) + [
        "see https://x.org/a?b=1 or mail a.b@c.de  now",
        "Tiếng Việt có dấu, Tie\u0302\u0301ng Vie\u0323\u0302t" + "x" * 20_000,  # both forms
    ]
    for text in texts:
        detector = factory.create()
        detector.append(text)
        detector.cleaning_text()
        assert detector_text(text) == detector.text
        assert [words[row] for row in ngram_rows(detector.text, profiles)] == (
            detector._extract_ngrams()
        )


def test_profile_arrays_hold_the_library_probabilities() -> None:
    factory = _load_factory()
    profiles = _load_profiles()
    assert profiles.languages == factory.langlist
    words = list(factory.word_lang_prob_map)
    rows = np.searchsorted(profiles.keys, gram_keys(words))
    assert profiles.probs[rows].tolist() == list(factory.word_lang_prob_map.values())
    assert sorted(rows.tolist()) == list(range(len(words)))


def test_a_walk_past_the_drawn_stream_asks_the_library() -> None:
    backend = LangdetectBackend(7)
    text = "Ceci est une phrase française assez ordinaire, avec quelques mots."
    short = Profiles(_profile_texts(), SEED)
    short.stream = short.stream[:50]
    assert language_probabilities(ngram_rows(detector_text(text), short), short, 7) is None
    backend._profiles = short
    assert backend.predict(text, 99) == _library(text, 7)


def test_gram_keys_are_unique_across_lengths() -> None:
    grams = ["a", "\x00a", "\x00\x00a", "ab", "\x00ab", "abc", "\U0010ffff" * 3, "\ud800"]
    keys = gram_keys(grams)
    assert len(set(keys.tolist())) == len(grams)
    assert keys[3] == ((ord("a") + 1) << 21) | (ord("b") + 1)
