"""Building the configured scorers and summarising their verdicts in one number."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from curation.quality.base import QualityScorer, Scores, ThresholdScorer
from curation.quality.c4 import C4Quality
from curation.quality.fineweb import FineWebQuality
from curation.quality.gopher_quality import GopherQuality
from curation.quality.gopher_repetition import GopherRepetition

#: All scorers, in the order they run (and reject reasons are reported): Gopher quality and
#: repetition, C4, FineWeb, the order of datatrove's FineWeb pipeline.
DEFAULT_SCORERS: tuple[type[ThresholdScorer], ...] = (
    GopherQuality,
    GopherRepetition,
    C4Quality,
    FineWebQuality,
)
_BY_NAME = {cls.name: cls for cls in DEFAULT_SCORERS}


def build_scorers(config: Mapping[str, Mapping[str, Any]] | None) -> list[QualityScorer]:
    """Instantiate every scorer in :data:`DEFAULT_SCORERS` order, unless disabled.

    ``config`` maps a scorer name to ``{"enabled": bool, <constructor argument>: value}``;
    scorers not named use their defaults, and a threshold of ``None`` disables its rule.
    Raises ``ValueError`` naming an unknown scorer, an unknown argument or a bad value.
    """
    config = config or {}
    unknown = sorted(set(config) - set(_BY_NAME))
    if unknown:
        raise ValueError(f"unknown quality scorer {unknown[0]!r}; known: {sorted(_BY_NAME)}")
    scorers: list[QualityScorer] = []
    for cls in DEFAULT_SCORERS:
        options = dict(config.get(cls.name) or {})
        if not options.pop("enabled", True):
            continue
        arguments = {field.name for field in dataclasses.fields(cls)}
        for key in options:
            if key not in arguments:
                raise ValueError(
                    f"unknown threshold {key!r} for quality scorer {cls.name!r}; "
                    f"known: {sorted(arguments)}"
                )
        scorers.append(cls(**options))
    return scorers


def quality_summary(
    scorers: Sequence[QualityScorer], scores_by_scorer: Mapping[str, Scores]
) -> float:
    """Fraction in [0, 1] of the applicable rules the document passes, over all ``scorers``.

    A rule counts when it is enabled (threshold not ``None``) and its metric is not ``None``;
    every such rule has equal weight. A document with no applicable rule scores 1.0. Used to
    rank duplicates when choosing which copy to keep (higher is better).
    """
    outcomes = [
        passed
        for scorer in scorers
        for _, passed in scorer.rule_outcomes(scores_by_scorer[scorer.name])
    ]
    return sum(outcomes) / len(outcomes) if outcomes else 1.0
