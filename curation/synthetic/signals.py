"""Interpretable, length-robust signals of machine-generated text.

All signals are computed on whitespace-normalised text (see :mod:`curation.synthetic.text`)
and, except ``n_words`` and ``disclaimer_hits``, are rates or ratios whose expected value does
not grow with document length. Lexicon signals are only meaningful for English; the structural
signals (burstiness, MATTR, compression, punctuation) are language-agnostic.

Fairness note (Liang et al. 2023, "GPT detectors are biased against non-native English
writers"): low lexical variety and uniform sentence lengths are typical of non-native and young
writers. Those signals are reported, but the model in :mod:`curation.synthetic.model` only uses
them where the training script found they do not push plain human prose towards "machine"
(see ``docs/synthetic.md``).
"""

from __future__ import annotations

import re
import statistics
import zlib
from dataclasses import dataclass

from curation.synthetic.lexicons import Lexicons, default_lexicons
from curation.synthetic.text import normalise, split_sentences, tokens_and_sentence_lengths

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


def mattr(tokens: list[str], window: int = MATTR_WINDOW) -> float:
    """Moving-average type-token ratio in [0, 1] (Covington & McFall 2010).

    Mean TTR over every ``window``-token window; plain TTR when the text is shorter. Computed
    in one pass: token ``i`` is new in every window that starts after its previous occurrence.
    """
    n = len(tokens)
    if n == 0:
        return 0.0
    if n <= window:
        return len(set(tokens)) / n
    last_start = n - window
    last_seen: dict[str, int] = {}
    total = 0
    for i, tok in enumerate(tokens):
        lo = last_seen.get(tok, -1) + 1
        if lo < i - window + 1:
            lo = i - window + 1
        hi = i if i < last_start else last_start
        if hi >= lo:
            total += hi - lo + 1
        last_seen[tok] = i
    return total / ((last_start + 1) * window)


def burstiness(sentence_lengths: list[int]) -> float | None:
    """Coefficient of variation (std / mean) of sentence lengths in tokens, >= 0.

    ``None`` with fewer than :data:`MIN_SENTENCES_FOR_BURSTINESS` sentences. Human prose tends
    to vary sentence length more than LLM output (GPTZero's "burstiness"; Tian 2023).
    """
    if len(sentence_lengths) < MIN_SENTENCES_FOR_BURSTINESS:
        return None
    mean = statistics.fmean(sentence_lengths)
    return statistics.pstdev(sentence_lengths, mean) / mean if mean else None


def zlib_ratio(text: str) -> float:
    """Compressed / raw UTF-8 size (zlib level 6), in (0, ~1.1]; lower = more redundant text."""
    raw = text.encode("utf-8")
    return len(zlib.compress(raw, 6)) / len(raw) if raw else 1.0


def repeat_trigram_rate(tokens: list[str]) -> float:
    """Share of word 3-grams that repeat an earlier 3-gram, in [0, 1) (degenerate looping)."""
    trigrams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
    return 1.0 - len(set(trigrams)) / len(trigrams) if trigrams else 0.0


def loop_rate(tokens: list[str], n: int = LOOP_NGRAM) -> float:
    """Share of tokens inside a word ``n``-gram that repeats an earlier one, in [0, 1).

    0 for ordinary prose; large for sampling loops ("the man said that the man said that").
    """
    seen: set[tuple[str, ...]] = set()
    covered = end = 0
    for i, gram in enumerate(zip(*(tokens[j:] for j in range(n)), strict=False)):
        if gram in seen:
            covered += i + n - max(i, end)
            end = i + n
        else:
            seen.add(gram)
    return covered / len(tokens) if tokens else 0.0


def phrase_hits(
    tokens: list[str], phrases: dict[tuple[str, str], frozenset[tuple[str, ...]]]
) -> int:
    """Occurrences of multi-word lexicon phrases in lower-cased ``tokens``.

    ``phrases`` maps a phrase's first two tokens to the phrases that start with them.
    """
    hits = 0
    for i, bigram in enumerate(zip(tokens, tokens[1:], strict=False)):
        candidates = phrases.get(bigram)
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
    """What the scorer needs of one text: its signals and its lower-cased word tokens."""

    signals: dict[str, float | int | None]
    tokens: list[str]


def compute_signals(text: str, lexicons: Lexicons | None = None) -> dict[str, float | int | None]:
    """All :data:`SIGNAL_NAMES` for ``text`` (normalised here; rates are per 1,000 tokens)."""
    return analyse(text, lexicons).signals


def analyse(text: str, lexicons: Lexicons | None = None) -> Analysis:
    """:func:`compute_signals` plus the lower-cased tokens (the model's word-rate inputs)."""
    lex = lexicons or default_lexicons()
    norm = normalise(text)
    lower = norm.lower()
    tokens, sentence_lengths = tokens_and_sentence_lengths(lower)
    sentences = split_sentences(norm)
    n = len(tokens)
    per_k = 1000.0 / n if n else 0.0
    share = 1.0 / n if n else 0.0
    lengths = list(map(len, tokens))
    signals: dict[str, float | int | None] = {
        "n_words": n,
        "marker_rate": per_k * sum(1 for t in tokens if t in lex.marker_words),
        "slop_word_rate": per_k * sum(1 for t in tokens if t in lex.slop_words),
        "stock_phrase_rate": per_k * phrase_hits(tokens, lex.phrases),
        "disclaimer_hits": sum(len(r.findall(lower)) for r in lex.disclaimer_res),
        "burstiness": burstiness(sentence_lengths),
        "mean_sentence_words": n / len(sentence_lengths) if sentence_lengths else 0.0,
        "mattr": mattr(tokens),
        "zlib_ratio": zlib_ratio(norm),
        "repeat_trigram_rate": repeat_trigram_rate(tokens),
        "list_density": _structure_marks(norm) / max(len(sentence_lengths), 1),
        "em_dash_rate": per_k * _count_any(norm, _EM_DASHES),
        "comma_rate": per_k * _count_any(norm, _COMMAS),
        "mean_word_chars": sum(lengths) * share,
        "digit_rate": per_k * sum(1 for t in tokens if t.isdigit()),
        "paren_rate": per_k * _count_any(norm, _PARENS),
        "lower_start_rate": sum(s[0].islower() for s in sentences) / max(len(sentences), 1),
        "short_word_share": share * sum(1 for k in lengths if k <= SHORT_WORD_CHARS),
        "long_word_share": share * sum(1 for k in lengths if k >= LONG_WORD_CHARS),
        "loop_rate": loop_rate(tokens),
    }
    return Analysis(signals=signals, tokens=tokens)
