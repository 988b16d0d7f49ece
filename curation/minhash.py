"""Shingling, MinHash signatures and LSH band keys for near-duplicate detection.

Signatures are datasketch ``MinHash`` with the ``affine32`` permutation scheme named
explicitly (datasketch 2.0 changed the default scheme; naming it keeps signatures comparable
across versions) and xxHash-32 as the shingle hash (much faster than datasketch's default SHA-1).
A signature is stored as ``num_perm`` little-endian uint32 values (``num_perm * 4`` bytes).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xxhash
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from curation.normalize import is_unspaced_text, normalize_for_shingles

PERMUTATION_SCHEME = "affine32"
#: Seed of datasketch's permutation generator; changing it changes every signature.
MINHASH_SEED = 1
_SIGNATURE_DTYPE = np.dtype("<u4")
#: Shingles hashed per ``update_batch`` call (bounds memory: 4,096 x 128 x 4 bytes = 2 MiB).
BATCH_SHINGLES = 4096


def shingles(text: str, word_ngram: int = 5, char_ngram: int = 5) -> set[str]:
    """Set of shingles of the normalised text.

    Word ``word_ngram``-grams for space-delimited scripts; character ``char_ngram``-grams
    (spaces removed) for scripts written without spaces (:func:`is_unspaced_text`).
    Texts shorter than one n-gram give a single shingle of the whole normalised text.
    """
    normalized = normalize_for_shingles(text)
    if is_unspaced_text(normalized):
        chars = normalized.replace(" ", "")
        if len(chars) <= char_ngram:
            return {chars} if chars else set()
        return {chars[i : i + char_ngram] for i in range(len(chars) - char_ngram + 1)}
    words = normalized.split()
    if len(words) <= word_ngram:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + word_ngram]) for i in range(len(words) - word_ngram + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


#: Weights of LSH false positives and false negatives when deriving bands x rows. Candidates
#: are verified against the threshold afterwards (``DedupConfig.verify``), which removes LSH
#: false positives but can never recover a missed pair, so the split favours recall: at
#: threshold 0.8 and 128 permutations it gives 16 x 8, which puts a pair at J = 0.8 in a
#: shared bucket with probability 0.95 (the equal-weight optimum, 9 x 13, only 0.40). Measured
#: in docs/dedup.md: recall 0.79 -> 0.93 and pairwise F1 0.82 -> 0.85 at J >= 0.8.
FALSE_POSITIVE_WEIGHT = 0.05
FALSE_NEGATIVE_WEIGHT = 0.95


def optimal_bands_rows(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = FALSE_POSITIVE_WEIGHT,
    false_negative_weight: float = FALSE_NEGATIVE_WEIGHT,
) -> tuple[int, int]:
    """(bands, rows) minimising the weighted LSH false positive + false negative probability.

    This is datasketch's own routine (``MinHashLSH`` uses it for the same purpose), with
    weights that favour recall because candidates are verified afterwards.
    """
    bands, rows = _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)
    return int(bands), int(rows)


def _xxh32(shingle: str) -> int:
    return xxhash.xxh32_intdigest(shingle.encode("utf-8"))


@dataclass(frozen=True)
class MinHasher:
    """Computes signatures and band keys with fixed parameters (create once per worker)."""

    num_perm: int = 128
    bands: int = 9
    rows: int = 13
    word_ngram: int = 5
    char_ngram: int = 5

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}"
            )

    @cached_property
    def _template(self) -> MinHash:
        return MinHash(
            num_perm=self.num_perm, seed=MINHASH_SEED, hashfunc=_xxh32, scheme=PERMUTATION_SCHEME
        )

    @cached_property
    def _empty_signature(self) -> bytes:
        return self.signature_of_shingles([])

    def signature(self, text: str) -> bytes:
        """MinHash signature of ``text``'s shingles as ``num_perm * 4`` bytes."""
        return self.signature_of_shingles(shingles(text, self.word_ngram, self.char_ngram))

    def signature_of_shingles(self, items: Iterable[str]) -> bytes:
        """Signature of a shingle collection, hashed in chunks of :data:`BATCH_SHINGLES` so a
        huge document needs ``BATCH_SHINGLES x num_perm`` words of working memory, not one
        row per shingle (the minimum over chunks equals the minimum over all)."""
        minhash = self._template.copy()
        remaining = iter(items)
        while batch := list(itertools.islice(remaining, BATCH_SHINGLES)):
            minhash.update_batch(batch)
        return minhash.hashvalues.astype(_SIGNATURE_DTYPE).tobytes()

    def band_keys(self, signature: bytes) -> list[str]:
        """One key per band: ``"<band index>:<xxh64 hex of the band's rows>"``.

        The signature of an empty shingle set (a text of only punctuation or symbols) has no
        band keys: such texts are not near-duplicates of each other, only exact duplicates.
        """
        if signature == self._empty_signature:
            return []
        width = self.rows * _SIGNATURE_DTYPE.itemsize
        return [
            f"{band}:{xxhash.xxh64_hexdigest(signature[band * width : (band + 1) * width])}"
            for band in range(self.bands)
        ]


def estimated_jaccard(signature_a: bytes, signature_b: bytes) -> float:
    """Fraction of equal MinHash values: an unbiased estimate of the shingle-set Jaccard."""
    a = np.frombuffer(signature_a, dtype=_SIGNATURE_DTYPE)
    b = np.frombuffer(signature_b, dtype=_SIGNATURE_DTYPE)
    if a.shape != b.shape:
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(a == b)) / len(a)
