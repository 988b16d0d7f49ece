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


#: Every punctuation (P*) and symbol (S*) character lies below U+40000 (planes 0-3; planes
#: 4-13 are unassigned, 14 holds format characters, 15-16 private use), so the table is built
#: from those planes only: a quarter of the import time of scanning all of Unicode.
_LAST_PUNCT_PLANE_END = 0x40000
_PUNCT_TABLE = {
    code: " "
    for code in range(_LAST_PUNCT_PLANE_END)
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


#: Han, Hiragana, Katakana and Thai/Lao/Myanmar/Khmer: scripts written without word spaces.
_UNSPACED_SCRIPT = re.compile(
    "[\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0002fa1f"  # CJK extensions B-F
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff]"  # Khmer
)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def is_unspaced_text(text: str, min_share: float = 0.3) -> bool:
    """True when at least ``min_share`` (0..1) of the letters and digits are in scripts without
    word spaces (CJK, Thai, ...). Such texts are shingled by characters, not words. Korean
    (Hangul) uses spaces between words and is shingled by words.
    """
    unspaced = len(_UNSPACED_SCRIPT.findall(text))
    if not unspaced:
        return False
    return unspaced / len(_LETTER_OR_DIGIT.findall(text)) >= min_share
