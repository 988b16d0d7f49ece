"""Compare ``curation.quality`` with datatrove's reference filters on the same documents.

datatrove is not a dependency of this project: it runs in its own virtualenv, in a subprocess
of this script (``--datatrove-worker`` mode, which imports only datatrove). Set it up once:

    python3 -m venv /tmp/dtvenv
    /tmp/dtvenv/bin/pip install "datatrove[processing]" spacy orjson

Then, from the repository root:

    .venv/bin/python benchmarks/quality_vs_datatrove.py [--dtvenv /tmp/dtvenv] [--json out.json]

Speed only (no datatrove needed), on ~2 KB English documents:

    .venv/bin/python benchmarks/quality_vs_datatrove.py --speed-only [--repeats 3]

Documents: English documentation-like text (Markdown/reStructuredText files found on the
machine, cut into ~2 KB documents at paragraph boundaries), the English and one other
language's texts of the synthetic dev set, and ``data/sample`` JSONL files if present. Both
sides use the same thresholds: datatrove's defaults equal ours, except that datatrove's Gopher
stop-word list is given our list for the non-English language. Reported per scorer and
language: keep/drop agreement, the disagreements by (our rule, datatrove reason), and
documents per second of all four scorers on one core.

``--speed-only`` times our scorers alone on two sets of ~2 KB English documents: generated
documents (``benchmarks/corpus_gen.py``: Python documentation prose, as in
``benchmarks/pipeline_speed.py``) and the documentation chunks above. It reports CPU time of
this process as documents per second: all four scorers together (``score`` then ``check``, the
way ``curation/scoring.py`` calls them, sharing one ``TextStats`` per document), and each scorer
alone (which then tokenises on its own). Every measurement is repeated ``--repeats`` times and
the median is reported, with the spread.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_SET = Path("/work/shared/data/synthetic/dev.jsonl.gz")
DOC_GLOBS = (
    "/usr/share/doc/nodejs/api/*.md",
    "/usr/lib/node_modules/npm/docs/content/**/*.md",
    "/usr/share/cmake-*/Help/manual/*.rst",
    "/usr/share/cmake-*/Help/command/*.rst",
)
SCORER_TO_FILTER = {
    "gopher_quality": "GopherQualityFilter",
    "gopher_repetition": "GopherRepetitionFilter",
    "c4_quality": "C4QualityFilter",
    "fineweb_quality": "FineWebQualityFilter",
}


# --- datatrove side (runs inside the datatrove virtualenv; imports nothing from this repo) ---


def datatrove_worker(in_path: str, out_path: str, stop_words_json: str) -> None:
    """Run datatrove's four filters on every document of ``in_path`` (JSONL: text, lang)."""
    from datatrove.data import Document
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    stop_words = json.loads(stop_words_json)
    with open(in_path, encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle]
    filters: dict[str, dict[str, object]] = {}
    for lang in sorted({doc["lang"] for doc in docs}):
        filters[lang] = {
            "GopherQualityFilter": GopherQualityFilter(language=lang, stop_words=stop_words[lang]),
            "GopherRepetitionFilter": GopherRepetitionFilter(language=lang),
            "C4QualityFilter": C4QualityFilter(language=lang),
            "FineWebQualityFilter": FineWebQualityFilter(language=lang),
        }
        for step in filters[lang].values():  # load spaCy tokenizers outside the timed loop
            step.filter(Document(text="Warm up. " * 60, id="warmup"))
    results = []
    start = time.process_time()
    for index, doc in enumerate(docs):
        verdicts = {}
        for filter_name, step in filters[doc["lang"]].items():
            verdict = step.filter(Document(text=doc["text"], id=str(index)))
            kept, reason = verdict if isinstance(verdict, tuple) else (verdict, None)
            verdicts[filter_name] = None if kept else reason or "dropped"
        results.append(verdicts)
    elapsed = time.process_time() - start
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump({"seconds": elapsed, "results": results}, out)


# --- our side ----------------------------------------------------------------------------


