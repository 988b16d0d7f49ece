"""Several outputs from one step, in a form every runner executes correctly.

Beam's multi-output ``ParDo(...).with_outputs`` is wrong on DaskRunner (2.77 hands every
consumer all outputs, untagged). Steps here instead emit ``(tag, value)`` pairs from a
single-output ParDo, and :class:`SplitByTag` selects each tag with its own filter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import apache_beam as beam


def _select(item: tuple[str, Any], tag: str) -> Iterator[Any]:
    if item[0] == tag:
        yield item[1]


class SplitByTag(beam.PTransform):
    """PCollection[(tag, value)] -> {tag: PCollection[value]} for the given tags."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__()
        self._tags = tuple(tags)

    def expand(self, tagged: beam.PCollection) -> dict[str, beam.PCollection]:
        return {tag: tagged | f"Select_{tag}" >> beam.FlatMap(_select, tag) for tag in self._tags}
