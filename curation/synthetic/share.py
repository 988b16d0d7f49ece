"""Corpus-level share of machine text from per-document scores, with a 95 % interval.

Counting flags is biased: it over-counts by the false-positive rate and under-counts by the
miss rate. Two corrected estimators are offered:

* ``"acc"``: Forman's (2008) adjusted classify-and-count, ``(q - FPR) / (TPR - FPR)`` with the
  cross-validated TPR / FPR recorded in ``model.json``; the interval maps the Wilson score
  interval of the flag rate ``q`` through the same correction.
* ``"mle"``: maximum-likelihood mixture weight over the calibrated scores (Saerens et al. 2002;
  the distributional estimator of Liang et al. 2024 uses the same likelihood). With scores
  calibrated for a 50/50 prior, ``r = p / (1 - p)`` is the likelihood ratio
  P(x | machine) / P(x | human), and ``alpha`` maximises ``sum log(alpha * r + 1 - alpha)``.
  The interval is the profile-likelihood interval (chi-square, 1 d.o.f.).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from curation.synthetic.model import ModelArtefact

Z_95 = 1.959963984540054
CHI2_95 = Z_95**2
_EPS = 1e-6
_BISECT_STEPS = 60


@dataclass(frozen=True)
class ShareEstimate:
    """Estimated machine share in [0, 1] with a 95 % interval [low, high] over ``n`` scores."""

    share: float
    low: float
    high: float
    n: int
    method: str


@cache
def _default_artefact() -> ModelArtefact:
    return ModelArtefact.load()


def wilson_interval(k: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n`` (Wilson 1927)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _clip01(v: float) -> float:
    return min(1.0, max(0.0, v))


def adjusted_count(
    scores: np.ndarray, threshold: float, tpr: float, fpr: float
) -> tuple[float, float, float]:
    """Forman's adjusted count and its Wilson-based interval, all clipped to [0, 1]."""
    n = len(scores)
    k = int(np.count_nonzero(scores >= threshold))
    lo, hi = wilson_interval(k, n)
    gap = tpr - fpr
    if gap <= 0:
        raise ValueError(f"adjusted count needs TPR > FPR, got {tpr=} {fpr=}")
    return tuple(_clip01((q - fpr) / gap) for q in (k / n, lo, hi))  # type: ignore[return-value]


def _loglik(alpha: float, r: np.ndarray) -> float:
    return float(np.log(alpha * r + (1.0 - alpha)).sum())


def _bisect(f, pos: float, neg: float) -> float:
    """Root of a monotone ``f`` between ``pos`` (f >= 0) and ``neg`` (f < 0); either order."""
    for _ in range(_BISECT_STEPS):
        mid = 0.5 * (pos + neg)
        if f(mid) >= 0:
            pos = mid
        else:
            neg = mid
    return 0.5 * (pos + neg)


def mixture_mle(scores: np.ndarray) -> tuple[float, float, float]:
    """MLE of the machine share from 50/50-calibrated scores, with profile-likelihood interval."""
    p = np.clip(scores, _EPS, 1 - _EPS)
    r = p / (1 - p)

    def slope(a: float) -> float:
        return float(((r - 1) / (a * r + 1 - a)).sum())

    if slope(0.0) <= 0:
        alpha = 0.0
    elif slope(1.0) >= 0:
        alpha = 1.0
    else:
        alpha = _bisect(slope, 0.0, 1.0)  # the log-likelihood is concave in alpha
    best = _loglik(alpha, r)

    def inside(a: float) -> float:
        return CHI2_95 / 2 - (best - _loglik(a, r))

    low = 0.0 if inside(0.0) >= 0 else _bisect(inside, alpha, 0.0)
    high = 1.0 if inside(1.0) >= 0 else _bisect(inside, alpha, 1.0)
    return alpha, low, high


def estimate_share(
    scores: Sequence[float | None],
    method: str = "mle",
    threshold: float | None = None,
    tpr: float | None = None,
    fpr: float | None = None,
) -> ShareEstimate:
    """Machine share of a corpus from :class:`SyntheticScorer` scores.

    ``None`` scores (abstentions) are ignored; ``n`` counts the scores used. ``method`` is
    ``"mle"`` (default) or ``"acc"``; for ``"acc"`` the threshold, TPR and FPR default to the
    shipped model's cross-validated values. Both assume the texts resemble the validation data
    (English chat-model output vs human prose); see ``docs/synthetic.md``.
    """
    arr = np.asarray([s for s in scores if s is not None], dtype=float)
    if arr.size == 0:
        return ShareEstimate(share=math.nan, low=0.0, high=1.0, n=0, method=method)
    if method == "mle":
        share, low, high = mixture_mle(arr)
    elif method == "acc":
        art = _default_artefact()
        share, low, high = adjusted_count(
            arr,
            art.threshold if threshold is None else threshold,
            art.share_tpr if tpr is None else tpr,
            art.share_fpr if fpr is None else fpr,
        )
    else:
        raise ValueError(f"unknown method {method!r}; use 'mle' or 'acc'")
    return ShareEstimate(share=share, low=low, high=high, n=int(arr.size), method=method)
