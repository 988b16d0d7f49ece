"""Lines, paragraphs and tokens of one document, computed once and shared by all scorers.

Tokens follow the rules of spaCy's English tokenizer, which datatrove's filters use for every
space-delimited language, re-expressed as one precompiled regular expression (no spaCy
dependency, several times faster). A whitespace-separated chunk is split into:

- prefix punctuation (``( [ " ' ` < _ # * & $ ,`` ...) and suffix punctuation (``) ] " ' , ;
  : ! ? % _`` ..., and ``.`` except after a lone capital: ``U.S.``, ``J.``), one token per
  character; runs of dots (``...``) are one token;
- contraction suffixes ``'s 're 'll 've 'd 'm 't`` (spaCy splits ``don't`` as ``do n't``, we as
  ``don 't``: the same number of tokens);
- infixes: a hyphen or ``: < > = /`` between a letter/digit and a letter (``well - known``,
  ``and / or``), a comma between letters, a ``.`` between a lower-case and an upper-case letter,
  ``+ - * ^`` between digits;
- everything else stays one token (``3.5``, ``1,000``, ``/usr``, ``--quoting``, ``casino.[1``,
  ``iso-8859``); URLs with a scheme are one token.

Not reproduced: spaCy's exception list (``e.g.``, ``Dr.`` keep their dot in spaCy; here the
dot is a token) and its URL matcher for URLs without a scheme. Each Han or kana character is
its own token (scripts written without spaces).

A *word* is a token containing a letter or digit; tokens of punctuation and symbols only are
not words (datatrove's "non-symbol words").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import compress
from operator import not_
from typing import Any, NamedTuple

import numpy as np

from curation.quality.languages import Segmentation, segmentation

#: Han and kana: spaced out before tokenising, so each character is one token.
_HAN_KANA = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f]"
)
#: Runs of them, spaced out a run at a time (one Python call per run, not per character).
_HAN_KANA_RUN = re.compile(_HAN_KANA.pattern + "+")
_PREFIXES = "§%=—–…,:;!?¿¡()\\[\\]{}<>_#*&'\"”“`‘´’‚„»«$£€¥。？！，、；：～·"
_SUFFIXES = "…,:;!?¿¡()\\[\\]{}<>_#*&'\"”“`‘´’‚„»«—–%。？！，、；：～·."
#: Characters that split a chunk in some contexts (infixes) and are not suffixes.
_INFIX_CHARS = "\\-~/=+\\^"
_CHUNK_END = f"(?![^\\s{_SUFFIXES}])"
_CONTRACTION = f"['’](?i:s|re|ll|ve|d|m|t){_CHUNK_END}"
# Each branch tests its character first and its context after, which keeps the scan fast.
_INFIX = (
    "\\.\\.+|…"
    "|[\\-–—~:<>=/](?<=[^\\W_][\\-–—~:<>=/])(?=[^\\W\\d_])"
    "|,(?<=[^\\W\\d_],)(?=[^\\W\\d_])"
    "|\\.(?<=[a-z]\\.)(?=[A-Z])"
    "|[+\\-*^](?<=[0-9][+\\-*^])(?=[0-9\\-])"
)
#: A chunk's core after its first character, in the "unrolled loop" form (plain runs, then
#: any number of special characters each followed by a plain run), which the regex engine
#: runs faster than one alternation repeated per character. Special characters: infix
#: characters that are not at an infix position, suffix characters followed by more core
#: (possessive quantifiers: no backtracking), and a ``.`` after a lone capital (``U.S.``).
_PLAIN = f"[^\\s{_SUFFIXES}{_INFIX_CHARS}]*+"
_SPECIAL = (
    # An infix character where neither infix rule of _INFIX for these characters (between a
    # letter/digit and a letter; between digits) matches, checked after the character.
    f"[{_INFIX_CHARS}](?!(?<=[^\\W_][\\-~/=])[^\\W\\d_])(?!(?<=[0-9][+\\-^])[0-9\\-])"
    # (The first look-ahead, a necessary condition, rejects the common suffix before a space
    # without testing each suffix character for an infix.)
    f"|(?=[{_SUFFIXES}]++[^\\s{_SUFFIXES}])"
    f"(?:(?!{_INFIX}|{_CONTRACTION})[{_SUFFIXES}])++(?=[^\\s{_SUFFIXES}])"
    "|\\.(?<=(?<![A-Za-z])[A-Z]\\.)"
)
#: (Every special character is a suffix or infix character: testing that first ends the
#: common word before a space without trying each branch of ``_SPECIAL``.)
_CORE_REST = f"{_PLAIN}(?:(?=[{_SUFFIXES}{_INFIX_CHARS}])(?:{_SPECIAL}){_PLAIN})*+"
_CORE = f"[^\\s{_PREFIXES}]{_CORE_REST}"
_URL = f"(?:https?|ftp)://[^\\s<>\"'`]+?(?=[{_SUFFIXES}]*(?:\\s|\\Z))"
#: No contraction or infix starts with a letter or digit, so a core starting with one is
#: tried first (most tokens are words).
_TOKEN = f"[^\\W_]{_CORE_REST}|{_CONTRACTION}|{_INFIX}|{_CORE}|\\S"
#: A token and the whitespace before it, which the match skips (faster than a search trying
#: every branch at each space); the text must not end in whitespace, or each trailing space
#: would start a failed match over the rest.
_TOKEN_RE = re.compile(f"\\s*+({_TOKEN})")
#: Used instead when the text contains "://" (the URL branch costs 10% on every document).
_URL_TOKEN_RE = re.compile(f"\\s*+({_URL}|{_TOKEN})")
_HAS_ALNUM = re.compile(r"[^\W_]").search
_HAS_LETTER = re.compile(r"[^\W\d_]").search
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")

#: English abbreviations that keep their final ``.`` in spaCy's English tokenizer (a subset of
#: its exceptions), so that ``.`` does not end a sentence (see ``c4``).
ABBREVIATIONS = [
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "St",
    "Jr",
    "Sr",
    "Mt",
    "Inc",
    "Ltd",
    "Co",
    "Corp",
    "Bros",
    "vs",
    "Gen",
    "Gov",
    "Sen",
    "Rep",
    "Rev",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]


class cached_property:  # noqa: N801 - same role as functools.cached_property
    """``functools.cached_property`` without its per-class lock (Python < 3.12 serialises
    every first access behind one lock, which costs more than the cached values here)."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


