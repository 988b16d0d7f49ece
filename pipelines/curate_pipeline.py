"""The curation pipeline: read + score + spill -> dedup -> write shards.

Order and why: every document is scored first (language, quality, synthetic, MinHash) in the
step that reads it, so duplicate keepers can be chosen by those scores; the scored rows go to
one spill file per input piece, and only small digests (ids, hashes, signatures, ranks) are
shuffled. Per-document rules (language, quality, synthetic drop) reject before dedup, so a
duplicate cluster keeps its best *eligible* copy; then ids are made unique, exact duplicates
removed, near-duplicates clustered. Finally each output shard is assembled by one worker from
its pieces' spill files and the decisions of their documents.
"""

from __future__ import annotations

from dataclasses import dataclass

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from curation.config import CurationConfig
from curation.dedup.minhash import MinHasher
from curation.io.inputs import InputFile
from curation.io.pieces import Piece, pieces_by_shard
from curation.io.schema import corpus_schema, reject_schema, spill_schema
from curation.scoring import lsh_parameters, quality_metric_fields, signal_fields
from transforms.dedup import Deduplicate
from transforms.read import MergeFileStats, NumberedPieces
from transforms.score import DIGESTS, FILE_STATS, SPILLED, ScorePieces
from transforms.synthetic_cap import CapSynthetic
from transforms.write import ShardLayout, WriteRunRecord, WriteShards

CORPUS_DIR = "corpus"
REJECTS_DIR = "rejects"
SPILL_DIR = "spill"
#: Written last by the pipeline: input file stats and written shards.
RUN_RECORD = "_run.json"


@dataclass(frozen=True)
class RunPlan:
    """Everything a pipeline run needs, decided before the pipeline is built."""

    config: CurationConfig
    files: tuple[InputFile, ...]
    pieces: tuple[Piece, ...]
    work_dir: str
    run_id: str
    #: Local directory for progress counters, or None (cluster runners).
    progress_dir: str | None = None


def minhasher(config: CurationConfig) -> MinHasher:
    bands, rows = lsh_parameters(config)
    dedup = config.dedup
    return MinHasher(dedup.num_perm, bands, rows, dedup.ngram, dedup.char_ngram)


def build_pipeline(pipeline: beam.Pipeline, plan: RunPlan) -> None:
    """Add the whole curation graph to ``pipeline``; outputs go to ``plan.work_dir``."""
    config = plan.config
    metrics, signals = quality_metric_fields(config), signal_fields()
    spill_dir = FileSystems.join(plan.work_dir, SPILL_DIR)

    pieces = pipeline | "Pieces" >> NumberedPieces(plan.pieces)
    scored = pieces | "Score" >> ScorePieces(config, spill_dir, plan.run_id, plan.progress_dir)
    digests = scored[DIGESTS]
    decisions = digests | "Dedup" >> Deduplicate(
        config.dedup, minhasher(config), batches=len(plan.pieces)
    )
    if config.synthetic.policy == "cap":
        decisions = (digests, decisions) | "CapSynthetic" >> CapSynthetic(
            config.synthetic.max_share
        )

    layout = ShardLayout(
        spill_dir=spill_dir,
        pieces=pieces_by_shard(plan.pieces),
        corpus_dir=FileSystems.join(plan.work_dir, CORPUS_DIR),
        rejects_dir=FileSystems.join(plan.work_dir, REJECTS_DIR),
    )
    schemas = (
        spill_schema(metrics, signals),
        corpus_schema(metrics, signals),
        reject_schema(metrics, signals),
    )
    shards = (decisions, scored[SPILLED]) | "Write" >> WriteShards(
        layout, schemas, config.output.compression
    )
    inputs = scored[FILE_STATS] | "FileStats" >> MergeFileStats(plan.pieces)
    entries = [shards, inputs | "TagInputs" >> beam.Map(lambda stats: ("inputs", stats))]
    _ = (
        entries
        | "AllEntries" >> beam.Flatten()
        | "WriteRunRecord" >> WriteRunRecord(FileSystems.join(plan.work_dir, RUN_RECORD))
    )
