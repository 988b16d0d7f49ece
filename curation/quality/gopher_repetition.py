"""Gopher repetition heuristics (Rae et al. 2021, appendix A.1.1 and table A1), as implemented
by datatrove's ``GopherRepetitionFilter``."""

from __future__ import annotations

import dataclasses
from itertools import repeat
from operator import truediv

import numpy as np

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.text import TextStats, duplicate_stats

__all__ = ["DUP_NGRAM_SIZES", "TOP_NGRAM_SIZES", "GopherRepetition", "duplicate_stats"]

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
#: N-grams up to this size are grouped at every position by one sort; a longer one, at most
#: twice as long, only where the two n-grams of this size it is made of both repeat.
_BASE = 5


def _span_chars(tokens: list[str], start: int, n: int) -> int:
    """Characters of the ``n`` tokens from ``start`` (no separators)."""
    return sum(map(len, tokens[start : start + n]))


def _packed_keys(ids: np.ndarray, width: int) -> list[tuple[np.ndarray, int]]:
    """The ``width``-gram at every position (ids past the end are 0) as integer keys, most
    significant first: each key packs the ids of as many consecutive tokens as fit in 63 bits
    (all ``width`` in one key below 2**(63 // width) tokens); with the number of tokens packed."""
    size = ids.size
    bits = size.bit_length()
    per_key = 63 // bits
    padded = np.zeros(size + width - 1, dtype=np.int64)
    padded[:size] = ids
    keys = []
    for first in range(0, width, per_key):
        columns = range(first, min(first + per_key, width))
        key = padded[first : first + size].copy()
        for column in columns[1:]:
            key <<= bits
            key |= padded[column : column + size]
        keys.append((key, len(columns)))
    return keys


