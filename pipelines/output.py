"""A run's output directory: its layout, defined once, and the one reader of its shards.

Layout (the contract, see docs/output.md)::

    OUT/corpus/part-*.parquet    kept documents (or OUT/corpus/lang=xx/part-*.parquet, partitioned)
    OUT/rejects/part-*.parquet   every rejected record, with reason
    OUT/manifest.json            what ran, on what, with which result
    OUT/report.html              the HTML report
    OUT/README.md                Hugging Face dataset card (configs ``corpus`` and ``rejects``)
    OUT/.curate-output           marks a directory curate writes into (``--overwrite`` needs it)
    OUT/_SUCCESS                 written last: only a directory with it holds a finished run

Counts always come from the shards (never from runner metrics, which some runners lack):
:func:`count_shards` reads the few columns they need, once, for the manifest, ``curate
inspect`` and the report alike.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.decisions import OPTIONAL_STAGES, STAGE_ORDER
from curation.rights import normalise_license
from transforms.storage import literal

CORPUS_DIR = "corpus"
REJECTS_DIR = "rejects"
KINDS = (CORPUS_DIR, REJECTS_DIR)
#: What a later run deduplicates against instead of rescoring the corpus
#: (:mod:`curation.dedup.reference`); published with the shards.
INDEX_DIR = "index"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.html"
DATASET_CARD = "README.md"
OUTPUT_MARKER = ".curate-output"
SUCCESS_FILE = "_SUCCESS"
SHARD_PATTERN = "part-*.parquet"
#: Dedup index files (``OUT/index/``; a schema of their own, so ``OUT/*/part-*.parquet`` reads
#: the corpus and the rejects only).
INDEX_PATTERN = "index-*.parquet"


def list_shards(directory: str, pattern: str = SHARD_PATTERN) -> list[str]:
    """The shards of a shard directory, sorted: its ``part-*.parquet`` files (or those
    matching ``pattern``) and those in Hive partition directories (``lang=en/``) below it,
    nothing else, so a folder holding whole runs is not mistaken for one (none if it does not
    exist)."""
    prefix = FileSystems.join(directory, "")
    glob = FileSystems.join(literal(directory), "**" + pattern)
    found = (meta.path for meta in FileSystems.match([glob])[0].metadata_list)
    return sorted(path for path in found if _is_shard_below(path[len(prefix) :], pattern))


def _is_shard_below(relative: str, pattern: str) -> bool:
    *directories, name = relative.split("/")
    return fnmatch(name, pattern) and all(is_partition_dir(d) for d in directories)


def is_partition_dir(name: str) -> bool:
    """Whether a directory name is a Hive partition (``column=value``)."""
    return "=" in name


def parquet_rows(path: str) -> int:
    """Row count from a Parquet file's footer (no data read)."""
    with FileSystems.open(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


def shard_sizes(paths: Sequence[str]) -> dict[str, int]:
    """Size in bytes of each file, from one listing call."""
    if not paths:
        return {}
    return {
        meta.path: meta.size_in_bytes
        for result in FileSystems.match([literal(path) for path in paths])
        for meta in result.metadata_list
    }


def read_json(path: str) -> Any:
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))


def write_json(path: str, data: Any) -> None:
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n")


def iter_batches(path: str, columns: list[str], rows: int = 1024) -> Iterator[pa.RecordBatch]:
    """``columns`` of a shard, ``rows`` rows at a time (bounded memory, whatever the shard)."""
    with FileSystems.open(path) as handle:
        yield from pq.ParquetFile(handle).iter_batches(batch_size=rows, columns=columns)


def _columns(path: str, columns: list[str]) -> list[list[Any]]:
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle, columns=columns)
    return [table.column(name).to_pylist() for name in columns]


