"""A synthetic-text scorer of the user's (``synthetic.scorer``) in place of the shipped model.

A heavier detector (a perplexity-based zero-shot score from a causal LM on GPU workers, say)
fills the same columns: ``synthetic_score``, ``synthetic``, ``score_low`` / ``score_high`` and
``abstain_reason``; the signals are still computed, so their columns stay. The class
(docs/synthetic.md, Scorer plug-ins)::

    class MyDetector:
        threshold = 0.8          # flag at or above (unless synthetic.threshold is set)
        languages = ("en",)      # optional; default: the shipped model's
        min_words = 30           # optional; default: the shipped model's
        batch_size = 64          # optional: texts per score_batch call

        def setup(self) -> None:  # optional: load the model; called before the first score
            ...                   # on each worker, never in the launcher

        def score(self, text: str, lang: str) -> float | tuple[float, float, float] | None:
            ...  # P(machine) in [0, 1], optionally with its 95 % interval (low, high);
                 # None abstains (abstain_reason "scorer_abstained")

        def score_batch(self, texts: list[str], langs: list[str]) -> list:  # optional
            ...  # one answer per text, as score's

It is built in the launcher (to check it) and once per worker, like every plug-in
(:mod:`curation.plugins.loader`); keep the constructor light and load models in ``setup``. A
document it raises on, or answers outside this interface for, is rejected with
``plugin:<name>.error`` (:class:`ScorerFailed`); the run goes on.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from curation.config import ConfigError, SyntheticConfig
from curation.decisions import Verdict
from curation.plugins.chain import error_verdict
from curation.plugins.loader import LoadedPlugin, load_plugin
from curation.synthetic.model import ModelArtefact
from curation.synthetic.scorer import Scored, ScoringScope, SyntheticResult, SyntheticScorer

#: ``abstain_reason`` of a text the plug-in returned ``None`` for.
ABSTAIN_SCORER = "scorer_abstained"
#: ``abstain_reason`` of a document the plug-in failed on (it is rejected ``plugin:<name>.error``).
ABSTAIN_SCORER_ERROR = "scorer_error"
#: Where a bad scorer plug-in is reported in config errors.
WHERE = "synthetic.scorer"
_LOG = logging.getLogger(__name__)


class ScorerFailed(Exception):
    """The plug-in raised on a document, or returned something outside its interface;
    ``verdict`` is the document's reject."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.detail)
        self.verdict = verdict


def _probability(value: Any) -> float | None:
    """``value`` as a float in [0, 1], or ``None`` when it is not one."""
    # numbers, numpy scalars, 0-d tensors: whatever converts itself with __float__
    if isinstance(value, bool) or not hasattr(type(value), "__float__"):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else None


