"""XXH3-64 (seed 0, default secret) of short byte strings, compiled with numba.

The same values as ``xxhash.xxh3_64_intdigest`` (the tests compare them on every length up to
:data:`MAX_SHORT` and on real tokens), written from the XXH3 specification (xxHash 0.8,
``doc/xxhash_spec.md``) for its short-input paths: 0, 1-3, 4-8, 9-16, 17-128 and 129-240 bytes.
Longer inputs take XXH3's striped "long" path, which is not reproduced here: callers hash them
with the ``xxhash`` package instead (words that long are rare).

Why: MinHash signatures hash every token of a document, and calling ``xxhash`` once per token
from Python costs ~70 ns of call overhead per token; hashing a whole document's tokens in one
compiled loop over its UTF-8 bytes is ~10x faster and gives the same hashes.
"""

from __future__ import annotations

import numba
import numpy as np

#: Longest input hashed here (XXH3's "mid-size" limit); longer ones need the long path.
MAX_SHORT = 240

_U32 = np.uint64(0xFFFFFFFF)
_PRIME64_1 = np.uint64(0x9E3779B185EBCA87)
_PRIME64_2 = np.uint64(0xC2B2AE3D27D4EB4F)
_PRIME64_3 = np.uint64(0x165667B19E3779F9)
_PRIME_MX1 = np.uint64(0x165667919E3779F9)
_PRIME_MX2 = np.uint64(0x9FB21C651E98DF25)
#: XXH3's default secret (``kSecret``, 192 bytes, from the specification).
SECRET = np.frombuffer(
    bytes.fromhex(
        "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
        "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"
        "3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8"
        "a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364"
        "eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e"
        "2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e"
    ),
    dtype=np.uint8,
)


@numba.njit(cache=True)
def _read_le(data: np.ndarray, at: int, size: int) -> np.uint64:
    """Little-endian unsigned integer of ``size`` (<= 8) bytes at byte ``at``, as uint64."""
    value = np.uint64(0)
    for k in range(size):
        value |= np.uint64(data[at + k]) << np.uint64(8 * k)
    return value


@numba.njit(cache=True)
def _read64(data: np.ndarray, at: int) -> np.uint64:
    return _read_le(data, at, 8)


@numba.njit(cache=True)
def _read32(data: np.ndarray, at: int) -> np.uint64:
    return _read_le(data, at, 4)


@numba.njit(cache=True)
def _rotl(value: np.uint64, bits: int) -> np.uint64:
    return (value << np.uint64(bits)) | (value >> np.uint64(64 - bits))


@numba.njit(cache=True)
def _swap64(value: np.uint64) -> np.uint64:
    swapped = np.uint64(0)
    for k in range(8):
        swapped = (swapped << np.uint64(8)) | ((value >> np.uint64(8 * k)) & np.uint64(0xFF))
    return swapped


@numba.njit(cache=True)
def _mul128_fold64(a: np.uint64, b: np.uint64) -> np.uint64:
    """Low 64 bits XOR high 64 bits of the 128-bit product ``a * b`` (from 32-bit halves)."""
    a_lo, a_hi = a & _U32, a >> np.uint64(32)
    b_lo, b_hi = b & _U32, b >> np.uint64(32)
    lo_lo, hi_lo = a_lo * b_lo, a_hi * b_lo
    lo_hi, hi_hi = a_lo * b_hi, a_hi * b_hi
    cross = (lo_lo >> np.uint64(32)) + (hi_lo & _U32) + lo_hi
    upper = (hi_lo >> np.uint64(32)) + (cross >> np.uint64(32)) + hi_hi
    lower = (cross << np.uint64(32)) | (lo_lo & _U32)
    return lower ^ upper


@numba.njit(cache=True)
def _xxh64_avalanche(h: np.uint64) -> np.uint64:
    h ^= h >> np.uint64(33)
    h *= _PRIME64_2
    h ^= h >> np.uint64(29)
    h *= _PRIME64_3
    return h ^ (h >> np.uint64(32))


@numba.njit(cache=True)
def _avalanche(h: np.uint64) -> np.uint64:
    h ^= h >> np.uint64(37)
    h *= _PRIME_MX1
    return h ^ (h >> np.uint64(32))


@numba.njit(cache=True)
def _mix16(data: np.ndarray, at: int, secret: np.ndarray, secret_at: int) -> np.uint64:
    return _mul128_fold64(
        _read64(data, at) ^ _read64(secret, secret_at),
        _read64(data, at + 8) ^ _read64(secret, secret_at + 8),
    )


@numba.njit(cache=True)
def xxh3_64(data: np.ndarray, start: int, end: int, secret: np.ndarray) -> np.uint64:
    """XXH3-64 of ``data[start:end]`` (uint8, at most :data:`MAX_SHORT` bytes), seed 0,
    ``secret`` = :data:`SECRET`."""
    length = end - start
    size = np.uint64(length)
    if length == 0:
        return _xxh64_avalanche(_read64(secret, 56) ^ _read64(secret, 64))
    if length <= 3:
        combined = (
            (np.uint64(data[start]) << np.uint64(16))
            | (np.uint64(data[start + (length >> 1)]) << np.uint64(24))
            | np.uint64(data[end - 1])
            | (size << np.uint64(8))
        )
        return _xxh64_avalanche(combined ^ (_read32(secret, 0) ^ _read32(secret, 4)))
    if length <= 8:
        keyed = (_read32(data, end - 4) + (_read32(data, start) << np.uint64(32))) ^ (
            _read64(secret, 8) ^ _read64(secret, 16)
        )
        keyed ^= _rotl(keyed, 49) ^ _rotl(keyed, 24)
        keyed *= _PRIME_MX2
        keyed ^= (keyed >> np.uint64(35)) + size
        keyed *= _PRIME_MX2
        return keyed ^ (keyed >> np.uint64(28))
    if length <= 16:
        low = _read64(data, start) ^ (_read64(secret, 24) ^ _read64(secret, 32))
        high = _read64(data, end - 8) ^ (_read64(secret, 40) ^ _read64(secret, 48))
        return _avalanche(size + _swap64(low) + high + _mul128_fold64(low, high))
    acc = size * _PRIME64_1
    if length <= 128:
        # Pairs of 16-byte blocks from both ends, as many as fit: (0, -16), (16, -32), ...
        for pair in range((length - 1) // 32 + 1):
            acc += _mix16(data, start + 16 * pair, secret, 32 * pair)
            acc += _mix16(data, end - 16 * (pair + 1), secret, 32 * pair + 16)
        return _avalanche(acc)
    for block in range(8):
        acc += _mix16(data, start + 16 * block, secret, 16 * block)
    acc = _avalanche(acc)
    for block in range(8, length // 16):
        acc += _mix16(data, start + 16 * block, secret, 16 * (block - 8) + 3)
    acc += _mix16(data, end - 16, secret, 136 - 17)
    return _avalanche(acc)