@dataclass
class OutputCounts:
    """What the shards of a run (or a selection of them) hold, counted once."""

    kept: Counter = field(default_factory=Counter)  # (source, lang or "und") -> documents
    kept_text_bytes: Counter = field(default_factory=Counter)  # (source, lang) -> UTF-8 bytes
    rejected: Counter = field(default_factory=Counter)  # (source, stage, reason) -> records
    licenses: dict[str, set[str]] = field(default_factory=dict)  # source -> its rows' licences
    # (source, lang or "und") -> synthetic scores of the kept documents scored
    synthetic_scores: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    #: kept licence as given -> documents, UTF-8 text bytes (see :meth:`kept_by_license`)
    kept_license_docs: Counter = field(default_factory=Counter)
    kept_license_bytes: Counter = field(default_factory=Counter)
    #: source -> kept documents in a duplicate cluster of two or more (their copies removed)
    kept_in_clusters: Counter = field(default_factory=Counter)

    def license_of(self, source: str) -> str | None:
        """The licences of a source's rows, sorted and comma-separated (a record can carry its
        own, ``license_field``)."""
        licenses = self.licenses.get(source)
        return ", ".join(sorted(licenses)) if licenses else None

    def kept_by_license(self) -> dict[str, dict[str, Any]]:
        """Kept documents and text bytes per licence, normalised to SPDX
        (:func:`curation.rights.normalise_license`; ``spdx`` false: kept verbatim, unknown),
        most documents first."""
        table: dict[str, dict[str, Any]] = {}
        for given, documents in self.kept_license_docs.items():
            name, known = normalise_license(given)
            entry = table.setdefault(name, {"documents": 0, "text_bytes": 0, "spdx": known})
            entry["documents"] += documents
            entry["text_bytes"] += self.kept_license_bytes[given]
        return dict(sorted(table.items(), key=lambda item: (-item[1]["documents"], item[0])))

    @property
    def total_kept(self) -> int:
        return sum(self.kept.values())

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())

    def kept_by_source(self) -> Counter:
        return _summed(self.kept, lambda key: key[0])

    def kept_text_bytes_by_source(self) -> Counter:
        return _summed(self.kept_text_bytes, lambda key: key[0])

    def kept_by_language(self) -> Counter:
        return _summed(self.kept, lambda key: key[1])

    def kept_text_bytes_by_language(self) -> Counter:
        return _summed(self.kept_text_bytes, lambda key: key[1])

    def rejected_by_source(self) -> Counter:
        return _summed(self.rejected, lambda key: key[0])

    def rejected_by_reason(self) -> Counter:
        return _summed(self.rejected, lambda key: key[2])

    def rejected_by_stage_and_reason(self) -> Counter:
        return _summed(self.rejected, lambda key: key[1:])

    def records_by_source(self) -> Counter:
        """Rows per source in the shards: kept + rejected (equal to the input when nothing
        was lost)."""
        return self.kept_by_source() + self.rejected_by_source()

    def conservation_errors(self, input_records: Mapping[str, int]) -> list[str]:
        """Sources whose input records differ from their corpus + reject rows."""
        kept, rejected = self.kept_by_source(), self.rejected_by_source()
        return [
            f"source {source!r}: {input_records.get(source, 0)} input records != "
            f"{kept[source]} kept + {rejected[source]} rejected"
            for source in sorted(set(input_records) | set(kept) | set(rejected))
            if input_records.get(source, 0) != kept[source] + rejected[source]
        ]

    def funnel(self, records_in: int) -> list[dict[str, Any]]:
        """Per stage in pipeline order: documents entering it, rejected there (by reason)
        and leaving it, starting from ``records_in``."""
        by_stage: dict[str, Counter] = {stage: Counter() for stage in STAGE_ORDER}
        for (_source, stage, reason), count in self.rejected.items():
            by_stage.setdefault(stage, Counter())[reason] += count
        remaining = records_in
        rows = []
        for stage, reasons in by_stage.items():
            rejected = sum(reasons.values())
            if stage in OPTIONAL_STAGES and not rejected:
                continue
            rows.append(
                {
                    "stage": stage,
                    "in": remaining,
                    "rejected": rejected,
                    "out": remaining - rejected,
                    "reasons": dict(sorted(reasons.items())),
                }
            )
            remaining -= rejected
        return rows


def _summed(counter: Counter, key_of: Any) -> Counter:
    summed: Counter = Counter()
    for key, count in counter.items():
        summed[key_of(key)] += count
    return summed


def count_shards(
    shards: Mapping[str, Iterable[str]], synthetic_scores: bool = False
) -> OutputCounts:
    """Count the shards ``{CORPUS_DIR: paths, REJECTS_DIR: paths}``, reading only the columns
    needed; ``synthetic_scores`` also collects the kept documents' scores (for the share)."""
    counts = OutputCounts()
    corpus_columns = ["source", "lang", "text_bytes", "license", "dup_cluster_size"]
    if synthetic_scores:
        corpus_columns.append("synthetic_score")
    for path in shards.get(CORPUS_DIR, ()):
        columns = _columns(path, corpus_columns)
        for source, lang, size, license_, cluster, *score in zip(*columns, strict=True):
            key = (source, lang or "und")
            counts.kept[key] += 1
            counts.kept_text_bytes[key] += size or 0
            counts.licenses.setdefault(source, set()).add(license_)
            counts.kept_license_docs[license_] += 1
            counts.kept_license_bytes[license_] += size or 0
            if cluster is not None and cluster > 1:
                counts.kept_in_clusters[source] += 1
            if score and score[0] is not None:
                counts.synthetic_scores.setdefault(key, []).append(score[0])
    reject_columns = ["source", "reject_stage", "reject_reason", "license"]
    for path in shards.get(REJECTS_DIR, ()):
        for source, stage, reason, license_ in zip(*_columns(path, reject_columns), strict=True):
            counts.rejected[(source, stage, reason)] += 1
            counts.licenses.setdefault(source, set()).add(license_)
    return counts