def _is_codes(value: Any) -> bool:
    return (
        isinstance(value, Collection)
        and not isinstance(value, str)
        and all(isinstance(code, str) for code in value)
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_probability(value: Any) -> bool:
    return _probability(value) is not None


def _attribute(
    instance: Any, name: str, default: Any, valid: Callable[[Any], bool], what: str
) -> Any:
    """``instance.name`` (or ``default``), checked by ``valid``; :class:`ConfigError` if not."""
    value = getattr(instance, name, default)
    if not valid(value):
        raise ConfigError(f"{WHERE}: {type(instance).__name__}.{name} must be {what}")
    return value


class PluggedScorer(ScoringScope):
    """Scores with a user's class; the shipped model's signals and abstentions around it."""

    def __init__(
        self, plugin: LoadedPlugin, scorer: str, threshold: float | None, max_chars: int = 20_000
    ) -> None:
        """``scorer`` is the configured ``module:Class``; ``threshold`` (``synthetic.threshold``)
        overrides the class's ``threshold``, one of them is required. :class:`ConfigError` for
        a class outside the interface."""
        instance = plugin.instance
        if plugin.method("score") is None:
            raise ConfigError(f"{WHERE}.class: {type(instance).__name__} has no score(text, lang)")
        shipped = ModelArtefact.load()
        languages = _attribute(
            instance,
            "languages",
            tuple(shipped.supported_languages),
            _is_codes,
            "a collection of ISO 639-1 codes",
        )
        min_words = _attribute(
            instance, "min_words", shipped.min_words, _is_count, "an integer >= 1"
        )
        super().__init__(languages, min_words, max_chars)
        if threshold is None:
            threshold = _attribute(
                instance,
                "threshold",
                None,
                _is_probability,
                "a number in [0, 1] (or set synthetic.threshold)",
            )
        self.threshold = float(threshold)
        self.name = plugin.name
        self.scorer = scorer
        self.batch_size = _attribute(
            instance, "batch_size", ScoringScope.batch_size, _is_count, "an integer >= 1"
        )
        self._score = plugin.method("score")
        self._score_batch = plugin.method("score_batch")
        self._setup = plugin.method("setup")  # called before the first score, never before
        self._warned = False  # about a failed score_batch call (once per worker)

    def score(self, text: str, lang: str | None) -> SyntheticResult:
        """The plug-in's score of ``text`` (the shipped signals beside it); abstains as the
        shipped model does on languages and lengths outside the plug-in's, and when the plug-in
        returns ``None``. :class:`ScorerFailed` when the plug-in fails on it."""
        (scored,) = self.score_many([text], [lang])
        if scored.failed is not None:
            raise ScorerFailed(scored.failed)
        return scored.result

    def score_many(self, texts: Sequence[str], langs: Sequence[str | None]) -> list[Scored]:
        """:meth:`score` of each text, in order, a failure as the document's reject. The texts
        the plug-in is asked about go to its ``score_batch`` in one call when it has one; when
        that call raises or answers with a list of another length, to ``score`` one by one,
        so that only the texts it fails on are rejected."""
        if self._setup is not None:  # on a worker: load the model there, not in the launcher
            self._setup()
            self._setup = None
        signals = [self.analysed(text, lang)[1] for text, lang in zip(texts, langs, strict=True)]
        asked = [i for i, s in enumerate(signals) if s["abstain_reason"] is None]
        answers = self._answers([texts[i] for i in asked], [langs[i] for i in asked])
        results = [Scored(SyntheticResult(score=None, flagged=None, signals=s)) for s in signals]
        for i, answer in zip(asked, answers, strict=True):
            results[i] = self._scored(signals[i], answer)
        return results

    def _answers(self, texts: list[str], langs: list[str | None]) -> list[Any]:
        """The plug-in's answer for each text (a :class:`_Raised` where it raised)."""
        if self._score_batch is not None and texts:
            try:
                answers = list(self._score_batch(texts, langs))  # a list, array, tensor...
            except Exception as error:  # the plug-in's code: ask text by text, below
                problem = f"raised {type(error).__name__}: {error}"
            else:
                if len(answers) == len(texts):
                    return answers
                problem = f"gave {len(answers)} answers for {len(texts)} texts"
            if not self._warned:
                self._warned = True
                _LOG.warning("%s: score_batch %s; asking text by text", self.name, problem[:300])
        return [self._answer(text, lang) for text, lang in zip(texts, langs, strict=True)]

    def _answer(self, text: str, lang: str | None) -> Any:
        try:
            return self._score(text, lang)
        except Exception as error:  # the plug-in's code: reject the document, go on
            return _Raised(f"{type(error).__name__}: {error}")

    def _scored(self, signals: dict[str, Any], answer: Any) -> Scored:
        """The result of ``answer`` about a text with ``signals``."""
        if answer is None:
            signals["abstain_reason"] = ABSTAIN_SCORER
            return Scored(SyntheticResult(score=None, flagged=None, signals=signals))
        parsed = None if isinstance(answer, _Raised) else _parsed(answer)
        if parsed is None:
            problem = (
                answer.problem
                if isinstance(answer, _Raised)
                else f"returned {answer!r:.100}, not P(machine) or (P, low, high)"
            )
            verdict = error_verdict(self.name, "score", problem)
            return Scored(self.not_scored(ABSTAIN_SCORER_ERROR), verdict)
        score, low, high = parsed
        signals["score_low"], signals["score_high"] = low, high
        flagged = score >= self.threshold
        return Scored(SyntheticResult(score=score, flagged=flagged, signals=signals))


@dataclass(frozen=True)
class _Raised:
    """The plug-in raised on a text: the exception, as ``Type: message``."""

    problem: str


def _parsed(answer: Any) -> tuple[float, float | None, float | None] | None:
    """``(score, low, high)`` from a plug-in's answer, a probability or a probability with its
    interval (``low <= score <= high``); ``None`` for anything else."""
    if (score := _probability(answer)) is not None:
        return score, None, None
    if isinstance(answer, tuple | list) and len(answer) == 3:
        score, low, high = map(_probability, answer)
        if score is not None and low is not None and high is not None and low <= score <= high:
            return score, low, high
    return None


def build_synthetic_scorer(config: SyntheticConfig) -> SyntheticScorer | PluggedScorer:
    """The run's synthetic scorer: the shipped model, or the configured plug-in."""
    if config.scorer is None:
        return SyntheticScorer(threshold=config.threshold)
    plugin = load_plugin(config.scorer, WHERE)
    return PluggedScorer(plugin, config.scorer.class_, config.threshold)
