"""Tests of corpus-level share estimation."""

import numpy as np
import pytest

from curation.synthetic import estimate_share
from curation.synthetic.share import mixture_mle, wilson_interval


def calibrated_mixture(share: float, n: int, seed: int) -> np.ndarray:
    """Scores that are exact 50/50 posteriors: human x~N(0,1), machine x~N(2,1)."""
    rng = np.random.default_rng(seed)
    k = round(share * n)
    x = np.concatenate([rng.normal(2.0, 1.0, k), rng.normal(0.0, 1.0, n - k)])
    return 1.0 / (1.0 + np.exp(-(2.0 * x - 2.0)))


@pytest.mark.parametrize("share", [0.0, 0.05, 0.2, 0.5])
def test_mle_recovers_known_shares(share):
    est = estimate_share(calibrated_mixture(share, 4000, seed=1).tolist())
    assert abs(est.share - share) <= 0.03
    assert est.low <= share <= est.high
    assert est.n == 4000 and est.method == "mle"


def test_adjusted_count_corrects_flag_rate():
    scores = [0.9] * 30 + [0.1] * 70  # 30 % flagged at threshold 0.5
    est = estimate_share(scores, method="acc", threshold=0.5, tpr=0.6, fpr=0.0)
    assert est.share == pytest.approx(0.5)
    assert est.low < 0.5 < est.high


def test_abstentions_are_ignored_and_empty_input():
    assert estimate_share([None, 0.1, None, 0.2]).n == 2
    assert estimate_share([None]).n == 0


def test_wilson_interval_reference_value():
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)


def test_mle_interval_brackets_estimate():
    share, low, high = mixture_mle(calibrated_mixture(0.3, 500, seed=2))
    assert 0.0 <= low <= share <= high <= 1.0


def test_unknown_method_rejected():
    with pytest.raises(ValueError):
        estimate_share([0.5], method="count")
