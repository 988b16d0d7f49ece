"""Gopher repetition heuristics (Rae et al. 2021, appendix A.1.1 and table A1), as implemented
by datatrove's ``GopherRepetitionFilter``."""

from __future__ import annotations

import dataclasses
from itertools import repeat
from operator import truediv

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.ngrams import DUP_NGRAM_SIZES, TOP_NGRAM_SIZES, ngram_repetition
from curation.quality.text import TextStats, duplicate_stats

__all__ = ["GopherRepetition"]


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
        top, dup = ngram_repetition(stats.token_ids)
        ngram_chars = [*top.values(), *dup.values()]
        scores.update(zip(_NGRAM_METRICS, map(truediv, ngram_chars, repeat(size)), strict=True))
        return scores
