"""Near-duplicate accuracy and speed: our MinHash dedup vs datatrove's, in one run.

Corpus: :mod:`benchmarks.corpus_gen` (real Python documentation text, planted near-duplicate
clusters, exact copies and shared-boilerplate hard negatives), written as two JSONL shards so
both systems read the same files with two tasks. Truth: exact word-5-gram Jaccard
(:func:`curation.dedup.minhash.shingles`) of every planted pair and of every pair any system
reports; a pair is a true duplicate when it reaches ``t`` (0.8 and 0.7 reported).

Systems, each in its own subprocess whose process tree is sampled for peak RSS:

* ``datatrove``: its four MinHash stages with the default ``MinhashConfig()`` (5-grams,
  14 buckets x 8 hashes, 64-bit), ``LocalPipelineExecutor`` with 2 workers and 2 tasks
  (stage 2 needs a multiple of 14 tasks: 14; stage 3 is single-task by design). datatrove is
  not a dependency: it runs in its own virtualenv (``--datatrove-worker`` mode imports only
  datatrove and the standard library). Set it up once::

      python3 -m venv /tmp/dtvenv
      /tmp/dtvenv/bin/pip install "datatrove[processing]" spacy orjson

* ``curate run``: the whole pipeline (quality and language filters not rejecting),
  DirectRunner multi_processing, 2 workers; and the same with ``dedup.near: false``.
* ``ours dedup only``: read JSONL, signatures, ids, exact and near dedup
  (:class:`transforms.dedup.DeduplicateDigests`) in a Beam pipeline of just that, same runner.

Metrics: pairwise precision/recall/F1 (predicted pairs = all pairs inside a predicted cluster),
the share of true clusters (components of the truth graph) with exactly one member kept,
hard-negative pairs merged, documents per second (wall clock) and peak RSS.

Usage, from the repository root::

    .venv/bin/python benchmarks/dedup_vs_datatrove.py --docs 20000 --json /tmp/dedup.json
    .venv/bin/python benchmarks/dedup_vs_datatrove.py --scale 20000,100000,400000 --only ours-dedup
    .venv/bin/python benchmarks/dedup_vs_datatrove.py --sweep   # LSH parameter study, in process
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.8, 0.7)
SHARDS = 2
WORKERS = 2
SYSTEMS = ("datatrove", "curate-run", "curate-run-no-near", "ours-dedup")


# --- datatrove side (runs inside the datatrove virtualenv; imports nothing from this repo) ---


def datatrove_worker(input_dir: str, work: str) -> None:
    """Run datatrove's four MinHash stages; print per-stage seconds as JSON on stdout."""
    print(json.dumps({"stage_seconds": datatrove_minhash(input_dir, work)}))


def datatrove_minhash(input_dir: str, work: str) -> list[float]:
    """datatrove's four MinHash stages on ``input_dir/*.jsonl`` (output under ``work``);
    wall seconds of each stage."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    config = MinhashConfig()
    stages = [
        (
            [
                JsonlReader(input_dir, glob_pattern="*.jsonl"),
                MinhashDedupSignature(output_folder=f"{work}/signatures", config=config),
            ],
            SHARDS,
        ),
        (
            [
                MinhashDedupBuckets(
                    input_folder=f"{work}/signatures",
                    output_folder=f"{work}/buckets",
                    config=config,
                )
            ],
            config.num_buckets,
        ),
        (
            [
                MinhashDedupCluster(
                    input_folder=f"{work}/buckets",
                    output_folder=f"{work}/remove_ids",
                    config=config,
                    save_cluster_id=True,
                )
            ],
            1,
        ),
        (
            [
                JsonlReader(input_dir, glob_pattern="*.jsonl"),
                MinhashDedupFilter(
                    input_folder=f"{work}/remove_ids",
                    exclusion_writer=JsonlWriter(f"{work}/removed", compression=None),
                    load_cluster_ids=True,
                ),
                JsonlWriter(f"{work}/kept", compression=None),
            ],
            SHARDS,
        ),
    ]
    seconds = []
    for index, (pipeline, tasks) in enumerate(stages, 1):
        start = time.perf_counter()
        LocalPipelineExecutor(
            pipeline=pipeline,
            tasks=tasks,
            workers=WORKERS,
            logging_dir=f"{work}/logs/stage{index}",
            skip_completed=False,
        ).run()
        seconds.append(time.perf_counter() - start)
    return seconds


def read_datatrove_output(work: Path) -> tuple[set[str], dict[str, str]]:
    """(kept ids, id -> cluster label) from stage 4's kept and removed JSONL."""
    kept: set[str] = set()
    cluster_of: dict[str, str] = {}
    for folder in ("kept", "removed"):
        for path in sorted((work / folder).glob("*.jsonl")):
            for line in path.open(encoding="utf-8"):
                doc = json.loads(line)
                if folder == "kept":
                    kept.add(doc["id"])
                label = doc["metadata"].get("minhash_cluster_id", -1)
                if label != -1:
                    cluster_of[doc["id"]] = f"dt-{label}"
    return kept, cluster_of


