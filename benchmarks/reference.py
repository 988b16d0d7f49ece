"""Reference definitions of the pipeline's normal forms and shingle sets, as plain strings.

The pipeline never builds these: it hashes shingles in compiled code straight from the folded
text (:mod:`curation.dedup.minhash`). Tests check the compiled path against these
definitions, and the benchmarks and the sample builder use them for exact ground truth.
"""

from __future__ import annotations

from curation.dedup.normalize import (
    collapse_whitespace,
    fold_case,
    fold_for_shingles,
    is_unspaced_text,
)


def normalize_for_hash(text: str) -> str:
    """NFKC + case-fold + whitespace collapsed: the form whose sha256 is ``content_hash``."""
    return collapse_whitespace(fold_case(text))


def normalize_for_shingles(text: str) -> str:
    """:func:`normalize_for_hash` with punctuation and symbols (Unicode P*, S*) turned to spaces."""
    return collapse_whitespace(fold_for_shingles(text))


def shingles(text: str, word_ngram: int = 5, char_ngram: int = 5) -> set[str]:
    """Set of shingles of the normalised text (:func:`normalize_for_shingles`).

    Word ``word_ngram``-grams for space-delimited scripts; character ``char_ngram``-grams
    (spaces removed) for scripts written without spaces (:func:`is_unspaced_text`).
    Texts shorter than one n-gram give a single shingle of the whole normalised text.
    """
    folded = fold_for_shingles(text)
    words = folded.split()
    if is_unspaced_text(folded):  # whitespace counts neither way, so folded text will do
        tokens, n, separator = list("".join(words)), char_ngram, ""
    else:
        tokens, n, separator = words, word_ngram, " "
    width = min(n, len(tokens))
    count = len(tokens) - width + 1 if tokens else 0
    return {separator.join(tokens[start : start + width]) for start in range(count)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
