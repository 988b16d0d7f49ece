"""Unit tests of the synthetic-text signals on hand-written texts."""

import random
import re

import pytest

from curation.quality.text import token_ids
from curation.synthetic.signals import (
    SIGNAL_NAMES,
    burstiness,
    compute_signals,
    mattr,
    repetition,
    zlib_ratio,
)
from curation.synthetic.text import normalise, sentence_initials, tokens_and_sentence_lengths, units

PLAIN = (
    "I went to the shop on Monday. It was closed, so I walked home again and made tea. "
    "My brother laughed at me when I told him."
)


def ids(tokens: list[str]):
    return token_ids(tokens).ids


def naive_mattr(tokens: list[str], window: int) -> float:
    if len(tokens) <= window:
        return len(set(tokens)) / len(tokens)
    ttrs = [len(set(tokens[i : i + window])) / window for i in range(len(tokens) - window + 1)]
    return sum(ttrs) / len(ttrs)


def test_whitespace_is_normalised_before_every_signal():
    assert compute_signals("One line.\n\nTwo  lines.\r\nThree.") == compute_signals(
        "One line. Two lines. Three."
    )
    assert normalise(" a \n\t b  ") == "a b"


def test_all_signals_present_and_deterministic():
    first = compute_signals(PLAIN)
    assert tuple(first) == SIGNAL_NAMES
    assert compute_signals(PLAIN) == first


def test_tokens_and_sentences():
    tokens, lengths = tokens_and_sentence_lengths(units("don't stop. go now! ok"))
    assert tokens == ["don't", "stop", "go", "now", "ok"]
    assert lengths == [2, 2, 1]
    assert sentence_initials("A b. c d! E") == ["A", "c", "E"]
    assert tokens_and_sentence_lengths(units("我爱你。好"))[1] == [3, 1]


# Sentences as the split the initials stand for: after ., !, ?, … and a space, or after a
# full-width / Arabic / Urdu / Devanagari terminator.
NAIVE_SENTENCE_END = re.compile(
    r"(?<=[.!?\u2026])\s+|(?<=[\u3002\uff01\uff1f\u061f\u06d4\u0964])\s*"
)


def test_sentence_initials_match_a_naive_split():
    rng = random.Random(5)
    alphabet = "aB .!?\u2026\u3002\uff01\u061f\u0964(" + " " * 4
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        expected = [s[0] for s in NAIVE_SENTENCE_END.split(text) if s]
        assert sentence_initials(text) == expected, text


def test_mattr_matches_naive_definition():
    rng = random.Random(0)
    tokens = [rng.choice("abcdefghij") for _ in range(137)]
    assert repetition(ids(tokens), 50).mattr == pytest.approx(naive_mattr(tokens, 50))
    assert repetition(ids(["a"] * 100)).mattr == pytest.approx(1 / 50)
    assert repetition(ids(["a", "b", "c"])).mattr == 1.0
    assert repetition(ids([])).mattr == 0.0


def test_mattr_alone_equals_repetition_mattr():
    rng = random.Random(1)
    for length in (1, 49, 50, 51, 500):
        tokens = [rng.choice("abcdefghijklmnop") for _ in range(length)]
        for window in (10, 50):
            assert mattr(ids(tokens), window) == repetition(ids(tokens), window).mattr


def test_burstiness():
    assert burstiness([10, 10, 10]) == 0.0
    assert burstiness([5, 15, 10]) == pytest.approx((50 / 3) ** 0.5 / 10)
    assert burstiness([3, 30]) is None


def test_repeat_trigram_rate():
    assert repetition(ids(list("abcabc"))).repeat_trigram_rate == pytest.approx(0.25)
    assert repetition(ids(list("ab"))).repeat_trigram_rate == 0.0


def test_zlib_ratio_lower_for_repetitive_text():
    assert zlib_ratio("the cat sat. " * 40) < zlib_ratio(PLAIN * 2)


def test_lexicon_signals_fire_on_llm_style_text():
    text = (
        "As an AI language model, I must delve into this intricate tapestry. It is important "
        "to note that the multifaceted landscape underscores a pivotal shift. I hope this helps!"
    )
    s = compute_signals(text)
    assert s["marker_rate"] > 100  # delve, intricate, multifaceted, landscape, underscores...
    assert s["stock_phrase_rate"] > 0
    assert s["disclaimer_hits"] >= 2  # "as an ai", "language model"
    plain = compute_signals(PLAIN)
    assert plain["marker_rate"] == plain["stock_phrase_rate"] == plain["disclaimer_hits"] == 0


def test_punctuation_and_structure_rates():
    s = compute_signals("Results \u2014 good ones. Items: - first (a) - second, then 1) third")
    assert s["em_dash_rate"] > 0
    assert s["paren_rate"] > 0
    assert s["comma_rate"] > 0
    assert s["list_density"] == pytest.approx(3 / 2)
    assert compute_signals("fine. lower start. Upper.")["lower_start_rate"] == pytest.approx(2 / 3)


def test_loop_rate_fires_on_loops_not_on_plain_repetition():
    loop = "and then the man said that he would go home and then the man said that he would go"
    assert repetition(ids(loop.split())).loop_rate == pytest.approx(9 / 19)  # the 2nd "and ... go"
    # Plain writers repeat short phrases ("I think", "it is good"), not 8-word sequences.
    plain = "I think it is good. I think it is fun. I think we should go. It is good for us."
    assert repetition(ids(plain.lower().split())).loop_rate == 0.0
    assert repetition(ids([])).loop_rate == 0.0


def naive_loop_rate(tokens: list[str], n: int = 8) -> float:
    grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    inside = {i + k for i, g in enumerate(grams) if g in grams[:i] for k in range(n)}
    return len(inside) / len(tokens) if tokens else 0.0


def test_repetition_signals_match_naive_definitions_on_random_streams():
    rng = random.Random(1)
    for _ in range(200):
        alphabet = "ab" if rng.random() < 0.5 else "abcdefgh"
        tokens = [rng.choice(alphabet) for _ in range(rng.randrange(0, 90))]
        trigrams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
        expected = 1.0 - len(set(trigrams)) / len(trigrams) if trigrams else 0.0
        assert repetition(ids(tokens)).repeat_trigram_rate == expected
        assert repetition(ids(tokens)).loop_rate == pytest.approx(naive_loop_rate(tokens))
        if tokens:
            assert repetition(ids(tokens), 10).mattr == pytest.approx(naive_mattr(tokens, 10))


def test_word_length_shares():
    s = compute_signals("An elephant is enormous and remarkably gentle.")
    assert s["short_word_share"] == pytest.approx(3 / 7)  # an, is, and
    assert s["long_word_share"] == pytest.approx(3 / 7)  # elephant, enormous, remarkably
