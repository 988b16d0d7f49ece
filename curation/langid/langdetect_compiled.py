"""langdetect's detection, compiled, with the library's exact results.

``Detector`` (langdetect 1.0.9) spends almost all of its time in per-character and per-language
Python loops: collecting the text's known 1-3-grams, and ``n_trial`` random walks that multiply
55 language probabilities by one sampled n-gram's probabilities at a time. This module does the
same arithmetic in the same order from the same profiles, so every probability is bit-for-bit the
library's (``tests/curation/langid/test_langdetect_compiled.py`` compares them):

- text: ``Detector.append`` and ``cleaning_text`` (``detector_text``), with the library's own
  patterns and Vietnamese normaliser;
- n-grams: ``NGram.add_char``'s buffer rules over ``NGram.normalize``'d characters (memoised per
  character), in text order, as rows of a per-language probability matrix built as
  ``DetectorFactory.add_profile`` computes it;
- randomness: the detector re-seeds ``random.Random`` with the factory seed for every text, so
  every text's walks read the same stream of 32-bit Mersenne Twister outputs: it is drawn once per
  process, and ``Random.choice``, ``Random.random`` and ``Random.gauss`` (with its cached second
  value) are re-derived from it as CPython computes them;
- sums: CPython's ``sum`` of floats, sequential (3.11) or compensated (3.12,
  ``_COMPENSATED_SUM``).

Walks that would read past the drawn stream (``ITERATION_LIMIT`` steps with many rejected draws)
return ``None``; the caller then asks the library.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections.abc import Sequence
from functools import lru_cache

import numba
import numpy as np
from langdetect.detector import Detector
from langdetect.utils.ngram import NGram

# 32-bit outputs drawn once per process; a default walk (2 trials) reads a few hundred.
STREAM_LENGTH = 1 << 16
_COMPENSATED_SUM = sys.version_info >= (3, 12)


class _NormalizedChars(dict):
    """``str.translate`` table: each character as ``NGram.normalize`` maps it, filled on use."""

    def __missing__(self, code: int) -> str:
        char = self[code] = NGram.normalize(chr(code))
        return char


class _UpperFlags(dict):
    """``str.translate`` table: 1 for a character that ``str.isupper``, else 0 (as characters)."""

    def __missing__(self, code: int) -> str:
        flag = self[code] = "\x01" if chr(code).isupper() else "\x00"
        return flag


_NORMALIZED = _NormalizedChars()
_UPPER = _UpperFlags()
_SPACE = ord(" ")
_SPACE_RUNS = re.compile(" {2,}")
# ``cleaning_text`` counts "Latin" as the code points 'A'..'z' and "non-Latin" as U+0300 and up
# (its test for the Latin Extended Additional block compares a block number with a name, so it
# never excludes anything).
_LATIN = {code: None for code in range(ord("A"), ord("z") + 1)}
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")


def detector_text(text: str, max_length: int = 10_000) -> str:
    """What ``Detector.append`` (at most ``max_length`` characters, the library's default) and
    ``Detector.cleaning_text`` leave of ``text``."""
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    text = _SPACE_RUNS.sub(" ", NGram.normalize_vi(text)[:max_length])
    without_latin = text.translate(_LATIN)
    latin = len(text) - len(without_latin)
    non_latin = len(text) - len(_NON_LATIN.sub("", text))
    return without_latin if latin * 2 < non_latin else text


class Profiles:
    """Language profiles as arrays: the languages, every known gram's key (``gram_keys``,
    ascending; a gram's row is its key's index), each row's per-language probabilities as
    ``DetectorFactory.add_profile`` computes them, and the seeded random stream."""

    def __init__(self, profiles: Sequence[str], seed: int) -> None:
        """``profiles``: langdetect's JSON profiles, in the order of the languages."""
        self.languages: list[str] = []
        keys, langs, probs = [], [], []
        for lang, text in enumerate(profiles):
            profile = json.loads(text)
            self.languages.append(profile["name"])
            freq = profile["freq"]
            words = [word for word in freq if 1 <= len(word) <= 3]  # longer ones are never read
            lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
            counts = np.array([freq[word] for word in words], dtype=np.float64)
            keys.append(gram_keys(words))
            langs.append(np.full(len(words), lang))
            probs.append(counts / np.array(profile["n_words"], dtype=np.float64)[lengths - 1])
        self.keys, rows = np.unique(np.concatenate(keys), return_inverse=True)
        self.probs = np.zeros((self.keys.size, len(profiles)))
        self.probs[rows, np.concatenate(langs)] = np.concatenate(probs)
        self.stream = _seeded_stream(seed)


def gram_keys(grams: list[str]) -> np.ndarray:
    """1-3-character strings as integers: 21 bits per code point plus one, so no two grams of any
    lengths share a key."""
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    encoded = "".join(grams).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(encoded, dtype=np.uint32).astype(np.int64) + 1
    ends = np.cumsum(lengths)
    from_end = np.repeat(ends, lengths) - np.arange(codes.size) - 1
    return np.add.reduceat(codes << (21 * from_end), ends - lengths)


@lru_cache(maxsize=4)
def _seeded_stream(seed: int) -> np.ndarray:
    generator = random.Random(seed)
    return np.array([generator.getrandbits(32) for _ in range(STREAM_LENGTH)], dtype=np.uint32)


