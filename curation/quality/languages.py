"""Per-language facts the quality scorers need: segmentation, stop words, sentence terminals.

Language codes are the project's ISO 639-1 codes (see ``curation.langid.codes``); ``None`` means
the language is unknown.
"""

from __future__ import annotations

from enum import Enum


class Segmentation(Enum):
    """How a language's text is split into words.

    ``SPACED``: words are separated by spaces (Latin, Cyrillic, Arabic, Devanagari, Hangul, ...).
    ``CHARACTER``: written without spaces, and each Han/kana character is counted as one word
    (a segmentation-free proxy; Chinese words average 1.5 to 2 characters, so word counts are
    somewhat higher than a word segmenter's). ``NONE``: written without spaces in an
    alphabetic script (Thai, Lao, Khmer, Burmese, Tibetan), where neither spaces nor characters
    approximate words; word-based metrics are not applicable.
    """

    SPACED = "spaced"
    CHARACTER = "character"
    NONE = "none"


_CHARACTER_SEGMENTED = frozenset({"zh", "ja", "yue", "wuu", "lzh"})
_UNSEGMENTED = frozenset({"th", "lo", "km", "my", "bo", "dz"})


def segmentation(lang: str | None) -> Segmentation:
    """The segmentation of ``lang``; unknown languages (``None``) are treated as spaced."""
    if lang in _CHARACTER_SEGMENTED:
        return Segmentation.CHARACTER
    if lang in _UNSEGMENTED:
        return Segmentation.NONE
    return Segmentation.SPACED


#: Stop words of the Gopher stop-word rule: a document must contain at least two of them.
#: ``en`` is the list of Rae et al. 2021 (Gopher), appendix A.1.1. The other lists are eight
#: very frequent function words per language (mostly translations of the English list: the
#: articles, "be", "to", "of", "and", "that", "with"), each of which is in spaCy's MIT-licensed
#: stop-word list for that language (``spacy/lang/<lang>/stop_words.py``, spaCy 3.8). For
#: ``zh`` the words are single characters, matching the character segmentation. Languages
#: without a list get ``None`` for the rule (not applicable).
STOP_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the be to of and that have with",
        "de": "der die das und ist zu von mit",
        "fr": "le la de et est à que avec",
        "es": "el la de y que es a con",
        "it": "il la di e che è a con",
        "pt": "o a de e que é com para",
        "nl": "de het van en dat is te met",
        "ru": "и в не на что с к по",
        "bg": "и на в да се е от с",
        "id": "yang dan di ke dari dengan ini itu",
        "ar": "في من على إلى أن عن مع هذا",
        "zh": "的 了 是 在 和 有 不 这",
    }.items()
}

#: Characters that end a sentence: the Basic Multilingual Plane members of Unicode's
#: ``Sentence_Terminal`` property (PropList.txt), the set datatrove's FineWeb filter uses
#: (``TERMINAL_PUNCTUATION``, Penedo et al. 2024). Covers Latin/Cyrillic ``. ! ?``, Arabic
#: ``؟ ۔``, Devanagari ``। ॥``, CJK ``。 ！ ？``, Ethiopic, Myanmar, Khmer and others.
SENTENCE_TERMINALS: tuple[str, ...] = tuple(
    "!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964"
    "\u0965\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da\u1803"
    "\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e\u1c3b\u1c3c"
    "\u1c7e\u1c7f\u203c\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u2e53\u2e54\u3002\ua4ff\ua60e\ua60f"
    "\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb"
    "\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61"
)
