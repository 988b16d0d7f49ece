"""DiversityFigures: the shards' samples combine into the figures of the global bottom-k."""

from __future__ import annotations

import random

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from curation.diversity.figures import sample_figures
from curation.diversity.sample import smallest
from tests.transforms.beam_helpers import local_pipeline
from transforms.diversity import DIVERSITY, DIVERSITY_SAMPLE, DiversityFigures


def test_figures_of_the_global_sample_whatever_the_shards():
    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)]

    def doc(i: int) -> tuple[str, str, str]:
        return (f"{rng.getrandbits(64):016x}", f"id{i}", " ".join(rng.choices(words, k=40)))

    shards = [{"a": [doc(i) for i in range(s, s + 700)], "b": [doc(-1 - s)]} for s in (0, 700)]
    entries = [
        (DIVERSITY_SAMPLE, (source, sorted(sample)))
        for shard in shards
        for source, sample in shard.items()
    ]
    expected = sample_figures(
        {source: smallest([shard[source] for shard in shards]) for source in ("a", "b")}
    )
    assert expected["by_source"]["a"]["sample_documents"] == 1_000
    with local_pipeline(workers=2) as pipeline:
        figures = pipeline | beam.Create(entries) | DiversityFigures()
        assert_that(figures, equal_to([(DIVERSITY, expected)]))


def test_nothing_kept_gives_no_figures():
    with local_pipeline() as pipeline:
        figures = pipeline | beam.Create([]) | DiversityFigures()
        assert_that(figures, equal_to([]))
