"""Gopher repetition heuristics (Rae et al. 2021, appendix A.1.1 and table A1), as implemented
by datatrove's ``GopherRepetitionFilter``."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from functools import lru_cache
from itertools import compress
from operator import ne

import numpy as np

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.text import TextStats, duplicate_stats

__all__ = ["DUP_NGRAM_SIZES", "TOP_NGRAM_SIZES", "GopherRepetition", "duplicate_stats"]

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
#: Sizes up to this one are grouped at every position (numpy); longer ones from a base.
_DENSE_MAX = 4


def _span_chars(tokens: list[str], start: int, n: int) -> int:
    """Characters of the ``n`` tokens from ``start`` (no separators)."""
    return sum(map(len, tokens[start : start + n]))


def _first_positions(keys: Iterable[Hashable], positions: Sequence[int]) -> tuple[list[int], bool]:
    """For each key (the n-gram at the matching position), the position where that n-gram
    first occurs, which identifies it; and whether every n-gram is unique."""
    first: dict[Hashable, int] = {}
    groups = list(map(first.setdefault, keys, positions))
    return groups, len(first) == len(groups)


def _top_chars(tokens: list[str], n: int, later_groups: list[int]) -> int:
    """Characters of the most frequent n-gram (joined by spaces) times its count, ties going to
    the n-gram seen first; ``later_groups`` holds the first position of every repeat."""
    copies = Counter(later_groups)
    most = max(copies.values())
    first = min(group for group, count in copies.items() if count == most)
    return (_span_chars(tokens, first, n) + n - 1) * (most + 1)


@dataclasses.dataclass
class _Base:
    """The repeated n-grams of one size ``n``, from which longer n-grams are found."""

    n: int
    #: Sorted positions whose n-gram occurs more than once.
    repeated: list[int]
    #: Position -> id of the n-gram there (for at least ``repeated``); equal ids, equal n-grams.
    group_of: Sequence[int] | dict[int, int]
    #: ``repeated`` as a set.
    repeated_set: set[int] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.repeated_set = set(self.repeated)

    def candidates(self, n: int) -> tuple[list[int], list[tuple[int, int]]]:
        """Positions where an ``n``-gram may repeat, and keys identifying it.

        An ``n``-gram that repeats starts with a repeated ``self.n``-gram (at ``p``) and ends
        with one (at ``p + n - self.n``); as long as ``n <= 2 * self.n`` the two cover it, so
        the pair of their ids identifies it exactly.
        """
        offset = n - self.n
        group_at = self.group_of.__getitem__
        starts = self.repeated_set.intersection(map(offset.__rsub__, self.repeated))
        positions = sorted(starts)
        ends = map(offset.__add__, positions)
        return positions, list(zip(map(group_at, positions), map(group_at, ends), strict=True))

    def duplicate_chars(self, tokens: list[str], n: int) -> int:
        """:func:`_greedy_duplicate_chars` for ``n``-grams, over the candidates of
        :meth:`candidates`, generated lazily in position order rather than listed first.
        0 exactly when no ``n``-gram repeats: the first repeat of any n-gram is always seen."""
        offset = n - self.n
        group_of, repeated_set = self.group_of, self.repeated_set
        grams = (
            (i, (group_of[i], group_of[i + offset]))
            for i in self.repeated
            if i + offset in repeated_set
        )
        return _greedy_duplicate_chars(tokens, n, grams)


@lru_cache(maxsize=16)
def _base_sizes(sizes: tuple[int, ...]) -> frozenset[int]:
    """Sizes whose repeated n-grams are kept to find longer ones: the last size grouped at
    every position, then, while the largest size is more than twice the last base, the next
    base as long as possible but not beyond twice the last base or half the largest size
    (4 and 5 for sizes up to 10)."""
    largest = sizes[-1]
    base = min(largest, _DENSE_MAX)
    bases = {base}
    while 2 * base < largest:
        base = min(2 * base, -(-largest // 2))
        bases.add(base)
    return frozenset(bases)


def _sorted_groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group equal ``keys`` (one per position) by a stable sort: each position's group label,
    each group's size, and each group's first position (labels number the groups in key
    order)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.empty(keys.size, dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    run = np.cumsum(starts) - 1
    labels = np.empty_like(run)
    labels[order] = run
    return labels, np.bincount(run), order[starts]


def _dense_levels(tokens: list[str], top: dict[int, int], sizes: tuple[int, ...]) -> _Base | None:
    """N-grams of sizes 2 to 4 (or fewer) at every position, grouped with numpy on exact
    integer keys: a bigram's key is its two token ids (first positions), and a 3- or 4-gram's
    key is the labels of the bigrams at its start and at its end. Fills ``top``; returns the
    repeated n-grams of the last size as a base for longer ones, or ``None`` if some size has
    no repeat (then no longer n-gram repeats either)."""
    size = len(tokens)
    index: dict[str, int] = {}
    ids = np.fromiter(map(index.setdefault, tokens, range(size)), dtype=np.int64, count=size)
    bigram_labels = None
    for n in sizes:
        if size - n + 1 < 2:
            return None
        if n == 2:
            keys = ids[:-1] * size + ids[1:]
        else:
            keys = bigram_labels[: 2 - n] * size + bigram_labels[n - 2 :]
        labels, counts, firsts = _sorted_groups(keys)
        most = int(counts.max())
        if most == 1:
            return None
        if n in top:
            start = int(firsts[counts == most].min())
            top[n] = (_span_chars(tokens, start, n) + n - 1) * most
        if n == 2:
            bigram_labels = labels
    repeated = np.flatnonzero(counts[labels] > 1).tolist()
    return _Base(sizes[-1], repeated, labels.tolist())


def ngram_repetition(
    tokens: list[str], top_sizes: tuple[int, ...], dup_sizes: tuple[int, ...]
) -> tuple[dict[int, int], dict[int, int]]:
    """Characters of the most frequent n-gram (``top_sizes``) and of duplicated n-grams
    (``dup_sizes``); the sizes together must be consecutive from 2.

    Top n-gram: its length (tokens joined by single spaces) times its count, ties going to the
    n-gram seen first (datatrove's ``find_top_duplicate``). Duplicated n-grams: characters
    (spaces excluded) of n-grams that repeat an earlier one, scanning left to right and jumping
    past each repeat so overlapping repeats are not counted twice (Gopher's definition,
    datatrove's ``find_all_duplicate``).

    N-grams are compared exactly. Sizes 2 to 4 are grouped at every position with numpy
    (:func:`_dense_levels`); a longer size only where the two shorter n-grams it is made of
    both repeat, in a *base* size at least half as long (4 for 5, 5 for 6 to 10, see
    :func:`_base_sizes`). If no n-gram of a size repeats, no longer one does, and most
    documents stop early.
    """
    size = len(tokens)
    top = {n: _span_chars(tokens, 0, n) + n - 1 if size >= n else 0 for n in top_sizes}
    dup = dict.fromkeys(dup_sizes, 0)
    sizes = tuple(sorted(top_sizes + dup_sizes))
    dense = tuple(n for n in sizes if n <= _DENSE_MAX)
    base = _dense_levels(tokens, top, dense)
    if base is None:
        return top, dup
    bases = _base_sizes(sizes)
    for n in sizes[len(dense) :]:
        if n not in top and n not in bases:
            dup[n] = base.duplicate_chars(tokens, n)
            if not dup[n]:
                break
            continue
        positions, keys = base.candidates(n)
        groups, unique = _first_positions(keys, positions)
        if unique:
            break
        if n in dup:
            dup[n] = _greedy_duplicate_chars(tokens, n, zip(positions, groups, strict=True))
        if n in top or n in bases:
            later = list(map(ne, groups, positions))
            later_groups = list(compress(groups, later))
            if n in top:
                top[n] = _top_chars(tokens, n, later_groups)
            if n in bases:
                repeated = sorted(set(later_groups).union(compress(positions, later)))
                base = _Base(n, repeated, dict(zip(positions, groups, strict=True)))
    return top, dup


def _greedy_duplicate_chars(
    tokens: list[str], n: int, grams: Iterable[tuple[int, Hashable]]
) -> int:
    """The left-to-right scan of duplicated n-grams over ``(position, n-gram key)`` pairs only:
    they must include every position whose n-gram repeats (a unique n-gram never matches
    later, so skipping it does not change the result). Positions increase, so a position that
    is not a repeat never has to move the scan's next start."""
    seen: set[Hashable] = set()
    add = seen.add
    chars = next_start = 0
    for i, gram in grams:
        if i < next_start:
            continue
        if gram in seen:
            chars += sum(map(len, tokens[i : i + n]))
            next_start = i + n
        else:
            add(gram)
    return chars


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
        top, dup = ngram_repetition(stats.tokens, TOP_NGRAM_SIZES, DUP_NGRAM_SIZES)
        for n, chars in top.items():
            scores[_top_name(n)] = chars / size
        for n, chars in dup.items():
            scores[_dup_name(n)] = chars / size
        return scores
