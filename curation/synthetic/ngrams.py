"""Word n-grams of a text and their tf-idf weighted linear score (the model's n-gram blocks).

The tokens are the text's :func:`~curation.synthetic.text.units`: its lower-cased word tokens
and, written ``.``, its sentence ends (so ``". the"`` is a sentence starting with "the"). Other
punctuation is not a token (commas, dashes and parentheses are signals of their own). An
n-gram is ``n`` consecutive tokens joined by spaces.

A block (:class:`NgramModel`) has its n-gram orders and, optionally, a set of ``kept`` tokens:
every other token is then written :data:`MASK`, so that ``"in the * of"`` stands for any
content word between two function-word patterns. This is the "text distortion" of Stamatatos
(2017): the masked n-grams keep a text's syntax and function words and drop its topic.

A block's score is that of a logistic regression over the ``l2``-normalised sublinear tf-idf
vector of a fixed vocabulary (scikit-learn's ``TfidfTransformer(sublinear_tf=True)``): term
weight ``(1 + ln tf) * idf``, divided by the vector's Euclidean norm, times the term's
coefficient. Only the text's own n-grams are looked up (a numba kernel per block, hash-table
look-ups), so the cost grows with the text, not the vocabulary.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numba
import numpy as np

SENTENCE_END = "."
"""How a sentence end (an empty unit) is written in n-gram terms."""
MASK = "*"
"""How a token outside a block's ``kept`` tokens is written in its n-gram terms."""
NGRAM_PREFIX = "g_"
"""Name prefix of an n-gram's contribution in ``top_features`` (``g_it is``)."""


def ngram_tokens(units: Sequence[str], kept: Collection[str] | None = None) -> list[str]:
    """The tokens of a text's units: sentence ends written :data:`SENTENCE_END` and, with
    ``kept``, every token not in it written :data:`MASK`."""
    tokens = [unit or SENTENCE_END for unit in units]
    return tokens if kept is None else [t if t in kept else MASK for t in tokens]


