"""Language identification with a fast first pass and an accurate fallback.

``hybrid`` (default) runs fastText lid.176 on the first ``max_chars`` characters of the cleaned
text and accepts its answer when the top probability is at least ``hybrid_threshold`` and the
text has ``min_chars`` letters; otherwise langdetect decides, reading ``langdetect_chars``
characters (in ``langdetect_windows`` windows spread over the text) with ``n_trial`` random
walks, unless the script alone fixes the answer (``script_shortcut``). Defaults come from
``benchmarks/langid_eval.py`` on the UDHR evaluation set (see docs/language.md).
"""

from __future__ import annotations

from curation.langid.cleaning import cleaned_windows, fold_shouting, has_evidence, script_language
from curation.langid.fasttext_backend import FastTextBackend
from curation.langid.langdetect_backend import LangdetectBackend
from curation.langid.result import LanguageResult

BACKENDS = ("hybrid", "fasttext", "langdetect")
# fastText reads at most this many characters (head of the cleaned text), and langdetect the same
# number unless ``langdetect_chars`` says otherwise; see docs/language.md for the accuracy/speed
# measurement behind the value.
DEFAULT_MAX_CHARS = 200
# langdetect reads ``langdetect_chars`` (None: ``max_chars``) characters of cleaned text as
# ``DEFAULT_LANGDETECT_WINDOWS`` windows spread over the document, averaging ``DEFAULT_N_TRIAL``
# random walks (the library's default is 7): the most accurate setting of the grid in
# docs/language.md that reaches 1,000 2 kB documents per CPU second.
DEFAULT_LANGDETECT_CHARS: int | None = None
DEFAULT_LANGDETECT_WINDOWS = 2
DEFAULT_N_TRIAL = 2
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
        *,
        langdetect_chars: int | None = DEFAULT_LANGDETECT_CHARS,
        langdetect_windows: int = DEFAULT_LANGDETECT_WINDOWS,
        n_trial: int = DEFAULT_N_TRIAL,
        script_shortcut: bool = True,
    ) -> None:
        """Load the backends ``backend`` needs (``BACKENDS``; anything else: ValueError).

        ``max_chars``: characters of cleaned text fastText reads, and langdetect too unless
        ``langdetect_chars`` is given (<= 0: whole text).
        ``min_chars``: letters needed for ``reliable``. ``hybrid_threshold``: fastText probability
        in [0, 1] at or above which ``hybrid`` skips langdetect. ``langdetect_chars``: characters
        of cleaned text langdetect reads (``None``: same as ``max_chars``; <= 0: whole text;
        langdetect itself stops at 10,000), split into ``langdetect_windows`` windows spread over
        the document (1: the head). ``n_trial``: langdetect's ``Detector.n_trial`` (random walks
        averaged; 7 is stock langdetect). ``script_shortcut``: answer without langdetect when the
        text's script is written by only one of langdetect's languages (``script_language``).
        """
        if backend not in BACKENDS:
            raise ValueError(f"unknown language-id backend {backend!r}; expected one of {BACKENDS}")
        if not 0.0 <= hybrid_threshold <= 1.0:
            raise ValueError(f"hybrid_threshold must be in [0, 1], got {hybrid_threshold}")
        if langdetect_windows < 1:
            raise ValueError(f"langdetect_windows must be >= 1, got {langdetect_windows}")
        self.backend = backend
        self.max_chars = max_chars
        self.min_chars = min_chars
        self.hybrid_threshold = hybrid_threshold
        self.langdetect_chars = max_chars if langdetect_chars is None else langdetect_chars
        self.langdetect_windows = langdetect_windows
        self.n_trial = n_trial
        self.script_shortcut = script_shortcut
        self._fasttext = FastTextBackend() if backend != "langdetect" else None
        self._langdetect = LangdetectBackend(n_trial) if backend != "fasttext" else None
        # fastText's sample doubles as langdetect's when both read the same characters.
        self._same_sample = (self.langdetect_chars, langdetect_windows) == (max_chars, 1)

    def detect(self, text: str) -> LanguageResult:
        """Language of ``text`` (any length; markup, URLs and digits are ignored)."""
        sample = None
        fallback: tuple[tuple[str, float], ...] = ()
        if self._fasttext is not None:
            sample = self._sample(text, self.max_chars, 1)
            letters, enough = has_evidence(sample, self.min_chars)
            if letters:
                fallback = self._fasttext.predict(sample, _TOP_K)
            trusted = enough and fallback and fallback[0][1] >= self.hybrid_threshold
            if self._langdetect is None or trusted:
                return _result(fallback, enough, "fasttext")
            if self._same_sample and not letters:
                return _result((), False, "fasttext")
        if sample is None or not self._same_sample:
            sample = self._sample(text, self.langdetect_chars, self.langdetect_windows)
            letters, enough = has_evidence(sample, self.min_chars)
            if not letters:
                return _result(fallback, False, "fasttext" if fallback else "langdetect")
        lang = script_language(sample) if self.script_shortcut else None
        if lang is not None:
            return _result(((lang, 1.0),), enough, "script")
        assert self._langdetect is not None
        ranked = self._langdetect.predict(sample, _TOP_K)
        if not ranked and fallback:
            return _result(fallback, enough, "fasttext")
        return _result(ranked, enough, "langdetect")

    @staticmethod
    def _sample(text: str, max_chars: int, windows: int) -> str:
        """Cleaned single-line sample of ``text`` of at most ``max_chars`` characters: the head
        (``windows`` 1) or ``windows`` pieces spread over the text (``cleaned_windows``).

        At most ``_RAW_FACTOR * max_chars`` raw characters per piece are cleaned, so cleaning cost
        does not grow with document length; markup denser than that factor leaves a shorter
        sample.
        """
        return fold_shouting(cleaned_windows(text, max_chars, windows, _RAW_FACTOR))


def _result(ranked: tuple[tuple[str, float], ...], enough: bool, backend: str) -> LanguageResult:
    if not ranked:
        return LanguageResult(None, 0.0, (), False, backend)
    lang, score = ranked[0]
    return LanguageResult(lang, score, ranked, enough, backend)
