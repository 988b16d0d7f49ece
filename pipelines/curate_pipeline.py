"""The curation pipeline: read + score + spill -> dedup -> write shards.

Order and why: every document is scored first (language, quality, synthetic, MinHash) in the
step that reads it, so duplicate keepers can be chosen by those scores; the scored rows go to
one spill file per input piece (signatures beside it), and only digests (ids, hashes, ranks,
verdicts) are shuffled, as one table per batch. Per-document rules (language, quality,
synthetic drop) reject before dedup, so a duplicate cluster keeps its best *eligible* copy;
then ids are made unique, exact duplicates removed, near-duplicates clustered. Finally each
output shard is assembled by one worker from its pieces' spill files and the decisions of
their documents, row group by row group (with ``dedup.repeated``, after the segments repeated
across the kept documents were counted, and cut from them as they are written).
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from curation.io.pieces import pieces_by_shard
from curation.plan import RunPlan
from curation.progress import DECIDED, WRITTEN
from pipelines.output import CORPUS_DIR, INDEX_DIR, REJECTS_DIR
from transforms.dedup import DeduplicateDigests, dedup_partitions, in_one_step
from transforms.diversity import DIVERSITY_SAMPLE, DiversityFigures
from transforms.progress import CountProgress, shard_rows, table_rows
from transforms.read import MergeFileStats, NumberedPieces
from transforms.reference import ReadReferences, WriteIndex
from transforms.score import DIGESTS, FILE_STATS, SPILLED, ScorePieces
from transforms.synthetic_cap import CapSynthetic
from transforms.write import CORPUS_SHARDS, REJECT_SHARDS, ShardLayout, WriteRunRecord, WriteShards

SPILL_DIR = "spill"
#: Written last by the pipeline: input file stats and written shards.
RUN_RECORD = "_run.json"
#: Output kind -> the key of its shards' stats in the run record.
SHARD_STATS = {CORPUS_DIR: CORPUS_SHARDS, REJECTS_DIR: REJECT_SHARDS}


def build_pipeline(pipeline: beam.Pipeline, plan: RunPlan) -> None:
    """Add the whole curation graph to ``pipeline``; outputs go to ``plan.work_dir``."""
    spill_dir = FileSystems.join(plan.work_dir, SPILL_DIR)

    # (piece, number of its first line)
    pieces = pipeline | "Pieces" >> NumberedPieces(plan.pieces, plan.config.limits.max_line_bytes)
    # {DIGESTS: digest table per piece, FILE_STATS: dict per piece, SPILLED: (shard, piece)}
    scored = pieces | "Score" >> ScorePieces(plan, spill_dir)
    digests = scored[DIGESTS]
    # decision tables: exactly one decision per scored document
    partitions = dedup_partitions(len(plan.pieces))
    references = None
    if plan.references:
        references = pipeline | "References" >> ReadReferences(
            plan.references, len(plan.pieces), plan.hasher, spill_dir
        )
    one_step = references is None and in_one_step(piece.file for piece in plan.pieces)
    decisions = digests | "Dedup" >> DeduplicateDigests(
        plan.config.dedup,
        plan.hasher,
        partitions,
        spill_dir,
        references,
        plan.reference_runs,
        one_step,
    )
    cap = plan.policy.synthetic_cap
    if cap is not None:
        decisions = (digests, decisions) | "CapSynthetic" >> CapSynthetic(cap)
    if plan.config.dedup.near and plan.config.output.index:
        index_dir = FileSystems.join(plan.work_dir, INDEX_DIR)
        _ = (digests, decisions) | "WriteIndex" >> WriteIndex(
            spill_dir, index_dir, plan.hasher, plan.run_id
        )

    layout = ShardLayout(
        spill_dir=spill_dir,
        pieces=pieces_by_shard(plan.pieces),
        corpus_dir=FileSystems.join(plan.work_dir, CORPUS_DIR),
        rejects_dir=FileSystems.join(plan.work_dir, REJECTS_DIR),
        partition_by=plan.config.output.partition_by,
    )
    # (CORPUS_SHARDS | REJECT_SHARDS, shard stats) per written file, and each shard's
    # (DIVERSITY_SAMPLE, (source, sample)) per source
    written = (decisions, scored[SPILLED]) | "Write" >> WriteShards(
        layout,
        plan.schemas,
        plan.config.output.compression,
        plan.config.dedup.repeated,
        partitions,
    )
    samples = written | "Samples" >> beam.Filter(lambda entry: entry[0] == DIVERSITY_SAMPLE)
    shards = written | "ShardStats" >> beam.Filter(lambda entry: entry[0] != DIVERSITY_SAMPLE)
    if plan.progress_dir is not None:  # side branches counting for the progress line
        directory = plan.progress_dir
        _ = decisions | "CountDecided" >> beam.ParDo(CountProgress(directory, DECIDED, table_rows))
        _ = shards | "CountWritten" >> beam.ParDo(CountProgress(directory, WRITTEN, shard_rows))
    # one stats dict per input file
    inputs = scored[FILE_STATS] | "FileStats" >> MergeFileStats(plan.pieces)
    entries = [
        shards,
        inputs | "TagInputs" >> beam.Map(lambda stats: ("inputs", stats)),
        samples | "Diversity" >> DiversityFigures(),
    ]
    _ = (
        entries
        | "AllEntries" >> beam.Flatten()
        | "WriteRunRecord" >> WriteRunRecord(FileSystems.join(plan.work_dir, RUN_RECORD))
    )
