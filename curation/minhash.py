"""Shingling, MinHash signatures and LSH band hashes for near-duplicate detection.

A document's shingles are the word 5-grams of its normalised text (character 5-grams for
scripts written without spaces); its signature is a function of the *set* of its shingles.

Signatures are datasketch ``MinHash`` values with the ``affine32`` permutation scheme named
explicitly (datasketch 2.0 changed the default scheme; naming it keeps signatures comparable
across versions). datasketch provides the permutation parameters; the permutations are applied
here with its exact ``affine32`` formula (:func:`_permuted_minimum`) to 32-bit shingle hashes
computed in numpy (:func:`shingle_hashes`): each token is hashed once instead of hashing every
shingle string in a Python loop, several times faster. A signature is stored as ``num_perm``
little-endian uint32 values (``num_perm * 4`` bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xxhash
from datasketch import MinHash
from datasketch.lsh import _optimal_param

from curation.normalize import fold_for_shingles, is_unspaced_text

PERMUTATION_SCHEME = "affine32"
#: Seed of datasketch's permutation generator; changing it changes every signature.
MINHASH_SEED = 1
_SIGNATURE_DTYPE = np.dtype("<u4")
#: Shingles permuted at once (bounds memory: 1,024 x 128 permutations x 4 bytes = 512 KiB).
BATCH_SHINGLES = 1024
#: Odd multiplier of the polynomial that combines a shingle's token hashes (the 64-bit golden
#: ratio constant; any odd value makes the combination injective in each single token).
_COMBINE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
#: MurmurHash3 finalizers (shift, multiplier, shift, multiplier, shift) for 32 and 64 bits,
#: the constants datasketch's ``affine32`` pre-mix uses for 32 bits.
_FMIX32 = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
    np.uint32(16),
)
_FMIX64 = (
    np.uint64(33),
    np.uint64(0xFF51AFD7ED558CCD),
    np.uint64(33),
    np.uint64(0xC4CEB9FE1A85EC53),
    np.uint64(33),
)


def _tokens(text: str, word_ngram: int, char_ngram: int) -> tuple[list[str], int, str]:
    """``(tokens, n, separator)`` of the normalised text
    (:func:`curation.normalize.normalize_for_shingles`): its words with ``word_ngram`` and a
    space, or, for scripts written without spaces (:func:`is_unspaced_text`), its characters
    (spaces removed) with ``char_ngram`` and no separator."""
    folded = fold_for_shingles(text)
    words = folded.split()
    if is_unspaced_text(folded):  # whitespace counts neither way, so folded text will do
        return list("".join(words)), char_ngram, ""
    return words, word_ngram, " "


def _shingle_shape(token_count: int, n: int) -> tuple[int, int]:
    """``(tokens per shingle, number of shingles)``: every run of ``n`` consecutive tokens, or
    one shingle of all tokens when there are fewer than ``n``, or none when there are none."""
    width = min(n, token_count)
    return width, token_count - width + 1 if token_count else 0


def shingles(text: str, word_ngram: int = 5, char_ngram: int = 5) -> set[str]:
    """Set of shingles of the normalised text.

    Word ``word_ngram``-grams for space-delimited scripts; character ``char_ngram``-grams
    (spaces removed) for scripts written without spaces (:func:`is_unspaced_text`).
    Texts shorter than one n-gram give a single shingle of the whole normalised text.
    """
    tokens, n, separator = _tokens(text, word_ngram, char_ngram)
    width, count = _shingle_shape(len(tokens), n)
    return {separator.join(tokens[start : start + width]) for start in range(count)}


def _fmix(values: np.ndarray, constants: tuple) -> np.ndarray:
    """MurmurHash3 finalizer, in place: an avalanching bijection on 32- or 64-bit integers."""
    shift1, multiplier1, shift2, multiplier2, shift3 = constants
    values ^= values >> shift1
    values *= multiplier1
    values ^= values >> shift2
    values *= multiplier2
    values ^= values >> shift3
    return values


def _token_hashes(tokens: list[str]) -> np.ndarray:
    """XXH3-64 of each token's UTF-8 (uint64 array, one Python-level call per token)."""
    hashes = map(xxhash.xxh3_64_intdigest, map(str.encode, tokens))
    return np.fromiter(hashes, dtype=np.uint64, count=len(tokens))


