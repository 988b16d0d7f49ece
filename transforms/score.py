"""Reading and scoring each piece in one step, spilling its rows and emitting its digests.

For every piece one worker reads the rows, scores every document (language, quality,
synthetic, MinHash) and writes all rows with their scores to the piece's spill file and the
documents' MinHash signatures to its signatures file. Only the piece's digests, one Arrow
table (:mod:`curation.dedup.digests`), continue through the pipeline's shuffles; the text is
read back from the spill files when the output shards are assembled.

The digests table is also written beside the spill file and a checkpoint last
(:mod:`curation.io.checkpoint`): a resumed run (``plan.reused``) emits a reused piece's
digests, stats and marker from those files instead of reading and scoring it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import apache_beam as beam
import pyarrow as pa

from curation.dedup.digests import PieceDigests
from curation.dedup.repeated import PieceSegments
from curation.io.checkpoint import PieceCheckpoint, piece_checksum
from curation.io.inputs import FileStats, read_piece
from curation.io.pieces import Piece, piece_bytes, piece_key
from curation.io.spill import SpillWriter
from curation.plan import RunPlan
from curation.progress import (
    DOCUMENTS,
    PIECE_BYTES,
    PIECE_RECORDS,
    PIECES,
    RECORDS,
    ProgressFile,
)
from curation.scoring import DedupScorer, DocumentScorer
from curation.tables import decode_table, encode_table
from transforms.evaluation_sets import load_contamination_index
from transforms.pause import pause_at
from transforms.runner_workarounds import SplitByTag
from transforms.storage import (
    checkpoint_path,
    create,
    digests_path,
    open_raw,
    read_bytes,
    readable_by_all,
    segments_path,
    signatures_path,
    spill_path,
)

DIGESTS = "digests"
FILE_STATS = "file_stats"
#: (shard, piece index) once a piece's spill file is complete.
SPILLED = "spilled"
#: The ``score`` pause point (:mod:`transforms.pause`): after a worker finished this many.
PAUSE_AFTER_PIECES = 2


def document_scorer(plan: RunPlan) -> DocumentScorer:
    """The run's per-document scorer with the evaluation sets' n-gram index (read here, in a
    worker, through Beam's filesystems); every Beam path that scores documents builds it so."""
    return DocumentScorer(plan, load_contamination_index(plan.config.decontamination))


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """``rows`` in lists of ``size`` (the last one shorter), read lazily."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def score_and_spill(
    rows: Iterable[dict[str, Any]],
    piece: int,
    scorer: DocumentScorer | DedupScorer,
    plan: RunPlan,
    spill_dir: str,
    progress: ProgressFile | None = None,
) -> PieceDigests:
    """Score one piece's rows (those not rejected yet), ``scorer.batch_size`` at a time, write
    them all to its spill file and its documents' signatures beside it (and with
    ``dedup.repeated`` the segment hashes of those no per-document rule rejects); the piece's
    digests."""
    writer = SpillWriter(create(spill_path(spill_dir, piece)), plan.schemas.spill)
    digests = PieceDigests(plan.hasher)
    repeated = plan.config.dedup.repeated
    segments = PieceSegments(repeated) if repeated is not None else None
    ordinal = 0
    for chunk in _chunks(rows, scorer.batch_size):
        for row in chunk:
            row["_key"] = piece_key(piece, ordinal)
            row["run_id"] = plan.run_id
            ordinal += 1
        scored = iter(scorer.score_many([row for row in chunk if "reject_reason" not in row]))
        for row in chunk:
            if "reject_reason" not in row:
                row = next(scored)
                digests.add(row)
                if segments is not None and row["_verdict"] is None:
                    segments.add(row["_key"], row["text"])
            writer.add(row)
            if progress is not None:
                progress.add(RECORDS)
    writer.close()
    with create(signatures_path(spill_dir, piece)) as handle:
        handle.write(digests.signatures_file())
    if segments is not None:
        with create(segments_path(spill_dir, piece)) as handle:
            handle.write(encode_table(segments.table()))
    return digests


class ScorePieceFn(beam.DoFn):
    """(piece, first line) -> its tagged digests table, file stats and spilled marker.

    The scorer (language profiles, fastText model, synthetic model, the evaluation sets'
    n-gram index) is built once per worker in :meth:`setup` from the run's plan. Digests are
    emitted only after the spill, signatures and digests files and the checkpoint are closed,
    so anything downstream of them can read those, and a piece is emitted the same whether
    scored or reused.
    """

    def __init__(self, plan: RunPlan, spill_dir: str) -> None:
        self._plan = plan
        self._spill_dir = spill_dir
        self._scorer: DocumentScorer | None = None
        self._progress: ProgressFile | None = None
        self._fingerprint = plan.fingerprint()  # what this run's checkpoints are made for
        self._finished = 0  # pieces this worker scored (for the pause point)

    def setup(self) -> None:
        self._scorer = document_scorer(self._plan)
        if self._plan.progress_dir is not None:
            self._progress = ProgressFile(self._plan.progress_dir)

    def process(self, element: tuple[Piece, int]) -> Iterator[tuple[str, Any]]:
        piece, first_line = element
        if piece.index in self._plan.reused:
            yield from self._reuse(piece)
            return
        if self._finished == PAUSE_AFTER_PIECES:
            pause_at("score")
        yield from self._score(piece, first_line)
        self._finished += 1

    def _score(self, piece: Piece, first_line: int) -> Iterator[tuple[str, Any]]:
        assert self._scorer is not None
        file = piece.file
        stats = FileStats(file.source.name, file.name, file.size_bytes, start=file.start)
        limits = self._plan.config.limits
        if not readable_by_all(file.uri):  # rejects.raw must not widen who can read the bytes
            limits = limits.model_copy(update={"max_raw_bytes": 0})
        rows = read_piece(open_raw, file, first_line, limits, stats)
        digests = score_and_spill(
            rows, piece.index, self._scorer, self._plan, self._spill_dir, self._progress
        )
        table = digests.table()
        with create(digests_path(self._spill_dir, piece.index)) as handle:
            handle.write(encode_table(table))
        checkpoint = PieceCheckpoint(
            piece.index,
            self._fingerprint,
            piece_checksum(open_raw, file),
            stats.as_dict(),
        )
        with create(checkpoint_path(self._spill_dir, piece.index)) as handle:
            handle.write(checkpoint.encode())
        self._count_piece(piece, checkpoint.stats["records"], table.num_rows)
        yield from _outputs(piece, table, checkpoint.stats)

    def _reuse(self, piece: Piece) -> Iterator[tuple[str, Any]]:
        """What :meth:`_score` emitted for ``piece`` in the run that was killed, from its
        checkpoint (checked by the launcher, :mod:`pipelines.resume`)."""
        data = read_bytes(checkpoint_path(self._spill_dir, piece.index))
        checkpoint = PieceCheckpoint.decode(data)
        assert checkpoint is not None, f"piece {piece.index}: reused without a checkpoint"
        table = decode_table(read_bytes(digests_path(self._spill_dir, piece.index)))
        if self._progress is not None:
            self._progress.add(RECORDS, checkpoint.stats["records"])
        self._count_piece(piece, checkpoint.stats["records"], table.num_rows)
        yield from _outputs(piece, table, checkpoint.stats)

    def _count_piece(self, piece: Piece, records: int, documents: int) -> None:
        """Count a finished piece for the progress line (its records were counted as read)."""
        if self._progress is None:
            return
        for counter, count in (
            (PIECES, 1),
            (PIECE_BYTES, piece_bytes(piece.file)),
            (PIECE_RECORDS, records),
            (DOCUMENTS, documents),
        ):
            self._progress.add(counter, count)

    def finish_bundle(self) -> None:
        if self._progress is not None:
            self._progress.flush()


def _outputs(piece: Piece, digests: pa.Table, stats: dict[str, Any]) -> Iterator[tuple]:
    """A scored piece's tagged outputs: its digests (if any), its file stats, its marker."""
    if digests.num_rows:
        yield DIGESTS, digests
    yield FILE_STATS, stats
    yield SPILLED, (piece.shard, piece.index)


class ScorePieces(beam.PTransform):
    """(piece, first line) -> {digests (a table per piece), file_stats (per piece), spilled
    (shard, piece)}.

    Spill files go to ``spill_dir``; with ``plan.progress_dir`` (local runs) workers count
    records and finished pieces there for the launcher's progress line.
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
