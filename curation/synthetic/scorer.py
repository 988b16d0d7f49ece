"""Per-document synthetic-text scoring: signals -> calibrated P(machine), with abstention."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from curation.decisions import Verdict
from curation.synthetic.model import CompiledModel, ModelArtefact
from curation.synthetic.signals import SIGNAL_NAMES, Analysis, analyse


class Contribution(TypedDict):
    """One input's additive contribution to the score's log-odds (positive: towards machine)."""

    feature: str
    contribution: float


SIGNAL_FIELDS: dict[str, Any] = {
    **{name: int if name in ("n_words", "disclaimer_hits") else float for name in SIGNAL_NAMES},
    "score_low": float,
    "score_high": float,
    "abstain_reason": str,
    "top_features": list[Contribution],
}
"""Ordered output schema: every numeric signal, the score's 95 % interval (``score_low``,
``score_high``; it widens as texts get shorter), then ``abstain_reason`` and ``top_features``
(the :data:`TOP_FEATURES` largest contributions by absolute value, largest first)."""

SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"en"})
"""Languages the shipped model was validated on (lexicons and the training data are English)."""

TOP_FEATURES = 3
#: The manifest's name for the shipped model (``synthetic_share.scorer.scorer``).
SHIPPED_SCORER = "shipped"

ABSTAIN_NO_LANGUAGE = "no_language"
ABSTAIN_UNSUPPORTED_LANGUAGE = "unsupported_language"
ABSTAIN_TOO_SHORT = "too_short"
#: Not scored: a licence, language or quality rule rejected the document first.
ABSTAIN_REJECTED = "rejected"


@dataclass(frozen=True)
class SyntheticResult:
    """Outcome of scoring one document.

    ``score``: calibrated P(machine) in [0, 1] for a 50/50 prior, ``None`` when abstaining.
    ``flagged``: ``score >=`` the threshold of the text's length band (or the override),
    ``None`` when abstaining. ``signals``: keys exactly
    :data:`SIGNAL_FIELDS`.
    """

    score: float | None
    flagged: bool | None
    signals: dict[str, float | int | str | list[Contribution] | None]


def _prefix(text: str, max_chars: int) -> str:
    """At most ``max_chars`` characters of ``text``, cut at the last space when possible."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return cut[:space] if space > max_chars // 2 else cut


@dataclass(frozen=True)
class Scored:
    """A document's synthetic result and, when a scorer plug-in failed on it, its reject."""

    result: SyntheticResult
    failed: Verdict | None = None


class ScoringScope(ABC):
    """Which texts a synthetic scorer scores (its languages, at least ``min_words`` tokens) and
    their signals; the others abstain with a reason. Shared by the shipped model
    (:class:`SyntheticScorer`) and scorer plug-ins (:mod:`curation.synthetic.plugin`)."""

    #: :data:`SHIPPED_SCORER` or the plug-in's ``module:Class`` (the manifest's ``scorer``).
    scorer = SHIPPED_SCORER
    #: Flag threshold of texts in the longest length band.
    threshold: float
    #: Documents :meth:`score_many` is given at a time in a run.
    batch_size = 64

    def __init__(self, languages: Collection[str], min_words: int, max_chars: int) -> None:
        self.languages = frozenset(languages)
        self.min_words = min_words
        self.max_chars = max_chars

    def language_abstention(self, lang: str | None) -> str | None:
        """Why every text in ``lang`` abstains (no language, or one the scorer does not
        score), or ``None``."""
        if lang is None:
            return ABSTAIN_NO_LANGUAGE
        if lang not in self.languages:
            return ABSTAIN_UNSUPPORTED_LANGUAGE
        return None

    def analysed(self, text: str, lang: str | None) -> tuple[Analysis, dict[str, Any]]:
        """The signals of ``text``'s first ``max_chars`` characters, as :data:`SIGNAL_FIELDS`
        with the score fields unset and ``abstain_reason`` set when the text is not scored."""
        analysis = analyse(_prefix(text, self.max_chars))
        signals: dict[str, Any] = dict(analysis.signals)
        reason = self.language_abstention(lang)
        if reason is None and signals["n_words"] < self.min_words:
            reason = ABSTAIN_TOO_SHORT
        signals.update(score_low=None, score_high=None, abstain_reason=reason, top_features=None)
        return analysis, signals

    @abstractmethod
    def score(self, text: str, lang: str | None) -> SyntheticResult:
        """Score ``text`` written in ISO 639-1 language ``lang`` (``None`` = unknown)."""

    def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[Scored]:
        """:meth:`score` of each text, in order."""
        return [Scored(self.score(text, lang)) for text, lang in zip(texts, langs, strict=True)]

    @staticmethod
    def not_scored(reason: str) -> SyntheticResult:
        """The result of a document left unscored for ``reason``: every signal ``None``."""
        signals: dict[str, Any] = dict.fromkeys(SIGNAL_FIELDS)
        signals["abstain_reason"] = reason
        return SyntheticResult(score=None, flagged=None, signals=signals)

    def describe(self) -> dict[str, Any]:
        """What scored the run, for the manifest (``synthetic_share.scorer``) and the report."""
        return {
            "scorer": self.scorer,
            "languages": sorted(self.languages),
            "min_words": self.min_words,
            "threshold": self.threshold,
        }


class SyntheticScorer(ScoringScope):
    """Scores documents with the shipped (or a given) ``model.json``; load once, reuse."""

    def __init__(
        self, threshold: float | None = None, model_path: str | None = None, max_chars: int = 20_000
    ) -> None:
        """``threshold`` replaces the artefact's per-length-band thresholds (each chosen for
        <= 5 % human FPR) by one value; ``max_chars`` bounds cost: only that prefix of each text
        is scored. ``self.threshold`` is the threshold of texts in the longest band."""
        self.artefact = ModelArtefact.load(model_path)
        super().__init__(self.artefact.supported_languages, self.artefact.min_words, max_chars)
        self.threshold = self.artefact.threshold if threshold is None else threshold
        self._override = threshold
        self._model = self.artefact.model
        self._compiled = CompiledModel(self._model)

    def threshold_for(self, n_words: int) -> float:
        """Flag threshold for a text of ``n_words`` tokens."""
        return (
            self._override if self._override is not None else self.artefact.threshold_for(n_words)
        )

    def score(self, text: str, lang: str | None) -> SyntheticResult:
        """Score ``text`` written in ISO 639-1 language ``lang`` (``None`` = unknown)."""
        analysis, signals = self.analysed(text, lang)
        if signals["abstain_reason"] is not None:
            return SyntheticResult(score=None, flagged=None, signals=signals)
        n = int(signals["n_words"])
        z, contributions = self._compiled.decision(analysis.signals, analysis.units)
        score, low, high = self._model.calibration.score_interval(z, n)
        signals["score_low"], signals["score_high"] = low, high
        top = self._compiled.top_contributions(contributions, TOP_FEATURES)
        signals["top_features"] = [
            Contribution(feature=name, contribution=float(v)) for name, v in top
        ]
        return SyntheticResult(score=score, flagged=score >= self.threshold_for(n), signals=signals)