def shingle_hashes(text: str, word_ngram: int = 5, char_ngram: int = 5) -> np.ndarray:
    """32-bit hash of each shingle of :func:`shingles`, in text order with repeats (uint32).

    A shingle of tokens ``t_0 .. t_{w-1}`` hashes to the high 32 bits of
    ``fmix64(sum h(t_i) * M^(w-1-i) mod 2^64)``, ``h`` XXH3-64 and ``M`` odd, computed for all
    shingles at once in numpy. Collisions, taking XXH3-64 as a random function: the sums of two
    different shingles differ by ``sum_t h(t) c_t`` over their tokens, with each ``c_t`` a
    signed sum of weights ``M^k``, nonzero for some ``t`` and divisible by at most 2^7 for
    5-grams (checked exhaustively for this ``M``), so the sums are equal with probability at
    most 2^-57. fmix64 is a bijection with a well-mixed high half, so two distinct shingles
    get equal 32-bit hashes with probability about 2^-32, as with xxh32 of the shingle string.
    Positions are weighted differently, so token order matters. Repeated shingles give
    repeated values, which MinHash ignores.
    """
    tokens, n, _ = _tokens(text, word_ngram, char_ngram)
    token_hashes = _token_hashes(tokens)
    width, count = _shingle_shape(len(tokens), n)
    combined = token_hashes[:count].copy()
    for offset in range(1, width):
        combined *= _COMBINE_MULTIPLIER
        combined += token_hashes[offset : offset + count]
    return (_fmix(combined, _FMIX64) >> np.uint64(32)).astype(np.uint32)


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


def _permuted_minimum(hashes: np.ndarray, a_rows: np.ndarray, b_rows: np.ndarray) -> np.ndarray:
    """For each permutation ``k``, the minimum over ``hashes`` (uint32) of
    ``a[k] * fmix32(h) + b[k] mod 2^32``: datasketch's ``affine32`` ``update_batch`` on CPU.

    ``a_rows`` and ``b_rows`` hold ``a`` and ``b`` in each of at least ``len(hashes)`` rows, so
    every step is contiguous element-wise arithmetic on ``len(hashes) x num_perm`` uint32 values
    (15-25 % faster than numpy's broadcasting ``np.multiply.outer``). ``hashes`` is unchanged.
    """
    count, num_perm = len(hashes), a_rows.shape[1]
    mixed = _fmix(hashes.astype(np.uint32), _FMIX32)
    permuted = np.repeat(mixed, num_perm).reshape(count, num_perm)
    permuted *= a_rows[:count]
    permuted += b_rows[:count]
    return permuted.min(axis=0)


@dataclass(frozen=True)
class MinHasher:
    """Computes signatures and band hashes with fixed parameters (create once per worker)."""

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
    def _permutation_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """datasketch's ``affine32`` parameters ``a`` and ``b`` (uint32, ``num_perm`` each),
        each in :data:`BATCH_SHINGLES` rows (2 x 512 KiB at 128 permutations)."""
        a, b = MinHash(self.num_perm, seed=MINHASH_SEED, scheme=PERMUTATION_SCHEME).permutations
        return np.tile(a, (BATCH_SHINGLES, 1)), np.tile(b, (BATCH_SHINGLES, 1))

    @cached_property
    def _empty_signature(self) -> bytes:
        return self.signature_of_hashes(np.empty(0, dtype=np.uint32))

    def signature(self, text: str) -> bytes:
        """MinHash signature of ``text``'s shingles as ``num_perm * 4`` bytes."""
        return self.signature_of_hashes(shingle_hashes(text, self.word_ngram, self.char_ngram))

    def signature_of_hashes(self, hashes: np.ndarray) -> bytes:
        """Signature of 32-bit shingle hashes (uint32 array; order and repeats do not matter),
        equal to datasketch ``MinHash.update_batch`` fed the same values.

        Permuted in chunks of :data:`BATCH_SHINGLES`, so a huge document needs
        ``BATCH_SHINGLES x num_perm x 4`` bytes of working memory, not a row per shingle (the
        minimum over chunks equals the minimum over all).
        """
        a_rows, b_rows = self._permutation_rows
        minimum = np.full(self.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        for start in range(0, len(hashes), BATCH_SHINGLES):
            chunk = hashes[start : start + BATCH_SHINGLES]
            np.minimum(minimum, _permuted_minimum(chunk, a_rows, b_rows), out=minimum)
        return minimum.astype(_SIGNATURE_DTYPE).tobytes()

    def band_hashes(self, signature: bytes) -> list[int]:
        """One 64-bit hash per band: XXH64 of the band's ``rows`` signature values.

        Two documents share an LSH bucket of band ``b`` when their ``b``-th hashes are equal.
        The signature of an empty shingle set (a text of only punctuation or symbols) has no
        band hashes: such texts are not near-duplicates of each other, only exact duplicates.
        """
        if signature == self._empty_signature:
            return []
        width = self.rows * _SIGNATURE_DTYPE.itemsize
        return [
            xxhash.xxh64_intdigest(signature[band * width : (band + 1) * width])
            for band in range(self.bands)
        ]


def estimated_jaccard(signature_a: bytes, signature_b: bytes) -> float:
    """Fraction of equal MinHash values: an unbiased estimate of the shingle-set Jaccard."""
    a = np.frombuffer(signature_a, dtype=_SIGNATURE_DTYPE)
    b = np.frombuffer(signature_b, dtype=_SIGNATURE_DTYPE)
    if a.shape != b.shape:
        raise ValueError("signatures of different lengths")
    return float(np.count_nonzero(a == b)) / len(a)
