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

from curation.decisions import Reason
from curation.diversity import figures, sample
from curation.plan import RunPlan, package_version
from curation.synthetic import estimate_share
from curation.synthetic.corpus_share import (
    corpus_share,
    default_validation,
    plugged_corpus_share,
)
from curation.synthetic.scorer import SHIPPED_SCORER
from curation.synthetic.share import ShareEstimate
from curation.synthetic.word_share import default_reference, estimate_word_share
from pipelines.output import OutputCounts
from pipelines.word_sample import MAX_DOCUMENTS, WordSample


def build_manifest(
    plan: RunPlan,
    options: PipelineOptions,
    runner: Mapping[str, Any],
    inputs: list[dict[str, Any]],
    shards: Mapping[str, list[dict[str, Any]]],
    counts: OutputCounts,
    words: WordSample,
    sample_figures: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything about the run except timing (which is added separately and varies).

    ``runner`` is what ran (:func:`pipelines.run.describe_runner`); ``shards`` maps each output
    kind to its shards' stats, paths relative to the output root; ``words`` is the input of the
    word-occurrence share estimate (:func:`pipelines.word_sample.collect_word_sample`);
    ``sample_figures`` the pipeline's diversity figures
    (:func:`curation.diversity.figures.sample_figures`; None when nothing was kept).
    """
    all_options = options.get_all_options(drop_default=True)
    input_records: dict[str, int] = {}
    for item in inputs:
        input_records[item["source"]] = input_records.get(item["source"], 0) + item["records"]
    kept, rejected = counts.kept_by_source(), counts.rejected_by_source()
    licenses = {source.name: source.license for source in plan.config.sources}
    shares = synthetic_share(counts, words, plan.synthetic_scorer)
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
            "kept_by_license": counts.kept_by_license(),
            "funnel": counts.funnel(sum(input_records.values())),
        },
        "synthetic_share": shares,
        "diversity": diversity(sample_figures, counts, shares),
        # pieces taken from an interrupted run's checkpoints (curate run --resume)
        "resume": {"pieces": len(plan.pieces), "pieces_reused": len(plan.reused)},
        "outputs": {
            kind: sorted(entries, key=lambda e: e["path"]) for kind, entries in shards.items()
        },
    }


def synthetic_share(
    counts: OutputCounts, words: WordSample, scorer: Mapping[str, Any]
) -> dict[str, Any]:
    """Estimated share of machine-written text among the kept scored documents: overall, per
    source and per scored language; both estimators, their validated intervals and whether they
    agree (``curation.synthetic.corpus_share``, docs/synthetic.md). ``scorer`` describes what
    scored the run (:attr:`RunPlan.synthetic_scorer`): with a plug-in, only the word estimate."""
    validation = default_validation()
    plugged = scorer["scorer"] != SHIPPED_SCORER
    # The same sample recurs (a one-language corpus, a one-source corpus): estimate it once.
    word_estimates: dict[tuple[int, ...], ShareEstimate] = {}

    def estimate(scores: list[float], windows: list) -> dict[str, Any] | None:
        if not scores:
            return None
        word = None
        if windows:
            key = tuple(map(id, windows))
            if key not in word_estimates:
                word_estimates[key] = estimate_word_share(windows)
            word = word_estimates[key]
        if plugged:
            return plugged_corpus_share(len(scores), word, validation).as_dict()
        return corpus_share(estimate_share(scores), word, validation).as_dict()

    by_source: dict[str, list[float]] = {}
    by_language: dict[str, list[float]] = {}
    for (source, lang), scores in sorted(counts.synthetic_scores.items()):
        by_source.setdefault(source, []).extend(scores)
        by_language.setdefault(lang, []).extend(scores)
    return {
        "scope": (
            "kept documents with a synthetic_score (languages the scorer supports, at least "
            "its minimum length; abstentions excluded), as a share of documents; word_mixture "
            f"uses those in {'/'.join(sorted(default_reference().languages))}, at most "
            f"{MAX_DOCUMENTS:,} per estimate (a hash sample of the ids)"
        ),
        "scorer": dict(scorer),
        "validation": validation.description,
        "corpus": estimate(
            [score for scores in by_source.values() for score in scores], words.select()
        ),
        "by_source": {
            source: estimate(scores, words.select(source=source))
            for source, scores in by_source.items()
        },
        "by_language": {
            lang: estimate(scores, words.select(lang=lang)) for lang, scores in by_language.items()
        },
    }


#: Reject reasons of documents removed as copies of a kept one.
_DUPLICATE_REASONS = (Reason.EXACT_DUPLICATE, Reason.NEAR_DUPLICATE)


def diversity(
    sample_figures: Mapping[str, Any] | None, counts: OutputCounts, shares: Mapping[str, Any]
) -> dict[str, Any]:
    """The diversity early warning (docs/inspect.md): the sample figures per source and for
    the kept corpus, with the duplicate-cluster mass and synthetic share of all documents.

    ``duplicate_cluster_mass``: of the documents that reached dedup and were kept or removed as
    a copy, the share in a cluster of two or more (kept copies and removed ones).
    """
    removed = {
        source: sum(
            n
            for (s, _, reason), n in counts.rejected.items()
            if s == source and reason in _DUPLICATE_REASONS
        )
        for source in counts.records_by_source()
    }
    kept = counts.kept_by_source()

    def cluster_mass(in_clusters: int, removed_: int, kept_: int) -> float | None:
        return (in_clusters + removed_) / (kept_ + removed_) if kept_ + removed_ else None

    def share(estimate: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The reported estimator's figure with its statistical 95 % interval: a run-over-run
        change of one source is measured against sampling noise, since the domain-shift error
        the validated interval adds is shared by both runs (reported even when unreliable)."""
        if estimate is None or estimate["method"] is None:
            return None
        reported = estimate["estimates"][estimate["method"]]
        return {
            "share": reported["share"],
            "low": reported["statistical_low"],
            "high": reported["statistical_high"],
            "method": estimate["method"],
        }

    sampled = sample_figures or {"corpus": {}, "by_source": {}}
    by_source = {
        source: {
            **sampled["by_source"].get(source, {"sample_documents": 0}),
            "duplicate_cluster_mass": cluster_mass(
                counts.kept_in_clusters[source], removed[source], kept[source]
            ),
            "synthetic_share": share(shares["by_source"].get(source)),
        }
        for source in sorted(removed)
    }
    corpus = {
        **(sampled["corpus"] or {"sample_documents": 0}),
        "duplicate_cluster_mass": cluster_mass(
            sum(counts.kept_in_clusters.values()), sum(removed.values()), counts.total_kept
        ),
        "synthetic_share": share(shares["corpus"]),
    }
    method = {
        "sample_documents": sample.SAMPLE_DOCS,
        "sample_chars": sample.SAMPLE_CHARS,
        "sample_tokens": figures.SAMPLE_TOKENS,
        "block_tokens": figures.BLOCK_TOKENS,
        "mattr_window": figures.MATTR_WINDOW,
        "top_types": figures.TOP_TYPES,
    }
    return {"method": method, "corpus": corpus, "by_source": by_source}