def ngram_rows(text: str, profiles: Profiles) -> np.ndarray:
    """Rows of the known 1-3-grams of ``text`` (a ``detector_text``), in the order
    ``Detector._extract_ngrams`` lists them."""
    normalized = text.translate(_NORMALIZED)
    codes = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    upper = np.frombuffer(normalized.translate(_UPPER).encode("ascii"), dtype=np.uint8)
    return _ngram_rows(codes, upper, profiles.keys)


def language_probabilities(
    found: np.ndarray, profiles: Profiles, n_trial: int, alpha: float = Detector.ALPHA_DEFAULT
) -> np.ndarray | None:
    """``Detector.langprob`` after ``_detect_block`` for n-gram rows ``found`` (non-empty), or
    ``None`` when the walks need more random draws than ``STREAM_LENGTH``."""
    probabilities = _walk(
        found,
        profiles.probs,
        profiles.stream,
        32 - len(found).bit_length(),
        n_trial,
        alpha,
        Detector.ALPHA_WIDTH,
        float(Detector.BASE_FREQ),
        Detector.CONV_THRESHOLD,
        Detector.ITERATION_LIMIT,
        _COMPENSATED_SUM,
    )
    return None if probabilities.size == 0 else probabilities


@numba.njit(cache=True)
def _ngram_rows(codes: np.ndarray, upper: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``NGram.add_char``'s buffer (at most 3 characters, reset after a space, no n-grams inside
    a run of capitals) over normalised code points; each known gram's row, 1-, 2-, 3-gram."""
    found = np.empty(codes.size * 3, dtype=np.int64)
    count = 0
    first = second = 0  # the buffer is first, second, last: its ``size`` rightmost are real
    last = _SPACE
    size = 1
    last_upper = False
    capital = False
    for i in range(codes.size):
        code = int(codes[i])
        is_upper = upper[i] != 0
        if last == _SPACE:
            size = 1
            capital = False
            if code == _SPACE:
                last_upper = False
                continue
        elif size == 3:
            size = 2
        first, second, last = second, last, code
        size += 1
        if is_upper:
            if last_upper:
                capital = True
        else:
            capital = False
        last_upper = is_upper
        if capital:
            continue
        key = code + 1
        for n in range(1, 4):
            if n == 2:
                key |= (second + 1) << 21
            elif n == 3:
                key |= (first + 1) << 42
            if n > size:
                break
            if n == 1 and code == _SPACE:
                continue
            at = np.searchsorted(keys, key)
            if at < keys.size and keys[at] == key:
                found[count] = at
                count += 1
    return found[:count]


@numba.njit(cache=True)
def _uniform(stream: np.ndarray, at: int) -> float:
    """CPython's ``Random.random`` from the two 32-bit outputs at ``at``."""
    high = stream[at] >> np.uint32(5)
    low = stream[at + 1] >> np.uint32(6)
    return (high * 67108864.0 + low) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def _sum(values: np.ndarray, compensated: bool) -> float:
    """CPython's ``sum`` of a list of floats: plain left to right (3.11), Neumaier (3.12)."""
    total = values[0]
    correction = 0.0
    for i in range(1, values.size):
        value = values[i]
        if not compensated:
            total += value
            continue
        moved = total + value
        if abs(total) >= abs(value):
            correction += (total - moved) + value
        else:
            correction += (value - moved) + total
        total = moved
    if compensated and correction != 0.0 and math.isfinite(correction):
        total += correction
    return total


@numba.njit(cache=True)
def _walk(
    found: np.ndarray,
    probs: np.ndarray,
    stream: np.ndarray,
    shift: int,
    n_trial: int,
    alpha_default: float,
    alpha_width: float,
    base_freq: float,
    conv_threshold: float,
    iteration_limit: int,
    compensated: bool,
) -> np.ndarray:
    n_langs = probs.shape[1]
    count = found.size
    langprob = np.zeros(n_langs)
    at = 0
    cached_gauss = 0.0
    has_cached = False
    for _ in range(n_trial):
        prob = np.full(n_langs, 1.0 / n_langs)
        if has_cached:
            gauss = cached_gauss
            has_cached = False
        else:
            if at + 4 > stream.size:
                return np.empty(0)
            angle = _uniform(stream, at) * (2.0 * math.pi)
            radius = math.sqrt(-2.0 * math.log(1.0 - _uniform(stream, at + 2)))
            at += 4
            gauss = math.cos(angle) * radius
            cached_gauss = math.sin(angle) * radius
            has_cached = True
        weight = (alpha_default + gauss * alpha_width) / base_freq
        step = 0
        while True:
            while True:  # Random.choice: getrandbits(bit_length) until below count
                if at >= stream.size:
                    return np.empty(0)
                pick = int(stream[at] >> np.uint32(shift))
                at += 1
                if pick < count:
                    break
            row = found[pick]
            for lang in range(n_langs):
                prob[lang] *= weight + probs[row, lang]
            if step % 5 == 0:
                total = _sum(prob, compensated)
                most = 0.0
                for lang in range(n_langs):
                    share = prob[lang] / total
                    if most < share:
                        most = share
                    prob[lang] = share
                if most > conv_threshold or step >= iteration_limit:
                    break
            step += 1
        for lang in range(n_langs):
            langprob[lang] += prob[lang] / n_trial
    return langprob
