"""Diversity figures of the kept corpus, from the shard writers' samples.

Each shard writer emits its bottom-k sample per source (:mod:`curation.diversity.sample`);
one global combine keeps the k smallest per source (at most k documents per source leave a
worker) and computes every figure from them
(:func:`curation.diversity.figures.sample_figures`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import apache_beam as beam

from curation.diversity.figures import sample_figures
from curation.diversity.sample import Sampled, smallest

#: Tag of the writers' samples: ``(DIVERSITY_SAMPLE, (source, [sampled, ...]))``.
DIVERSITY_SAMPLE = "diversity_sample"
#: Run-record key of the figures.
DIVERSITY = "diversity"


class _BottomKPerSource(beam.CombineFn):
    """``{source: its SAMPLE_DOCS smallest sampled documents}`` of every writer's samples."""

    def create_accumulator(self) -> dict[str, list[Sampled]]:
        return {}

    def add_input(
        self, accumulator: dict[str, list[Sampled]], element: tuple[str, list[Sampled]]
    ) -> dict[str, list[Sampled]]:
        source, sample = element
        accumulator[source] = smallest([accumulator.get(source, []), sample])
        return accumulator

    def merge_accumulators(
        self, accumulators: Iterable[dict[str, list[Sampled]]]
    ) -> dict[str, list[Sampled]]:
        merged: dict[str, list[Sampled]] = {}
        for accumulator in accumulators:
            for element in accumulator.items():
                self.add_input(merged, element)
        return merged

    def extract_output(self, accumulator: dict[str, list[Sampled]]) -> tuple[str, Any]:
        samples = {source: [tuple(doc) for doc in docs] for source, docs in accumulator.items()}
        return DIVERSITY, sample_figures(samples)


class DiversityFigures(beam.PTransform):
    """``(DIVERSITY_SAMPLE, (source, sample))`` -> one ``(DIVERSITY, figures)`` (none when
    nothing was kept), through one combine."""

    def expand(self, samples: beam.PCollection) -> beam.PCollection:
        return (
            samples
            | "BySource" >> beam.Map(lambda entry: entry[1])
            | "Figures" >> beam.CombineGlobally(_BottomKPerSource()).without_defaults()
        )
