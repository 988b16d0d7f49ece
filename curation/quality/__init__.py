"""Document quality scorers: Gopher quality and repetition, C4 and FineWeb heuristics.

Each scorer computes a fixed tuple of metrics per document (``score``) and checks them
against literature thresholds (``check``); see ``docs/quality.md`` for every rule, its
source and the languages it applies to.
"""

from curation.quality.base import QualityScorer, Rule, Scores, ThresholdScorer
from curation.quality.c4 import C4Quality
from curation.quality.fineweb import FineWebQuality
from curation.quality.gopher_quality import GopherQuality
from curation.quality.gopher_repetition import GopherRepetition
from curation.quality.registry import (
    DEFAULT_SCORERS,
    LanguageScorerSettings,
    QualityScorerSettings,
    build_scorers,
    first_failure,
    language_scorer_settings,
    quality_summary,
)
from curation.quality.text import TextStats, text_stats

__all__ = [
    "DEFAULT_SCORERS",
    "C4Quality",
    "FineWebQuality",
    "GopherQuality",
    "GopherRepetition",
    "LanguageScorerSettings",
    "QualityScorer",
    "QualityScorerSettings",
    "Rule",
    "Scores",
    "TextStats",
    "ThresholdScorer",
    "build_scorers",
    "first_failure",
    "language_scorer_settings",
    "quality_summary",
    "text_stats",
]
