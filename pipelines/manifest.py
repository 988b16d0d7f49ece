"""Counting a run from its written outputs and describing it in ``manifest.json``.

Counts come from the shards on disk, never from runner metrics (some runners have none), and
the conservation invariant (input records = corpus rows + reject rows, per source) is checked
here for every run.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.io.records import Stage
from curation.synthetic import estimate_share

#: Stages in pipeline order, for the funnel.
STAGE_ORDER = (
    Stage.READ,
    Stage.VALIDATE,
    Stage.IDS,
    Stage.LANGUAGE,
    Stage.QUALITY,
    Stage.SYNTHETIC,
    Stage.EXACT_DEDUP,
    Stage.NEAR_DEDUP,
    Stage.SYNTHETIC_CAP,
)


def list_shards(directory: str) -> list[str]:
    pattern = FileSystems.join(directory, "part-*.parquet")
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def read_columns(path: str, columns: list[str]) -> dict[str, list]:
    with FileSystems.open(path) as handle:
        return pq.read_table(handle, columns=columns).to_pydict()


def shard_info(path: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with FileSystems.open(path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {"path": path, "rows": parquet_rows(path), "bytes": size, "sha256": digest.hexdigest()}


def parquet_rows(path: str) -> int:
    """Row count from a Parquet file's footer (no data read)."""
    with FileSystems.open(path) as handle:
        return pq.ParquetFile(handle).metadata.num_rows


@dataclass
class RunCounts:
    """Counts read back from the shards of one run."""

    input_records: Counter = field(default_factory=Counter)  # per source
    kept: Counter = field(default_factory=Counter)  # per source
    rejected: Counter = field(default_factory=Counter)  # per (source, stage, reason)
    kept_languages: Counter = field(default_factory=Counter)
    synthetic_scores: dict[str, list[float]] = field(default_factory=dict)  # per source
    shards: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def total_in(self) -> int:
        return sum(self.input_records.values())

    @property
    def total_kept(self) -> int:
        return sum(self.kept.values())

    @property
    def total_rejected(self) -> int:
        return sum(self.rejected.values())

    def rejected_by_reason(self) -> Counter:
        counts: Counter = Counter()
        for (_source, _stage, reason), count in self.rejected.items():
            counts[reason] += count
        return counts

    def conservation_errors(self) -> list[str]:
        """Sources whose input records differ from corpus + reject rows."""
        errors = []
        sources = set(self.input_records) | set(self.kept) | {s for s, _, _ in self.rejected}
        for source in sorted(sources):
            rejected = sum(n for (s, _, _), n in self.rejected.items() if s == source)
            if self.input_records[source] != self.kept[source] + rejected:
                errors.append(
                    f"source {source!r}: {self.input_records[source]} input records != "
                    f"{self.kept[source]} kept + {rejected} rejected"
                )
        return errors

    def funnel(self) -> list[dict[str, Any]]:
        """Documents entering each stage and rejected there, by reason."""
        remaining = self.total_in
        rows = []
        for stage in STAGE_ORDER:
            reasons = Counter()
            for (_source, reject_stage, reason), count in self.rejected.items():
                if reject_stage == stage:
                    reasons[reason] += count
            rejected = sum(reasons.values())
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


def count_outputs(corpus_dir: str, rejects_dir: str, inputs: list[dict[str, Any]]) -> RunCounts:
    """Read the written shards (only the columns needed) and the input file stats."""
    counts = RunCounts()
    for item in inputs:
        counts.input_records[item["source"]] += item["records"]
    counts.shards["corpus"] = [shard_info(path) for path in list_shards(corpus_dir)]
    counts.shards["rejects"] = [shard_info(path) for path in list_shards(rejects_dir)]
    for shard in counts.shards["corpus"]:
        columns = read_columns(shard["path"], ["source", "lang", "synthetic_score"])
        for source, lang, score in zip(
            columns["source"], columns["lang"], columns["synthetic_score"], strict=True
        ):
            counts.kept[source] += 1
            counts.kept_languages[lang or "und"] += 1
            if score is not None:
                counts.synthetic_scores.setdefault(source, []).append(score)
    for shard in counts.shards["rejects"]:
        columns = read_columns(shard["path"], ["source", "reject_stage", "reject_reason"])
        for key in zip(
            columns["source"], columns["reject_stage"], columns["reject_reason"], strict=True
        ):
            counts.rejected[key] += 1
    return counts


def synthetic_share(counts: RunCounts) -> dict[str, Any]:
    """Estimated share of machine-written text in the kept corpus, overall and per source."""

    def estimate(scores: list[float]) -> dict[str, Any] | None:
        if not scores:
            return None
        result = estimate_share(scores)
        return {
            "share": result.share,
            "low": result.low,
            "high": result.high,
            "n": result.n,
            "method": result.method,
        }

    all_scores = [score for scores in counts.synthetic_scores.values() for score in scores]
    return {
        "corpus": estimate(all_scores),
        "by_source": {
            source: estimate(scores) for source, scores in sorted(counts.synthetic_scores.items())
        },
    }


def write_json(path: str, data: Any) -> None:
    with FileSystems.create(path) as handle:
        handle.write(json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n")


def read_json(path: str) -> Any:
    with FileSystems.open(path) as handle:
        return json.loads(handle.read().decode("utf-8"))
