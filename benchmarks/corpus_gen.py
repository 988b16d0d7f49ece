"""Realistic English corpora with planted near-duplicates and exact pairwise ground truth.

Text: the prose paragraphs of the Python 3.11 documentation (Debian ``python3.11-doc``,
PSF-2.0, fetched with ``apt-get download`` unless ``--inputs DIR`` holds the ``.deb``) plus the
English records of ``data/sample`` (split at blank lines). Paragraphs are de-duplicated and
grouped into fixed *segments* of consecutive paragraphs (500-900 characters). An original
document is three segments, so a document is ~2 KB. No two originals share two segments (a
used segment pair is never reused), so two unplanted documents share at most one segment of
three and their word-5-gram Jaccard stays near 0.2 or below; :func:`max_unplanted_jaccard`
measures it on a sample of segment-sharing pairs.

Planted on top (all with known ground truth):

* near-duplicate clusters: 1-4 variants of an original, each one or two of ``word_edit``
  (1-20 % of the words; up to 5 % scattered single-word edits, above that 1-3 rewritten spans,
  as in ``scripts/build_sample_corpus.py``), ``boilerplate`` (a Python docs page's navigation
  header and footer added), ``truncation`` (first 60-98 % of the words kept), ``reorder``
  (1-4 sentences moved) and ``exact`` (same text, different case and line breaks);
* hard negatives: groups of 8 different short passages (50-150 words) wrapped in the same
  header and footer, so they share boilerplate but are different documents.

Truth is *exact*: the Jaccard of the pipeline's own shingles
(:func:`curation.dedup.minhash.shingles`, word 5-grams after NFKC, case-folding and punctuation
folding) for every pair inside a planted group, and :func:`exact_jaccards` for any other pair
a system reports.

Importable (``from benchmarks.corpus_gen import generate``) and runnable::

    .venv/bin/python benchmarks/corpus_gen.py --docs 20000 --out /tmp/dedup20k
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import zstandard

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.reference import jaccard, shingles  # noqa: E402
from scripts.build_sample_corpus import (  # noqa: E402
    PY_EXCLUDE,
    html_paragraphs,
    truncate,
    word_edit,
)

SAMPLE = REPO / "data" / "sample"
DEFAULT_CACHE = Path("/tmp/curate-bench-cache")
PYDOC_PACKAGE = "python3.11-doc"
PYDOC_HTML = "usr/share/doc/python3.11/html"
DEFAULT_SEED = 20250101

#: Segment length in characters; three segments make a ~2 KB document.
SEGMENT_MIN_CHARS, SEGMENT_MAX_CHARS = 500, 900
SEGMENTS_PER_DOC = 3
#: Paragraphs shorter than this many words are dropped (headings, captions, "New in 3.x").
MIN_PARAGRAPH_WORDS = 8
#: Share of originals that get variants, and how many (uniform).
CLUSTER_SHARE, MAX_VARIANTS = 0.3, 4
#: Word-edit fraction range (the brief: 1-20 % of the words) and truncation keep range.
EDIT_RANGE, KEEP_RANGE = (0.01, 0.20), (0.60, 0.98)
#: Hard negatives: documents per shared-boilerplate group, share of the corpus, words.
HARD_GROUP_SIZE, HARD_SHARE, HARD_WORDS = 8, 0.024, (50, 150)
VARIANT_KINDS = (
    ("word_edit",),
    ("word_edit",),
    ("boilerplate",),
    ("truncation",),
    ("reorder",),
    ("exact",),
    ("word_edit", "boilerplate"),
    ("truncation", "boilerplate"),
    ("word_edit", "truncation"),
    ("reorder", "word_edit"),
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass
class Corpus:
    """Generated documents and what was planted in them."""

    docs: list[dict]  # id, text, created, url
    #: Planted near-duplicate groups: [original id, variant ids...].
    clusters: list[list[str]] = field(default_factory=list)
    #: Variant id -> kinds applied, e.g. "word_edit+boilerplate".
    kinds: dict[str, str] = field(default_factory=dict)
    #: Groups of different documents sharing a header and footer.
    hard_negatives: list[list[str]] = field(default_factory=list)


# --- text pool ---------------------------------------------------------------------------


def fetch_pydoc(cache: Path, inputs: Path | None = None) -> Path:
    """Unpacked ``python3.11-doc`` HTML directory. The ``.deb`` is taken from ``inputs`` or
    ``cache``, else downloaded into ``cache`` with ``apt-get download``, saying so first (and
    failing with one line where there is no apt-get)."""
    root = cache / PYDOC_PACKAGE
    html = root / PYDOC_HTML
    if html.is_dir():
        return html
    cache.mkdir(parents=True, exist_ok=True)
    debs = sorted((inputs or cache).glob(f"{PYDOC_PACKAGE}_*.deb"))
    if not debs:
        if shutil.which("apt-get") is None:
            raise SystemExit(
                f"corpus_gen: needs Debian's {PYDOC_PACKAGE}_*.deb in --inputs DIR or {cache} "
                "(no apt-get here to download it)"
            )
        print(
            f"corpus_gen: downloading Debian's {PYDOC_PACKAGE} package into {cache} with "
            "`apt-get download` (once: it is cached; --inputs DIR uses a .deb you have)",
            file=sys.stderr,
        )
        subprocess.run(["apt-get", "download", PYDOC_PACKAGE], cwd=cache, check=True)
        debs = sorted(cache.glob(f"{PYDOC_PACKAGE}_*.deb"))
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(root)], check=True)
    return html


def _pydoc_pages(html: Path) -> Iterable[tuple[list[str], str, str]]:
    """(paragraphs, navigation header, footer) of every Python docs page."""
    for path in sorted(html.rglob("*.html")):
        if PY_EXCLUDE.match(path.relative_to(html).as_posix()):
            continue
        parser = html_paragraphs(
            path,
            lambda tag, attrs: attrs.get("role") == "main",
            {"sphinxsidebar", "related", "footer", "highlight"},
        )
        header = " ".join("".join(parser.captured["related"]).split())
        footer = " ".join("".join(parser.captured["footer"]).split())
        yield parser.paragraphs, header, re.sub(r"\s*Last updated on [^.]*\.", "", footer)


def _sample_paragraphs() -> Iterable[str]:
    """English paragraphs of the ``data/sample`` documentation records."""
    with zstandard.open(SAMPLE / "debian_reference.jsonl.zst", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"].startswith("debref-") and "-ja-" not in record["id"]:
                yield from record["text"].split("\n\n")
    yield from (
        p
        for text in pq.read_table(SAMPLE / "gnu_standards.parquet")["text"].to_pylist()
        for p in text.split("\n\n")
    )


def load_pool(cache: Path = DEFAULT_CACHE, inputs: Path | None = None) -> dict[str, list]:
    """``{"paragraphs": [...], "boilerplates": [[header, footer], ...]}``, cached as JSON."""
    cached = cache / "pool.json.gz"
    if cached.exists():
        with gzip.open(cached, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    paragraphs: list[str] = []
    boilerplates: set[tuple[str, str]] = set()
    for page, header, footer in _pydoc_pages(fetch_pydoc(cache, inputs)):
        paragraphs.extend(page)
        if header and footer:
            boilerplates.add((header, footer))
    paragraphs.extend(_sample_paragraphs())
    seen: set[str] = set()
    unique = []
    for para in paragraphs:
        key = " ".join(para.casefold().split())
        if len(key.split()) >= MIN_PARAGRAPH_WORDS and key not in seen:
            seen.add(key)
            unique.append(para)
    pool = {"paragraphs": unique, "boilerplates": sorted(boilerplates)}
    with gzip.open(cached, "wt", encoding="utf-8") as handle:
        json.dump(pool, handle)
    return pool


def build_segments(paragraphs: Sequence[str]) -> list[str]:
    """Consecutive paragraphs joined into segments of SEGMENT_MIN..MAX_CHARS characters."""
    segments, current, size = [], [], 0
    for para in paragraphs:
        if len(para) > SEGMENT_MAX_CHARS:
            current, size = [], 0
            continue
        if size + len(para) > SEGMENT_MAX_CHARS:
            if size >= SEGMENT_MIN_CHARS:
                segments.append("\n\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 2
    return segments


# --- variants ----------------------------------------------------------------------------


def reorder(text: str, rng: random.Random) -> str:
    """Move 1-4 random sentences to other positions (paragraph breaks become spaces)."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    if len(sentences) < 3:
        return text
    for _ in range(rng.randint(1, 4)):
        moved = sentences.pop(rng.randrange(len(sentences)))
        sentences.insert(rng.randrange(len(sentences) + 1), moved)
    return " ".join(sentences)


