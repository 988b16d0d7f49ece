"""Pipeline speed: per-stage throughput in one process, and ``curate run`` end to end.

Generates N documents (default 20,000, ~2 KB each, with planted near-duplicates and hard
negatives: ``benchmarks/corpus_gen.py``), then

1. times each per-document stage on the same documents in this process (CPU seconds of one
   core): JSON parsing and validation, content hash, language ID, each quality scorer,
   synthetic score, MinHash signature;
2. runs ``curate run`` on them (DirectRunner, multi-processing, 2 workers, quality filter
   rejecting as by default) and reports docs/s end to end and peak RSS of the process tree.

Run from the repo root::

    .venv/bin/python benchmarks/pipeline_speed.py --docs 20000 --out /tmp/pipeline-bench
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus_gen import generate, load_pool, write_corpus  # noqa: E402
from benchmarks.dedup_vs_datatrove import run_measured  # noqa: E402
from curation.config import LimitsConfig, SourceConfig  # noqa: E402
from curation.dedup.lsh import optimal_bands_rows  # noqa: E402
from curation.dedup.minhash import MinHasher  # noqa: E402
from curation.dedup.normalize import content_hash  # noqa: E402
from curation.io.records import RecordOrigin, parse_json_line  # noqa: E402
from curation.langid import LanguageIdentifier  # noqa: E402
from curation.quality import build_scorers  # noqa: E402
from curation.synthetic import SyntheticScorer  # noqa: E402


def per_document_rate(items: Sequence, work: Callable[[object], object]) -> float:
    """Items per CPU second of this process, after one untimed call (one-off costs such as
    loading numba's compiled kernels are paid once per process, not per document)."""
    work(items[0])
    start = time.process_time()
    for item in items:
        work(item)
    return len(items) / max(time.process_time() - start, 1e-9)


def stage_rates(lines: list[bytes]) -> dict[str, float]:
    source = SourceConfig(name="bench", paths=("x",))
    limits = LimitsConfig()

    def parse(numbered: tuple[int, bytes]) -> object:
        origin = RecordOrigin(source, "docs.jsonl", numbered[0])
        return parse_json_line(numbered[1], origin, limits.max_text_bytes, limits.max_raw_bytes)

    texts = [json.loads(line)["text"] for line in lines]
    identifier = LanguageIdentifier()
    scorers = build_scorers(None)
    synthetic = SyntheticScorer()
    hasher = MinHasher(128, *optimal_bands_rows(0.8, 128))
    rates = {"parse + validate": per_document_rate(list(enumerate(lines, 1)), parse)}
    rates["content hash"] = per_document_rate(texts, content_hash)
    rates["language (hybrid)"] = per_document_rate(texts, identifier.detect)
    for scorer in scorers:
        rates[f"quality: {scorer.name}"] = per_document_rate(
            texts, lambda text, s=scorer: s.score(text, "en")
        )
    rates["synthetic score"] = per_document_rate(texts, lambda text: synthetic.score(text, "en"))
    rates["MinHash signature"] = per_document_rate(texts, hasher.signature)
    total_seconds = sum(len(texts) / rate for rate in rates.values())
    rates["all per-document stages"] = len(texts) / total_seconds
    return rates


def end_to_end(corpus_dir: Path, work: Path, workers: int) -> dict:
    import yaml

    config = {"sources": [{"name": "bench", "paths": [str(corpus_dir / "docs.jsonl")]}]}
    config_path = work / "pipeline-bench.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "run",
        "--config",
        str(config_path),
        "--output",
        str(work / "out"),
        "--overwrite",
        "--json",
        "--runner=DirectRunner",
        "--direct_running_mode=multi_processing",
        f"--direct_num_workers={workers}",
    ]
    result = run_measured(command, work / "pipeline-bench.log")
    counts = json.loads(result.pop("stdout"))
    result["docs_per_s"] = round(counts["input_records"] / result["seconds"], 1)
    result["kept"], result["rejected"] = counts["kept"], counts["rejected"]
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--out", type=Path, required=True, help="work directory")
    parser.add_argument("--stage-sample", type=int, default=2_000, help="docs timed per stage")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    corpus_dir = args.out / "corpus"
    write_corpus(generate(args.docs, pool=load_pool()), corpus_dir, check_sample=0)
    lines = (corpus_dir / "docs.jsonl").read_bytes().splitlines()
    rates = stage_rates(lines[: args.stage_sample])
    run = end_to_end(corpus_dir, args.out, args.workers)
    mean_kb = sum(map(len, lines)) / len(lines) / 1024
    print(f"corpus: {len(lines):,} documents, mean {mean_kb:.1f} KB per JSON line\n")
    print(f"| stage (one core, {len(lines[: args.stage_sample]):,} docs) | docs/s |")
    print("|---|---|")
    for name, rate in rates.items():
        print(f"| {name} | {rate:,.0f} |")
    print(
        f"\nend to end, `curate run`, DirectRunner multi_processing, {args.workers} workers: "
        f"{run['seconds']} s, {run['docs_per_s']:,} docs/s, kept {run['kept']:,}, rejected "
        f"{run['rejected']:,}, peak RSS {run['peak_rss_tree_mib']:,} MiB (process tree), "
        f"{run['peak_rss_process_mib']:,} MiB (largest process)"
    )


if __name__ == "__main__":
    main()
