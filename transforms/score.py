"""Scoring every document in one fused step (language, quality, synthetic, MinHash)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from curation.config import CurationConfig
from curation.scoring import DocumentScorer


class ScoreDocumentsFn(beam.DoFn):
    """Adds score columns, the MinHash signature, the keeper rank and the per-doc verdict.

    The scorer (language profiles, fastText model, synthetic model) is built once per worker
    in :meth:`setup`, not per bundle or element.
    """

    def __init__(self, config: CurationConfig) -> None:
        self._config = config
        self._scorer: DocumentScorer | None = None

    def setup(self) -> None:
        self._scorer = DocumentScorer(self._config)

    def process(self, doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
        assert self._scorer is not None
        yield self._scorer.score(doc)


class ScoreDocuments(beam.PTransform):
    """Document rows -> scored document rows."""

    def __init__(self, config: CurationConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return docs | "Score" >> beam.ParDo(ScoreDocumentsFn(self._config))