# --- our side ----------------------------------------------------------------------------


def _dedup_config(overrides: dict) -> dict:
    return {"threshold": 0.8, **overrides}


def ours_dedup_worker(input_glob: str, out: str, overrides_json: str) -> None:
    """Beam pipeline of just our dedup stage: read each input piece (as ``curate run`` plans
    them), digest it (signature, hash, rank, signatures file), dedup."""
    import tempfile

    import apache_beam as beam

    from curation.config import CurationConfig
    from curation.decision_batches import by_piece
    from curation.dedup.digests import PieceDigests
    from curation.dedup.normalize import content_hash_of_folded, fold_case
    from curation.io.inputs import FileStats, read_piece
    from curation.io.pieces import piece_key, split_piece_key
    from curation.io.spill import signatures_name
    from curation.plan import resolve_plan
    from pipelines.run import beam_options, list_inputs
    from transforms.dedup import DeduplicateDigests, dedup_partitions
    from transforms.storage import open_raw

    config = CurationConfig.model_validate(config_dict(input_glob, json.loads(overrides_json)))
    plan = resolve_plan(config, *list_inputs(config))
    hasher = plan.hasher
    spill_dir = tempfile.mkdtemp(prefix="ours-dedup-")

    def digest_piece(index: int):  # -> Iterator[pa.Table]
        piece = plan.pieces[index]
        file = piece.file
        stats = FileStats(file.source.name, file.name, file.size_bytes, start=file.start)
        digests = PieceDigests(hasher)
        for ordinal, row in enumerate(read_piece(open_raw, file, 0, config.limits, stats)):
            folded = fold_case(row["text"])
            digests.add(
                {
                    "_key": piece_key(index, ordinal),
                    "id": row["id"],
                    "source": "corpus",
                    "source_uri": "corpus",
                    "source_record": 0,
                    "content_hash": content_hash_of_folded(folded),
                    **dict(
                        zip(
                            ("_signature", "_shingles"),
                            hasher.sketch_of_folded(folded),
                            strict=True,
                        )
                    ),
                    "_rank": plan.policy.rank(row),
                    "_verdict": None,
                }
            )
        Path(spill_dir, signatures_name(index)).write_bytes(digests.signatures_file())
        yield digests.table()

    def formatted(item):  # (piece, {"ids": [...], "decisions": [...]}) -> JSON lines
        ids = {}
        for table in item[1]["ids"]:
            ids.update(zip(table["key"].to_pylist(), table["id"].to_pylist(), strict=True))
        for table in item[1]["decisions"]:
            for row in table.select(["_key", "kept", "duplicate_of"]).to_pylist():
                doc = {"id": ids[row["_key"]], "kept": row["kept"]}
                yield json.dumps({**doc, "duplicate_of": row["duplicate_of"]})

    options = beam_options(
        [
            "--runner=DirectRunner",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={WORKERS}",
        ]
    )
    partitions = dedup_partitions(len(plan.pieces))
    with beam.Pipeline(options=options) as pipeline:
        digests = (
            pipeline
            | "Pieces" >> beam.Create(range(len(plan.pieces)))
            | "Spread" >> beam.Reshuffle()
            | "Digest" >> beam.FlatMap(digest_piece)
        )
        decisions = (
            digests
            | "Dedup" >> DeduplicateDigests(config.dedup, hasher, partitions, spill_dir)
            | "DecisionsByPiece" >> beam.FlatMap(by_piece)
        )
        ids = digests | "Ids" >> beam.Map(
            lambda table: (split_piece_key(table["key"][0].as_py())[0], table.select(["key", "id"]))
        )
        _ = (
            {"ids": ids, "decisions": decisions}
            | "Join" >> beam.CoGroupByKey()
            | "Format" >> beam.FlatMap(formatted)
            | "Write" >> beam.io.WriteToText(out, file_name_suffix=".jsonl")
        )


