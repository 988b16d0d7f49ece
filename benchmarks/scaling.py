"""Scaling benchmark: the same corpus on 1 and 2 workers, DirectRunner and DaskRunner.

Generates ``--docs`` documents of about ``--doc-chars`` characters (default 100,000 x 2,000)
cut from the real-language texts of ``data/sample`` (UDHR translations, Python docs, Debian
reference, GNU standards), with a duplicate share like web crawls: ``--exact-dup`` (default
5 %) verbatim copies and ``--near-dup`` (default 5 %) copies with ~2 % of words replaced.
Each variant runs ``curate run`` as a subprocess and reports the pipeline's own wall time
(``manifest.json`` ``timing.seconds``: planning, pipeline, publishing, report).

Where the time goes: the scoring cost is timed in-process (``DocumentScorer.score`` per
document, one core); dedup cost is the difference to runs with ``dedup.near`` and then
``dedup.exact`` switched off; the rest (read, shuffles, write, report) is what remains.

Run from the repo root: ``python benchmarks/scaling.py --docs 20000 --out /tmp/scaling``;
``--max-rounds 6 2`` runs each ``dedup.max_rounds`` value in turn per runner and worker count.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml
import zstandard

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: scripts.dask_cluster is imported from the repo
    sys.path.insert(0, str(REPO))
SAMPLE = REPO / "data" / "sample"
SAMPLE_TEXTS = ("udhr.json.gz", "python_docs.jsonl.gz", "debian_reference.jsonl.zst")
OPENERS = {".gz": gzip.open, ".zst": zstandard.open}


def sample_texts() -> list[str]:
    """Every non-trivial text of the sample corpus's clean sources (>= 200 characters)."""
    texts: list[str] = []
    for name in SAMPLE_TEXTS:
        opener = OPENERS.get(Path(name).suffix, open)
        with opener(SAMPLE / name, "rt", encoding="utf-8") as lines:
            texts.extend(json.loads(line)["text"] for line in lines)
    gnu = pq.read_table(SAMPLE / "gnu_standards.parquet", columns=["text"])
    texts.extend(gnu["text"].to_pylist())
    return [text for text in texts if len(text) >= 200]


def _window(text: str, chars: int, rng: random.Random) -> str:
    """About ``chars`` characters of ``text`` starting at a random word boundary."""
    if len(text) <= chars:
        return text
    start = rng.randrange(len(text) - chars)
    start = text.find(" ", start) + 1
    return text[start : start + chars]


def _perturb(text: str, rng: random.Random, share: float = 0.02) -> str:
    """Replace about ``share`` of the words by other words of the same text (near-duplicate)."""
    words = text.split(" ")
    for _ in range(max(1, int(len(words) * share))):
        words[rng.randrange(len(words))] = rng.choice(words)
    return " ".join(words)


def generate(path: Path, docs: int, doc_chars: int, exact: float, near: float, seed: int) -> None:
    """Write ``docs`` JSONL documents; a document is 1-3 windows of sample texts."""
    rng = random.Random(seed)
    texts = sample_texts()
    written: list[str] = []
    with open(path, "w", encoding="utf-8") as out:
        for index in range(docs):
            draw = rng.random()
            if written and draw < exact:
                text = rng.choice(written)
            elif written and draw < exact + near:
                text = _perturb(rng.choice(written), rng)
            else:
                parts, size = [], 0
                while size < doc_chars:
                    part = _window(rng.choice(texts), doc_chars - size, rng)
                    parts.append(part)
                    size += len(part) + 2
                text = "\n\n".join(parts)
                written.append(text)
            out.write(json.dumps({"id": f"doc-{index:07d}", "text": text}) + "\n")


