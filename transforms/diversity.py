"""Diversity figures of the kept corpus, from the shard writers' samples.

Each shard writer emits its bottom-k sample per source (:mod:`curation.diversity.sample`);
a combiner keeps the k smallest per source (at most k documents per source leave a worker),
and one step computes every figure (:func:`curation.diversity.figures.sample_figures`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import apache_beam as beam

from curation.diversity.figures import sample_figures
from curation.diversity.sample import SAMPLE_DOCS, Sampled, smallest

#: Tag of the writers' samples: ``(DIVERSITY_SAMPLE, (source, [sampled, ...]))``.
DIVERSITY_SAMPLE = "diversity_sample"
#: Run-record key of the figures.
DIVERSITY = "diversity"


class _BottomK(beam.CombineFn):
    """The :data:`SAMPLE_DOCS` smallest sampled documents of a source."""

    def create_accumulator(self) -> list[Sampled]:
        return []

    def add_input(self, accumulator: list[Sampled], element: list[Sampled]) -> list[Sampled]:
        return smallest([accumulator, element])

    def merge_accumulators(self, accumulators: Iterable[list[Sampled]]) -> list[Sampled]:
        return smallest(accumulators)

    def extract_output(self, accumulator: list[Sampled]) -> list[Sampled]:
        return [tuple(doc) for doc in accumulator[:SAMPLE_DOCS]]


def _figures(item: tuple[None, Iterable[tuple[str, list[Sampled]]]]) -> tuple[str, Any]:
    return DIVERSITY, sample_figures(dict(item[1]))


class DiversityFigures(beam.PTransform):
    """``(DIVERSITY_SAMPLE, (source, sample))`` -> one ``(DIVERSITY, figures)`` (none when
    nothing was kept)."""

    def expand(self, samples: beam.PCollection) -> beam.PCollection:
        return (
            samples
            | "BySource" >> beam.Map(lambda entry: entry[1])
            | "BottomK" >> beam.CombinePerKey(_BottomK())
            | "OneGroup" >> beam.Map(lambda item: (None, item))
            | "Gather" >> beam.GroupByKey()
            | "Figures" >> beam.Map(_figures)
        )