def roots_from_duplicate_of(duplicate_of: dict[str, str | None]) -> dict[str, str]:
    """id -> the kept document its duplicate_of chain ends at (exact -> near keeper)."""
    roots: dict[str, str] = {}
    for doc_id in duplicate_of:
        node, seen = doc_id, set()
        while duplicate_of.get(node) and node not in seen:
            seen.add(node)
            node = duplicate_of[node]
        roots[doc_id] = node
    return roots


def read_ours_dedup_output(out_prefix: str) -> tuple[set[str], dict[str, str]]:
    duplicate_of: dict[str, str | None] = {}
    kept: set[str] = set()
    for path in sorted(Path(out_prefix).parent.glob(Path(out_prefix).name + "*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            duplicate_of[row["id"]] = row["duplicate_of"]
            if row["kept"]:
                kept.add(row["id"])
    return kept, roots_from_duplicate_of(duplicate_of)


def read_curate_output(out: Path) -> tuple[set[str], dict[str, str]]:
    import pyarrow.parquet as pq

    duplicate_of: dict[str, str | None] = {}
    kept: set[str] = set()
    for path in sorted((out / "corpus").glob("*.parquet")):
        ids = pq.read_table(path, columns=["id"])["id"].to_pylist()
        kept.update(ids)
        duplicate_of.update(dict.fromkeys(ids))
    for path in sorted((out / "rejects").glob("*.parquet")):
        table = pq.read_table(path, columns=["id", "duplicate_of"]).to_pydict()
        duplicate_of.update(zip(table["id"], table["duplicate_of"], strict=True))
    return kept, roots_from_duplicate_of(duplicate_of)


def config_dict(input_glob: str, dedup: dict) -> dict:
    """A ``curate run`` config on the corpus shards whose per-document rules do not reject."""
    return {
        "sources": [
            {
                "name": "bench",
                "paths": [input_glob],
                "format": "jsonl",
                "license": "PSF-2.0",
                "text_field": "text",
                "id_field": "id",
                "url_field": "url",
                "created_field": "created",
            }
        ],
        "language": {"allowed": None, "min_score": 0.0},
        "quality": {"reject": False},
        "synthetic": {"policy": "tag"},
        "dedup": _dedup_config(dedup),
    }


def curate_config(input_dir: Path, path: Path, dedup: dict) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(config_dict(str(input_dir / "*.jsonl"), dedup)), "utf-8")
    return path


# --- measurement -------------------------------------------------------------------------


# --- accuracy ----------------------------------------------------------------------------


def clusters_of(labels: dict[str, str]) -> list[list[str]]:
    """Groups of ids with the same label, of size >= 2."""
    groups: dict[str, list[str]] = {}
    for doc_id, label in labels.items():
        groups.setdefault(label, []).append(doc_id)
    return [sorted(g) for g in groups.values() if len(g) > 1]


def pairs_in(groups: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    return {(a, b) for g in groups for a, b in itertools.combinations(sorted(g), 2)}


def true_components(true_pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    from curation.dedup.unionfind import components

    return clusters_of(components(true_pairs))


def score(
    predicted: set[tuple[str, str]],
    kept: set[str],
    similarity: dict[tuple[str, str], float],
    hard_pairs: set[tuple[str, str]],
    threshold: float,
) -> dict:
    """Pairwise P/R/F1 at ``threshold``, one-kept rate of true clusters, hard negatives merged."""
    truth = {p for p, j in similarity.items() if j >= threshold}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    clusters = true_components(truth)
    one_kept = sum(sum(m in kept for m in c) == 1 for c in clusters)
    grouped = pairs_in(clusters)  # truth as connected groups: any pair inside one
    group_hits = len(predicted & grouped)
    group_precision = group_hits / len(predicted) if predicted else 1.0
    group_recall = group_hits / len(grouped) if grouped else 1.0
    group_f1 = (
        2 * group_precision * group_recall / (group_precision + group_recall) if group_hits else 0.0
    )
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "component_precision": round(group_precision, 4),
        "component_recall": round(group_recall, 4),
        "component_f1": round(group_f1, 4),
        "predicted_pairs": len(predicted),
        "true_pairs": len(truth),
        "true_clusters": len(clusters),
        "one_kept_rate": round(one_kept / len(clusters), 4) if clusters else 1.0,
        "hard_negative_pairs_merged": len(predicted & hard_pairs),
    }


#: Lower edges of the exact-Jaccard buckets of planted pairs (the last holds exact J = 1).
JACCARD_BUCKETS = (0.0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0)


def merged_by_jaccard(predicted: set[tuple[str, str]], planted: dict) -> dict[str, list]:
    """Per exact-Jaccard bucket of the planted pairs: ``[pairs, share merged]`` (recall above
    the threshold, false merges below)."""
    counts = {low: [0, 0] for low in JACCARD_BUCKETS}
    for pair, similarity in planted.items():
        low = max(edge for edge in JACCARD_BUCKETS if similarity >= edge)
        counts[low][0] += 1
        counts[low][1] += pair in predicted
    names = [*(f"{a}-{b}" for a, b in itertools.pairwise(JACCARD_BUCKETS)), "1.0"]
    return {
        name: [total, round(merged / total, 4) if total else None]
        for name, (total, merged) in zip(names, counts.values(), strict=True)
    }


class Truth:
    """Planted pair similarities, extended with the exact Jaccard of every reported pair."""

    def __init__(self, corpus_dir: Path) -> None:
        from benchmarks.corpus_gen import ShingleCache

        truth = json.loads((corpus_dir / "truth.json").read_text(encoding="utf-8"))
        self.similarity = {(a, b): j for a, b, j in truth["planted_pairs"]}
        self.planted = dict(self.similarity)
        self.hard_pairs = pairs_in(truth["hard_negatives"])
        texts = {}
        for path in sorted((corpus_dir / "shards").glob("*.jsonl")):
            for line in path.open(encoding="utf-8"):
                doc = json.loads(line)
                texts[doc["id"]] = doc["text"]
        self.n_docs = len(texts)
        self.texts = texts
        self._cache = ShingleCache(texts)
        self.max_unplanted = truth.get("max_unplanted_jaccard_sample")

    def evaluate(self, kept: set[str], labels: dict[str, str]) -> dict:
        from benchmarks.corpus_gen import exact_jaccards

        predicted = pairs_in(clusters_of(labels))
        self.similarity.update(exact_jaccards(predicted - self.similarity.keys(), self._cache))
        return {
            **{
                f"J>={t}": score(predicted, kept, self.similarity, self.hard_pairs, t)
                for t in THRESHOLDS
            },
            "merged_by_jaccard": merged_by_jaccard(predicted, self.planted),
        }


# --- orchestration -----------------------------------------------------------------------


def prepare_corpus(n_docs: int, work: Path, seed: int, check_sample: int) -> Path:
    """Generate (once) the corpus of ``n_docs`` under ``work`` and split it into shards."""
    from benchmarks.corpus_gen import generate, load_pool, write_corpus

    corpus_dir = work / f"corpus-{n_docs}-{seed}"
    shards = corpus_dir / "shards"
    if (corpus_dir / "truth.json").exists() and shards.is_dir():
        return corpus_dir
    corpus = generate(n_docs, seed, load_pool())
    write_corpus(corpus, corpus_dir, check_sample)
    shards.mkdir(exist_ok=True)
    lines = (corpus_dir / "docs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    for index in range(SHARDS):
        (shards / f"part-{index}.jsonl").write_text("".join(lines[index::SHARDS]), "utf-8")
    (corpus_dir / "docs.jsonl").unlink()
    return corpus_dir


def run_system(name: str, corpus_dir: Path, work: Path, dtvenv: Path, dedup: dict) -> dict:
    """Run one system on the corpus; return timing, memory and (kept ids, cluster labels)."""
    shards = corpus_dir / "shards"
    out = work / f"{name}-{corpus_dir.name}"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    python = str(REPO / ".venv" / "bin" / "python")
    script = str(Path(__file__).resolve())
    if name == "datatrove":
        dt_python = str(dtvenv / "bin" / "python")
        command = [dt_python, script, "--datatrove-worker", str(shards), str(out)]
    elif name == "ours-dedup":
        glob = str(shards / "*.jsonl")
        command = [
            python,
            script,
            "--ours-dedup-worker",
            glob,
            str(out / "decisions"),
            json.dumps(dedup),
        ]
    else:
        near = dict(dedup, near=name == "curate-run")
        config = curate_config(shards, work / f"{name}.yaml", near)
        command = [
            python,
            "-m",
            "pipelines.cli",
            "run",
            "--config",
            str(config),
            "--output",
            str(out / "run"),
            "--overwrite",
            "--runner=DirectRunner",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={WORKERS}",
        ]
    from benchmarks.measure import run_measured  # not at the top: the datatrove worker mode
    # imports this module in datatrove's virtualenv, with the standard library only

    measured = run_measured(command, work / f"{name}.log", cwd=REPO)
    stdout = measured.pop("stdout")
    if name == "datatrove":
        stages = json.loads(stdout.splitlines()[-1])["stage_seconds"]
        measured["stage_seconds"] = [round(s, 2) for s in stages]
        kept, labels = read_datatrove_output(out)
    elif name == "ours-dedup":
        kept, labels = read_ours_dedup_output(str(out / "decisions"))
    else:
        kept, labels = read_curate_output(out / "run")
    return {"measured": measured, "kept": kept, "labels": labels}


def compare(args: argparse.Namespace) -> dict:
    corpus_dir = prepare_corpus(args.docs, args.work, args.seed, args.check_sample)
    truth = Truth(corpus_dir)
    dedup = json.loads(args.dedup)
    results = {
        "corpus": {
            "docs": truth.n_docs,
            "dir": str(corpus_dir),
            "max_unplanted_jaccard_sample": truth.max_unplanted,
            "hard_negative_pairs": len(truth.hard_pairs),
        },
        "dedup_overrides": dedup,
        "systems": {},
    }
    for name in args.only or SYSTEMS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        run = run_system(name, corpus_dir, args.work, args.dtvenv, dedup)
        entry = dict(run["measured"])
        entry["docs_per_s"] = round(truth.n_docs / entry["seconds"], 1)
        if name != "curate-run-no-near":
            entry["accuracy"] = truth.evaluate(run["kept"], run["labels"])
        results["systems"][name] = entry
        print(json.dumps({name: entry}), file=sys.stderr, flush=True)
    return results


def scale(args: argparse.Namespace) -> dict:
    """Our dedup at several corpus sizes: seconds, docs/s, peak RSS."""
    rows = {}
    for n_docs in args.scale:
        corpus_dir = prepare_corpus(n_docs, args.work, args.seed, 0)
        for name in args.only or ("ours-dedup",):
            run = run_system(name, corpus_dir, args.work, args.dtvenv, json.loads(args.dedup))
            entry = dict(run["measured"])
            entry["docs_per_s"] = round(n_docs / entry["seconds"], 1)
            entry["kept"] = len(run["kept"])
            rows[f"{name}@{n_docs}"] = entry
            print(json.dumps({f"{name}@{n_docs}": entry}), file=sys.stderr, flush=True)
    return {"scaling": rows}


# --- LSH parameter study (in process, same functions as the Beam stage) ------------------


def simulate(
    sketches: dict[str, tuple[bytes, object]], hasher_args: dict, verify_at: float | None
) -> dict[str, str]:
    """Cluster labels as :class:`transforms.dedup.NearDuplicateClusters` computes them (band
    hashes, star edges to each bucket's smallest rank, exact verification, components), in one
    process; ranks are the ids. ``sketches``: id -> (signature, shingle set)."""
    from curation.dedup.minhash import MinHasher, exact_jaccards
    from curation.dedup.unionfind import components

    hasher = MinHasher(**hasher_args)
    buckets: dict[tuple[int, int], list[str]] = {}
    for doc_id, (signature, _) in sketches.items():
        for band, band_hash in enumerate(hasher.band_hashes(signature)):
            buckets.setdefault((band, band_hash), []).append(doc_id)
    edges = set()
    for members in buckets.values():
        if len(members) > 1:
            hub = min(members)
            edges.update((hub, member) for member in members if member != hub)
    edges = sorted(edges)
    if verify_at is not None and edges:
        similarity = exact_jaccards(
            [sketches[a][1] for a, _ in edges], [sketches[b][1] for _, b in edges]
        )
        edges = [edge for edge, j in zip(edges, similarity, strict=True) if j >= verify_at]
    return components(edges), len(buckets)


def sweep(args: argparse.Namespace) -> dict:
    """Accuracy of LSH splits with exact verification at 0.8, in process."""
    from curation.dedup.lsh import optimal_bands_rows
    from curation.dedup.minhash import MinHasher

    corpus_dir = prepare_corpus(args.docs, args.work, args.seed, args.check_sample)
    truth = Truth(corpus_dir)
    texts = truth.texts
    rows = []
    settings = [(128, *optimal_bands_rows(0.8, 128), 0.8)]
    settings += [(128, b, r, 0.8) for b, r in ((16, 8), (20, 6), (25, 5), (32, 4), (42, 3))]
    settings += [(256, b, r, 0.8) for b, r in ((32, 8), (42, 6), (51, 5))]
    sketches: dict[int, dict] = {}
    for num_perm, bands, r, verify_at in settings:
        if num_perm not in sketches:
            hasher = MinHasher(num_perm=num_perm, bands=1, rows=1)
            sketches[num_perm] = {i: hasher.sketch(t) for i, t in texts.items()}
        started = time.perf_counter()
        labels, _ = simulate(
            sketches[num_perm], {"num_perm": num_perm, "bands": bands, "rows": r}, verify_at
        )
        seconds = time.perf_counter() - started
        roots = {doc_id: labels.get(doc_id, doc_id) for doc_id in texts}
        kept = {doc_id for doc_id, root in roots.items() if root == doc_id}
        accuracy = truth.evaluate(kept, roots)
        row = {
            "num_perm": num_perm,
            "bands": bands,
            "rows": r,
            "verify_at": verify_at,
            "seconds": round(seconds, 1),
            **{
                t: {
                    k: accuracy[t][k]
                    for k in (
                        "precision",
                        "recall",
                        "f1",
                        "component_f1",
                        "one_kept_rate",
                        "hard_negative_pairs_merged",
                    )
                }
                for t in accuracy
                if t.startswith("J>=")
            },
            "merged_by_jaccard": accuracy["merged_by_jaccard"],
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    return {"sweep": rows}


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--datatrove-worker":
        datatrove_worker(*argv[1:3])
        return
    sys.path.insert(0, str(REPO))
    if argv and argv[0] == "--ours-dedup-worker":
        ours_dedup_worker(*argv[1:4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--work", type=Path, default=Path("/tmp/dedup-bench"))
    parser.add_argument("--dtvenv", type=Path, default=Path("/tmp/dtvenv"))
    parser.add_argument("--only", type=lambda s: s.split(","), help=f"subset of {SYSTEMS}")
    parser.add_argument("--dedup", default="{}", help="JSON overrides of our dedup config")
    parser.add_argument("--check-sample", type=int, default=2000)
    parser.add_argument("--scale", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--sweep", action="store_true", help="LSH parameter study")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if args.sweep:
        results = sweep(args)
    elif args.scale:
        results = scale(args)
    else:
        results = compare(args)
    text = json.dumps(results, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
