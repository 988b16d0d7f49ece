"""MinHash signature speed: the pre-issue-#5 method against ``MinHasher``.

The old method (kept here as the reference, not in the package) built every shingle string,
hashed each with xxh32 in a Python loop inside datasketch's ``update_batch`` and normalised
with ``str.translate`` and a whitespace regex. Both run on the same ~2 KB documents
(``benchmarks/corpus_gen.py``), interleaved over several repeats in this one process, timed in
CPU seconds of one core; the table gives median docs/s/core and the median new/old ratio.
Rows: the normalisation each signature runs (old: the collapsed normal form; new:
``fold_for_shingles``, split directly into the same words), the whole signature, and their
difference (tokens, hashing, permutations). Also checked: same normal form, words and
shingle sets, deterministic signatures, and the mean |estimated - exact| Jaccard of the
planted near-duplicate pairs under both methods.

Run from the repo root::

    .venv/bin/python benchmarks/signature_speed.py --docs 2000 --repeats 7
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import xxhash
from datasketch import MinHash

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus_gen import generate, load_pool  # noqa: E402
from benchmarks.reference import jaccard, normalize_for_shingles, shingles  # noqa: E402
from curation.dedup.minhash import (  # noqa: E402
    MINHASH_SEED,
    PERMUTATION_SCHEME,
    MinHasher,
    estimated_jaccard,
)
from curation.dedup.normalize import (  # noqa: E402
    _PUNCT_TABLE,
    fold_for_shingles,
    is_unspaced_text,
)

_OLD_WHITESPACE = re.compile(r"\s+")


def old_normalize(text: str) -> str:
    """The old ``normalize_for_shingles``: ``str.translate`` and a whitespace regex."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_PUNCT_TABLE)
    return _OLD_WHITESPACE.sub(" ", folded).strip()


def old_shingles(text: str, n: int = 5) -> set[str]:
    """The old ``shingles``: a set of joined n-gram strings."""
    normalized = old_normalize(text)
    if is_unspaced_text(normalized):
        chars = normalized.replace(" ", "")
        if len(chars) <= n:
            return {chars} if chars else set()
        return {chars[i : i + n] for i in range(len(chars) - n + 1)}
    words = normalized.split()
    if len(words) <= n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def old_signer(num_perm: int) -> Callable[[str], bytes]:
    """The old ``MinHasher.signature``: xxh32 per shingle string in datasketch's
    ``update_batch`` (one batch: a ~2 KB document is far below the 4,096-shingle chunk)."""
    template = MinHash(
        num_perm,
        seed=MINHASH_SEED,
        hashfunc=lambda shingle: xxhash.xxh32_intdigest(shingle.encode("utf-8")),
        scheme=PERMUTATION_SCHEME,
    )

    def signature(text: str) -> bytes:
        minhash = template.copy()
        minhash.update_batch(old_shingles(text))
        return minhash.hashvalues.astype("<u4").tobytes()

    return signature


def cpu_seconds(work: Callable[[str], object], texts: Sequence[str]) -> float:
    start = time.process_time()
    for text in texts:
        work(text)
    return time.process_time() - start


def interleaved_rates(
    pairs: dict[str, tuple[Callable, Callable]], texts: Sequence[str], repeats: int
) -> dict[str, tuple[float, float, float]]:
    """Per stage: (median old docs/s, median new docs/s, median of per-repeat new/old ratios).
    Old and new alternate (and swap order every repeat) so load changes hit both alike."""
    seconds: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
    for repeat in range(repeats):
        for name, (old, new) in pairs.items():
            first, second = (old, new) if repeat % 2 == 0 else (new, old)
            a, b = cpu_seconds(first, texts), cpu_seconds(second, texts)
            seconds[name].append((a, b) if repeat % 2 == 0 else (b, a))
    return {
        name: (
            len(texts) / statistics.median(old for old, _ in runs),
            len(texts) / statistics.median(new for _, new in runs),
            statistics.median(old / new for old, new in runs),
        )
        for name, runs in seconds.items()
    }


def check(texts: dict[str, str], clusters: list[list[str]], num_perm: int) -> None:
    """Same normal form and shingles as the old code, deterministic signatures, and the
    Jaccard estimation error of planted near-duplicate pairs (old vs new)."""
    old_signature, hasher = old_signer(num_perm), MinHasher(num_perm, bands=1, rows=1)
    for text in texts.values():
        assert normalize_for_shingles(text) == old_normalize(text)
        assert fold_for_shingles(text).split() == old_normalize(text).split()
        assert shingles(text) == old_shingles(text)
        assert hasher.signature(text) == MinHasher(num_perm, bands=1, rows=1).signature(text)
    pairs = [(group[0], other) for group in clusters for other in group[1:]]
    for name, sign in (("old", old_signature), ("new", hasher.signature)):
        signatures = {doc_id: sign(text) for doc_id, text in texts.items()}
        errors = [
            abs(
                estimated_jaccard(signatures[a], signatures[b])
                - jaccard(shingles(texts[a]), shingles(texts[b]))
            )
            for a, b in pairs
        ]
        print(f"{name}: mean |estimated - exact Jaccard| {statistics.fmean(errors):.4f}")
    print(f"checks passed on {len(texts):,} docs, {len(pairs):,} planted pairs")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--num-perm", type=int, default=128)
    args = parser.parse_args(argv)
    corpus = generate(args.docs, pool=load_pool())
    texts = {doc["id"]: doc["text"] for doc in corpus.docs}
    check(texts, corpus.clusters, args.num_perm)
    hasher = MinHasher(args.num_perm, bands=1, rows=1)
    rates = interleaved_rates(
        {
            "normalise (as each signature runs it)": (old_normalize, fold_for_shingles),
            "signature (incl. normalise)": (old_signer(args.num_perm), hasher.signature),
        },
        list(texts.values()),
        args.repeats,
    )
    mean_kb = sum(map(len, texts.values())) / len(texts) / 1024
    print(f"\n{len(texts):,} docs, mean {mean_kb:.1f} K chars, {args.repeats} repeats")
    print("| stage | old docs/s/core | new docs/s/core | new/old |\n|---|---|---|---|")
    for name, (old, new, ratio) in rates.items():
        print(f"| {name} | {old:,.0f} | {new:,.0f} | {ratio:.2f}x |")
    (norm_old, norm_new, _), (sig_old, sig_new, _) = rates.values()
    old_us, new_us = 1e6 / sig_old - 1e6 / norm_old, 1e6 / sig_new - 1e6 / norm_new
    print(
        f"| signature excl. normalise (difference) | {1e6 / old_us:,.0f} | {1e6 / new_us:,.0f} "
        f"| {old_us / new_us:.2f}x |"
    )


if __name__ == "__main__":
    main()