def write_config(path: Path, corpus: Path, dedup: dict[str, Any], split_bytes: int | None) -> Path:
    config = {
        "sources": [{"name": "bench", "paths": [str(corpus)], "format": "jsonl"}],
        "read": {"split_bytes": split_bytes},
        "dedup": dedup,
        "output": {"target_shard_bytes": 64 * 1024 * 1024},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def run_curate(config: Path, output: Path, beam_args: list[str]) -> dict[str, Any]:
    """``curate run`` in a subprocess; returns the manifest."""
    command = [sys.executable, "-m", "pipelines.cli", "run", "--config", str(config)]
    command += ["--output", str(output), "--overwrite", "--json", *beam_args]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return json.loads((output / "manifest.json").read_text(encoding="utf-8"))


@contextmanager
def dask_cluster(workers: int, log_dir: Path):
    from scripts.dask_cluster import start_cluster, stop_cluster

    state = start_cluster(workers, threads=1, log_dir=log_dir, cwd=str(REPO))
    try:
        yield state.address
    finally:
        stop_cluster(state)


def direct_args(workers: int) -> list[str]:
    return [
        "--runner=DirectRunner",
        "--direct_running_mode=multi_processing",
        f"--direct_num_workers={workers}",
    ]


def time_variant(
    name: str, config: Path, out: Path, workers: int, max_rounds: int | None = None
) -> dict[str, Any]:
    """One run; ``name`` is ``direct`` or ``dask``; ``max_rounds``: the config's
    ``dedup.max_rounds`` (``None``: default), for the output's name and the result."""
    label = f"{name}-{workers}" + (f"-rounds{max_rounds}" if max_rounds else "")
    if name == "direct":
        manifest = run_curate(config, out / label, direct_args(workers))
    else:
        with dask_cluster(workers, out / f"dask-logs-{workers}") as address:
            args = ["--runner=DaskRunner", f"--dask_client_address={address}"]
            args.append(f"--dask_npartitions={workers}")
            manifest = run_curate(config, out / label, args)
    counts = manifest["counts"]
    result = {
        "runner": name,
        "workers": workers,
        "max_rounds": max_rounds,
        "seconds": manifest["timing"]["seconds"],
        "kept": counts["kept"],
        "rejected": counts["rejected"],
    }
    print(json.dumps(result), flush=True)
    return result


def scoring_seconds_per_doc(corpus: Path, docs: int = 500) -> float:
    """In-process single-core cost of ``DocumentScorer.score`` (seconds per document)."""
    from curation.config import CurationConfig, SourceConfig
    from curation.io.inputs import FileStats, read_piece
    from curation.plan import resolve_plan
    from curation.scoring import DocumentScorer
    from pipelines.run import list_inputs
    from transforms.storage import open_raw

    config = CurationConfig(sources=(SourceConfig(name="bench", paths=(str(corpus),)),))
    plan = resolve_plan(config, *list_inputs(config))
    file = plan.files[0]
    stats = FileStats(file.source.name, file.uri, file.size_bytes)
    rows = []
    for row in read_piece(open_raw, file, 1, config.limits, stats):
        if "reject_reason" not in row:
            rows.append(row)
        if len(rows) == docs:
            break
    scorer = DocumentScorer(plan)
    scorer.score(rows[0])
    clock = time.perf_counter()
    for row in rows:
        scorer.score(row)
    return (time.perf_counter() - clock) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--doc-chars", type=int, default=2_000)
    parser.add_argument("--exact-dup", type=float, default=0.05)
    parser.add_argument("--near-dup", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/curate-scaling"))
    parser.add_argument("--runners", default="direct,dask", help="comma-separated subset")
    parser.add_argument(
        "--split-bytes", type=int, default=None, help="read.split_bytes (default: automatic)"
    )
    parser.add_argument("--no-ablation", action="store_true", help="skip the per-stage runs")
    parser.add_argument(
        "--max-rounds",
        type=int,
        nargs="+",
        default=[None],
        help="dedup.max_rounds values run side by side, in turn per runner and workers "
        "(default: the config's)",
    )
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    corpus = args.out / "corpus.jsonl"
    generate(corpus, args.docs, args.doc_chars, args.exact_dup, args.near_dup, args.seed)
    size = corpus.stat().st_size
    split = args.split_bytes
    print(json.dumps({"docs": args.docs, "bytes": size, "split_bytes": split}), flush=True)
    full = write_config(args.out / "full.yaml", corpus, {}, split)
    configs = {
        rounds: full
        if rounds is None
        else write_config(args.out / f"rounds{rounds}.yaml", corpus, {"max_rounds": rounds}, split)
        for rounds in args.max_rounds
    }

    results = []
    for name in args.runners.split(","):
        for workers in (1, 2):
            for rounds, config in configs.items():
                results.append(time_variant(name, config, args.out, workers, rounds))
    for name in args.runners.split(","):
        for rounds in configs:
            one, two = (
                r["seconds"] for r in results if (r["runner"], r["max_rounds"]) == (name, rounds)
            )
            speedup = {
                "runner": name,
                "max_rounds": rounds,
                "speedup_2_over_1": round(one / two, 2),
            }
            print(json.dumps(speedup), flush=True)

    if args.no_ablation:
        return
    per_doc = scoring_seconds_per_doc(corpus)
    score = {"score_s_per_doc": round(per_doc, 5), "score_s_all_one_core": per_doc * args.docs}
    print(json.dumps(score), flush=True)
    ablations = {"no_near_dedup": {"near": False}, "no_dedup": {"near": False, "exact": False}}
    for label, dedup in ablations.items():
        config = write_config(args.out / f"{label}.yaml", corpus, dedup, split)
        seconds = run_curate(config, args.out / label, direct_args(1))["timing"]["seconds"]
        print(json.dumps({"variant": label, "runner": "direct", "workers": 1, "seconds": seconds}))


if __name__ == "__main__":
    main()
