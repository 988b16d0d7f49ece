"""Scoring every document in one fused step (language, quality, synthetic, MinHash)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from curation.config import CurationConfig
from curation.progress import ProgressFile
from curation.scoring import DocumentScorer


class ScoreDocumentsFn(beam.DoFn):
    """Adds score columns, the MinHash signature, the keeper rank and the per-doc verdict.

    The scorer (language profiles, fastText model, synthetic model) is built once per worker
    in :meth:`setup`, not per bundle or element.
    """

    def __init__(self, config: CurationConfig, progress_dir: str | None = None) -> None:
        self._config = config
        self._progress_dir = progress_dir
        self._scorer: DocumentScorer | None = None
        self._progress: ProgressFile | None = None

    def setup(self) -> None:
        self._scorer = DocumentScorer(self._config)
        if self._progress_dir is not None:
            self._progress = ProgressFile(self._progress_dir)

    def process(self, doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
        assert self._scorer is not None
        yield self._scorer.score(doc)
        if self._progress is not None:
            self._progress.add()

    def finish_bundle(self) -> None:
        if self._progress is not None:
            self._progress.flush()


class ScoreDocuments(beam.PTransform):
    """Document rows -> scored document rows.

    ``progress_dir``: a local directory where workers count scored documents for the launcher's
    progress line (local runs only; ``None`` writes nothing).
    """

    def __init__(self, config: CurationConfig, progress_dir: str | None = None) -> None:
        super().__init__()
        self._config = config
        self._progress_dir = progress_dir

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return docs | "Score" >> beam.ParDo(ScoreDocumentsFn(self._config, self._progress_dir))
