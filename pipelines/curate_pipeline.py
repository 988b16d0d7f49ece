"""The curation pipeline: read -> score -> dedup -> route -> write.

Order and why: every document is scored first (language, quality, synthetic, MinHash) in one
fused step, so duplicate keepers can be chosen by those scores; per-document rules (language,
quality, synthetic drop) reject before dedup, so a duplicate cluster keeps its best *eligible*
copy; then ids are made unique, exact duplicates removed, near-duplicates clustered. Only
small digests are shuffled until the text is joined back to its decision by record key.
"""

from __future__ import annotations

from dataclasses import dataclass

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from curation.config import CurationConfig
from curation.inputs import InputFile
from curation.minhash import MinHasher
from curation.schema import corpus_schema, reject_schema
from curation.scoring import lsh_parameters, quality_metric_fields, signal_fields
from transforms.assemble import CORPUS, REJECTED, ApplyDecisions, public_row
from transforms.dedup import Deduplicate
from transforms.read import ReadInputs
from transforms.score import ScoreDocuments
from transforms.synthetic_cap import CapSynthetic
from transforms.write import WriteParquetShards, WriteRunRecord

CORPUS_DIR = "corpus"
REJECTS_DIR = "rejects"
#: Written last by the pipeline: input file stats and written shards.
RUN_RECORD = "_run.json"


@dataclass(frozen=True)
class RunPlan:
    """Everything a pipeline run needs, decided before the pipeline is built."""

    config: CurationConfig
    files: tuple[InputFile, ...]
    work_dir: str
    run_id: str
    num_shards: int
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
    compression = config.output.compression

    read = pipeline | "Read" >> ReadInputs(plan.files, config.limits, config.read.split_bytes)
    scored = read["docs"] | "Score" >> ScoreDocuments(config, plan.progress_dir)
    decisions = scored | "Dedup" >> Deduplicate(config.dedup, minhasher(config))
    if config.synthetic.policy == "cap":
        decisions = (scored, decisions) | "CapSynthetic" >> CapSynthetic(config.synthetic.max_share)
    routed = (scored, decisions) | "ApplyDecisions" >> ApplyDecisions(plan.run_id)
    read_rejects = read["rejects"] | "StampReadRejects" >> beam.Map(public_row, plan.run_id)
    rejected = (routed[REJECTED], read_rejects) | "AllRejects" >> beam.Flatten()

    corpus_shards = routed[CORPUS] | "WriteCorpus" >> WriteParquetShards(
        FileSystems.join(plan.work_dir, CORPUS_DIR),
        corpus_schema(metrics, signals),
        plan.num_shards,
        compression,
    )
    reject_shards = rejected | "WriteRejects" >> WriteParquetShards(
        FileSystems.join(plan.work_dir, REJECTS_DIR),
        reject_schema(metrics, signals),
        plan.num_shards,
        compression,
    )
    entries = [
        corpus_shards | "TagCorpusShards" >> beam.Map(lambda stats: ("corpus_shards", stats)),
        reject_shards | "TagRejectShards" >> beam.Map(lambda stats: ("reject_shards", stats)),
        read["file_stats"] | "TagInputs" >> beam.Map(lambda stats: ("inputs", stats)),
    ]
    _ = (
        entries
        | "AllEntries" >> beam.Flatten()
        | "WriteRunRecord" >> WriteRunRecord(FileSystems.join(plan.work_dir, RUN_RECORD))
    )
