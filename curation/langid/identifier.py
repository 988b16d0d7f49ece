"""Language identification with a fast first pass and an accurate fallback.

Every backend reads the first ``max_chars`` characters of the cleaned text. ``hybrid`` (default)
runs fastText lid.176 and accepts its answer when the top probability is at least
``hybrid_threshold`` and the text has ``min_chars`` letters; otherwise langdetect decides. Defaults
come from
``benchmarks/langid_eval.py`` on the UDHR evaluation set (see docs/language.md).
"""

from __future__ import annotations

from curation.langid.cleaning import clean_text, fold_shouting, head_sample, letter_evidence
from curation.langid.fasttext_backend import FastTextBackend
from curation.langid.langdetect_backend import LangdetectBackend
from curation.langid.result import LanguageResult

BACKENDS = ("hybrid", "fasttext", "langdetect")
# Both backends read at most this many characters (head of the cleaned text); see docs/language.md
# for the accuracy/speed measurement behind the value.
DEFAULT_MAX_CHARS = 300
# Below this many letters (CJK characters count 3, see ``letter_evidence``) a text is flagged
# unreliable: about four words, under which character n-gram identifiers degrade steeply
# (Baldwin & Lui 2010; Jauhiainen et al. 2019).
DEFAULT_MIN_CHARS = 20
# fastText answers are kept at or above this top-class probability; below it langdetect decides.
DEFAULT_HYBRID_THRESHOLD = 0.8
_RAW_FACTOR = 4
_TOP_K = 3


class LanguageIdentifier:
    """Detects the language of texts; construct once per worker (loads the models)."""

    def __init__(
        self,
        backend: str = "hybrid",
        max_chars: int = DEFAULT_MAX_CHARS,
        min_chars: int = DEFAULT_MIN_CHARS,
        hybrid_threshold: float = DEFAULT_HYBRID_THRESHOLD,
    ) -> None:
        """Load the backends ``backend`` needs (``BACKENDS``; anything else: ValueError).

        ``max_chars``: characters of cleaned text the backends read (<= 0: whole text; langdetect
        itself stops at 10,000). ``min_chars``: letters needed for ``reliable``.
        ``hybrid_threshold``: fastText probability in [0, 1] at or above which ``hybrid`` skips
        langdetect.
        """
        if backend not in BACKENDS:
            raise ValueError(f"unknown language-id backend {backend!r}; expected one of {BACKENDS}")
        if not 0.0 <= hybrid_threshold <= 1.0:
            raise ValueError(f"hybrid_threshold must be in [0, 1], got {hybrid_threshold}")
        self.backend = backend
        self.max_chars = max_chars
        self.min_chars = min_chars
        self.hybrid_threshold = hybrid_threshold
        self._fasttext = FastTextBackend() if backend != "langdetect" else None
        self._langdetect = LangdetectBackend() if backend != "fasttext" else None

    def detect(self, text: str) -> LanguageResult:
        """Language of ``text`` (any length; markup, URLs and digits are ignored)."""
        sample = self._sample(text)
        letters = letter_evidence(sample)
        enough = letters >= self.min_chars
        ranked: tuple[tuple[str, float], ...] = ()
        used = "fasttext" if self._fasttext is not None else "langdetect"
        if letters and self._fasttext is not None:
            ranked = self._fasttext.predict(sample, _TOP_K)
            trusted = enough and ranked and ranked[0][1] >= self.hybrid_threshold
            if self._langdetect is not None and not trusted:
                used = "langdetect"
                ranked = self._langdetect.predict(sample, _TOP_K) or ranked
        elif letters and self._langdetect is not None:
            ranked = self._langdetect.predict(sample, _TOP_K)
        if not ranked:
            return LanguageResult(None, 0.0, (), False, used)
        lang, score = ranked[0]
        return LanguageResult(lang, score, ranked, enough, used)

    def _sample(self, text: str) -> str:
        """Cleaned single-line head of ``text`` of at most ``max_chars`` characters.

        The raw text is cut at ``_RAW_FACTOR * max_chars`` before cleaning so that cleaning cost
        does not grow with document length; markup denser than that factor leaves a shorter
        sample.
        """
        if self.max_chars > 0:
            text = text[: _RAW_FACTOR * self.max_chars]
        return fold_shouting(head_sample(clean_text(text), self.max_chars))
