"""The compiled XXH3-64 equals the xxhash package on every short length."""

from __future__ import annotations

import random

import numpy as np
import pytest
import xxhash

from curation.dedup.xxh3 import MAX_SHORT, SECRET, xxh3_64


@pytest.mark.parametrize("length", range(MAX_SHORT + 1))
def test_xxh3_64_equals_the_xxhash_package(length):
    """Every length class (0, 1-3, 4-8, 9-16, 17-128, 129-240), at several offsets in a
    larger buffer (only ``data[start:end]`` is read)."""
    rng = random.Random(length)
    for _ in range(20):
        before, after = rng.randrange(9), rng.randrange(9)
        buffer = rng.randbytes(before + length + after)
        data = np.frombuffer(buffer, dtype=np.uint8)
        expected = xxhash.xxh3_64_intdigest(buffer[before : before + length])
        assert int(xxh3_64(data, before, before + length, SECRET)) == expected


def test_secret_is_xxh3s_default_secret():
    """The default secret reproduces known XXH3-64 values of the package (seed 0)."""
    assert SECRET.size == 192
    data = np.frombuffer(b"hello world", dtype=np.uint8)
    assert int(xxh3_64(data, 0, data.size, SECRET)) == xxhash.xxh3_64_intdigest(b"hello world")
