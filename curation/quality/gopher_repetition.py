"""Gopher repetition heuristics (Rae et al. 2021, appendix A.1.1 and table A1), as implemented
by datatrove's ``GopherRepetitionFilter``."""

from __future__ import annotations

import dataclasses
from itertools import accumulate

import numpy as np

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.text import TextStats

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)


def duplicate_stats(items: list[str]) -> tuple[int, int]:
    """``(elements, characters)`` of the items that repeat an earlier item (first copies free)."""
    seen: set[str] = set()
    elements = chars = 0
    for item in items:
        if item in seen:
            elements += 1
            chars += len(item)
        else:
            seen.add(item)
    return elements, chars


#: Odd 64-bit multiplier of the polynomial rolling hash that identifies n-grams.
_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)


def ngram_ids(tokens: list[str], max_n: int) -> np.ndarray:
    """Row ``n - 2`` holds an id for the n-gram starting at each position, for n = 2..max_n.

    Ids are a polynomial rolling hash, modulo 2**64, of the tokens' 64-bit ``hash`` values;
    two different n-grams share an id only on a 64-bit collision (probability below 1e-9 even
    for a 100,000-token document). Positions where no n-gram starts get distinct filler ids.
    """
    size = len(tokens)
    token_ids = np.fromiter(map(hash, tokens), dtype=np.int64, count=size).view(np.uint64)
    rows = np.empty((max_n - 1, size), dtype=np.uint64)
    rows[:] = np.arange(size, dtype=np.uint64) + _HASH_BASE  # filler: distinct, unlike real ids
    previous = token_ids
    for n in range(2, min(max_n, size) + 1):
        current = rows[n - 2, : size - n + 1]
        np.multiply(previous[:-1], _HASH_BASE, out=current)
        np.add(current, token_ids[n - 1 :], out=current)
        previous = current
    return rows


def _group(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: positions sorted by id, and for each sorted element its group (equal ids,
    numbered across all rows) and that group's size."""
    order = np.argsort(rows, axis=1)
    ordered = np.take_along_axis(rows, order, axis=1)
    starts = np.ones(rows.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts.ravel()).reshape(rows.shape) - 1
    return order, group, np.bincount(group.ravel())[group]


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

    Sizes are grouped by a row-wise sort of the n-gram ids, in two blocks (the top sizes and
    the first duplicate size, then the rest): if no n-gram of the first block's largest size
    repeats, no longer one does, and most documents stop there.
    """
    offsets = list(accumulate(map(len, tokens), initial=0))
    top = {n: offsets[n] + n - 1 if len(tokens) >= n else 0 for n in top_sizes}
    dup = dict.fromkeys(dup_sizes, 0)
    sizes = sorted(top_sizes + dup_sizes)
    if len(tokens) < 2:
        return top, dup
    ids = ngram_ids(tokens, sizes[-1])
    cut = len(top_sizes) + 1
    for block in (sizes[:cut], sizes[cut:]):
        if not block:
            continue
        order, group, count = _group(ids[block[0] - 2 : block[-1] - 1])
        most = count.max(axis=1).tolist()
        for row, n in enumerate(block):
            if most[row] == 1:  # every n-gram is unique (the first one is the top one)
                continue
            if n in top:
                first = int(order[row][count[row] == most[row]].min())
                top[n] = (offsets[first + n] - offsets[first] + n - 1) * most[row]
            if n in dup:
                repeated = count[row] > 1
                positions = order[row][repeated]
                by_position = np.argsort(positions)
                dup[n] = _greedy_duplicate_chars(
                    offsets,
                    n,
                    positions[by_position].tolist(),
                    group[row][repeated][by_position].tolist(),
                )
        if most[-1] == 1:
            break
    return top, dup


def _greedy_duplicate_chars(
    offsets: list[int], n: int, positions: list[int], ids: list[int]
) -> int:
    """The left-to-right scan of duplicated n-grams over the repeated positions only (unique
    n-grams never match later, so skipping them does not change the result)."""
    seen: set[int] = set()
    chars = next_start = 0
    for i, gram in zip(positions, ids, strict=True):
        if i < next_start:
            continue
        if gram in seen:
            chars += offsets[i + n] - offsets[i]
            next_start = i + n
        else:
            seen.add(gram)
            next_start = i + 1
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
        for kind, items in (("para", stats.paragraphs), ("line", stats.lines)):
            if items:
                elements, chars = duplicate_stats(items)
                scores[f"dup_{kind}_frac"] = elements / len(items)
                scores[f"dup_{kind}_char_frac"] = chars / size
        if not stats.spaced:
            return scores
        top, dup = ngram_repetition(stats.tokens, TOP_NGRAM_SIZES, DUP_NGRAM_SIZES)
        for n, chars in top.items():
            scores[_top_name(n)] = chars / size
        for n, chars in dup.items():
            scores[_dup_name(n)] = chars / size
        return scores
