"""Training-time helpers of the synthetic scorer that need no scikit-learn."""

import numpy as np
import pytest
import scipy.sparse as sp

from scripts.synthetic_training import ratio_scales

# Rows: 3 machine texts, 3 human texts; columns: n-grams only in machine texts, in all texts,
# mostly in human texts.
TFIDF = sp.csr_matrix(
    np.array(
        [
            [0.5, 0.5, 0.0],
            [0.7, 0.7, 0.0],
            [0.1, 0.9, 0.3],
            [0.0, 0.6, 0.8],
            [0.0, 0.8, 0.6],
            [0.0, 0.2, 0.9],
        ]
    )
)
Y = np.array([1, 1, 1, 0, 0, 0])


def test_power_zero_is_one_penalty_for_all():
    assert ratio_scales(TFIDF, Y, 0.0) == pytest.approx(np.ones(3))


def test_class_separating_ngrams_are_shrunk_less():
    scales = ratio_scales(TFIDF, Y, 0.5)
    machine_only, everywhere, mostly_human = scales
    # Add-one smoothed document frequencies: machine (4, 4, 2) of 10, human (1, 4, 4) of 9.
    r = np.abs(np.log(np.array([4, 4, 2]) / 10) - np.log(np.array([1, 4, 4]) / 9))
    expected = r**0.5 / np.sqrt(np.mean(r))
    assert scales == pytest.approx(expected)
    assert machine_only > mostly_human > everywhere
    assert np.sqrt(np.mean(scales**2)) == pytest.approx(1.0)


def test_scales_depend_on_presence_not_on_tfidf_size():
    doubled = ratio_scales(TFIDF * 2.0, Y, 0.5)
    assert doubled == pytest.approx(ratio_scales(TFIDF, Y, 0.5))
