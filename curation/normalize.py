"""Text normalisation for hashing and shingling.

Two documents are *exact duplicates* when their normalised text is equal
(:func:`normalize_for_hash`), and near-duplicates are measured on shingles of
:func:`normalize_for_shingles`. Both follow common practice in dedup pipelines
(datatrove's ``simplify_text``, text-dedup): Unicode NFKC, case-folding, and
punctuation/whitespace folding, so formatting differences do not hide duplicates.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def _is_punctuation_or_symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


_PUNCT_TABLE = {
    code: " "
    for code in range(0x110000)
    if not 0xD800 <= code <= 0xDFFF and _is_punctuation_or_symbol(chr(code))
}


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (incl. newlines) becomes one space; ends are stripped."""
    return _WHITESPACE.sub(" ", text).strip()


def normalize_for_hash(text: str) -> str:
    """NFKC + case-fold + whitespace collapsed: the form whose sha256 is ``content_hash``."""
    return collapse_whitespace(unicodedata.normalize("NFKC", text).casefold())


def content_hash(text: str) -> str:
    """Hex sha256 of :func:`normalize_for_hash` of ``text``."""
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()


def normalize_for_shingles(text: str) -> str:
    """:func:`normalize_for_hash` with punctuation and symbols (Unicode P*, S*) turned to spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_PUNCT_TABLE)
    return collapse_whitespace(folded)


def _is_unspaced_script(char: str) -> bool:
    """Han, Hiragana, Katakana and Thai/Lao/Khmer/Myanmar: scripts written without word spaces."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # Hiragana, Katakana
        or 0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x20000 <= code <= 0x2FA1F  # CJK extensions B-F
        or 0x0E00 <= code <= 0x0EFF  # Thai, Lao
        or 0x1000 <= code <= 0x109F  # Myanmar
        or 0x1780 <= code <= 0x17FF  # Khmer
    )


def is_unspaced_text(text: str, min_share: float = 0.3) -> bool:
    """True when at least ``min_share`` (0..1) of the letters belong to scripts without spaces.

    Such texts are shingled by characters, not words. Korean (Hangul) uses spaces between words
    and is shingled by words.
    """
    letters = unspaced = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if _is_unspaced_script(char):
                unspaced += 1
    return letters > 0 and unspaced / letters >= min_share
