"""Memory against corpus size: peak PSS of ``curate run``'s whole process tree at several sizes.

For each ``--docs`` size a corpus of generated ~2.4 KB English documents with planted
near-duplicates (``benchmarks/corpus_gen.py``) is written once under ``--out`` (reused when it
is already there), and ``curate run`` of this checkout runs on it (DirectRunner engine,
multi-processing, ``--workers`` workers, default config) while ``benchmarks/measure.py``
samples the PSS of every process of the run every 0.1 s. With ``--baseline DIR`` (a checkout
of another revision, e.g. ``git worktree add /tmp/base REV``) the baseline's ``curate run``
runs on the same corpus right after, with the same Python.

Printed per checkout and size: seconds, peak PSS of the tree and of its largest process, and
the slope between consecutive sizes, ``(PSS(n2) - PSS(n1)) / (n2 - n1)`` in KiB per document:
what each further document costs once the fixed cost (Beam, models, worker processes) is
paid. Output shards of the two checkouts are compared by hash at each size.

Run from the repo root::

    .venv/bin/python benchmarks/memory_scaling.py --docs 20000 100000 300000 \\
        --out /tmp/memory-scaling --baseline /tmp/base
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus_gen import generate, load_pool, write_corpus  # noqa: E402
from benchmarks.pipeline_speed import end_to_end  # noqa: E402


def corpus(out: Path, docs: int) -> Path:
    """The directory of a ``docs``-document corpus, generated unless already complete."""
    directory = out / f"corpus-{docs}"
    path = directory / "docs.jsonl"
    if not path.exists() or sum(1 for _ in path.open("rb")) != docs:
        write_corpus(generate(docs, pool=load_pool()), directory, check_sample=0)
    return directory


def shard_hashes(output: Path) -> dict[str, str]:
    """sha256 of every corpus and reject shard of a finished run, by relative path."""
    return {
        str(path.relative_to(output)): hashlib.sha256(path.read_bytes()).hexdigest()
        for kind in ("corpus", "rejects")
        for path in sorted((output / kind).rglob("*.parquet"))
    }


def slopes(sizes: Sequence[int], peaks: Sequence[float]) -> list[str]:
    """KiB per document between each size and the one before ("" for the first)."""
    found = [""]
    for (n1, p1), (n2, p2) in zip(
        zip(sizes, peaks, strict=True), zip(sizes[1:], peaks[1:], strict=True), strict=False
    ):
        found.append(f"{(p2 - p1) * 1024 / (n2 - n1):.2f}")
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--out", type=Path, required=True, help="work directory")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", type=Path, help="checkout of the revision to compare with")
    args = parser.parse_args(argv)
    sizes = sorted(args.docs)
    checkouts = {"this checkout": REPO}
    if args.baseline:
        checkouts[f"baseline {args.baseline}"] = args.baseline.resolve()
    results: dict[str, list[dict]] = {name: [] for name in checkouts}
    for docs in sizes:
        corpus_dir = corpus(args.out, docs)
        hashes = {}
        for index, (name, repo) in enumerate(checkouts.items()):
            work = args.out / f"run-{index}"
            work.mkdir(parents=True, exist_ok=True)
            result = end_to_end(corpus_dir, work, args.workers, repo)
            hashes[name] = shard_hashes(work / "out")
            results[name].append(result)
            print(f"{name}, {docs:,} docs: {result}", file=sys.stderr, flush=True)
        if len(hashes) > 1:
            same = len({tuple(sorted(found.items())) for found in hashes.values()}) == 1
            print(f"{docs:,} docs: output shards identical: {same}", file=sys.stderr)
    print(
        f"\n`curate run`, DirectRunner multi_processing, {args.workers} workers; PSS sampled "
        "every 0.1 s\n\n| checkout | documents | seconds | peak PSS MiB, tree | largest process "
        "| KiB per document since the previous size |\n|---|---:|---:|---:|---:|---:|"
    )
    for name, runs in results.items():
        peaks = [run["peak_pss_tree_mib"] for run in runs]
        for docs, run, slope in zip(sizes, runs, slopes(sizes, peaks), strict=True):
            print(
                f"| {name} | {docs:,} | {run['seconds']} | {run['peak_pss_tree_mib']:,} | "
                f"{run['peak_pss_process_mib']:,} | {slope} |"
            )


if __name__ == "__main__":
    main()