def _sort_ngrams(ids: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions sorted by the ``width``-gram starting there, and how many leading tokens the
    n-gram at each position in that order shares with the previous one, with ``-1`` before the
    first and after the last (``size + 1`` values).

    In this order the n-grams of every size up to ``width`` are grouped: a new n-gram starts
    where fewer than n tokens are shared. Several keys (long documents) are sorted as a radix
    sort: by the least significant key, then stably by each more significant one.
    """
    keys = _packed_keys(ids, width)
    bits = ids.size.bit_length()
    order = keys[-1][0].argsort()
    for key, _ in keys[-2::-1]:
        order = order[np.argsort(key[order], kind="stable")]
    shared = np.full(ids.size + 1, -1, dtype=np.int64)
    known = 0
    for key, count in keys:
        ordered = key[order]
        limits = [1 << (bits * column) for column in range(count)]
        same = count - np.searchsorted(limits, ordered[1:] ^ ordered[:-1], side="right")
        if known:
            same = np.where(shared[1:-1] == known, known + same, shared[1:-1])
        shared[1:-1] = same
        known += count
    return order, shared


def _greedy_duplicate_chars(tokens: list[str], n: int, labels: dict[int, int]) -> int:
    """Gopher's left-to-right scan of duplicated ``n``-grams (``_BASE <= n <= 2 * _BASE``),
    over the positions whose ``_BASE``-gram repeats only (``labels``, in increasing order, the
    ids of those ``_BASE``-grams; see :func:`_dense_levels`). The ``n``-gram at ``i`` repeats
    only if the ``_BASE``-grams at ``i`` and at ``i + n - _BASE`` both repeat, and is
    identified by their two ids (below the number of tokens, packed into one integer); a
    unique n-gram never matches later, so skipping it does not change the result, and a
    position that is not a repeat never moves the next start. 0 exactly when no n-gram
    repeats: the first repeat is always reached."""
    seen: set[int] = set()
    add, end_label = seen.add, labels.get
    shift, stride = n - _BASE, len(tokens)
    chars = next_start = 0
    for i, label in labels.items():
        if i < next_start or (end := end_label(i + shift)) is None:
            continue
        gram = label * stride + end
        if gram in seen:
            chars += sum(map(len, tokens[i : i + n]))
            next_start = i + n
        else:
            add(gram)
    return chars


def _dense_levels(tokens: list[str], ids: np.ndarray, top: dict[int, int]) -> dict[int, int]:
    """N-grams of sizes 2 to ``_BASE`` at every position, grouped by :func:`_sort_ngrams`.
    Fills ``top`` (sizes up to ``_BASE`` that repeat). Returns the positions whose
    ``_BASE``-gram repeats, in increasing order, each with an id of that ``_BASE``-gram (below
    the number of tokens); empty if none repeats (then no longer n-gram repeats either)."""
    order, shared = _sort_ngrams(ids, _BASE)
    # An n-gram repeats exactly when n tokens are shared somewhere in sorted order.
    longest = int(shared.max())
    for n in top:
        if n <= longest:
            bounds = (shared < n).nonzero()[0]
            counts = bounds[1:] - bounds[:-1]
            most = int(counts.max())
            # The n-gram seen first among the most frequent: the least position in their groups.
            tied = bounds[:-1][counts == most]
            first = int(order[tied[:, None] + np.arange(most)].min())
            top[n] = (_span_chars(tokens, first, n) + n - 1) * most
    if longest < _BASE:
        return {}
    # In sorted order, a _BASE-gram repeats if it is shared with a neighbour; the copies are
    # consecutive, and the sorted index of the first copy is an id of the group.
    repeats = ((shared[:-1] >= _BASE) | (shared[1:] >= _BASE)).nonzero()[0]
    labels = np.maximum.accumulate(np.where(shared[repeats] >= _BASE, 0, repeats))
    return dict(sorted(zip(order[repeats].tolist(), labels.tolist(), strict=True)))


def ngram_repetition(tokens: list[str], ids: np.ndarray) -> tuple[dict[int, int], dict[int, int]]:
    """Characters of the most frequent n-gram (``TOP_NGRAM_SIZES``) and of duplicated n-grams
    (``DUP_NGRAM_SIZES``); ``ids`` are the tokens' ids (:func:`~curation.quality.text.token_ids`).

    Top n-gram: its length (tokens joined by single spaces) times its count, ties going to the
    n-gram seen first (datatrove's ``find_top_duplicate``). Duplicated n-grams: characters
    (spaces excluded) of n-grams that repeat an earlier one, scanning left to right and jumping
    past each repeat so overlapping repeats are not counted twice (Gopher's definition,
    datatrove's ``find_all_duplicate``).

    N-grams are compared exactly. Sizes up to 5 are grouped at every position with one sort
    (:func:`_dense_levels`); a longer n-gram is scanned only where the two 5-grams it is made
    of (at its start and at its end) both repeat, and is identified by their ids. If no n-gram
    of a size repeats, no longer one does, and most documents stop early.
    """
    size = len(tokens)
    top = {n: _span_chars(tokens, 0, n) + n - 1 if size >= n else 0 for n in TOP_NGRAM_SIZES}
    dup = dict.fromkeys(DUP_NGRAM_SIZES, 0)
    labels = _dense_levels(tokens, ids, top) if size >= 3 else {}
    for n in DUP_NGRAM_SIZES:
        dup[n] = _greedy_duplicate_chars(tokens, n, labels)
        if not dup[n]:
            break
    return top, dup


def _top_name(n: int) -> str:
    return f"top_{n}gram_char_frac"


def _dup_name(n: int) -> str:
    return f"dup_{n}gram_char_frac"


_LINE_METRICS = ("dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac")
_NGRAM_METRICS = tuple(map(_top_name, TOP_NGRAM_SIZES)) + tuple(map(_dup_name, DUP_NGRAM_SIZES))


@dataclasses.dataclass(frozen=True)
class GopherRepetition(ThresholdScorer):
    """Gopher's repetition rules; defaults are table A1 of Rae et al. 2021.

    Fractions of paragraphs/lines are over element counts; character fractions are over the
    document's characters (``len(text)``). Paragraphs are separated by blank lines, lines are
    the non-blank lines. N-grams are over tokens (punctuation tokens included, as with
    datatrove's spaCy tokens); n-gram metrics are ``None`` for languages written without
    spaces (a character is not a word, and the thresholds are calibrated on words).
    """

    name = "gopher_repetition"
    metrics = _LINE_METRICS + _NGRAM_METRICS
    rules = tuple(Rule(metric, metric, max_arg=f"max_{metric}") for metric in metrics)

    max_dup_para_frac: float | None = 0.30
    max_dup_para_char_frac: float | None = 0.20
    max_dup_line_frac: float | None = 0.30
    max_dup_line_char_frac: float | None = 0.20
    max_top_2gram_char_frac: float | None = 0.20
    max_top_3gram_char_frac: float | None = 0.18
    max_top_4gram_char_frac: float | None = 0.16
    max_dup_5gram_char_frac: float | None = 0.15
    max_dup_6gram_char_frac: float | None = 0.14
    max_dup_7gram_char_frac: float | None = 0.13
    max_dup_8gram_char_frac: float | None = 0.12
    max_dup_9gram_char_frac: float | None = 0.11
    max_dup_10gram_char_frac: float | None = 0.10

    def compute(self, stats: TextStats) -> Scores:
        """See the class docstring."""
        scores: Scores = dict.fromkeys(self.metrics)
        size = len(stats.text)
        if not size:
            return scores
        paragraphs, lines = stats.paragraphs, stats.lines
        if paragraphs:
            elements, chars = duplicate_stats(paragraphs)
            scores["dup_para_frac"] = elements / len(paragraphs)
            scores["dup_para_char_frac"] = chars / size
        if lines:
            elements, chars = stats.line_duplicates
            scores["dup_line_frac"] = elements / len(lines)
            scores["dup_line_char_frac"] = chars / size
        if not stats.spaced:
            return scores
        top, dup = ngram_repetition(stats.tokens, stats.token_ids.ids)
        ngram_chars = [*top.values(), *dup.values()]
        scores.update(zip(_NGRAM_METRICS, map(truediv, ngram_chars, repeat(size)), strict=True))
        return scores
