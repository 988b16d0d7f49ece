"""Word n-grams of the dedup normal form, hashed to 64 bits.

Normalisation is the one near-duplicate detection uses (:mod:`curation.dedup.normalize`):
Unicode NFKC, case-folding, every punctuation and symbol character (Unicode P*, S*) turned
to a space, then words split at whitespace. So ``"The cat's hat."`` and ``"the cat s HAT"``
have the same words. Texts written without spaces (CJK, Thai) are one word per run between
spaces or punctuation.

A word's hash is its XXH3-64; an n-gram of words ``w_0 .. w_{n-1}`` hashes to
``sum h(w_i) * M^(n-1-i) mod 2^64`` with the odd multiplier ``M`` of the MinHash shingles:
two different n-grams collide with probability about 2^-57 (see
:func:`curation.dedup.minhash.shingle_hashes`), so a hash match is a word match.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from curation.dedup.minhash import token_hashes
from curation.dedup.normalize import fold_case, punctuation_to_spaces

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def ngram_words(folded: str) -> str:
    """The words of a :func:`~curation.dedup.normalize.fold_case` text, space-separated."""
    return punctuation_to_spaces(folded)


def ngram_hashes(words: str, n: int) -> np.ndarray:
    """The hash of every run of ``n`` consecutive words of ``words`` (:func:`ngram_words`),
    in text order (uint64; empty when there are fewer than ``n`` words)."""
    hashes = token_hashes(words, by_character=False)
    if hashes.size < n:
        return np.empty(0, dtype=np.uint64)
    powers = _MULTIPLIER ** np.arange(n - 1, -1, -1, dtype=np.uint64)
    return (sliding_window_view(hashes, n) * powers).sum(axis=1, dtype=np.uint64)


def text_ngram_hashes(text: str, n: int) -> np.ndarray:
    """:func:`ngram_hashes` of a raw text (normalised here)."""
    return ngram_hashes(ngram_words(fold_case(text)), n)


def ngram_at(words: str, n: int, index: int) -> str:
    """The ``index``-th n-gram of ``words`` as text (words joined by single spaces)."""
    return " ".join(words.split()[index : index + n])
