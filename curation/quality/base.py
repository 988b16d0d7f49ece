"""The scorer protocol and the threshold-checking base shared by all scorers.

A scorer turns a document into a fixed, ordered set of metrics (``score``) and decides from
those metrics whether the document passes (``check``). Rules compare one metric with an
inclusive range whose bounds are constructor arguments; a bound of ``None`` disables that side,
and a metric of ``None`` (not applicable to the language, or undefined for an empty document)
always passes.
"""

from __future__ import annotations

import dataclasses
import numbers
from functools import cached_property
from typing import ClassVar, Protocol, runtime_checkable

from curation.quality.text import TextStats, text_stats

Scores = dict[str, float | int | None]


@runtime_checkable
class QualityScorer(Protocol):
    """What the pipeline calls. ``name`` and rule names are stable identifiers: reject reasons
    are ``quality:<name>.<rule>`` and stored metric columns are ``<name>__<metric>``."""

    name: str
    metrics: tuple[str, ...]
    #: The metrics that are counts: integers (stored as int64), the others are floats.
    count_metrics: frozenset[str]

    def score(self, text: str, lang: str | None) -> Scores:
        """Metric values keyed exactly by ``metrics``; ``None`` = not applicable."""
        ...

    def check(self, scores: Scores) -> str | None:
        """The first failing rule's name, or ``None`` if the document passes."""
        ...

    def rule_outcomes(self, scores: Scores) -> list[tuple[str, bool]]:
        """``(rule, passed)`` for each enabled rule whose metric is not ``None``."""
        ...


@dataclasses.dataclass(frozen=True)
class Rule:
    """Fail when ``metric`` is below the ``min_arg`` bound or above the ``max_arg`` bound.

    ``min_arg``/``max_arg`` name the scorer's constructor arguments that hold the bounds.
    """

    name: str
    metric: str
    min_arg: str | None = None
    max_arg: str | None = None


@dataclasses.dataclass(frozen=True)
class ThresholdScorer:
    """Base of the scorers: subclasses are frozen dataclasses whose fields are the thresholds
    and other parameters, and which define ``name``, ``metrics``, ``rules`` and ``compute``."""

    name: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]
    count_metrics: ClassVar[frozenset[str]] = frozenset()
    rules: ClassVar[tuple[Rule, ...]]

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0
            ):
                raise ValueError(
                    f"{self.name}.{field.name} must be a non-negative number or null, got {value!r}"
                )

    def compute(self, stats: TextStats) -> Scores:
        """Metric values of one document (keys exactly ``metrics``)."""
        raise NotImplementedError

    def score(self, text: str, lang: str | None) -> Scores:
        """See :class:`QualityScorer`."""
        return self.compute(text_stats(text, lang))

    @cached_property
    def _bounds(self) -> tuple[tuple[str, str, float | None, float | None], ...]:
        return tuple(
            (
                rule.name,
                rule.metric,
                getattr(self, rule.min_arg) if rule.min_arg else None,
                getattr(self, rule.max_arg) if rule.max_arg else None,
            )
            for rule in self.rules
        )

    def rule_outcomes(self, scores: Scores) -> list[tuple[str, bool]]:
        """``(rule, passed)`` for every rule that is enabled and applicable to ``scores``."""
        outcomes = []
        for name, metric, low, high in self._bounds:
            value = scores[metric]
            if value is None or (low is None and high is None):
                continue
            passed = not ((low is not None and value < low) or (high is not None and value > high))
            outcomes.append((name, passed))
        return outcomes

    def check(self, scores: Scores) -> str | None:
        """See :class:`QualityScorer`; rules are tried in ``rules`` order."""
        for name, metric, low, high in self._bounds:
            value = scores[metric]
            if value is not None and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                return name
        return None
