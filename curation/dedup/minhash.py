"""Shingling, MinHash signatures and LSH band hashes for near-duplicate detection.

A document's shingles are the word 5-grams of its normalised text (character 5-grams for
scripts written without spaces); its signature is a function of the *set* of its shingles.

Signatures are datasketch ``MinHash`` values with the ``affine32`` permutation scheme named
explicitly (datasketch 2.0 changed the default scheme; naming it keeps signatures comparable
across versions). The permutation parameters are datasketch's (drawn here as it draws them, so
no process imports datasketch and scipy); they are applied with its exact ``affine32`` formula
(:func:`_permuted_minimum`) to 32-bit shingle hashes (:func:`shingle_hashes`): each token is
hashed once (XXH3-64) instead of hashing every shingle string. Tokenising, hashing, combining
and permuting run in numba-compiled loops over the text's UTF-8 bytes (the same values as the
``xxhash`` package and datasketch, tested). A signature is stored as ``num_perm``
little-endian uint32 values (``num_perm * 4`` bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numba
import numpy as np
import pyarrow as pa
import xxhash

from curation.dedup.normalize import (
    fold_case,
    is_unspaced_text,
    punctuation_to_spaces,
)
from curation.dedup.utf8 import token_spans
from curation.dedup.xxh3 import MAX_SHORT, SECRET, xxh3_64

PERMUTATION_SCHEME = "affine32"
#: Seed of datasketch's permutation generator; changing it changes every signature.
MINHASH_SEED = 1
_SIGNATURE_DTYPE = np.dtype("<u4")
#: Odd multiplier of the polynomial that combines a shingle's token hashes (the 64-bit golden
#: ratio constant; any odd value makes the combination injective in each single token).
_COMBINE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
#: MurmurHash3 finalizers (shift, multiplier, shift, multiplier, shift) for 32 and 64 bits,
#: the constants datasketch's ``affine32`` pre-mix uses for 32 bits.
_FMIX32_64 = (  # as uint64, for 32-bit values masked to 2^32 - 1
    np.uint64(16),
    np.uint64(0x85EBCA6B),
    np.uint64(13),
    np.uint64(0xC2B2AE35),
    np.uint64(16),
)
_FMIX64 = (
    np.uint64(33),
    np.uint64(0xFF51AFD7ED558CCD),
    np.uint64(33),
    np.uint64(0xC4CEB9FE1A85EC53),
    np.uint64(33),
)
_MASK32 = np.uint64(0xFFFFFFFF)
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _shingle_shape(token_count: int, n: int) -> tuple[int, int]:
    """``(tokens per shingle, number of shingles)``: every run of ``n`` consecutive tokens, or
    one shingle of all tokens when there are fewer than ``n``, or none when there are none."""
    width = min(n, token_count)
    return width, token_count - width + 1 if token_count else 0


@numba.njit(cache=True)
def _fmix(value: np.uint64, constants: tuple, mask: np.uint64) -> np.uint64:
    """MurmurHash3 finalizer on one value: an avalanching bijection on 64-bit integers, or on
    32-bit integers with ``mask`` = 2^32 - 1 (products taken modulo 2^32)."""
    shift1, multiplier1, shift2, multiplier2, shift3 = constants
    value ^= value >> shift1
    value = (value * multiplier1) & mask
    value ^= value >> shift2
    value = (value * multiplier2) & mask
    return value ^ (value >> shift3)


@numba.njit(cache=True)
def _hash_tokens(data: np.ndarray, by_character: bool, secret: np.ndarray) -> tuple:
    """XXH3-64 of each token of ``data`` (UTF-8; words, or characters with ``by_character``),
    and the indexes, starts and ends of the tokens longer than ``MAX_SHORT`` bytes, whose hash
    is left 0 for the caller to fill in."""
    starts, ends = token_spans(data, by_character)
    hashes = np.zeros(starts.size, dtype=np.uint64)
    long_tokens = np.empty(starts.size, dtype=np.int64)
    count = 0
    for token in range(starts.size):
        if ends[token] - starts[token] <= MAX_SHORT:
            hashes[token] = xxh3_64(data, starts[token], ends[token], secret)
        else:
            long_tokens[count] = token
            count += 1
    return hashes, long_tokens[:count], starts, ends


def token_hashes(tokens_text: str, by_character: bool) -> np.ndarray:
    """XXH3-64 of the UTF-8 of each token of ``tokens_text``: its words (``str.split()``), or
    with ``by_character`` each character that is not whitespace (uint64 array)."""
    data = np.frombuffer(tokens_text.encode("utf-8"), dtype=np.uint8)
    hashes, long_tokens, starts, ends = _hash_tokens(data, by_character, SECRET)
    for token in long_tokens.tolist():
        hashes[token] = xxhash.xxh3_64_intdigest(data[starts[token] : ends[token]].tobytes())
    return hashes


@numba.njit(cache=True)
def _combine(token_hashes: np.ndarray, width: int, count: int) -> np.ndarray:
    """``fmix64(sum h(t_i) * M^(w-1-i))`` of each run of ``width`` tokens (uint64)."""
    hashes = np.empty(count, dtype=np.uint64)
    for start in range(count):
        combined = token_hashes[start]
        for offset in range(1, width):
            combined = combined * _COMBINE_MULTIPLIER + token_hashes[start + offset]
        hashes[start] = _fmix(combined, _FMIX64, _MASK64)
    return hashes


def shingle_hashes(text: str, word_ngram: int = 5, char_ngram: int = 5) -> np.ndarray:
    """32-bit hash of each shingle of :func:`shingles`, in text order with repeats (uint32).

    A shingle of tokens ``t_0 .. t_{w-1}`` hashes to the high 32 bits of
    ``fmix64(sum h(t_i) * M^(w-1-i) mod 2^64)``, ``h`` XXH3-64 and ``M`` odd. Collisions, taking
    XXH3-64 as a random function: the sums of two different shingles differ by
    ``sum_t h(t) c_t`` over their tokens, with each ``c_t`` a signed sum of weights ``M^k``,
    nonzero for some ``t`` and divisible by at most 2^7 for 5-grams (checked exhaustively for
    this ``M``), so the sums are equal with probability at most 2^-57. fmix64 is a bijection
    with a well-mixed high half, so two distinct shingles get equal 32-bit hashes with
    probability about 2^-32, as with xxh32 of the shingle string. Positions are weighted
    differently, so token order matters. Repeated shingles give repeated values, which MinHash
    ignores.
    """
    return _high_halves(_shingle_hashes64_of_folded(fold_case(text), word_ngram, char_ngram))


def _high_halves(hashes64: np.ndarray) -> np.ndarray:
    """The high 32 bits of 64-bit shingle hashes: the values MinHash permutes (uint32)."""
    return (hashes64 >> np.uint64(32)).astype(np.uint32)


def _shingle_hashes64_of_folded(folded: str, word_ngram: int, char_ngram: int) -> np.ndarray:
    """The full 64-bit ``fmix64`` of each shingle of a text whose
    :func:`~curation.dedup.normalize.fold_case` is ``folded``, in text order (uint64)."""
    tokens_text = punctuation_to_spaces(folded)
    by_character = is_unspaced_text(tokens_text)
    hashes = token_hashes(tokens_text, by_character)
    width, count = _shingle_shape(hashes.size, char_ngram if by_character else word_ngram)
    return _combine(hashes, width, count)


def shingle_set(text: str, word_ngram: int = 5, char_ngram: int = 5) -> np.ndarray:
    """The shingle set of ``text`` for exact Jaccard: the distinct 64-bit hashes of its
    shingles (:func:`shingle_hashes` before the high half is taken), sorted (uint64).

    Two distinct shingles share a 64-bit hash with probability about 2^-57 or less (see
    :func:`shingle_hashes`), so :func:`exact_jaccard` of two such sets is the Jaccard of the
    two texts' shingle sets.
    """
    return _distinct_sorted(_shingle_hashes64_of_folded(fold_case(text), word_ngram, char_ngram))


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of ``values``, ascending (``np.unique``, which is ~30x slower on a
    few hundred uint64 with numpy 2)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


@numba.njit(cache=True)
def _intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """Number of values two sorted arrays of distinct values share (a merge)."""
    i = j = shared = 0
    while i < a.size and j < b.size:
        if a[i] < b[j]:
            i += 1
        elif a[i] > b[j]:
            j += 1
        else:
            shared += 1
            i += 1
            j += 1
    return shared


@numba.njit(cache=True)
def _jaccards(
    values_a: np.ndarray,
    offsets_a: np.ndarray,
    values_b: np.ndarray,
    offsets_b: np.ndarray,
) -> np.ndarray:
    """Row by row Jaccard of two lists of sorted sets given as (values, offsets)."""
    result = np.empty(offsets_a.size - 1, dtype=np.float64)
    for row in range(result.size):
        a = values_a[offsets_a[row] : offsets_a[row + 1]]
        b = values_b[offsets_b[row] : offsets_b[row + 1]]
        shared = _intersection_size(a, b)
        union = a.size + b.size - shared
        result[row] = shared / union if union else 1.0
    return result


def exact_jaccard(set_a: np.ndarray, set_b: np.ndarray) -> float:
    """Jaccard of two shingle sets (:func:`shingle_set`: sorted distinct uint64)."""
    return float(exact_jaccards([set_a], [set_b])[0])


def _values_and_offsets(sets) -> tuple[np.ndarray, np.ndarray]:
    """A list of uint64 sets, or an Arrow list array of them, as flat values and offsets."""

    if isinstance(sets, pa.ChunkedArray):
        sets = sets.combine_chunks()
    if isinstance(sets, pa.ListArray | pa.LargeListArray):
        offsets = sets.offsets.to_numpy().astype(np.int64)
        values = sets.values.to_numpy(zero_copy_only=False).astype(np.uint64, copy=False)
        return values, offsets
    sizes = np.fromiter((len(s) for s in sets), np.int64, len(sets))
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    values = np.concatenate([np.asarray(s, np.uint64) for s in sets]) if len(sets) else None
    return (values if values is not None else np.empty(0, np.uint64)), offsets


def exact_jaccards(sets_a, sets_b) -> np.ndarray:
    """Row by row Jaccard of two equally long lists of shingle sets (each a sequence of
    :func:`shingle_set` arrays or an Arrow list array of uint64); two empty sets have
    Jaccard 1 (float64 array)."""
    return _jaccards(*_values_and_offsets(sets_a), *_values_and_offsets(sets_b))


@numba.njit(cache=True)
def _permuted_minimum(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each permutation ``k``, the minimum over ``hashes`` (uint32) of
    ``a[k] * fmix32(h) + b[k] mod 2^32``: datasketch's ``affine32`` ``update_batch``
    (uint32 ``a`` and ``b``; all 2^32 - 1 for no hashes).

    The hashes are mixed once, then each permutation is a minimum over one contiguous
    array, a loop the compiler vectorises (an order of magnitude faster than updating all
    permutations per hash).
    """
    mixed = np.empty(hashes.size, dtype=np.uint32)
    for i in range(hashes.size):
        mixed[i] = np.uint32(_fmix(np.uint64(hashes[i]), _FMIX32_64, _MASK32))
    minimum = np.empty(a.size, dtype=np.uint32)
    for k in range(a.size):
        multiplier, offset = a[k], b[k]
        lowest = np.uint32(0xFFFFFFFF)
        for value in mixed:
            lowest = min(lowest, np.uint32(multiplier * value + offset))
        minimum[k] = lowest
    return minimum


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
        _ = self._permutations  # computed once: a hasher pickled to workers carries them

    @cached_property
    def _permutations(self) -> tuple[np.ndarray, np.ndarray]:
        """datasketch's ``affine32`` parameters ``a`` (odd) and ``b`` (uint32, ``num_perm``
        each), drawn from ``RandomState(MINHASH_SEED)`` as ``MinHash._init_permutations`` draws
        them (equal: tested), so no process imports datasketch (~1 s: it imports scipy)."""
        generator = np.random.RandomState(MINHASH_SEED)
        a = generator.randint(0, 1 << 31, self.num_perm, dtype=np.uint32) * np.uint32(2) + 1
        b = generator.randint(0, 1 << 32, self.num_perm, dtype=np.uint32)
        return a, b

    @cached_property
    def _empty_signature(self) -> bytes:
        return self.signature_of_hashes(np.empty(0, dtype=np.uint32))

    def signature(self, text: str) -> bytes:
        """MinHash signature of ``text``'s shingles as ``num_perm * 4`` bytes."""
        return self.signature_of_folded(fold_case(text))

    def sketch(self, text: str) -> tuple[bytes, np.ndarray]:
        """``(signature, shingle set)`` of ``text`` (:meth:`sketch_of_folded`)."""
        return self.sketch_of_folded(fold_case(text))

    def signature_of_folded(self, folded: str) -> bytes:
        """:meth:`signature` of a text whose :func:`~curation.dedup.normalize.fold_case` is
        ``folded`` (a document that also needs its content hash folds once)."""
        return self.sketch_of_folded(folded)[0]

    def sketch_of_folded(self, folded: str) -> tuple[bytes, np.ndarray]:
        """``(signature, shingle set)`` of a text whose
        :func:`~curation.dedup.normalize.fold_case` is ``folded``: the MinHash signature for
        LSH and the exact set (:func:`shingle_set`) that verifies its candidate pairs."""
        hashes = _shingle_hashes64_of_folded(folded, self.word_ngram, self.char_ngram)
        return self.signature_of_hashes(_high_halves(hashes)), _distinct_sorted(hashes)

    def signature_of_hashes(self, hashes: np.ndarray) -> bytes:
        """Signature of 32-bit shingle hashes (uint32 array; order and repeats do not matter),
        equal to datasketch ``MinHash.update_batch`` fed the same values; constant memory for
        any number of hashes."""
        a, b = self._permutations
        minimum = _permuted_minimum(hashes.astype(np.uint32, copy=False), a, b)
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
