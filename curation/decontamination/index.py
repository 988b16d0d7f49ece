"""The n-gram hash sets of the evaluation sets, and the test of one document against them.

Each set's n-gram hashes are held in a Python ``set``, and all sets' hashes in one Bloom
filter of 16 bits per n-gram (one bit per n-gram, so about 6 % false positives), both built
once per worker. A document's n-gram hashes are tested against the filter in one vectorised
step; only the few that pass are looked up in the sets. So a document costs one hash per word
and a constant amount per n-gram, whatever the sets' sizes, and the filter (2 bytes per
n-gram) stays in the CPU caches longer than the sets would. Memory: about 70 bytes per
distinct n-gram of the sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from curation.decontamination.ngrams import ngram_at, ngram_hashes, text_ngram_hashes

#: Bloom filter bits per n-gram (a power of two's worth is allocated, at least 2^16 bits).
_BITS_PER_NGRAM = 16
_WORD_BITS = np.uint64(6)  # bits are stored in uint64 words: index >> 6, bit index & 63
_BIT_MASK = np.uint64(63)


@dataclass(frozen=True)
class EvaluationSet:
    """One evaluation set: its name (the file's name) and the hashes of its n-grams."""

    name: str
    hashes: frozenset[int]


def _bloom(sets: Sequence[EvaluationSet]) -> tuple[np.ndarray, np.uint64]:
    """A one-hash Bloom filter of every set's hashes: (uint64 words, bit-index mask)."""
    total = sum(len(evaluation_set.hashes) for evaluation_set in sets)
    bits = 1 << max(16, (total * _BITS_PER_NGRAM - 1).bit_length())
    mask = np.uint64(bits - 1)
    words = np.zeros(bits // 64, dtype=np.uint64)
    for evaluation_set in sets:
        index = np.fromiter(evaluation_set.hashes, dtype=np.uint64) & mask
        np.bitwise_or.at(words, index >> _WORD_BITS, np.uint64(1) << (index & _BIT_MASK))
    return words, mask


class ContaminationIndex:
    """Which evaluation set, if any, shares an ``n``-word n-gram with a document."""

    def __init__(self, sets: Sequence[EvaluationSet], n: int) -> None:
        self.sets = tuple(sets)
        self.n = n
        self._words, self._mask = _bloom(self.sets)

    @classmethod
    def build(cls, named_texts: Iterable[tuple[str, Iterable[str]]], n: int) -> ContaminationIndex:
        """From ``(set name, its texts)`` pairs; texts of fewer than ``n`` words add nothing."""
        sets = []
        for name, texts in named_texts:
            hashes: set[int] = set()
            for text in texts:
                hashes.update(text_ngram_hashes(text, n).tolist())
            sets.append(EvaluationSet(name, frozenset(hashes)))
        return cls(sets, n)

    def first_match(self, words: str) -> tuple[str, str] | None:
        """``(set name, n-gram)`` of the first set (in configured order) sharing an n-gram with
        a document whose :func:`~curation.decontamination.ngrams.ngram_words` are ``words``;
        the n-gram is the first shared one in the document."""
        hashes = ngram_hashes(words, self.n)
        index = hashes & self._mask
        passed = (self._words[index >> _WORD_BITS] >> (index & _BIT_MASK)) & np.uint64(1)
        positions = np.flatnonzero(passed)
        if not positions.size:
            return None
        candidates = hashes[positions].tolist()
        for evaluation_set in self.sets:
            for position, value in zip(positions.tolist(), candidates, strict=True):
                if value in evaluation_set.hashes:
                    return evaluation_set.name, ngram_at(words, self.n, position)
        return None
