"""Whole-pipeline speed against datatrove, side by side: ``curate run`` vs datatrove's Gopher
repetition + quality filters followed by its four MinHash stages, on the same corpus.

Corpora (``--corpus``): ``gen``, generated ~2.4 KB English documents of real Python
documentation prose with planted near-duplicates (:mod:`benchmarks.corpus_gen`); ``sample``,
~2,000-character windows of the multilingual ``data/sample`` texts with 5 % exact and 5 % near
copies (:func:`benchmarks.scaling.generate`). Each corpus is one ``docs.jsonl`` (what
``curate run`` reads, cutting it into pieces itself) and the same lines in two shard files
(what datatrove reads: 2 tasks).

Systems, each a subprocess whose wall time (start-up included) and whole-tree peak PSS are
measured (:mod:`benchmarks.measure`), run in turn at each size and repeat, in the opposite order
at every other repeat (datatrove first, then ours first), so that drift in the machine's speed
affects both alike:

* ``datatrove`` (0.10.1, in its own virtualenv, ``--dtvenv``; set up as in
  :mod:`benchmarks.dedup_vs_datatrove`): ``LocalPipelineExecutor`` with 2 tasks and 2 workers,
  ``JsonlReader -> GopherRepetitionFilter -> GopherQualityFilter -> JsonlWriter``, then the four
  MinHash stages (default ``MinhashConfig()``) on the documents the filters kept;
* ``curate run`` of this checkout: default config (language ID, four quality scorers, synthetic
  score, provenance, exact + near dedup, Parquet output), DirectRunner multi-processing,
  2 workers.

With two or more ``--docs`` sizes, seconds = fixed + documents x per-document is fitted (least
squares over the medians) for each system: the per-document cost in ms of wall time on the
2 workers, and the fixed cost (start-up, planning, shuffles' overhead, publishing) in seconds;
from the two lines, the per-document ratio (what the docs/s ratio tends to on large corpora)
and the corpus size from which ``curate run`` is :data:`TARGET_RATIO` times as fast.

Run from the repo root::

    .venv/bin/python benchmarks/vs_datatrove.py --docs 5000 20000 --corpus gen sample \\
        --out /tmp/vs-datatrove
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SHARDS = 2
WORKERS = 2
#: Issue 20's goal: ``curate run`` at this many times datatrove's documents per second.
TARGET_RATIO = 5.0


def datatrove_worker(input_dir: str, work: str) -> None:
    """(Runs in datatrove's virtualenv: datatrove and the standard library only.) Gopher
    filters, then MinHash on what they kept; prints the seconds of each stage as JSON."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.filters import GopherQualityFilter, GopherRepetitionFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from benchmarks.dedup_vs_datatrove import datatrove_minhash

    start = time.perf_counter()
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(input_dir, glob_pattern="*.jsonl"),
            GopherRepetitionFilter(),
            GopherQualityFilter(),
            JsonlWriter(f"{work}/gopher", compression=None),
        ],
        tasks=SHARDS,
        workers=WORKERS,
        logging_dir=f"{work}/logs/gopher",
        skip_completed=False,
    ).run()
    gopher = time.perf_counter() - start
    minhash = datatrove_minhash(f"{work}/gopher", f"{work}/minhash")
    print(json.dumps({"gopher_seconds": gopher, "minhash_seconds": minhash}))


