"""The ``cap`` synthetic policy: keep at most a share of flagged documents per source.

Applied after deduplication to the documents that would be kept. Within a source, flagged
(synthetic) documents are dropped, highest ``synthetic_score`` first (ties by id), until the
flagged share of the source's kept documents is at most ``max_share``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FlaggedDoc:
    """A kept document flagged as synthetic: what the cap needs of it."""

    key: str
    id: str
    score: float


def allowed_flagged(kept: int, flagged: int, max_share: float) -> int:
    """Largest number ``f <= flagged`` of flagged documents such that
    ``f / (kept - flagged + f) <= max_share`` (``kept`` counts flagged ones too)."""
    if flagged == 0 or max_share >= 1.0:
        return flagged
    unflagged = kept - flagged
    limit = max_share * unflagged / (1.0 - max_share)
    return min(flagged, math.floor(limit + 1e-9))


def documents_to_drop(
    kept: int, flagged_docs: Iterable[FlaggedDoc], max_share: float
) -> list[FlaggedDoc]:
    """The flagged documents of one source that the cap removes, highest scores first."""
    ordered = sorted(flagged_docs, key=lambda doc: (-doc.score, doc.id))
    excess = len(ordered) - allowed_flagged(kept, len(ordered), max_share)
    return ordered[:excess]
