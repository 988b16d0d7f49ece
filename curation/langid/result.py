"""The result type of language identification."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageResult:
    """Language of one text.

    ``lang``: ISO 639-1 code (ISO 639-3 where a language has no 639-1 code), or ``None`` when no
    backend produced a guess (empty text, no letters, no known n-gram). For texts shorter than
    ``min_chars`` letters it is still the best guess, with ``reliable`` False.
    ``score``: probability of ``lang`` in [0, 1]; 0.0 when ``lang`` is None.
    ``alternatives``: up to three ``(code, probability)`` pairs, best first, ties by code.
    ``reliable``: True when the text had at least ``min_chars`` letters and a language was found.
    ``backend``: ``"fasttext"`` or ``"langdetect"``, whichever produced this result.
    """

    lang: str | None
    score: float
    alternatives: tuple[tuple[str, float], ...]
    reliable: bool
    backend: str
