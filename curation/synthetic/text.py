"""Text normalisation, tokenisation and sentence splitting shared by all synthetic signals.

Every signal is computed on whitespace-normalised text (``" ".join(text.split())``): the dev
set's line breaks and runs of spaces leak the label (``/work/shared/data/synthetic/README.md``,
caveats), so no signal may see them.
"""

from __future__ import annotations

import re
from itertools import pairwise

# One token per CJK ideograph / kana (those scripts do not separate words by spaces), otherwise a
# run of letters or digits with inner apostrophes ("don't", "l'homme").
_TOKEN = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+(?:['\u2019][^\W_]+)*"
_TOKEN_RE = re.compile(_TOKEN)
# Sentence end: ., !, ?, … followed by a space, or a full-width / Arabic / Urdu / Devanagari
# terminator anywhere. _INITIAL_RE captures the first character after each sentence end (in a
# look-ahead, so a terminator right after it is seen too); it starts with one class of every
# terminator, which the regex engine scans for far faster than it tries an alternation at
# each character. _UNIT_RE yields tokens and, as empty strings, sentence ends in one pass.
_ENDERS = "\u3002\uff01\uff1f\u061f\u06d4\u0964"
_INITIAL_RE = re.compile(
    rf"[.!?\u2026{_ENDERS}](?:(?<=[.!?\u2026])\s+|(?<=[{_ENDERS}])\s*)(?=(\S))"
)
_UNIT_RE = re.compile(rf"({_TOKEN})|[.!?\u2026]+(?=\s|$)|[{_ENDERS}]")


def normalise(text: str) -> str:
    """Collapse every run of whitespace (incl. line breaks and ``\\r``) to one space; strip."""
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Word tokens of ``text`` (case preserved); CJK characters are single tokens."""
    return _TOKEN_RE.findall(text)


def units(text: str) -> list[str]:
    """Word tokens of ``text`` and, as empty strings, its sentence ends, in order (one pass).

    Sentence boundaries are those of :func:`sentence_initials`.
    """
    return _UNIT_RE.findall(text)


def tokens_and_sentence_lengths(units: list[str]) -> tuple[list[str], list[int]]:
    """Word tokens of :func:`units` and the token count of each non-empty sentence."""
    ends = [i for i, unit in enumerate(units) if not unit]
    bounds = pairwise([-1, *ends, len(units)])
    return list(filter(None, units)), [end - start - 1 for start, end in bounds if end > start + 1]


def sentence_initials(text: str) -> list[str]:
    """The first character of each non-empty sentence of normalised ``text`` (a rule-based
    split after each terminator; abbreviations split too)."""
    return [text[0], *_INITIAL_RE.findall(text)] if text else []
