"""Pipeline speed: per-stage throughput in one process, and ``curate run`` end to end.

Generates N documents (default 20,000, ~2 KB each, with planted near-duplicates and hard
negatives: ``benchmarks/corpus_gen.py``), then

1. times each per-document stage on the same documents in this process (CPU seconds of one
   core): JSON parsing and validation, content hash, language ID, each quality scorer,
   synthetic score, MinHash signature;
2. runs ``curate run`` on them (DirectRunner, multi-processing, 2 workers, quality filter
   rejecting as by default) and reports docs/s end to end and peak PSS of the process tree.
   With ``--baseline DIR`` (a checkout of another revision, e.g. ``git worktree add /tmp/base
   REV``) the baseline's ``curate run`` runs on the same corpus with the same Python, in turn
   with ours, ``--repeats`` times each, and both sets of figures are printed side by side, with
   the ratio of each pair of runs (adjacent in time) and the median ratio.

Run from the repo root::

    .venv/bin/python benchmarks/pipeline_speed.py --docs 20000 --out /tmp/pipeline-bench
    .venv/bin/python benchmarks/pipeline_speed.py --out /tmp/pipeline-bench --baseline /tmp/base \
        --repeats 3 --stage-sample 0
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus_gen import generate, load_pool, write_corpus  # noqa: E402
from benchmarks.measure import run_measured  # noqa: E402
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


def end_to_end(corpus_dir: Path, work: Path, workers: int, repo: Path = REPO) -> dict:
    """One ``curate run`` of the checkout at ``repo`` on the corpus, measured."""
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
    result = run_measured(command, work / "pipeline-bench.log", cwd=repo)
    counts = json.loads(result.pop("stdout"))
    result["docs_per_s"] = round(counts["input_records"] / result["seconds"], 1)
    result["kept"], result["rejected"] = counts["kept"], counts["rejected"]
    return result


def _runs_line(name: str, runs: list[dict], docs: int) -> str:
    seconds = [run["seconds"] for run in runs]
    cpu_seconds = [run["cpu_seconds"] for run in runs]
    median = statistics.median(seconds)
    return (
        f"| {name} | {', '.join(map(str, seconds))} | {median} | {docs / median:,.0f} | "
        f"{', '.join(map(str, cpu_seconds))} | "
        f"{max(run['peak_pss_tree_mib'] for run in runs):,} | "
        f"{runs[0]['kept']:,} / {runs[0]['rejected']:,} |"
    )


def _paired_line(ours: list[dict], baseline: list[dict]) -> str:
    """Our seconds over the baseline's, pair by pair (the two runs of a pair are adjacent in
    time, so a drift of the machine's speed between pairs cancels), and their median."""
    ratios = [a["seconds"] / b["seconds"] for a, b in zip(ours, baseline, strict=True)]
    return (
        f"\nseconds, this checkout / baseline, per pair: {', '.join(f'{r:.3f}' for r in ratios)}"
        f"; median {statistics.median(ratios):.3f}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--out", type=Path, required=True, help="work directory")
    parser.add_argument("--stage-sample", type=int, default=2_000, help="docs timed per stage")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="checkout of the revision to compare with")
    parser.add_argument("--repeats", type=int, default=1, help="end-to-end runs of each")
    args = parser.parse_args(argv)
    corpus_dir = args.out / "corpus"
    write_corpus(generate(args.docs, pool=load_pool()), corpus_dir, check_sample=0)
    lines = (corpus_dir / "docs.jsonl").read_bytes().splitlines()
    mean_kb = sum(map(len, lines)) / len(lines) / 1024
    print(f"corpus: {len(lines):,} documents, mean {mean_kb:.1f} KB per JSON line\n")
    if args.stage_sample:
        sample = lines[: args.stage_sample]
        print(f"| stage (one core, {len(sample):,} docs) | docs/s |")
        print("|---|---|")
        for name, rate in stage_rates(sample).items():
            print(f"| {name} | {rate:,.0f} |")
    checkouts = {"this checkout": REPO}
    if args.baseline:
        checkouts["baseline " + str(args.baseline)] = args.baseline.resolve()
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    for _ in range(args.repeats):
        for name, repo in checkouts.items():  # in turn, so drift affects both alike
            runs[name].append(end_to_end(corpus_dir, args.out, args.workers, repo))
    print(
        f"\nend to end, `curate run`, DirectRunner multi_processing, {args.workers} workers\n\n"
        "| checkout | seconds per run | median s | docs/s (median) | CPU s per run "
        "| peak PSS MiB (tree) | kept / rejected |\n|---|---|---|---|---|---|---|"
    )
    for name, measured in runs.items():
        print(_runs_line(name, measured, len(lines)))
    if args.baseline:
        print(_paired_line(*runs.values()))


if __name__ == "__main__":
    main()
