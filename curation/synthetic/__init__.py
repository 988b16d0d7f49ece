"""Synthetic (LLM) text scoring: interpretable signals, a small calibrated model, corpus share.

Public API (used by the pipeline): :data:`SIGNAL_FIELDS`, :data:`SUPPORTED_LANGUAGES`,
:class:`SyntheticResult`, :class:`SyntheticScorer`, :func:`estimate_share`,
:class:`ShareEstimate`. See ``docs/synthetic.md``.
"""

from curation.synthetic.scorer import (
    SIGNAL_FIELDS,
    SUPPORTED_LANGUAGES,
    SyntheticResult,
    SyntheticScorer,
)
from curation.synthetic.share import ShareEstimate, estimate_share

__all__ = [
    "SIGNAL_FIELDS",
    "SUPPORTED_LANGUAGES",
    "ShareEstimate",
    "SyntheticResult",
    "SyntheticScorer",
    "estimate_share",
]
