"""Text normalisation, tokenisation and sentence splitting shared by all synthetic signals.

Every signal is computed on whitespace-normalised text (``" ".join(text.split())``): the dev
set's line breaks and runs of spaces leak the label (``/work/shared/data/synthetic/README.md``,
caveats), so no signal may see them.
"""

from __future__ import annotations

import re

# One token per CJK ideograph / kana (those scripts do not separate words by spaces), otherwise a
# run of letters or digits with inner apostrophes ("don't", "l'homme").
_TOKEN = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+(?:['\u2019][^\W_]+)*"
_TOKEN_RE = re.compile(_TOKEN)
# Sentence end: ., !, ?, … followed by a space (or the end), or a full-width / Arabic / Urdu /
# Devanagari terminator anywhere; the gap between two sentences is the group after the
# terminator (testing the terminator first is faster than a look-behind at every position).
# _UNIT_RE yields tokens and sentence ends in one pass.
_ENDERS = "\u3002\uff01\uff1f\u061f\u06d4\u0964"
_SENTENCE_GAP_RE = re.compile(rf"[.!?\u2026](\s+)|[{_ENDERS}](\s*)")
_UNIT_RE = re.compile(rf"{_TOKEN}|[.!?\u2026]+(?=\s|$)|[{_ENDERS}]")
_END_CHARS = frozenset(".!?\u2026" + _ENDERS)


def normalise(text: str) -> str:
    """Collapse every run of whitespace (incl. line breaks and ``\\r``) to one space; strip."""
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Word tokens of ``text`` (case preserved); CJK characters are single tokens."""
    return _TOKEN_RE.findall(text)


def tokens_and_sentence_lengths(text: str) -> tuple[list[str], list[int]]:
    """Word tokens of ``text`` and the token count of each non-empty sentence, in one pass.

    Sentence boundaries are those of :func:`sentence_initials`.
    """
    tokens: list[str] = []
    lengths: list[int] = []
    current = 0
    for unit in _UNIT_RE.findall(text):
        if unit[0] in _END_CHARS:
            if current:
                lengths.append(current)
                current = 0
        else:
            tokens.append(unit)
            current += 1
    if current:
        lengths.append(current)
    return tokens, lengths


def sentence_initials(text: str) -> list[str]:
    """The first character of each non-empty sentence of normalised ``text`` (a rule-based
    split after each terminator; abbreviations split too)."""
    initials = []
    start = 0
    for gap in _SENTENCE_GAP_RE.finditer(text):
        begin, end = gap.span(gap.lastindex)
        if begin > start:
            initials.append(text[start])
        start = end
    if start < len(text):
        initials.append(text[start])
    return initials
