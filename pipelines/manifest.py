"""``manifest.json``: what ran, on what, with which result.

Built once per run by the launcher from the resolved plan, the input file stats and the
writers' own shard stats (rows, bytes, sha256: no second pass over the shards), and counts
read back from the shards by :func:`pipelines.output.count_shards`.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from curation.plan import RunPlan, package_version
from curation.synthetic import estimate_share
from pipelines.output import OutputCounts


def build_manifest(
    plan: RunPlan,
    options: PipelineOptions,
    runner: Mapping[str, Any],
    inputs: list[dict[str, Any]],
    shards: Mapping[str, list[dict[str, Any]]],
    counts: OutputCounts,
) -> dict[str, Any]:
    """Everything about the run except timing (which is added separately and varies).

    ``runner`` is what ran (:func:`pipelines.run.describe_runner`); ``shards`` maps each output
    kind to its shards' stats, paths relative to the output root.
    """
    all_options = options.get_all_options(drop_default=True)
    input_records: dict[str, int] = {}
    for item in inputs:
        input_records[item["source"]] = input_records.get(item["source"], 0) + item["records"]
    kept, rejected = counts.kept_by_source(), counts.rejected_by_source()
    licenses = {source.name: source.license for source in plan.config.sources}
    resolved = plan.describe()
    return {
        "run_id": plan.run_id,
        "versions": {
            "curate": package_version(),
            "apache_beam": beam.__version__,
            "python": platform.python_version(),
        },
        "runner": {
            **runner,
            "options": {key: str(value) for key, value in sorted(all_options.items())},
        },
        "config": plan.config.model_dump(mode="json"),
        "config_sha256": plan.config.fingerprint(),
        "dedup_parameters": resolved["lsh"],
        "policy": resolved["policy"],
        "inputs": inputs,
        "skipped_inputs": [skipped.as_dict() for skipped in plan.skipped],
        "counts": {
            "input_records": sum(input_records.values()),
            "kept": counts.total_kept,
            "rejected": counts.total_rejected,
            "rejected_by_reason": dict(sorted(counts.rejected_by_reason().items())),
            "by_source": {
                source: {
                    "input_records": input_records.get(source, 0),
                    "kept": kept[source],
                    "rejected": rejected[source],
                    "license": licenses.get(source),
                }
                for source in sorted(set(input_records) | set(kept) | set(rejected))
            },
            "kept_languages": dict(sorted(counts.kept_by_language().items())),
            "funnel": counts.funnel(sum(input_records.values())),
        },
        "synthetic_share": synthetic_share(counts),
        # pieces taken from an interrupted run's checkpoints (curate run --resume)
        "resume": {"pieces": len(plan.pieces), "pieces_reused": len(plan.reused)},
        "outputs": {
            kind: sorted(entries, key=lambda e: e["path"]) for kind, entries in shards.items()
        },
    }


def synthetic_share(counts: OutputCounts) -> dict[str, Any]:
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
