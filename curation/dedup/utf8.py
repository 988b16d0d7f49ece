"""Words of UTF-8 text split as ``str.split()`` splits them, compiled with numba.

Text is encoded once (``str.encode``, fast C) and scanned as bytes. Whitespace is exactly what
``str.isspace`` accepts (and so ``str.split()`` and regex ``\\s``): ASCII tab to carriage
return, the four information separators U+001C-U+001F and space, and U+0085, U+00A0, U+1680,
U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (tested against ``str.isspace`` on all
of Unicode). Input must be valid UTF-8, as ``str.encode("utf-8")`` produces.
"""

from __future__ import annotations

import numba
import numpy as np

#: Per first byte: 1 for an ASCII whitespace byte, -1 for the first byte of a multi-byte
#: whitespace character (U+0085 and U+00A0: C2; U+1680: E1; U+2000-U+205F: E2; U+3000: E3),
#: else 0.
_LEAD_KIND = np.zeros(256, dtype=np.int64)
_LEAD_KIND[[0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20]] = 1
_LEAD_KIND[[0xC2, 0xE1, 0xE2, 0xE3]] = -1


@numba.njit(cache=True)
def _multibyte_whitespace_length(data: np.ndarray, at: int) -> int:
    """:func:`whitespace_length` for a first byte of kind -1 (see ``_LEAD_KIND``)."""
    lead, second = np.int64(data[at]), np.int64(data[at + 1])
    if lead == 0xC2:
        return 2 if second == 0x85 or second == 0xA0 else 0
    third = np.int64(data[at + 2])
    if lead == 0xE1:
        return 3 if second == 0x9A and third == 0x80 else 0
    if lead == 0xE2:
        if second == 0x80 and (third <= 0x8A or third == 0xA8 or third == 0xA9 or third == 0xAF):
            return 3  # U+2000-U+200A (a continuation byte is >= 0x80), U+2028, U+2029, U+202F
        return 3 if second == 0x81 and third == 0x9F else 0  # U+205F
    return 3 if second == 0x80 and third == 0x80 else 0  # U+3000


@numba.njit(cache=True)
def whitespace_length(data: np.ndarray, at: int) -> int:
    """Bytes of the whitespace character starting at ``data[at]``; 0 if it is not whitespace."""
    kind = _LEAD_KIND[data[at]]
    return kind if kind >= 0 else _multibyte_whitespace_length(data, at)


@numba.njit(cache=True)
def char_length(byte: np.uint8) -> int:
    """Bytes of the UTF-8 character whose first byte is ``byte``."""
    lead = np.int64(byte)
    if lead < 0x80:
        return 1
    if lead < 0xE0:
        return 2
    return 3 if lead < 0xF0 else 4


@numba.njit(cache=True)
def token_spans(data: np.ndarray, by_character: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` byte offsets of the words of ``data`` (``str.split()``), or with
    ``by_character`` of every character that is not whitespace."""
    size = data.size
    starts = np.empty(size, dtype=np.int64)
    ends = np.empty(size, dtype=np.int64)
    count = 0
    at = 0
    while at < size:
        skip = whitespace_length(data, at)
        if skip:
            at += skip
            continue
        starts[count] = at
        at += char_length(data[at])
        while not by_character and at < size and not whitespace_length(data, at):
            at += char_length(data[at])
        ends[count] = at
        count += 1
    return starts[:count], ends[:count]


@numba.njit(cache=True)
def join_words(data: np.ndarray) -> np.ndarray:
    """The words of ``data`` joined by single spaces: ``" ".join(text.split())``, encoded.
    (Bytes of a non-whitespace character are never taken for whitespace, so copying byte by
    byte is safe.)"""
    out = np.empty(data.size, dtype=np.uint8)
    size = at = 0
    space = False
    while at < data.size:
        skip = whitespace_length(data, at)
        if skip:
            at += skip
            space = size > 0
            continue
        if space:
            out[size] = 0x20
            size += 1
            space = False
        out[size] = data[at]
        size += 1
        at += 1
    return out[:size]
