"""C4 cleaning heuristics (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a
Unified Text-to-Text Transformer", section 2.2), as in TensorFlow Datasets' ``c4_utils`` and
datatrove's ``C4QualityFilter``.

C4 edits pages: it removes lines that fail its line rules and drops the whole page only for a
few reasons. We keep documents as they are, so :class:`C4Quality` replays C4 line by line and
reports (a) the page-level decisions C4 would take on the lines it keeps, which are the rules,
and (b) the fraction of lines C4 would remove, which is recorded and can be made a rule with
``max_dropped_line_frac``. A document passes exactly when C4 (and datatrove's filter) would
keep the page, with sentence counting approximated as described at ``sentence_count``.
"""

from __future__ import annotations

import dataclasses
import re

from curation.quality.base import Rule, Scores, ThresholdScorer
from curation.quality.text import ABBREVIATIONS, TextStats

#: Lines must end in one of these (C4: ``. ? ! "``; TFDS and datatrove also accept ``'``),
#: but not in an ellipsis.
_END_PUNCTUATION = (".", "?", "!", '"', "'")
_ELLIPSIS = "..."
#: Wikipedia-style citation marks, removed before the end-of-line check (TFDS ``c4_utils``).
_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
#: Cookie and terms-of-use boilerplate (TFDS ``c4_utils``); lines containing any are removed.
_POLICY_PHRASES = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_POLICY = re.compile("|".join(_POLICY_PHRASES))


def _has_policy_phrase(lowered: str) -> bool:
    """Whether a lower-cased line contains one of ``_POLICY_PHRASES`` (substring tests, much
    faster than searching ``_POLICY``; the last four phrases all contain "cookie")."""
    return (
        "terms of use" in lowered
        or "privacy policy" in lowered
        or ("cookie" in lowered and _POLICY.search(lowered) is not None)
    )


#: A sentence boundary as spaCy's sentencizer finds it in English: ``.``, ``!`` or ``?`` that
#: is its own token (not inside ``3.5`` or ``...``, not an initial like ``J.`` or a listed
#: abbreviation), optionally followed by closing quotes/brackets, with a word later on.
#: One negative look-behind per abbreviation length (look-behinds need a fixed width): the
#: same test as one per abbreviation, with far fewer steps for the regex engine.
_NOT_AFTER_ABBREVIATION = "".join(
    rf"(?<!\b(?:{'|'.join(words)})\.)"
    for length in sorted({len(word) for word in ABBREVIATIONS})
    if (words := [word for word in ABBREVIATIONS if len(word) == length])
)
_SENTENCE_BREAK_CHARS = (
    r"[!?.](?![.\w])(?<!\.[!?.])(?<!\b[^\W\d_]\.)" + _NOT_AFTER_ABBREVIATION + r"[\"'”’)\]]*"
)
_SENTENCE_BREAK = re.compile(_SENTENCE_BREAK_CHARS + r"(?=\W*\w)")
#: The same boundaries in lines joined by "\n": the word that must follow is looked for on
#: the same line only, so one search over the joined lines finds what a search per line finds.
_SENTENCE_BREAK_IN_LINE = re.compile(_SENTENCE_BREAK_CHARS + r"(?=[^\w\n]*\w)")


def count_sentences(line: str) -> int:
    """Sentences in a non-empty line: one plus the sentence boundaries inside it."""
    return 1 + len(_SENTENCE_BREAK.findall(line))


def count_sentences_in_lines(lines: list[str]) -> int:
    """``sum(map(count_sentences, lines))`` for non-empty lines without line breaks, in one
    regular-expression search."""
    return len(lines) + len(_SENTENCE_BREAK_IN_LINE.findall("\n".join(lines)))


def _has_long_word(lines: list[str], limit: float) -> bool:
    """Whether a whitespace-separated word of the lines is longer than ``limit``; only lines
    longer than ``limit`` are split (line breaks are whitespace, so no word spans two lines,
    and ``str.split`` of the text gives the words of its lines)."""
    return any(len(word) > limit for line in lines if len(line) > limit for word in line.split())