def corpus(out: Path, kind: str, docs: int) -> Path:
    """The directory of a ``kind`` corpus of ``docs`` documents: ``docs.jsonl`` and
    ``shards/part-*.jsonl`` (generated once, reused)."""
    directory = out / f"corpus-{kind}-{docs}"
    shards = directory / "shards"
    if shards.is_dir():
        return directory
    if kind == "gen":
        from benchmarks.corpus_gen import generate, load_pool, write_corpus

        write_corpus(generate(docs, pool=load_pool()), directory, check_sample=0)
    else:
        from benchmarks.scaling import generate

        directory.mkdir(parents=True, exist_ok=True)
        generate(directory / "docs.jsonl", docs, 2_000, 0.05, 0.05, seed=7)
    lines = (directory / "docs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    shards.mkdir()
    for index in range(SHARDS):
        (shards / f"part-{index}.jsonl").write_text("".join(lines[index::SHARDS]), "utf-8")
    return directory


def run_datatrove(corpus_dir: Path, work: Path, dtvenv: Path) -> dict:
    from benchmarks.measure import run_measured

    out = work / "datatrove"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    command = [
        str(dtvenv / "bin" / "python"),
        str(Path(__file__).resolve()),
        "--datatrove-worker",
        str(corpus_dir / "shards"),
        str(out),
    ]
    measured = run_measured(command, work / "datatrove.log", cwd=REPO)
    stages = json.loads(measured.pop("stdout").splitlines()[-1])
    measured["gopher_s"] = round(stages["gopher_seconds"], 1)
    measured["minhash_s"] = round(sum(stages["minhash_seconds"]), 1)
    return measured


def run_ours(corpus_dir: Path, work: Path) -> dict:
    from benchmarks.pipeline_speed import end_to_end

    work.mkdir(parents=True, exist_ok=True)
    return end_to_end(corpus_dir, work, WORKERS)


def fit(sizes: Sequence[int], seconds: Sequence[float]) -> tuple[float, float]:
    """(fixed seconds, per-document ms) of the least-squares line through the points."""
    slope, intercept = statistics.linear_regression(sizes, seconds)
    return intercept, slope * 1000


def documents_for_ratio(
    ours: tuple[float, float], theirs: tuple[float, float], ratio: float = TARGET_RATIO
) -> float | None:
    """Documents from which the fitted lines (``fit``'s (fixed s, per-document ms)) put our
    docs/s at ``ratio`` times theirs or more: 0 if at every size, ``None`` if at none."""
    (our_fixed, our_ms), (their_fixed, their_ms) = ours, theirs
    fixed_gap = ratio * our_fixed - their_fixed  # seconds our fixed cost is "too slow"
    per_document_gain = (their_ms - ratio * our_ms) / 1000  # seconds gained back per document
    if fixed_gap <= 0:
        return 0.0 if per_document_gain >= 0 else None
    return fixed_gap / per_document_gain if per_document_gain > 0 else None


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--datatrove-worker":
        datatrove_worker(*argv[1:3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[5_000, 20_000])
    parser.add_argument("--corpus", nargs="+", choices=("gen", "sample"), default=["gen"])
    parser.add_argument("--out", type=Path, required=True, help="work directory")
    parser.add_argument("--dtvenv", type=Path, default=Path("/tmp/dtvenv"))
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    rows, medians = [], {}
    for kind in args.corpus:
        for docs in sorted(args.docs):
            corpus_dir = corpus(args.out, kind, docs)
            for repeat in range(args.repeats):
                # ABBA: the order flips each repeat, so neither system always runs on a machine
                # its predecessor just warmed up or wore down.
                systems = ("datatrove", "curate run")
                for system in systems if repeat % 2 == 0 else systems[::-1]:
                    load = os.getloadavg()[0]
                    work = args.out / "runs" / system.replace(" ", "-")
                    if system == "datatrove":
                        run = run_datatrove(corpus_dir, work, args.dtvenv)
                    else:
                        run = run_ours(corpus_dir, work)
                    run.update(corpus=kind, docs=docs, system=system, load=load)
                    print(json.dumps(run), file=sys.stderr, flush=True)
                    rows.append(run)
                    medians.setdefault((kind, system), {}).setdefault(docs, []).append(
                        run["seconds"]
                    )
    print(
        "\n| corpus | documents | system | seconds | docs/s | peak PSS MiB, tree | detail "
        "| load (1 min) at start |\n|---|---:|---|---:|---:|---:|---|---:|"
    )
    for run in rows:
        if run["system"] == "datatrove":
            detail = f"Gopher {run['gopher_s']} s + MinHash {run['minhash_s']} s"
        else:
            detail = f"{run['kept']:,} kept / {run['rejected']:,} rejected"
        print(
            f"| {run['corpus']} | {run['docs']:,} | {run['system']} | {run['seconds']} | "
            f"{run['docs'] / run['seconds']:,.0f} | {run['peak_pss_tree_mib']:,} | {detail} | "
            f"{run['load']:.2f} |"
        )
    print("\n| corpus | documents | curate run / datatrove, docs/s (medians) |\n|---|---:|---:|")
    for kind in args.corpus:
        for docs in sorted(args.docs):
            ours = statistics.median(medians[kind, "curate run"][docs])
            theirs = statistics.median(medians[kind, "datatrove"][docs])
            print(f"| {kind} | {docs:,} | {theirs / ours:.2f}× |")
    if len(args.docs) > 1:
        print("\n| corpus | system | fixed s | per-document ms (wall, 2 workers) |")
        print("|---|---|---:|---:|")
        fits = {}
        for (kind, system), by_size in medians.items():
            sizes = sorted(by_size)
            fits[kind, system] = fit(sizes, [statistics.median(by_size[n]) for n in sizes])
            fixed, per_doc = fits[kind, system]
            print(f"| {kind} | {system} | {fixed:.1f} | {per_doc:.3f} |")
        print(
            f"\n| corpus | per-document ratio | documents from which {TARGET_RATIO:g}× (fitted) |"
            "\n|---|---:|---:|"
        )
        for kind in args.corpus:
            ours, theirs = fits[kind, "curate run"], fits[kind, "datatrove"]
            crossing = documents_for_ratio(ours, theirs)
            print(
                f"| {kind} | {theirs[1] / ours[1]:.2f}× | "
                f"{'never' if crossing is None else f'{crossing:,.0f}'} |"
            )


if __name__ == "__main__":
    main()