def reformat(text: str) -> str:
    """The same text with different case and line breaks: an exact duplicate after hashing."""
    return "\n".join(text.upper().split(" "))


def make_variant(
    text: str,
    kinds: tuple[str, ...],
    rng: random.Random,
    donor: Sequence[str],
    boilerplate: Sequence[str],
) -> str:
    """Apply ``kinds`` to ``text`` in a fixed order (edit, reorder, truncate, wrap, reformat)."""
    if "word_edit" in kinds:
        text = word_edit(text, round(rng.uniform(*EDIT_RANGE), 3), rng, donor)
    if "reorder" in kinds:
        text = reorder(text, rng)
    if "truncation" in kinds:
        text = truncate(text, round(rng.uniform(*KEEP_RANGE), 3))
    if "boilerplate" in kinds:
        text = f"{boilerplate[0]}\n\n{text}\n\n{boilerplate[1]}"
    if "exact" in kinds:
        text = reformat(text)
    return text


# --- corpus ------------------------------------------------------------------------------


def _segment_triples(n_segments: int, count: int, rng: random.Random) -> list[tuple[int, ...]]:
    """``count`` segment triples of which no two share two segments."""
    used_pairs: set[tuple[int, int]] = set()
    triples: list[tuple[int, ...]] = []
    while len(triples) < count:
        triple = tuple(rng.sample(range(n_segments), SEGMENTS_PER_DOC))
        pairs = {tuple(sorted(p)) for p in itertools.combinations(triple, 2)}
        if pairs & used_pairs:
            continue
        used_pairs |= pairs
        triples.append(triple)
    return triples


