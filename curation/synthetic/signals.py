"""Interpretable, length-robust signals of machine-generated text.

All signals are computed on whitespace-normalised text (see :mod:`curation.synthetic.text`)
and, except ``n_words`` and ``disclaimer_hits``, are rates or ratios whose expected value does
not grow with document length. Lexicon signals are only meaningful for English; the structural
signals (burstiness, MATTR, compression, punctuation) are language-agnostic. The repetition
signals (MATTR, repeated trigrams, loops) work on integer token ids
(:func:`curation.quality.text.token_ids`) in one numba kernel, compiled on
first use and cached next to this file like the quality scorers' (:mod:`curation.quality.ngrams`).

Fairness note (Liang et al. 2023, "GPT detectors are biased against non-native English
writers"): low lexical variety and uniform sentence lengths are typical of non-native and young
writers. Those signals are reported, but the model in :mod:`curation.synthetic.model` only uses
them where the training script found they do not push plain human prose towards "machine"
(see ``docs/synthetic.md``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from curation.quality.text import token_ids
from curation.synthetic.lexicons import Lexicons, default_lexicons
from curation.synthetic.text import (
    normalise,
    sentence_initials,
    tokens_and_sentence_lengths,
    units,
)

# MATTR window in tokens (Covington & McFall 2010 use 50 as their reference window; it is below
# the 50-word minimum this package scores, so the ratio is defined for every scored text).
MATTR_WINDOW = 50
# Burstiness needs a few sentences to be a coefficient of variation at all.
MIN_SENTENCES_FOR_BURSTINESS = 3
# Word-length cut-offs (characters) of the short- and long-word shares.
SHORT_WORD_CHARS = 3
LONG_WORD_CHARS = 7
# Loops: a word n-gram this long that occurs twice is almost never chance repetition in prose
# (plain writers repeat 2-4-word phrases, not 8-word ones), but it is how degenerate sampling
# from a base model looks (Holtzman et al. 2020).
LOOP_NGRAM = 8

_EM_DASHES = ("\u2014", " \u2013 ")
_COMMAS = (",", "\u060c", "\uff0c", "\u3001")
_PARENS = ("(", ")", "\uff08", "\uff09")
# Markdown structure that survives whitespace normalisation: bullets, numbered items and
# headings after a space (the text is prefixed with one), plus ``**`` bold markers.
_STRUCTURE_RE = re.compile(r" (?:[-*\u2022]|\d{1,2}[.)]|#{1,6}) ")

SIGNAL_NAMES: tuple[str, ...] = (
    "n_words",
    "marker_rate",
    "slop_word_rate",
    "stock_phrase_rate",
    "disclaimer_hits",
    "burstiness",
    "mean_sentence_words",
    "mattr",
    "zlib_ratio",
    "repeat_trigram_rate",
    "list_density",
    "em_dash_rate",
    "comma_rate",
    "mean_word_chars",
    "digit_rate",
    "paren_rate",
    "lower_start_rate",
    "short_word_share",
    "long_word_share",
    "loop_rate",
)
"""Order of the numeric signals returned by :func:`compute_signals`."""


@numba.njit(cache=True, nogil=True)
def _previous_occurrences(ids: np.ndarray) -> np.ndarray:
    """For each position of ``ids`` (non-negative ints), the previous position with the same id,
    or -1."""
    last = np.full(ids.max() + 1 if ids.size else 1, -1, dtype=np.int64)
    previous = np.empty(ids.size, dtype=np.int64)
    for i in range(ids.size):
        previous[i] = last[ids[i]]
        last[ids[i]] = i
    return previous


@numba.njit(cache=True, nogil=True)
def _repeated_ngrams(ids: np.ndarray, previous: np.ndarray, n: int) -> np.ndarray:
    """For each word ``n``-gram start ``i``, whether the n-gram equals one that starts earlier
    (``previous``: :func:`_previous_occurrences` of ``ids``).

    Exact: walks the earlier occurrences of the n-gram's first token and compares the rest
    (time ~ tokens x occurrences of a token; within microseconds for prose).
    """
    count = max(ids.size - n + 1, 0)
    repeated = np.zeros(count, dtype=np.bool_)
    for i in range(count):
        j = previous[i]
        while j >= 0 and not repeated[i]:
            k = 1
            while k < n and ids[j + k] == ids[i + k]:
                k += 1
            repeated[i] = k == n
            j = previous[j]
    return repeated


@numba.njit(cache=True, nogil=True)
def _window_types(previous: np.ndarray, window: int) -> int:
    """Distinct tokens summed over every ``window``-token window (a token is new in every window
    that starts after its previous occurrence and at most at its position), or the text's
    distinct tokens when it is not longer than ``window`` (``previous``:
    :func:`_previous_occurrences`)."""
    n = previous.size
    types = 0
    if n <= window:
        for i in range(n):
            types += previous[i] < 0
        return types
    last_start = n - window
    for i in range(n):
        lo = max(previous[i] + 1, i - window + 1)
        hi = min(i, last_start)
        if hi >= lo:
            types += hi - lo + 1
    return types


@numba.njit(cache=True, nogil=True)
def _repetition_counts(ids: np.ndarray, window: int, loop_n: int) -> tuple[int, int, int]:
    """The integer counts behind :class:`Repetition`, in one call: :func:`_window_types`; word
    3-grams that repeat an earlier one; tokens inside a word ``loop_n``-gram that repeats an
    earlier one."""
    previous = _previous_occurrences(ids)
    repeated_trigrams = _repeated_ngrams(ids, previous, 3).sum()
    covered = end = 0
    for i in np.flatnonzero(_repeated_ngrams(ids, previous, loop_n)):
        covered += i + loop_n - max(i, end)
        end = i + loop_n
    return _window_types(previous, window), repeated_trigrams, covered


def _mattr(window_types: int, n: int, window: int) -> float:
    """MATTR of ``n`` > 0 tokens from :func:`_window_types`."""
    return window_types / n if n <= window else window_types / ((n - window + 1) * window)


def mattr(ids: np.ndarray, window: int = MATTR_WINDOW) -> float:
    """:attr:`Repetition.mattr` alone, in time linear in ``len(ids)`` > 0 (the repeated n-gram
    counts of :func:`repetition` grow with the occurrences of each token: fine for a document,
    slow for a long stream)."""
    return _mattr(_window_types(_previous_occurrences(ids), window), len(ids), window)


class Repetition(NamedTuple):
    """Repetition signals of one token-id sequence (equal tokens, equal ids)."""

    #: Moving-average type-token ratio in [0, 1] after Covington & McFall 2010: mean TTR over
    #: every ``window``-token window; plain TTR when the text is shorter.
    mattr: float
    #: Share of word 3-grams that repeat an earlier 3-gram, in [0, 1) (degenerate looping).
    repeat_trigram_rate: float
    #: Share of tokens inside a word ``loop_n``-gram that repeats an earlier one, in [0, 1): 0
    #: for ordinary prose, large for sampling loops ("the man said that the man said that").
    loop_rate: float


def repetition(ids: np.ndarray, window: int = MATTR_WINDOW, loop_n: int = LOOP_NGRAM) -> Repetition:
    """The :class:`Repetition` signals of token ids ``ids`` (non-negative ints)."""
    n = len(ids)
    if n == 0:
        return Repetition(0.0, 0.0, 0.0)
    window_types, repeated, covered = _repetition_counts(ids, window, loop_n)
    trigrams = max(n - 2, 0)
    rate = 1.0 - (trigrams - int(repeated)) / trigrams if trigrams else 0.0
    return Repetition(_mattr(window_types, n, window), rate, int(covered) / n)


def burstiness(sentence_lengths: list[int]) -> float | None:
    """Coefficient of variation (std / mean) of sentence lengths in tokens, >= 0.

    ``None`` with fewer than :data:`MIN_SENTENCES_FOR_BURSTINESS` sentences. Human prose tends
    to vary sentence length more than LLM output (GPTZero's "burstiness"; Tian 2023).
    """
    n = len(sentence_lengths)
    if n < MIN_SENTENCES_FOR_BURSTINESS:
        return None
    mean = sum(sentence_lengths) / n
    variance = sum((k - mean) ** 2 for k in sentence_lengths) / n
    return math.sqrt(variance) / mean if mean else None


def zlib_ratio(text: str) -> float:
    """Compressed / raw UTF-8 size (zlib level 6), in (0, ~1.1]; lower = more redundant text."""
    raw = text.encode("utf-8")
    return len(zlib.compress(raw, 6)) / len(raw) if raw else 1.0


def phrase_hits(
    tokens: list[str], phrases: dict[tuple[str, str], frozenset[tuple[str, ...]]]
) -> int:
    """Occurrences of multi-word lexicon phrases in lower-cased ``tokens``.

    ``phrases`` maps a phrase's first two tokens to the phrases that start with them.
    """
    hits = 0
    for i, candidates in enumerate(map(phrases.get, zip(tokens, tokens[1:], strict=False))):
        if candidates:
            hits += sum(1 for p in candidates if tuple(tokens[i : i + len(p)]) == p)
    return hits


def _count_any(text: str, needles: tuple[str, ...]) -> int:
    return sum(text.count(n) for n in needles)


def _structure_marks(text: str) -> int:
    """Bullets / numbered items / headings plus ``**`` bold markers."""
    return len(_STRUCTURE_RE.findall(" " + text)) + text.count("**")


@dataclass(frozen=True)
class Analysis:
    """What the scorer needs of one text: its signals and the :func:`~curation.synthetic.text.
    units` of its normalised, lower-cased text (word tokens and sentence ends, the n-gram
    inputs' source)."""

    signals: dict[str, float | int | None]
    units: list[str]


def compute_signals(text: str, lexicons: Lexicons | None = None) -> dict[str, float | int | None]:
    """All :data:`SIGNAL_NAMES` for ``text`` (normalised here; rates are per 1,000 tokens)."""
    return analyse(text, lexicons).signals


def _count_of(counts: dict[str, int], words: frozenset[str]) -> int:
    """Occurrences of any of ``words`` (exact: integer counts, any order)."""
    return sum(counts[w] for w in words.intersection(counts))


def analyse(text: str, lexicons: Lexicons | None = None) -> Analysis:
    """:func:`compute_signals` plus the text's units."""
    lex = lexicons or default_lexicons()
    norm = normalise(text)
    lower = norm.lower()
    lower_units = units(lower)
    tokens, sentence_lengths = tokens_and_sentence_lengths(lower_units)
    counts = Counter(tokens)  # in order of first occurrence
    repeats = repetition(token_ids(tokens).ids)
    chars = short = long = 0  # tokens' characters; tokens of short and of long words
    for token, count in counts.items():
        size = len(token)
        chars += size * count
        if size <= SHORT_WORD_CHARS:
            short += count
        elif size >= LONG_WORD_CHARS:
            long += count
    initials = sentence_initials(norm)
    n = len(tokens)
    per_k = 1000.0 / n if n else 0.0
    share = 1.0 / n if n else 0.0
    signals: dict[str, float | int | None] = {
        "n_words": n,
        "marker_rate": per_k * _count_of(counts, lex.marker_words),
        "slop_word_rate": per_k * _count_of(counts, lex.slop_words),
        "stock_phrase_rate": per_k * phrase_hits(tokens, lex.phrases),
        "disclaimer_hits": sum(len(r.findall(lower)) for r in lex.disclaimer_res),
        "burstiness": burstiness(sentence_lengths),
        "mean_sentence_words": n / len(sentence_lengths) if sentence_lengths else 0.0,
        "mattr": repeats.mattr,
        "zlib_ratio": zlib_ratio(norm),
        "repeat_trigram_rate": repeats.repeat_trigram_rate,
        "list_density": _structure_marks(norm) / max(len(sentence_lengths), 1),
        "em_dash_rate": per_k * _count_any(norm, _EM_DASHES),
        "comma_rate": per_k * _count_any(norm, _COMMAS),
        "mean_word_chars": chars * share,
        "digit_rate": per_k * sum(map(counts.__getitem__, filter(str.isdigit, counts))),
        "paren_rate": per_k * _count_any(norm, _PARENS),
        "lower_start_rate": sum(map(str.islower, initials)) / max(len(initials), 1),
        "short_word_share": share * short,
        "long_word_share": share * long,
        "loop_rate": repeats.loop_rate,
    }
    return Analysis(signals=signals, units=lower_units)
