"""FineWeb quality heuristics (Penedo et al. 2024, "The FineWeb Datasets: Decanting the Web for
the Finest Text Data at Scale", section 3.6 "Developing additional heuristic filters"), as
implemented by datatrove's ``FineWebQualityFilter``."""

from __future__ import annotations

import dataclasses
from itertools import repeat
from operator import itemgetter, le

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.languages import SENTENCE_TERMINALS
from curation.quality.text import TextStats

_TERMINALS = frozenset(SENTENCE_TERMINALS)


@dataclasses.dataclass(frozen=True)
class FineWebQuality(ThresholdScorer):
    """FineWeb's three custom filters plus datatrove's list-document rule; defaults are
    datatrove's ``FineWebQualityFilter`` (the paper's released configuration).

    Metrics (lines are the non-blank lines):

    - ``line_punct_ratio``: lines ending (trailing spaces ignored) in a sentence terminal of
      any script (``languages.SENTENCE_TERMINALS``). All languages. 0 for an empty document.
    - ``short_line_ratio``: lines of at most ``short_line_length`` characters. Spaced
      languages only (30 Han characters is not a short line).
    - ``char_dup_ratio``: characters in lines that repeat an earlier line, over the document's
      characters without newlines. All languages.
    - ``list_ratio``: newlines per token (list-like documents). Spaced languages only.
    """

    name = "fineweb_quality"
    metrics = ("line_punct_ratio", "short_line_ratio", "char_dup_ratio", "list_ratio")
    rules = (
        Rule("line_punct_ratio", "line_punct_ratio", min_arg="min_line_punct_ratio"),
        Rule("short_line_ratio", "short_line_ratio", max_arg="max_short_line_ratio"),
        Rule("char_dup_ratio", "char_dup_ratio", max_arg="max_char_dup_ratio"),
        Rule("list_ratio", "list_ratio", max_arg="max_list_ratio"),
    )

    #: Remove documents where at most 12% of lines end in punctuation (Penedo et al. 2024).
    min_line_punct_ratio: float | None = 0.12
    #: Remove documents where more than 67% of lines are short (Penedo et al. 2024) ...
    max_short_line_ratio: float | None = 0.67
    #: ... of at most 30 characters (datatrove ``short_line_length``).
    short_line_length: int = 30
    #: Remove documents with more than 1% of characters in duplicated lines (Penedo et al. 2024).
    max_char_dup_ratio: float | None = 0.01
    #: datatrove ``new_line_ratio``: more than 0.3 newlines per word marks a list document.
    max_list_ratio: float | None = 0.3

    def compute(self, stats: TextStats) -> Scores:
        """See the class docstring."""
        text, lines = stats.text, stats.lines
        scores: Scores = dict.fromkeys(self.metrics)
        if not lines:
            scores["line_punct_ratio"] = 0.0
            return scores
        # Stripped lines are never empty, and every terminal is a single character.
        last_chars = map(itemgetter(-1), stats.stripped_lines)
        scores["line_punct_ratio"] = sum(map(_TERMINALS.__contains__, last_chars)) / len(lines)
        newlines = text.count("\n")
        scores["char_dup_ratio"] = stats.line_duplicates[1] / (len(text) - newlines)
        if stats.spaced:
            short = map(le, map(len, lines), repeat(self.short_line_length))
            scores["short_line_ratio"] = sum(short) / len(lines)
            if stats.tokens:
                scores["list_ratio"] = newlines / len(stats.tokens)
        return scores