def _spaced_out(run: re.Match[str]) -> str:
    return " " + " ".join(run.group()) + " "


def tokenize(text: str) -> list[str]:
    """All tokens of ``text`` (words and punctuation), in order."""
    if not text.isascii() and _HAN_KANA.search(text):
        text = _HAN_KANA_RUN.sub(_spaced_out, text)
    return (_URL_TOKEN_RE if "://" in text else _TOKEN_RE).findall(text.rstrip())


class TokenIds(NamedTuple):
    """Tokens as integers: equal tokens, equal ids."""

    #: Each distinct token -> its id, 1 + the position of its first occurrence (in the order
    #: of first occurrence); 0 is no token's id.
    index: dict[str, int]
    #: The id of every token, in order (int64).
    ids: np.ndarray


def token_ids(tokens: list[str]) -> TokenIds:
    """The :class:`TokenIds` of ``tokens``."""
    index: dict[str, int] = {}
    ids = map(index.setdefault, tokens, range(1, len(tokens) + 1))
    return TokenIds(index, np.fromiter(ids, dtype=np.int64, count=len(tokens)))


def duplicate_stats(items: list[str]) -> tuple[int, int]:
    """``(elements, characters)`` of the items that repeat an earlier item (first copies free)."""
    if len(set(items)) == len(items):
        return 0, 0
    seen: set[str] = set()
    elements = chars = 0
    for item in items:
        if item in seen:
            elements += 1
            chars += len(item)
        else:
            seen.add(item)
    return elements, chars


class TextStats:
    """Lazily computed views of one document; each is computed at most once.

    Attributes are plain lists and numbers so scorers stay simple. ``lines`` are the
    non-blank lines (``str.splitlines``, so ``\\r\\n`` and other line breaks count; lines with
    only whitespace are layout, not content, and are left out everywhere).
    """

    def __init__(self, text: str, lang: str | None) -> None:
        self.text = text
        self.lang = lang
        self.segmentation = segmentation(lang)

    @cached_property
    def lines(self) -> list[str]:
        """Non-blank lines, unstripped."""
        return list(filter(str.strip, self.text.splitlines()))

    @cached_property
    def stripped_lines(self) -> list[str]:
        """``lines`` without leading and trailing whitespace (never empty)."""
        return list(map(str.strip, self.lines))

    @cached_property
    def line_duplicates(self) -> tuple[int, int]:
        """``(lines, characters)`` of the lines that repeat an earlier line (unstripped)."""
        return duplicate_stats(self.lines)

    @cached_property
    def paragraphs(self) -> list[str]:
        """Blocks separated by one or more blank lines (after stripping the document)."""
        stripped = self.text.strip()
        return _PARAGRAPH_BREAK.split(stripped) if stripped else []

    @cached_property
    def tokens(self) -> list[str]:
        """Words and punctuation tokens, in order (see the module docstring)."""
        return tokenize(self.text)

    @cached_property
    def token_ids(self) -> TokenIds:
        """The tokens as integers (see :func:`token_ids`)."""
        return token_ids(self.tokens)

    @cached_property
    def word_stats(self) -> tuple[int, int, int]:
        """``(words, characters of the words, words containing a letter)``, the counts of
        ``words`` without building it: starting from all tokens, each distinct token that is
        not all letters is classified once and its occurrences are taken off the counts it
        does not belong to."""
        tokens = self.tokens
        index, ids = self.token_ids
        counts = np.bincount(ids).tolist()
        total, chars, letters = len(tokens), len("".join(tokens)), len(tokens)
        for token, token_id in compress(index.items(), map(not_, map(str.isalpha, index))):
            count = counts[token_id]
            if token.isalnum():
                # A word, with a letter unless all decimal digits (\d).
                letters -= count if token.isdecimal() else 0
            elif len(token) == 1 or not _HAS_ALNUM(token):
                # Punctuation or a symbol: not a word.
                total -= count
                chars -= len(token) * count
                letters -= count
            elif not _HAS_LETTER(token):
                letters -= count
        return total, chars, letters

    @property
    def has_words(self) -> bool:
        """Whether word-based metrics are meaningful for this language (not Thai-like)."""
        return self.segmentation is not Segmentation.NONE

    @property
    def spaced(self) -> bool:
        """Whether the language separates words with spaces."""
        return self.segmentation is Segmentation.SPACED


@lru_cache(maxsize=8)
def text_stats(text: str, lang: str | None) -> TextStats:
    """The shared :class:`TextStats` of ``(text, lang)``; scorers called in turn on the same
    document reuse it (a small LRU cache, like datatrove's cached ``split_into_words``)."""
    return TextStats(text, lang)