def chunk_documents(text: str, target_chars: int) -> list[str]:
    """Cut ``text`` at blank lines into pieces of about ``target_chars`` characters."""
    pieces, current = [], []
    size = 0
    for paragraph in text.split("\n\n"):
        current.append(paragraph)
        size += len(paragraph) + 2
        if size >= target_chars:
            pieces.append("\n\n".join(current).strip())
            current, size = [], 0
    if current:
        pieces.append("\n\n".join(current).strip())
    return [piece for piece in pieces if piece]


#: ISO 639-3 codes (as in the UDHR sample's ids, ``udhr-<code>[_variant]-NN``) to ISO 639-1.
UDHR_CODES = {"eng": "en", "rus": "ru", "deu": "de", "arb": "ar", "cmn": "zh", "fra": "fr"}


def mostly_ascii_letters(text: str) -> bool:
    """Whether at least 95% of the letters are ASCII: the sample's English documents (it also
    holds Chinese and Japanese translations of the same manuals, without a language field)."""
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(char.isascii() for char in letters) >= 0.95 * len(letters)


def sample_documents(folder: Path) -> list[dict[str, str]]:
    """Records of ``data/sample`` (JSONL, gzipped JSONL, Parquet), with text under ``text`` or
    ``content``. Lines that are not valid JSON are skipped (the sample has deliberate junk).
    UDHR translations carry their language in the id; other documents count as English when
    their letters are ASCII (see :func:`mostly_ascii_letters`) and are left out otherwise."""
    import pyarrow.parquet as pq

    rows: list[dict] = []
    for path in sorted(folder.glob("*.parquet")):
        rows += pq.read_table(path).to_pylist()
    for path in sorted(folder.glob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    records = []
    for row in rows:
        text = row.get("text") or row.get("content") if isinstance(row, dict) else None
        if not isinstance(text, str) or not text.strip():
            continue
        row_id = str(row.get("id", ""))
        if row_id.startswith("udhr-"):
            lang = UDHR_CODES.get(row_id.split("-")[1].split("_")[0])
        else:
            lang = "en" if mostly_ascii_letters(text) else None
        if lang:
            records.append({"text": text, "lang": lang, "source": "sample"})
    return records


def load_documents(args: argparse.Namespace) -> list[dict[str, str]]:
    """The benchmark documents: ``{"text", "lang", "source"}`` records."""
    rng = random.Random(args.seed)
    docs = []
    paths = sorted({path for pattern in DOC_GLOBS for path in glob.glob(pattern, recursive=True)})
    for path in paths:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        for piece in chunk_documents(text, args.chunk_chars):
            docs.append({"text": piece, "lang": "en", "source": "docs"})
    rng.shuffle(docs)
    docs = docs[: args.max_docs]
    with gzip.open(args.dev_set, "rt", encoding="utf-8") as handle:
        dev = [json.loads(line) for line in handle]
    for lang in ("en", args.other_lang):
        rows = [row for row in dev if row["lang"] == lang]
        rng.shuffle(rows)
        docs += [
            {"text": row["text"], "lang": lang, "source": "dev"} for row in rows[: args.max_docs]
        ]
    docs += [
        record
        for record in sample_documents(REPO / "data/sample")
        if record["lang"] in ("en", args.other_lang)
    ]
    return docs


def run_ours(docs: list[dict[str, str]]) -> tuple[dict[str, float], list[dict[str, str | None]]]:
    """CPU seconds per document group for scoring+checking with all scorers, and verdicts."""
    sys.path.insert(0, str(REPO))
    from curation.quality import build_scorers

    scorers = build_scorers(None)
    seconds: Counter[str] = Counter()
    results = []
    for doc in docs:
        start = time.process_time()
        verdicts = {}
        for scorer in scorers:
            verdicts[scorer.name] = scorer.check(scorer.score(doc["text"], doc["lang"]))
        seconds[f"{doc['lang']}/{doc['source']}"] += time.process_time() - start
        results.append(verdicts)
    return dict(seconds), results


def run_datatrove(docs: list[dict[str, str]], dtvenv: str) -> tuple[float, list[dict]]:
    """Run :func:`datatrove_worker` in the datatrove virtualenv."""
    sys.path.insert(0, str(REPO))
    from curation.quality.languages import STOP_WORDS

    stop_words = {doc["lang"]: sorted(STOP_WORDS[doc["lang"]]) for doc in docs}
    with tempfile.TemporaryDirectory() as tmp:
        in_path, out_path = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.json")
        with open(in_path, "w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps({"text": doc["text"], "lang": doc["lang"]}) + "\n")
        command = [
            os.path.join(dtvenv, "bin", "python"),
            __file__,
            "--datatrove-worker",
            in_path,
            out_path,
            json.dumps(stop_words),
        ]
        subprocess.run(command, check=True, env={**os.environ, "LOGURU_LEVEL": "WARNING"})
        with open(out_path, encoding="utf-8") as handle:
            output = json.load(handle)
    return output["seconds"], output["results"]


def compare(docs, ours, theirs) -> dict:
    """Agreement per (scorer, language/source group) and disagreement reasons."""
    report: dict = {}
    for scorer, filter_name in SCORER_TO_FILTER.items():
        groups: dict[str, dict] = {}
        for doc, our, their in zip(docs, ours, theirs, strict=True):
            group = f"{doc['lang']}/{doc['source']}"
            stats = groups.setdefault(
                group,
                {"n": 0, "agree": 0, "ours_drop": 0, "dt_drop": 0, "disagreements": Counter()},
            )
            our_reason, their_reason = our[scorer], their[filter_name]
            stats["n"] += 1
            stats["ours_drop"] += our_reason is not None
            stats["dt_drop"] += their_reason is not None
            if (our_reason is None) == (their_reason is None):
                stats["agree"] += 1
            else:
                stats["disagreements"][f"ours={our_reason} / datatrove={their_reason}"] += 1
        report[scorer] = groups
    return report


def print_report(
    report: dict, docs: list[dict[str, str]], our_seconds: dict[str, float], dt_seconds: float
) -> None:
    """Markdown tables on stdout."""
    print("| scorer | docs | n | agreement | dropped (ours) | dropped (datatrove) |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for scorer, groups in report.items():
        for group, stats in sorted(groups.items()):
            agreement = 100 * stats["agree"] / stats["n"]
            print(
                f"| {scorer} | {group} | {stats['n']} | {agreement:.2f} % | "
                f"{stats['ours_drop']} | {stats['dt_drop']} |"
            )
    print("\nDisagreements (count, our rule / datatrove reason):")
    for scorer, groups in report.items():
        for group, stats in sorted(groups.items()):
            for reason, count in stats["disagreements"].most_common():
                print(f"- {scorer} {group}: {count} x {reason}")
    print("\nSpeed, all four scorers, CPU time of one process (docs/s):")
    groups = Counter(f"{doc['lang']}/{doc['source']}" for doc in docs)
    chars = Counter()
    for doc in docs:
        chars[f"{doc['lang']}/{doc['source']}"] += len(doc["text"])
    for group, count in sorted(groups.items()):
        print(
            f"- ours, {group} (mean {chars[group] / count:,.0f} chars): "
            f"{count / our_seconds[group]:,.0f}"
        )
    ours, theirs = len(docs) / sum(our_seconds.values()), len(docs) / dt_seconds
    print(
        f"- all {len(docs)} docs: ours {ours:,.0f}, datatrove {theirs:,.0f} ({ours / theirs:.0f}x)"
    )


# --- speed only --------------------------------------------------------------------------


def speed_documents(args: argparse.Namespace) -> dict[str, list[str]]:
    """The ~2 KB English documents of ``--speed-only``: generated and documentation chunks."""
    sys.path.insert(0, str(REPO))
    from benchmarks.corpus_gen import generate, load_pool

    generated = [doc["text"] for doc in generate(args.speed_docs, args.seed, load_pool()).docs]
    rng = random.Random(args.seed)
    paths = sorted({path for pattern in DOC_GLOBS for path in glob.glob(pattern, recursive=True)})
    chunks = [
        piece
        for path in paths
        for piece in chunk_documents(
            Path(path).read_text(encoding="utf-8", errors="replace"), args.chunk_chars
        )
    ]
    rng.shuffle(chunks)
    groups = {"en/generated": generated, "en/docs": chunks[: args.speed_docs]}
    return {name: texts for name, texts in groups.items() if texts}


def docs_per_second(texts: list[str], scorers: list) -> float:
    """Documents per CPU second of this process for scoring and checking with ``scorers``."""
    start = time.process_time()
    for text in texts:
        for scorer in scorers:
            scorer.check(scorer.score(text, "en"))
    return len(texts) / max(time.process_time() - start, 1e-9)


def measure_speed(groups: dict[str, list[str]], repeats: int) -> dict[str, dict[str, list[float]]]:
    """``{group: {"all four" or scorer name: [docs/s of each repeat]}}``."""
    sys.path.insert(0, str(REPO))
    from curation.quality import build_scorers

    scorers = build_scorers(None)
    start = time.process_time()
    docs_per_second(["Warm up, once per process."], scorers)  # loads the numba kernel
    print(f"One-off: first document {time.process_time() - start:.2f} s CPU (kernel load)\n")
    results: dict[str, dict[str, list[float]]] = {}
    for name, texts in groups.items():
        rates: dict[str, list[float]] = {"all four": []}
        for _ in range(repeats):
            rates["all four"].append(docs_per_second(texts, scorers))
            for scorer in scorers:
                rates.setdefault(scorer.name, []).append(docs_per_second(texts, [scorer]))
        results[name] = rates
    return results


def print_speed(groups: dict[str, list[str]], results: dict[str, dict[str, list[float]]]) -> None:
    """Markdown table of the medians on stdout."""
    print("CPU time of one process; median of the repeats (min-max):\n")
    print("| documents | n | mean chars | scorers | docs/s/core |")
    print("| --- | ---: | ---: | --- | ---: |")
    for name, rates in results.items():
        texts = groups[name]
        mean_chars = sum(map(len, texts)) / len(texts)
        for label, values in rates.items():
            print(
                f"| {name} | {len(texts)} | {mean_chars:,.0f} | {label} | "
                f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f}) |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datatrove-worker", nargs=3, metavar=("IN", "OUT", "STOP_WORDS"))
    parser.add_argument("--dtvenv", default="/tmp/dtvenv")
    parser.add_argument("--dev-set", default=str(DEV_SET))
    parser.add_argument("--other-lang", default="ru")
    parser.add_argument("--max-docs", type=int, default=3000, help="per source and language")
    parser.add_argument("--chunk-chars", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the full report here")
    parser.add_argument("--dump", help="write the disagreeing documents here (JSONL)")
    parser.add_argument("--speed-only", action="store_true", help="time our scorers only")
    parser.add_argument("--speed-docs", type=int, default=2000, help="per set, --speed-only")
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats, --speed-only")
    args = parser.parse_args()
    if args.datatrove_worker:
        datatrove_worker(*args.datatrove_worker)
        return
    if args.speed_only:
        groups = speed_documents(args)
        results = measure_speed(groups, args.repeats)
        print_speed(groups, results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        return
    docs = load_documents(args)
    dt_seconds, theirs = run_datatrove(docs, args.dtvenv)
    our_seconds, ours = run_ours(docs)
    report = compare(docs, ours, theirs)
    print_report(report, docs, our_seconds, dt_seconds)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as handle:
            for doc, our, their in zip(docs, ours, theirs, strict=True):
                differs = [
                    scorer
                    for scorer, filter_name in SCORER_TO_FILTER.items()
                    if (our[scorer] is None) != (their[filter_name] is None)
                ]
                if differs:
                    record = {**doc, "ours": our, "datatrove": their, "differs": differs}
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
