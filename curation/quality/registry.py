"""Building the configured scorers and summarising their verdicts in one number."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

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


class _StrictSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _settings_model(cls: type[ThresholdScorer], per_language: bool = False) -> type[BaseModel]:
    """A strict pydantic model of ``cls``'s constructor arguments (thresholds >= 0 or null)
    plus ``enabled`` (not per language), so a misspelled or mistyped threshold fails when the
    config is read."""
    hints = get_type_hints(cls)
    fields: dict[str, Any] = {
        field.name: (Annotated[hints[field.name], Field(ge=0)], field.default)
        for field in dataclasses.fields(cls)
    }
    if not per_language:
        fields["enabled"] = (bool, True)
    suffix = "LanguageSettings" if per_language else "Settings"
    model = create_model(
        f"{cls.__name__}{suffix}",
        __base__=_StrictSettings,
        __doc__=f"{'Per-language s' if per_language else 'S'}ettings of ``{cls.name}``.",
        __module__=__name__,
        **fields,
    )
    globals()[model.__name__] = model  # importable by name, so a plan pickles by reference
    return model


def _scorers_model(name: str, per_language: bool) -> type[BaseModel]:
    models = {cls.name: _settings_model(cls, per_language) for cls in DEFAULT_SCORERS}
    return create_model(
        name,
        __base__=_StrictSettings,
        __module__=__name__,
        **{scorer: (model, model()) for scorer, model in models.items()},
    )


#: ``quality.scorers`` of the YAML: one typed settings object per scorer, defaults from the
#: scorer classes (the papers' thresholds).
QualityScorerSettings: type[BaseModel] = _scorers_model("QualityScorerSettings", False)
#: One language's entry of ``quality.languages``: thresholds that override ``quality.scorers``
#: for documents identified as that language (only the keys given; no ``enabled``).
LanguageScorerSettings: type[BaseModel] = _scorers_model("LanguageScorerSettings", True)


def language_scorer_settings(scorers: BaseModel, overrides: BaseModel) -> dict[str, Any]:
    """``scorers`` (a :data:`QualityScorerSettings`) with the thresholds ``overrides`` (a
    :data:`LanguageScorerSettings`) sets, as a mapping for :func:`build_scorers`."""
    merged = scorers.model_dump()
    for scorer, values in overrides.model_dump(exclude_unset=True).items():
        merged[scorer].update(values)
    return merged


def build_scorers(settings: BaseModel | Mapping[str, Any] | None = None) -> list[QualityScorer]:
    """Instantiate every enabled scorer in :data:`DEFAULT_SCORERS` order.

    ``settings`` is a :data:`QualityScorerSettings` or a mapping shaped like it
    (``{scorer_name: {"enabled": bool, <threshold>: value}}``, validated here); scorers not
    named use their defaults, and a threshold of ``None`` disables its rule. A mapping with an
    unknown scorer or threshold, or a bad value, raises ``pydantic.ValidationError`` (a
    ``ValueError``) naming it.
    """
    if not isinstance(settings, QualityScorerSettings):
        settings = QualityScorerSettings.model_validate(settings or {})
    scorers: list[QualityScorer] = []
    for cls in DEFAULT_SCORERS:
        options = getattr(settings, cls.name).model_dump()
        if options.pop("enabled"):
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


def first_failure(
    scorers: Sequence[QualityScorer], scores_by_scorer: Mapping[str, Scores]
) -> tuple[str, str, float | None] | None:
    """``(scorer, rule, metric value)`` of the first rule a document fails, in scorer order."""
    for scorer in scorers:
        scores = scores_by_scorer[scorer.name]
        rule = scorer.check(scores)
        if rule is not None:
            return scorer.name, rule, scores.get(rule)
    return None
