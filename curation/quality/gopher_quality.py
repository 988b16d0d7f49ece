"""Gopher quality heuristics (Rae et al. 2021, "Scaling Language Models: Methods, Analysis &
Insights from Training Gopher", appendix A.1.1 "MassiveWeb quality filters"), as implemented
by datatrove's ``GopherQualityFilter``."""

from __future__ import annotations

import dataclasses
from operator import itemgetter, methodcaller

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.languages import STOP_WORDS
from curation.quality.text import TextStats

_BULLETS = ("•", "-")
_BULLET_SET = frozenset(_BULLETS)
_ELLIPSES = ("...", "…")


def _case_variants(words: frozenset[str]) -> dict[str, str]:
    """Lower-case, Capitalised and UPPER forms of each stop word, mapped to the word."""
    return {form: word for word in words for form in (word, word.capitalize(), word.upper())}


_STOP_WORD_FORMS = {lang: _case_variants(words) for lang, words in STOP_WORDS.items()}


@dataclasses.dataclass(frozen=True)
class GopherQuality(ThresholdScorer):
    """Gopher's document quality rules; defaults are the paper's thresholds.

    Metrics (words and tokens as in :mod:`curation.quality.text`):

    - ``word_count``: words (tokens with a letter or digit; punctuation tokens excluded).
    - ``mean_word_length``: mean characters per word. Spaced languages only.
    - ``hash_word_ratio`` / ``ellipsis_word_ratio``: occurrences of ``#`` / of ``...`` or
      ``…`` per token (punctuation tokens included, as datatrove divides by all tokens).
    - ``bullet_line_ratio``: non-blank lines starting (after indentation) with ``•`` or ``-``.
    - ``ellipsis_line_ratio``: non-blank lines ending with ``...`` or ``…``.
    - ``alpha_word_ratio``: tokens containing a letter, over all tokens.
    - ``stop_word_count``: distinct stop words present (case-insensitive, see
      ``languages.STOP_WORDS``); ``None`` for languages without a list.

    Word- and token-based metrics are ``None`` for languages written without spaces in an
    alphabetic script (Thai, ...); for Chinese/Japanese each Han/kana character is a word, and
    ``mean_word_length`` is ``None``.
    """

    name = "gopher_quality"
    metrics = (
        "word_count",
        "mean_word_length",
        "hash_word_ratio",
        "ellipsis_word_ratio",
        "bullet_line_ratio",
        "ellipsis_line_ratio",
        "alpha_word_ratio",
        "stop_word_count",
    )
    count_metrics = frozenset({"word_count", "stop_word_count"})
    rules = (
        Rule("word_count", "word_count", "min_words", "max_words"),
        Rule(
            "mean_word_length", "mean_word_length", "min_mean_word_length", "max_mean_word_length"
        ),
        Rule("hash_word_ratio", "hash_word_ratio", max_arg="max_symbol_word_ratio"),
        Rule("ellipsis_word_ratio", "ellipsis_word_ratio", max_arg="max_symbol_word_ratio"),
        Rule("bullet_line_ratio", "bullet_line_ratio", max_arg="max_bullet_line_ratio"),
        Rule("ellipsis_line_ratio", "ellipsis_line_ratio", max_arg="max_ellipsis_line_ratio"),
        Rule("alpha_word_ratio", "alpha_word_ratio", min_arg="min_alpha_word_ratio"),
        Rule("stop_word_count", "stop_word_count", min_arg="min_stop_words"),
    )

    #: "between 50 and 100,000 words" (Rae et al. 2021, A.1.1).
    min_words: int | None = 50
    max_words: int | None = 100_000
    #: "mean word length is outside the range of 3 to 10 characters".
    min_mean_word_length: float | None = 3
    max_mean_word_length: float | None = 10
    #: "symbol-to-word ratio greater than 0.1 for either the hash symbol or the ellipsis".
    max_symbol_word_ratio: float | None = 0.1
    #: "more than 90% of lines starting with a bullet point".
    max_bullet_line_ratio: float | None = 0.9
    #: "or more than 30% ending with an ellipsis".
    max_ellipsis_line_ratio: float | None = 0.3
    #: "80% of words in a document contain at least one alphabetic character".
    min_alpha_word_ratio: float | None = 0.8
    #: "at least two of the following English words: the, be, to, of, and, that, have, with".
    min_stop_words: int | None = 2

    def compute(self, stats: TextStats) -> Scores:
        """See the class docstring."""
        text, lines = stats.text, stats.stripped_lines
        scores: Scores = dict.fromkeys(self.metrics)
        if lines:
            # Stripped lines are never empty; "•" and "-" are single characters.
            scores["bullet_line_ratio"] = sum(
                map(_BULLET_SET.__contains__, map(itemgetter(0), lines))
            ) / len(lines)
            scores["ellipsis_line_ratio"] = sum(
                map(methodcaller("endswith", _ELLIPSES), lines)
            ) / len(lines)
        if not stats.has_words:
            return scores
        tokens = stats.tokens
        words, word_chars, alpha_words = stats.word_stats
        scores["word_count"] = words
        forms = _STOP_WORD_FORMS.get(stats.lang or "")
        if forms is not None:
            present = forms.keys() & stats.token_ids.index.keys()
            scores["stop_word_count"] = len(set(map(forms.__getitem__, present)))
        if not tokens:
            return scores
        if words and stats.spaced:
            scores["mean_word_length"] = word_chars / words
        scores["hash_word_ratio"] = text.count("#") / len(tokens)
        scores["ellipsis_word_ratio"] = (text.count("...") + text.count("…")) / len(tokens)
        scores["alpha_word_ratio"] = alpha_words / len(tokens)
        return scores
