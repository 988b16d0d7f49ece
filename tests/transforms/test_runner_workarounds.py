"""SplitByTag: one PCollection per tag, Dask-safe (no multi-output ParDo)."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.transforms.beam_helpers import local_pipeline
from transforms.runner_workarounds import SplitByTag


def test_split_by_tag_selects_each_tag():
    with local_pipeline() as pipeline:
        parts = (
            pipeline
            | beam.Create([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
            | SplitByTag(["a", "b"])
        )
        assert_that(parts["a"], equal_to([1, 3]), label="a")
        assert_that(parts["b"], equal_to([2]), label="b")
