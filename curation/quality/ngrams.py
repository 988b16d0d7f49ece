"""Gopher's n-gram repetition counts (Rae et al. 2021, appendix A.1.1), compiled with numba.

Both counts are over a document's tokens (as :class:`~curation.quality.text.TokenIds`: equal
tokens, equal ids):

- *top n-gram* (``TOP_NGRAM_SIZES``): the characters of the most frequent n-gram (its tokens
  joined by single spaces) times its count, ties going to the n-gram seen first (datatrove's
  ``find_top_duplicate``);
- *duplicated n-grams* (``DUP_NGRAM_SIZES``): the characters (spaces excluded) of n-grams that
  repeat an earlier one, scanning left to right and jumping past each repeat so overlapping
  repeats are not counted twice (Gopher's definition, datatrove's ``find_all_duplicate``).

N-grams are compared exactly, one size after the other. An n-gram can only repeat where its
(n-1)-gram prefix repeats, so only those positions are kept for the next size; there the
n-gram's id is looked up from (prefix id, last token id) in a small open-addressing hash
table. Ids are given in order of first occurrence, so "seen first" is "smallest id". Most
documents run out of repeating positions after a few sizes.

Python spent ~80-170 us per 2 KB document on this (sorting n-gram keys with numpy, then a
Python scan); compiled, it is ~12-20 us. The kernel is compiled on first use and cached next
to this file (numba's ``cache=True``), so later processes load it instead of compiling it.
"""

from __future__ import annotations

import numba
import numpy as np

from curation.quality.text import TokenIds

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
#: Fibonacci hashing's multiplier (2**64 / golden ratio), for the hash table's slots.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, nogil=True)
def _ngram_chars(ids: np.ndarray, distinct_lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top n-gram characters (``TOP_NGRAM_SIZES``) and duplicated n-gram characters
    (``DUP_NGRAM_SIZES``), see the module docstring. ``ids``: each token's id, 1 + the position
    of its first occurrence; ``distinct_lengths``: the characters of each distinct token, in
    order of first occurrence."""
    size = ids.size
    top = np.zeros(len(TOP_NGRAM_SIZES), dtype=np.int64)
    dup = np.zeros(len(DUP_NGRAM_SIZES), dtype=np.int64)
    # ends[i]: characters of the tokens before position i; counts: occurrences of each id.
    ends = np.zeros(size + 1, dtype=np.int64)
    counts = np.zeros(size + 1, dtype=np.int64)
    token_lengths = np.zeros(size + 1, dtype=np.int64)
    distinct = 0
    for i in range(size):
        if ids[i] == i + 1:
            token_lengths[i + 1] = distinct_lengths[distinct]
            distinct += 1
        ends[i + 1] = ends[i] + token_lengths[ids[i]]
        counts[ids[i]] += 1
    # The positions whose (n-1)-gram repeats (in increasing order) and the id of that
    # (n-1)-gram; only there can the n-gram repeat. Level 1: the tokens.
    active = np.empty(size, dtype=np.int64)
    grams = np.empty(size, dtype=np.int64)
    number = 0
    for i in range(size):
        if counts[ids[i]] > 1:
            active[number] = i
            grams[number] = ids[i]
            number += 1
    starts = np.empty(size, dtype=np.int64)
    keys = np.empty(4 * size + 4, dtype=np.int64)
    values = np.empty(4 * size + 4, dtype=np.int64)
    seen = np.zeros(size, dtype=np.bool_)
    stride = np.int64(size + 1)
    for n in range(2, min(size, DUP_NGRAM_SIZES[-1]) + 1):
        while number and active[number - 1] + n > size:
            number -= 1
        # Dense ids of these n-grams, (prefix id, last token id) looked up in a hash table
        # with linear probing and at least twice as many slots as keys, in position order.
        bits = 1
        while (1 << bits) < 2 * number:
            bits += 1
        mask = (1 << bits) - 1
        shift = np.uint64(64 - bits)
        keys[: mask + 1] = -1
        distinct = 0
        for j in range(number):
            key = grams[j] * stride + ids[active[j] + n - 1]
            slot = np.int64((np.uint64(key) * _GOLDEN) >> shift)
            while keys[slot] != key and keys[slot] != -1:
                slot = (slot + 1) & mask
            if keys[slot] == -1:
                keys[slot] = key
                values[slot] = distinct
                counts[distinct] = 0
                starts[distinct] = active[j]
                distinct += 1
            grams[j] = values[slot]
            counts[grams[j]] += 1
        # The most frequent, ties to the smallest id (seen first); position 0 if none repeats.
        most, first = 1, 0
        for gram in range(distinct):
            if counts[gram] > most:
                most, first = counts[gram], starts[gram]
        if n <= TOP_NGRAM_SIZES[-1]:
            top[n - TOP_NGRAM_SIZES[0]] = (ends[first + n] - ends[first] + n - 1) * most
        elif most == 1:
            break  # no n-gram of this size repeats, so no longer one does
        else:
            # Gopher's scan, over the repeating n-grams only: a unique n-gram never matches
            # later, and a position that is not a repeat never moves the next start.
            seen[:distinct] = False
            chars = next_start = 0
            for j in range(number):
                position, gram = active[j], grams[j]
                if counts[gram] < 2 or position < next_start:
                    continue
                if seen[gram]:
                    chars += ends[position + n] - ends[position]
                    next_start = position + n
                else:
                    seen[gram] = True
            dup[n - DUP_NGRAM_SIZES[0]] = chars
        kept = 0
        for j in range(number):
            if counts[grams[j]] > 1:
                active[kept], grams[kept] = active[j], grams[j]
                kept += 1
        number = kept
    return top, dup


def ngram_repetition(token_ids: TokenIds) -> tuple[dict[int, int], dict[int, int]]:
    """``({n: top n-gram characters}, {n: duplicated n-gram characters})`` for
    ``TOP_NGRAM_SIZES`` and ``DUP_NGRAM_SIZES`` of a document's tokens (see the module
    docstring)."""
    index, ids = token_ids
    lengths = np.fromiter(map(len, index), dtype=np.int64, count=len(index))
    top, dup = _ngram_chars(ids, lengths)
    return (
        dict(zip(TOP_NGRAM_SIZES, top.tolist(), strict=True)),
        dict(zip(DUP_NGRAM_SIZES, dup.tolist(), strict=True)),
    )
