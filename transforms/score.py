"""Reading and scoring each piece in one step, spilling its rows and emitting its digests.

For every piece one worker reads the rows, scores every document (language, quality,
synthetic, MinHash) and writes all rows with their scores to the piece's spill file and the
documents' MinHash signatures to its signatures file. Only the piece's digests, one Arrow
table (:mod:`curation.dedup.digests`), continue through the pipeline's shuffles; the text is
read back from the spill files when the output shards are assembled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from curation.dedup.digests import PieceDigests
from curation.io.inputs import FileStats, read_piece
from curation.io.pieces import Piece, piece_key
from curation.io.spill import SpillWriter
from curation.plan import RunPlan
from curation.progress import ProgressFile
from curation.scoring import DocumentScorer
from transforms.runner_workarounds import SplitByTag
from transforms.storage import create, open_raw, readable_by_all, signatures_path, spill_path

DIGESTS = "digests"
FILE_STATS = "file_stats"
#: (shard, piece index) once a piece's spill file is complete.
SPILLED = "spilled"


class ScorePieceFn(beam.DoFn):
    """(piece, first line) -> its tagged digests table, file stats and spilled marker.

    The scorer (language profiles, fastText model, synthetic model) is built once per worker
    in :meth:`setup` from the run's plan. Digests are emitted only after the spill and
    signatures files are closed, so anything downstream of them can read those.
    """

    def __init__(self, plan: RunPlan, spill_dir: str) -> None:
        self._plan = plan
        self._spill_dir = spill_dir
        self._scorer: DocumentScorer | None = None
        self._progress: ProgressFile | None = None

    def setup(self) -> None:
        self._scorer = DocumentScorer(self._plan)
        if self._plan.progress_dir is not None:
            self._progress = ProgressFile(self._plan.progress_dir)

    def process(self, element: tuple[Piece, int]) -> Iterator[tuple[str, Any]]:
        assert self._scorer is not None
        piece, first_line = element
        file, run_id = piece.file, self._plan.run_id
        stats = FileStats(file.source.name, file.name, file.size_bytes, start=file.start)
        spill = create(spill_path(self._spill_dir, piece.index))
        writer = SpillWriter(spill, self._plan.schemas.spill)
        digests = PieceDigests(self._plan.hasher)
        limits = self._plan.config.limits
        if not readable_by_all(file.uri):  # rejects.raw must not widen who can read the bytes
            limits = limits.model_copy(update={"max_raw_bytes": 0})
        rows = read_piece(open_raw, file, first_line, limits, stats)
        for ordinal, row in enumerate(rows):
            row["_key"] = piece_key(piece.index, ordinal)
            row["run_id"] = run_id
            if "reject_reason" not in row:
                row = self._scorer.score(row)
                digests.add(row)
                if self._progress is not None:
                    self._progress.add()
            writer.add(row)
        writer.close()
        with create(signatures_path(self._spill_dir, piece.index)) as handle:
            handle.write(digests.signatures_file())
        if len(digests):
            yield DIGESTS, digests.table()
        yield FILE_STATS, stats.as_dict()
        yield SPILLED, (piece.shard, piece.index)

    def finish_bundle(self) -> None:
        if self._progress is not None:
            self._progress.flush()


class ScorePieces(beam.PTransform):
    """(piece, first line) -> {digests (a table per piece), file_stats (per piece), spilled
    (shard, piece)}.

    Spill files go to ``spill_dir``; with ``plan.progress_dir`` (local runs) workers count
    scored documents there for the launcher's progress line.
    """

    def __init__(self, plan: RunPlan, spill_dir: str) -> None:
        super().__init__()
        self._fn = ScorePieceFn(plan, spill_dir)

    def expand(self, pieces: beam.PCollection) -> dict[str, beam.PCollection]:
        return (
            pieces
            | "ReadScoreSpill" >> beam.ParDo(self._fn)
            | "SplitScored" >> SplitByTag([DIGESTS, FILE_STATS, SPILLED])
        )