def _created(rng: random.Random) -> str:
    return f"{rng.randint(2018, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate(n_docs: int = 20_000, seed: int = DEFAULT_SEED, pool: dict | None = None) -> Corpus:
    """A shuffled corpus of ``n_docs`` documents with planted clusters and hard negatives."""
    rng = random.Random(seed)
    pool = pool or load_pool()
    segments = build_segments(pool["paragraphs"])
    boilerplates = pool["boilerplates"]
    donor = " ".join(rng.sample(pool["paragraphs"], 2000)).split()

    n_hard = (round(n_docs * HARD_SHARE) // HARD_GROUP_SIZE) * HARD_GROUP_SIZE
    mean_size = 1 + CLUSTER_SHARE * (1 + MAX_VARIANTS) / 2
    n_originals = round((n_docs - n_hard) / mean_size)
    texts: list[tuple[str, int]] = []  # (text, planted group index or -1)
    groups: list[list[int]] = []
    kinds_of: dict[int, str] = {}
    for triple in _segment_triples(len(segments), n_originals, rng):
        texts.append(("\n\n".join(segments[i] for i in triple), -1))
    grouped: set[int] = set()
    first_pass = iter(range(n_originals))
    while len(texts) < n_docs - n_hard:
        index = next(first_pass, None)
        if index is None:  # the first pass fell short: top up with random originals
            index = rng.randrange(n_originals)
        elif rng.random() >= CLUSTER_SHARE:
            continue
        if index in grouped:
            continue
        grouped.add(index)
        group = [index]
        for _ in range(rng.randint(1, min(MAX_VARIANTS, n_docs - n_hard - len(texts)))):
            kinds = rng.choice(VARIANT_KINDS)
            variant = make_variant(texts[index][0], kinds, rng, donor, rng.choice(boilerplates))
            kinds_of[len(texts)] = "+".join(kinds)
            group.append(len(texts))
            texts.append((variant, len(groups)))
        groups.append(group)
    hard_groups = []
    for _ in range(n_hard // HARD_GROUP_SIZE):
        header, footer = rng.choice(boilerplates)
        members = []
        for segment in rng.sample(segments, HARD_GROUP_SIZE):
            words = segment.split()[: rng.randint(*HARD_WORDS)]
            members.append(len(texts))
            texts.append((f"{header}\n\n{' '.join(words)}\n\n{footer}", -1))
        hard_groups.append(members)

    order = list(range(len(texts)))
    rng.shuffle(order)
    ids = {old: f"doc-{new:07d}" for new, old in enumerate(order)}
    docs = [
        {
            "id": ids[old],
            "text": texts[old][0],
            "created": _created(rng),
            "url": f"https://example.org/{ids[old]}",
        }
        for old in order
    ]
    return Corpus(
        docs=docs,
        clusters=[[ids[i] for i in group] for group in groups],
        kinds={ids[i]: kind for i, kind in kinds_of.items()},
        hard_negatives=[[ids[i] for i in group] for group in hard_groups],
    )


# --- truth -------------------------------------------------------------------------------


def pair(a: str, b: str) -> tuple[str, str]:
    """An unordered pair in canonical order."""
    return (a, b) if a < b else (b, a)


class ShingleCache:
    """Shingle sets of a corpus' documents, computed on first use."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._sets: dict[str, set[str]] = {}

    def __call__(self, doc_id: str) -> set[str]:
        if doc_id not in self._sets:
            self._sets[doc_id] = shingles(self._texts[doc_id])
        return self._sets[doc_id]


def exact_jaccards(
    pairs: Iterable[tuple[str, str]], cache: ShingleCache
) -> dict[tuple[str, str], float]:
    """Exact word-5-gram Jaccard (the pipeline's shingles) of each pair."""
    return {p: jaccard(cache(p[0]), cache(p[1])) for p in pairs}


def planted_pairs(corpus: Corpus) -> set[tuple[str, str]]:
    """Every pair inside a planted cluster or a hard-negative group."""
    return {
        pair(a, b)
        for group in corpus.clusters + corpus.hard_negatives
        for a, b in itertools.combinations(group, 2)
    }


def max_unplanted_jaccard(corpus: Corpus, cache: ShingleCache, sample: int, seed: int) -> float:
    """Highest exact Jaccard over ``sample`` random unplanted pairs of documents that share
    a paragraph (the only way two unplanted documents overlap by construction)."""
    rng = random.Random(seed)
    by_paragraph: dict[str, list[str]] = {}
    for doc in corpus.docs:
        for para in doc["text"].split("\n\n"):
            by_paragraph.setdefault(" ".join(para.split()), []).append(doc["id"])
    planted = planted_pairs(corpus)
    candidates = {
        pair(a, b)
        for members in by_paragraph.values()
        if 1 < len(members) <= 50
        for a, b in itertools.combinations(members, 2)
    } - planted
    chosen = rng.sample(sorted(candidates), min(sample, len(candidates)))
    return max(exact_jaccards(chosen, cache).values(), default=0.0)


def write_corpus(corpus: Corpus, out: Path, check_sample: int = 2000) -> dict:
    """Write ``docs.jsonl`` and ``truth.json`` (planted groups, exact planted-pair Jaccards)."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "docs.jsonl").open("w", encoding="utf-8") as handle:
        for doc in corpus.docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    cache = ShingleCache({doc["id"]: doc["text"] for doc in corpus.docs})
    similarities = exact_jaccards(sorted(planted_pairs(corpus)), cache)
    truth = {
        "docs": len(corpus.docs),
        "similarity": "exact Jaccard of curation.dedup.minhash.shingles (word 5-grams)",
        "clusters": corpus.clusters,
        "kinds": corpus.kinds,
        "hard_negatives": corpus.hard_negatives,
        "planted_pairs": [[a, b, round(j, 6)] for (a, b), j in similarities.items()],
        "max_unplanted_jaccard_sample": (
            round(max_unplanted_jaccard(corpus, cache, check_sample, 0), 4)
            if check_sample
            else None
        ),
    }
    (out / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return truth


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents to generate")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="download/pool cache")
    parser.add_argument("--inputs", type=Path, help="directory holding python3.11-doc_*.deb")
    parser.add_argument(
        "--check-sample", type=int, default=2000, help="unplanted pairs checked (0: skip)"
    )
    args = parser.parse_args(argv)
    corpus = generate(args.docs, args.seed, load_pool(args.cache, args.inputs))
    truth = write_corpus(corpus, args.out, args.check_sample)
    sims = [j for *_, j in truth["planted_pairs"]]
    print(
        f"{truth['docs']} docs, {len(corpus.clusters)} clusters, "
        f"{len(corpus.hard_negatives)} hard-negative groups, planted pairs: {len(sims)}, "
        f">=0.8: {sum(j >= 0.8 for j in sims)}, >=0.7: {sum(j >= 0.7 for j in sims)}, "
        f"max unplanted (sample): {truth['max_unplanted_jaccard_sample']}"
    )


if __name__ == "__main__":
    main()
