"""Word 1-2 grams of a text and their tf-idf weighted linear score (part of the model).

The tokens are the text's :func:`~curation.synthetic.text.units`: its lower-cased word tokens
and, written ``.``, its sentence ends (so ``". the"`` is a sentence starting with "the"). Other
punctuation is not a token (commas, dashes and parentheses are signals of their own). The
n-grams are the tokens and the space-joined pairs of consecutive tokens.

The score is that of a logistic regression over the ``l2``-normalised sublinear tf-idf vector of
a fixed vocabulary (scikit-learn's ``TfidfTransformer(sublinear_tf=True)``): term weight
``(1 + ln tf) * idf``, divided by the vector's Euclidean norm, times the term's coefficient. Only
the text's own n-grams are visited, so the cost grows with the text, not the vocabulary.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat

import numpy as np

SENTENCE_END = "."
"""How a sentence end (an empty unit) is written in n-gram terms."""
NGRAM_PREFIX = "g_"
"""Name prefix of an n-gram's contribution in ``top_features`` (``g_it is``)."""


def ngram_counts(units: Sequence[str]) -> Counter[str]:
    """Occurrences of every 1-gram and 2-gram of a text's units (training-time form)."""
    tokens = [unit or SENTENCE_END for unit in units]
    counts = Counter(tokens)
    counts.update(map(" ".join, zip(tokens, tokens[1:], strict=False)))
    return counts


@dataclass(frozen=True)
class NgramModel:
    """Coefficients over the tf-idf vector of ``terms`` (arrays ``idf`` and ``coef`` align)."""

    terms: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray

    @cached_property
    def _tables(self) -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
        """Integer tables for the per-document path: an id per token of any term (a sentence
        end, the empty unit, shares the id of :data:`SENTENCE_END`; a token of no term gets the
        extra id ``len(ids)``); the unigram term of each id (-1: none); the sorted bigram codes
        ``id1 * (len(ids) + 1) + id2`` and their terms."""
        token_id: dict[str, int] = {}
        for term in self.terms:
            for token in term.split(" "):
                token_id.setdefault(token, len(token_id))
        base = len(token_id) + 1
        unigram = np.full(base, -1, dtype=np.intp)
        codes, bigram = [], []
        for j, term in enumerate(self.terms):
            first, *second = term.split(" ")
            if second:
                codes.append(token_id[first] * base + token_id[second[0]])
                bigram.append(j)
            else:
                unigram[token_id[first]] = j
        if SENTENCE_END in token_id:
            token_id[""] = token_id[SENTENCE_END]
        order = np.argsort(codes)
        codes_sorted = np.asarray(codes, dtype=np.int64)[order]
        return token_id, unigram, codes_sorted, np.asarray(bigram, dtype=np.intp)[order]

    def contributions(self, units: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary terms present in a text with these units (indices, ascending) and
        each one's additive contribution to the decision value.

        Equal to the tf-idf row of :func:`ngram_counts` times the coefficients (tested). Each
        unit costs one dictionary look-up; the rest is array work (bigrams are found by binary
        search in the sorted codes)."""
        token_id, unigram, codes, bigram = self._tables
        other = len(unigram) - 1
        ids = np.fromiter(map(token_id.get, units, repeat(other)), np.int64, len(units))
        unigrams = unigram[ids]
        pairs = ids[:-1] * (other + 1) + ids[1:]
        at = codes.searchsorted(pairs)
        at[at == len(codes)] = 0
        bigrams = bigram[at[codes[at] == pairs]] if len(codes) else bigram
        found = np.concatenate([unigrams[unigrams >= 0], bigrams])
        if not found.size:
            return found, np.empty(0)
        # Run-length count of the sorted term indices: the terms present and their tf.
        found.sort()
        first = np.empty(found.size, dtype=bool)
        first[0] = True
        np.not_equal(found[1:], found[:-1], out=first[1:])
        starts = first.nonzero()[0]
        ends = np.empty_like(starts)
        ends[:-1], ends[-1] = starts[1:], found.size
        present = found[starts]
        weights = (1.0 + np.log(ends - starts)) * self.idf[present]
        return present, self.coef[present] * weights / math.sqrt(weights @ weights)

    def to_json(self) -> dict:
        """Plain-JSON form (7 significant digits)."""
        return {
            "terms": list(self.terms),
            "idf": [float(f"{v:.7g}") for v in self.idf],
            "coef": [float(f"{v:.7g}") for v in self.coef],
        }

    @classmethod
    def from_json(cls, d: Mapping) -> NgramModel:
        """Inverse of :meth:`to_json`."""
        return cls(
            terms=tuple(d["terms"]),
            idf=np.asarray(d["idf"], dtype=float),
            coef=np.asarray(d["coef"], dtype=float),
        )


def tfidf_matrix(counts: Sequence[Mapping[str, int]], terms: Sequence[str], idf: np.ndarray):
    """``l2``-normalised sublinear tf-idf rows of :func:`ngram_counts` over ``terms`` (scipy
    CSR): the training-time twin of :meth:`NgramModel.contributions`."""
    import scipy.sparse as sp

    index = {t: j for j, t in enumerate(terms)}
    rows, cols, vals = [], [], []
    for i, doc in enumerate(counts):
        for term, c in doc.items():
            j = index.get(term)
            if j is not None:
                rows.append(i)
                cols.append(j)
                vals.append((1.0 + math.log(c)) * idf[j])
    m = sp.csr_matrix((vals, (rows, cols)), shape=(len(counts), len(terms)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ m
