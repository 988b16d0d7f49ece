"""Compiled UTF-8 word splitting equals ``str.split()`` and ``str.isspace``."""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest

from curation.dedup.utf8 import join_words, token_spans, whitespace_length

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def _encoded(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def test_whitespace_is_exactly_str_isspace_on_all_of_unicode():
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue  # lone surrogates are not valid UTF-8 (rejected when records are read)
        char = chr(code)
        data = _encoded(char + "  ")  # room for a multi-byte check past the character
        expected = len(char.encode("utf-8")) if char.isspace() else 0
        assert whitespace_length(data, 0) == expected, hex(code)


def _random_text(rng: random.Random) -> str:
    alphabet = [*"abz09-.,'", "é", "ß", "日", "ไ", "\U0001f600", "\u0301", "\u200b", "\u00a9"]
    return "".join(
        rng.choice(WHITESPACE if rng.random() < 0.3 else alphabet) for _ in range(rng.randrange(60))
    )


@pytest.mark.parametrize("seed", range(5))
def test_token_spans_and_join_words_equal_str_split(seed):
    rng = random.Random(seed)
    for _ in range(400):
        text = _random_text(rng)
        data = _encoded(text)
        starts, ends = token_spans(data, False)
        words = [data[s:e].tobytes().decode("utf-8") for s, e in zip(starts, ends, strict=True)]
        assert words == text.split()
        starts, ends = token_spans(data, True)
        characters = [data[s:e].tobytes().decode() for s, e in zip(starts, ends, strict=True)]
        assert characters == list("".join(text.split()))
        assert join_words(data).tobytes().decode("utf-8") == " ".join(text.split())
