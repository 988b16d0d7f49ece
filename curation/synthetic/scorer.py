"""Per-document synthetic-text scoring: signals -> calibrated P(machine), with abstention."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curation.synthetic.function_words import FEATURE_PREFIX
from curation.synthetic.model import ModelArtefact, feature_vector
from curation.synthetic.signals import SIGNAL_NAMES, compute_features

SIGNAL_FIELDS: dict[str, type] = {
    **{name: int if name in ("n_words", "disclaimer_hits") else float for name in SIGNAL_NAMES},
    "abstain_reason": str,
    "top_features": str,
}
"""Ordered output schema: every numeric signal, then ``abstain_reason`` and ``top_features``."""

SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"en"})
"""Languages the shipped model was validated on (lexicons and the training data are English)."""

TOP_FEATURES = 3

ABSTAIN_NO_LANGUAGE = "no_language"
ABSTAIN_UNSUPPORTED_LANGUAGE = "unsupported_language"
ABSTAIN_TOO_SHORT = "too_short"


@dataclass(frozen=True)
class SyntheticResult:
    """Outcome of scoring one document.

    ``score``: calibrated P(machine) in [0, 1] for a 50/50 prior, ``None`` when abstaining.
    ``flagged``: ``score >= threshold``, ``None`` when abstaining. ``signals``: keys exactly
    :data:`SIGNAL_FIELDS`.
    """

    score: float | None
    flagged: bool | None
    signals: dict[str, float | int | str | None]


def _prefix(text: str, max_chars: int) -> str:
    """At most ``max_chars`` characters of ``text``, cut at the last space when possible."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return cut[:space] if space > max_chars // 2 else cut


class SyntheticScorer:
    """Scores documents with the shipped (or a given) ``model.json``; load once, reuse."""

    def __init__(
        self, threshold: float | None = None, model_path: str | None = None, max_chars: int = 20_000
    ) -> None:
        """``threshold`` overrides the artefact's default (chosen for <= 5 % human FPR);
        ``max_chars`` bounds cost: only that prefix of each text is scored."""
        self.artefact = ModelArtefact.load(model_path)
        self.threshold = self.artefact.threshold if threshold is None else threshold
        self.max_chars = max_chars
        self._model = self.artefact.model
        self._fw = any(n.startswith(FEATURE_PREFIX) for n in self._model.names)

    def score(self, text: str, lang: str | None) -> SyntheticResult:
        """Score ``text`` written in ISO 639-1 language ``lang`` (``None`` = unknown)."""
        features = compute_features(_prefix(text, self.max_chars), function_words=self._fw)
        signals: dict[str, float | int | str | None] = {k: features[k] for k in SIGNAL_NAMES}
        reason = self._abstain_reason(signals, lang)
        signals["abstain_reason"] = reason
        signals["top_features"] = None
        if reason is not None:
            return SyntheticResult(score=None, flagged=None, signals=signals)
        row = feature_vector(features, self._model.names)
        score = float(self._model.probability(row[None, :])[0])
        signals["top_features"] = self._explain(row)
        return SyntheticResult(score=score, flagged=score >= self.threshold, signals=signals)

    def _abstain_reason(self, signals: dict, lang: str | None) -> str | None:
        if lang is None:
            return ABSTAIN_NO_LANGUAGE
        if lang not in self.artefact.supported_languages:
            return ABSTAIN_UNSUPPORTED_LANGUAGE
        if signals["n_words"] < self.artefact.min_words:
            return ABSTAIN_TOO_SHORT
        return None

    def _explain(self, row: np.ndarray) -> str:
        """``name:+1.20;...``: the largest log-odds contributions (coef x z-score)."""
        contrib = self._model.contributions(row)
        order = np.argsort(-np.abs(contrib))[:TOP_FEATURES]
        return ";".join(f"{self._model.names[i]}:{contrib[i]:+.2f}" for i in order)
