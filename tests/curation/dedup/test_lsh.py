"""LSH banding choice: our own search, equal to datasketch's on a grid of settings."""

from __future__ import annotations

import pytest
from datasketch.lsh import _optimal_param

from curation.dedup.lsh import (
    FALSE_NEGATIVE_WEIGHT,
    FALSE_POSITIVE_WEIGHT,
    collision_probability,
    optimal_bands_rows,
    recall_bands_rows,
)
from curation.dedup.minhash import MinHasher


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.5, 256), (0.95, 64)])
def test_optimal_bands_rows_fit_num_perm(threshold, num_perm):
    bands, rows = optimal_bands_rows(threshold, num_perm)
    assert isinstance(bands, int)
    assert isinstance(rows, int)
    assert bands >= 1
    assert rows >= 1
    assert bands * rows <= num_perm
    MinHasher(num_perm=num_perm, bands=bands, rows=rows)
    # the S-curve's midpoint (1/b)^(1/r) lies near the threshold
    assert abs((1 / bands) ** (1 / rows) - threshold) < 0.15


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [32, 128])
@pytest.mark.parametrize(
    "weights", [(FALSE_POSITIVE_WEIGHT, FALSE_NEGATIVE_WEIGHT), (0.5, 0.5)], ids=["recall", "even"]
)
def test_same_choice_as_datasketch(threshold, num_perm, weights):
    """The reference: datasketch's private routine, which this replaces in the pipeline."""
    assert optimal_bands_rows(threshold, num_perm, *weights) == _optimal_param(
        threshold, num_perm, *weights
    )


def test_default_banding_at_the_default_threshold():
    assert optimal_bands_rows(0.8, 128) == (16, 8)
    assert optimal_bands_rows(0.8, 128, 0.5, 0.5) == (9, 13)


@pytest.mark.parametrize(
    ("threshold", "num_perm", "expected"),
    [(0.8, 128, (18, 5)), (0.7, 128, (26, 4)), (0.9, 128, (13, 8)), (0.8, 256, (30, 7))],
)
def test_recall_banding_misses_at_most_one_pair_in_a_thousand_at_the_threshold(
    threshold, num_perm, expected
):
    bands, rows = recall_bands_rows(threshold, num_perm)
    assert (bands, rows) == expected
    assert bands * rows <= num_perm
    assert collision_probability(threshold, bands, rows) >= 0.999
    # one more row per band would miss more often than that with the bands that fit
    more_rows = rows + 1
    assert collision_probability(threshold, num_perm // more_rows, more_rows) < 0.999


def test_recall_banding_falls_back_when_no_split_reaches_the_recall():
    # even 16 bands of one row miss a pair of Jaccard 0.2 with probability 0.8^16 = 0.028
    assert recall_bands_rows(0.2, 16) == optimal_bands_rows(0.2, 16)


def test_collision_probability_is_an_s_curve():
    assert collision_probability(0.0, 16, 8) == 0.0
    assert collision_probability(1.0, 16, 8) == 1.0
    assert collision_probability(0.8, 16, 8) > 0.9 > 0.1 > collision_probability(0.4, 16, 8)