def _fewer_words(line: str, minimum: float) -> bool:
    """Whether ``line`` has fewer than ``minimum`` whitespace-separated words; splits at most
    ``minimum - 1`` times when ``minimum`` is a positive integer."""
    if isinstance(minimum, int) and minimum > 0:
        return len(line.split(None, minimum - 1)) < minimum
    return len(line.split()) < minimum


@dataclasses.dataclass(frozen=True)
class C4Quality(ThresholdScorer):
    """C4's page rules; English only (its line rules use English punctuation and keywords, and
    C4 is English), so every metric is ``None`` for other or unknown languages.

    Line rules, in C4's order (a line failing one is removed and not looked at further): a
    word longer than ``max_word_length`` characters; not ending in terminal punctuation
    (after removing citation marks) or ending in ``...``; fewer than ``min_words_per_line``
    whitespace-separated words; containing "lorem ipsum" (C4 drops the page); containing
    "javascript"; containing ``{`` (C4 drops the page); containing a cookie/terms-of-use phrase.

    Metrics (lines are the non-blank lines):

    - ``dropped_line_frac``: fraction of lines C4 removes.
    - ``lorem_ipsum_lines`` / ``curly_bracket_lines``: lines that reach those rules and
      contain "lorem ipsum" / ``{``; C4 drops the page if there is one (threshold 0).
    - ``sentence_count``: sentences in the kept lines. C4 counts them with a sentence
      tokenizer (datatrove: spaCy's sentencizer); we count ``.``/``!``/``?`` boundaries with
      the same token rules (see ``_SENTENCE_BREAK``), which differs only around abbreviations
      outside the listed ones.
    """

    name = "c4_quality"
    metrics = ("dropped_line_frac", "lorem_ipsum_lines", "curly_bracket_lines", "sentence_count")
    count_metrics = frozenset({"lorem_ipsum_lines", "curly_bracket_lines", "sentence_count"})
    rules = (
        Rule("lorem_ipsum", "lorem_ipsum_lines", max_arg="max_lorem_ipsum_lines"),
        Rule("curly_bracket", "curly_bracket_lines", max_arg="max_curly_bracket_lines"),
        Rule("sentence_count", "sentence_count", min_arg="min_sentences"),
        Rule("dropped_line_frac", "dropped_line_frac", max_arg="max_dropped_line_frac"),
    )

    #: "We removed any page where the phrase 'lorem ipsum' appeared".
    max_lorem_ipsum_lines: int | None = 0
    #: "We removed any pages that contained a curly bracket".
    max_curly_bracket_lines: int | None = 0
    #: "We discarded any page with fewer than 5 sentences".
    min_sentences: int | None = 5
    #: Not a C4 rule (C4 removes lines instead); ``None`` keeps C4's page decisions.
    max_dropped_line_frac: float | None = None
    #: "only retained lines that contained at least 3 words".
    min_words_per_line: int = 3
    #: Lines with a word longer than this are removed (TFDS ``c4_utils``, 1000 characters).
    max_word_length: int = 1000

    def compute(self, stats: TextStats) -> Scores:
        """See the class docstring."""
        if stats.lang != "en":
            return dict.fromkeys(self.metrics)
        lorem = curly = 0
        kept: list[str] = []
        has_long_word = _has_long_word(stats.lines, self.max_word_length)
        for line in stats.stripped_lines:
            if has_long_word and max(map(len, line.split())) > self.max_word_length:
                continue
            text = _CITATION.sub("", line) if "[" in line else line
            if not text.endswith(_END_PUNCTUATION) or text.endswith(_ELLIPSIS):
                continue
            if _fewer_words(line, self.min_words_per_line):
                continue
            lowered = text.lower()
            if "lorem ipsum" in lowered:
                lorem += 1
            elif "javascript" in lowered:
                continue
            elif "{" in text:
                curly += 1
            elif not _has_policy_phrase(lowered):
                kept.append(text)
        lines = len(stats.lines)
        return {
            "dropped_line_frac": 1 - len(kept) / lines if lines else None,
            "lorem_ipsum_lines": lorem,
            "curly_bracket_lines": curly,
            "sentence_count": count_sentences_in_lines(kept),
        }
