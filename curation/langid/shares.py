"""Per-paragraph language shares of mixed-language documents."""

from __future__ import annotations

import re

from curation.langid.cleaning import count_letters
from curation.langid.identifier import LanguageIdentifier

# Paragraphs with fewer letters are not identified on their own: at ~50 letters (one or two
# sentences) both backends are above 95 % accurate on the evaluation set's sentences.
DEFAULT_MIN_PARAGRAPH_CHARS = 50
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n|\r?\n")


def paragraph_language_shares(
    identifier: LanguageIdentifier,
    text: str,
    min_paragraph_chars: int = DEFAULT_MIN_PARAGRAPH_CHARS,
) -> dict[str, float]:
    """Share of letters (in [0, 1], summing to 1) per language over the paragraphs (lines) with at
    least ``min_paragraph_chars`` letters; if none qualifies, the whole text is one paragraph.
    Paragraphs with no detectable language are left out. Keys are sorted; {} when nothing is
    detected."""
    paragraphs = [p for p in _PARAGRAPH_SPLIT.split(text) if p.strip()]
    weighted = [(p, count_letters(p)) for p in paragraphs]
    kept = [(p, n) for p, n in weighted if n >= min_paragraph_chars] or [
        (text, count_letters(text))
    ]
    totals: dict[str, int] = {}
    for paragraph, letters in kept:
        lang = identifier.detect(paragraph).lang
        if lang is not None and letters:
            totals[lang] = totals.get(lang, 0) + letters
    overall = sum(totals.values())
    return {lang: totals[lang] / overall for lang in sorted(totals)}