def ngram_counts(
    units: Sequence[str], orders: Sequence[int] = (1, 2), kept: Collection[str] | None = None
) -> Counter[str]:
    """Occurrences of every n-gram of the given ``orders`` (training-time form)."""
    tokens = ngram_tokens(units, kept)
    counts: Counter[str] = Counter()
    for n in orders:
        counts.update(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
    return counts


@dataclass(frozen=True)
class NgramModel:
    """One n-gram block: coefficients over the tf-idf vector of ``terms`` (arrays ``idf`` and
    ``coef`` align), n-grams of the ``orders`` over tokens masked by ``kept`` (``None``: no
    mask). :class:`NgramScorer` computes its contributions."""

    terms: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray
    orders: tuple[int, ...] = (1, 2)
    kept: frozenset[str] | None = None

    @property
    def tokens(self) -> list[str]:
        """Every token the block tells apart, each once: the kept ones and :data:`MASK` (in a
        masked block), then those of its terms in order."""
        head = [*sorted(self.kept), MASK] if self.kept is not None else []
        return list(dict.fromkeys([*head, *(t for term in self.terms for t in term.split(" "))]))

    def to_json(self) -> dict:
        """Plain-JSON form (7 significant digits)."""
        return {
            "orders": list(self.orders),
            "kept": None if self.kept is None else sorted(self.kept),
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
            orders=tuple(d["orders"]),
            kept=None if d["kept"] is None else frozenset(d["kept"]),
        )


class NgramScorer:
    """The per-document form of n-gram blocks: their terms present in a text and each one's
    additive contribution to the decision value.

    Equal to each block's tf-idf row of :func:`ngram_counts` times its coefficients (tested).
    Each unit costs one dictionary look-up for all blocks together; the rest is one compiled
    kernel per block: the block's own token ids by table look-up, its unigrams by index, and
    its longer n-grams by their integer codes ``sum(id_i * base ** (n - 1 - i))`` in a hash
    table of its terms' codes."""

    def __init__(self, blocks: Sequence[NgramModel]) -> None:
        ids = {t: i for i, t in enumerate(dict.fromkeys(t for b in blocks for t in b.tokens))}
        self._unknown = len(ids)
        if SENTENCE_END in ids:
            ids[""] = ids[SENTENCE_END]  # a sentence end is an empty unit
        self._ids = ids
        self._blocks = [_BlockTables(block, ids, self._unknown) for block in blocks]
        self._offsets = np.cumsum([0, *(len(b.terms) for b in blocks)])[:-1].tolist()

    def contributions(self, units: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the terms present (ascending; a block's terms follow the previous
        blocks') and their contributions, for a text with these units."""
        ids = np.fromiter(map(self._ids.get, units, repeat(self._unknown)), np.intp, len(units))
        index, values = [], []
        for offset, block in zip(self._offsets, self._blocks, strict=True):
            present, value = block.contributions(ids)
            index.append(present + offset)
            values.append(value)
        return np.concatenate(index), np.concatenate(values)


_HASH_MULTIPLIER = 0x9E3779B97F4A7C15  # 2**64 / golden ratio (Knuth's multiplicative hashing)
_EMPTY = -1


def _hash_table(codes: Sequence[int], values: Sequence[int]) -> tuple[np.ndarray, np.ndarray, int]:
    """Open-addressing hash table (linear probing, at most half full) from non-negative
    ``codes`` to ``values``: the codes and values by slot (code :data:`_EMPTY` in an empty
    slot) and the hash shift, for :func:`_look_up`."""
    bits = max(4, (2 * max(len(codes), 1) - 1).bit_length())
    keys = np.full(1 << bits, _EMPTY, dtype=np.int64)
    found = np.zeros(1 << bits, dtype=np.int64)
    shift = 64 - bits
    for code, value in zip(codes, values, strict=True):
        slot = ((code * _HASH_MULTIPLIER) & 0xFFFFFFFFFFFFFFFF) >> shift
        while keys[slot] != _EMPTY:
            slot = (slot + 1) & (len(keys) - 1)
        keys[slot], found[slot] = code, value
    return keys, found, shift


@numba.njit(cache=True, nogil=True)
def _look_up(keys: np.ndarray, values: np.ndarray, shift: int, code: int) -> int:
    """The value of ``code`` in a :func:`_hash_table`, or -1."""
    mask = keys.size - 1
    slot = np.int64((np.uint64(code) * np.uint64(_HASH_MULTIPLIER)) >> np.uint64(shift))
    while keys[slot] != _EMPTY:
        if keys[slot] == code:
            return values[slot]
        slot = (slot + 1) & mask
    return -1


class _BlockTables:
    """One block's integer tables over the shared token ids of :class:`NgramScorer`: its own
    id of every shared id (``local``), the term of each unigram id (-1: none), and a hash table
    from the codes of its longer terms (an n-gram's code plus ``offset[n]``, so that orders
    never collide) to their term indices."""

    def __init__(self, block: NgramModel, ids: Mapping[str, int], unknown: int) -> None:
        own = {t: i for i, t in enumerate(block.tokens)}
        # A token of no term is MASK in a masked block, else an id no term has.
        other = own[MASK] if block.kept is not None else len(own)
        self.local = np.full(unknown + 1, other, dtype=np.int64)
        for token, i in own.items():
            self.local[ids[token]] = i
        self.base = base = len(own) + 1
        self.orders = np.array(sorted(block.orders), dtype=np.int64)
        longest = int(self.orders[-1])
        self.offset = np.zeros(longest + 1, dtype=np.int64)
        for n in range(3, longest + 1):
            self.offset[n] = self.offset[n - 1] + base ** (n - 1)
        if int(self.offset[longest]) + base**longest >= 2**63:
            raise ValueError(f"{base} token ids do not fit {longest}-gram codes")
        self.unigram = np.full(base, -1, dtype=np.int64)
        pairs = []
        for j, term in enumerate(block.terms):
            tokens = [own[t] for t in term.split(" ")]
            if len(tokens) == 1:
                self.unigram[tokens[0]] = j
            else:
                pairs.append((_code(tokens, base) + int(self.offset[len(tokens)]), j))
        self.keys, self.terms, self.shift = _hash_table(
            *zip(*pairs, strict=True) if pairs else ((), ())
        )
        self.idf, self.coef = block.idf, block.coef

    def contributions(self, shared_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _block_contributions(
            shared_ids, self.local, self.base, self.orders, self.offset, self.unigram,
            self.keys, self.terms, self.shift, self.idf, self.coef,
        )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def _block_contributions(
    shared_ids, local, base, orders, offset, unigram, keys, terms, shift, idf, coef
):
    """The terms of one block present in a text (ascending) and their contributions: the
    l2-normalised sublinear tf-idf weights times the coefficients (see :class:`_BlockTables`
    for the tables)."""
    ids = local[shared_ids]
    longest = orders[-1]
    wanted = np.zeros(longest + 1, dtype=np.bool_)
    for n in orders:
        wanted[n] = True
    found = np.empty(ids.size * orders.size, dtype=np.int64)
    k = 0
    for i in range(ids.size):
        if wanted[1] and unigram[ids[i]] >= 0:
            found[k] = unigram[ids[i]]
            k += 1
        code = ids[i]
        for n in range(2, min(longest, ids.size - i) + 1):
            code = code * base + ids[i + n - 1]
            if wanted[n]:
                term = _look_up(keys, terms, shift, code + offset[n])
                if term >= 0:
                    found[k] = term
                    k += 1
    found = np.sort(found[:k])
    # Run-length count of the sorted term indices: the terms present and their tf.
    present = np.empty(k, dtype=np.int64)
    values = np.empty(k)
    m, start, squares = 0, 0, 0.0
    while start < k:
        end = start + 1
        while end < k and found[end] == found[start]:
            end += 1
        weight = (1.0 + np.log(end - start)) * idf[found[start]]
        present[m], values[m] = found[start], weight
        squares += weight * weight
        m += 1
        start = end
    norm = np.sqrt(squares)
    for q in range(m):
        values[q] = coef[present[q]] * values[q] / norm
    return present[:m], values[:m]


def _code(ids: Sequence[int], base: int) -> int:
    """``sum(id_i * base ** (n - 1 - i))``: one integer per n-gram of token ids."""
    code = 0
    for i in ids:
        code = code * base + i
    return code


def tfidf_matrix(counts: Sequence[Mapping[str, int]], terms: Sequence[str], idf: np.ndarray):
    """``l2``-normalised sublinear tf-idf rows of :func:`ngram_counts` over ``terms`` (scipy
    CSR): the training-time twin of :meth:`NgramScorer.contributions`."""
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
