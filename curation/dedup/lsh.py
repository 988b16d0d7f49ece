"""Choosing the LSH banding (bands x rows) of a MinHash signature.

A pair with Jaccard similarity ``s`` shares at least one of ``b`` bands of ``r`` rows with
probability ``1 - (1 - s^r)^b`` (Leskovec, Rajaraman and Ullman, "Mining of Massive Datasets",
section 3.4). :func:`optimal_bands_rows` picks ``(b, r)`` with ``b * r <= num_perm`` that
minimises the weighted area of false positives (pairs below the threshold that collide) and
false negatives (pairs above it that do not), the criterion of datasketch's ``MinHashLSH``.
When every candidate is verified by its exact Jaccard, false positives cost only verification
time and cannot merge anything, so :func:`recall_bands_rows` asks for a miss probability at the
threshold itself of at most :data:`MAX_MISS_AT_THRESHOLD` and, among the splits that reach it,
the fewest false positives.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
from numpy.polynomial.legendre import leggauss

#: Weights of LSH false positives and false negatives. Candidates are verified against the
#: threshold afterwards (``DedupConfig.verify``), which removes LSH false positives but can
#: never recover a missed pair, so the split favours recall: at threshold 0.8 and 128
#: permutations it gives 16 x 8, where the equal-weight optimum is 9 x 13 (docs/dedup.md).
FALSE_POSITIVE_WEIGHT = 0.05
FALSE_NEGATIVE_WEIGHT = 0.95
#: Largest probability that a pair exactly at the threshold shares no band, for
#: :func:`recall_bands_rows` (pairs above it are missed less often still).
MAX_MISS_AT_THRESHOLD = 0.001


def collision_probability(
    similarity: float | np.ndarray, bands: int, rows: int
) -> float | np.ndarray:
    """Probability that two signatures of Jaccard ``similarity`` share at least one band."""
    return 1.0 - (1.0 - similarity ** float(rows)) ** float(bands)


def _integral(
    function: Callable[[np.ndarray], np.ndarray], low: float, high: float, degree: int
) -> float:
    """Integral of ``function``, a polynomial of at most ``degree``, over ``[low, high]``:
    Gauss-Legendre quadrature with enough nodes to be exact up to rounding."""
    nodes, weights = _legendre(degree // 2 + 1)
    half = (high - low) / 2.0
    return half * float(weights @ function(half * nodes + (high + low) / 2.0))


@cache
def _legendre(count: int) -> tuple[np.ndarray, np.ndarray]:
    return leggauss(count)


def false_positive_area(threshold: float, bands: int, rows: int) -> float:
    """Integral of the collision probability over similarities in ``[0, threshold]``."""
    return _integral(lambda s: collision_probability(s, bands, rows), 0.0, threshold, bands * rows)


def false_negative_area(threshold: float, bands: int, rows: int) -> float:
    """Integral of the miss probability over similarities in ``[threshold, 1]``."""
    return _integral(
        lambda s: 1.0 - collision_probability(s, bands, rows), threshold, 1.0, bands * rows
    )


@cache
def optimal_bands_rows(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = FALSE_POSITIVE_WEIGHT,
    false_negative_weight: float = FALSE_NEGATIVE_WEIGHT,
) -> tuple[int, int]:
    """``(bands, rows)`` minimising the weighted false positive + false negative areas.

    Searches every ``bands * rows <= num_perm`` in order of bands, then rows, and keeps the
    first minimum (the same choice as datasketch's ``MinHashLSH``). A few thousand numerical
    integrals: call it once per run, where the run is planned.
    """
    best, best_error = (0, 0), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            error = false_positive_weight * false_positive_area(
                threshold, bands, rows
            ) + false_negative_weight * false_negative_area(threshold, bands, rows)
            if error < best_error:
                best, best_error = (bands, rows), error
    return best


@cache
def recall_bands_rows(
    threshold: float, num_perm: int, max_miss: float = MAX_MISS_AT_THRESHOLD
) -> tuple[int, int]:
    """``(bands, rows)`` for exactly verified candidates: of the splits with
    ``b * r <= num_perm`` whose miss probability at ``threshold`` is at most ``max_miss``, the
    one with the smallest false-positive area (first in order of bands, then rows); the
    :func:`optimal_bands_rows` split when none reaches it. 18 x 5 at threshold 0.8 and 128
    permutations (a pair of Jaccard 0.8 shares a band with probability 0.9992).

    With the bands fixed, each added row lowers the collision probability at every similarity
    below 1, so the false-positive area falls as the miss probability grows: of each band
    count's splits that reach ``max_miss`` only the one with the most rows can be the best, and
    only its area is integrated.
    """
    best, best_area = None, float("inf")
    for bands in range(1, num_perm + 1):
        reaching = [
            rows
            for rows in range(1, num_perm // bands + 1)
            if 1.0 - collision_probability(threshold, bands, rows) <= max_miss
        ]
        if not reaching:
            continue
        area = false_positive_area(threshold, bands, reaching[-1])
        if area < best_area:
            best, best_area = (bands, reaching[-1]), area
    return best or optimal_bands_rows(threshold, num_perm)
