"""Shingles, MinHash signatures, Jaccard estimates and LSH band keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from datasketch import MinHash

from curation.minhash import (
    BATCH_SHINGLES,
    MINHASH_SEED,
    PERMUTATION_SCHEME,
    MinHasher,
    _xxh32,
    estimated_jaccard,
    jaccard,
    optimal_bands_rows,
    shingles,
)

TEXT = (
    "The quick brown fox jumps over the lazy dog while the cat watches from the warm "
    "windowsill and the rain keeps falling on the quiet town."
)
REPO_ROOT = Path(__file__).resolve().parents[2]


def test_word_five_grams():
    assert shingles("a b c d e f g") == {"a b c d e", "b c d e f", "c d e f g"}


def test_word_ngrams_are_normalised():
    assert shingles("A, B; C! D. E? F", word_ngram=5) == shingles("a b c d e f")
    assert shingles("one two three", word_ngram=2) == {"one two", "two three"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a b c", {"a b c"}), ("a b c d e", {"a b c d e"}), ("Hi!", {"hi"}), ("", set())],
)
def test_short_texts_give_one_shingle(text, expected):
    assert shingles(text) == expected


def test_punctuation_only_text_has_no_shingles():
    assert shingles("!!! ... ???") == set()


def test_cjk_character_ngrams_ignore_spaces():
    assert shingles("这是一个测试文本", char_ngram=5) == {
        "这是一个测",
        "是一个测试",
        "一个测试文",
        "个测试文本",
    }
    assert shingles("这是 一个，测试文本") == shingles("这是一个测试文本")
    assert shingles("测试") == {"测试"}


def test_thai_and_japanese_are_char_shingled():
    assert all(len(s) == 3 for s in shingles("これは日本語のテストです", char_ngram=3))
    assert all(" " not in s for s in shingles("ภาษาไทย สำหรับ การทดสอบ", char_ngram=4))


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 1.0
    assert jaccard({"a"}, set()) == 0.0


def test_signature_length_and_determinism_across_instances():
    for num_perm in (16, 128, 256):
        first = MinHasher(num_perm=num_perm, bands=4, rows=4).signature(TEXT)
        second = MinHasher(num_perm=num_perm, bands=4, rows=4).signature(TEXT)
        assert len(first) == num_perm * 4
        assert first == second


def test_signature_depends_on_text_and_shingle_parameters():
    hasher = MinHasher()
    assert hasher.signature(TEXT) != hasher.signature(TEXT + " extra words here")
    assert hasher.signature(TEXT) != MinHasher(word_ngram=3).signature(TEXT)
    assert hasher.signature("Hello,  WORLD") == hasher.signature("hello world")


def test_signature_is_independent_of_shingle_order():
    hasher = MinHasher()
    items = sorted(shingles(TEXT))
    assert hasher.signature_of_shingles(items) == hasher.signature_of_shingles(reversed(items))
    assert hasher.signature_of_shingles(items) == hasher.signature(TEXT)


def test_signature_is_the_same_in_other_processes():
    code = (
        "import sys; from curation.minhash import MinHasher; "
        "sys.stdout.write(MinHasher(num_perm=64, bands=8, rows=8).signature(sys.argv[1]).hex())"
    )
    expected = MinHasher(num_perm=64, bands=8, rows=8).signature(TEXT).hex()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO_ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", code, TEXT],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == expected, f"PYTHONHASHSEED={seed}"


@pytest.mark.parametrize(("overlap", "size"), [(60, 100), (80, 100), (90, 100), (150, 200)])
def test_estimated_jaccard_is_close_to_exact(overlap, size):
    hasher = MinHasher(num_perm=256, bands=16, rows=16)
    a = {f"shingle {n}" for n in range(size)}
    b = {f"shingle {n}" for n in range(size - overlap, 2 * size - overlap)}
    exact = jaccard(a, b)
    assert 0.3 <= exact <= 0.9
    estimate = estimated_jaccard(hasher.signature_of_shingles(a), hasher.signature_of_shingles(b))
    assert abs(estimate - exact) <= 0.1


def test_estimated_jaccard_extremes_and_length_check():
    hasher = MinHasher()
    signature = hasher.signature(TEXT)
    assert estimated_jaccard(signature, signature) == 1.0
    unrelated = hasher.signature_of_shingles({f"other {n}" for n in range(200)})
    assert estimated_jaccard(signature, unrelated) < 0.1
    with pytest.raises(ValueError):
        estimated_jaccard(signature, signature[:-4])


def test_band_keys():
    hasher = MinHasher(num_perm=128, bands=9, rows=13)
    signature = hasher.signature(TEXT)
    keys = hasher.band_keys(signature)
    assert len(keys) == 9
    assert [key.split(":")[0] for key in keys] == [str(n) for n in range(9)]
    assert keys == MinHasher(num_perm=128, bands=9, rows=13).band_keys(bytes(signature))
    other = hasher.band_keys(hasher.signature("A completely different sentence about boats."))
    assert not set(keys) & set(other)


def test_equal_band_contents_in_different_bands_give_different_keys():
    hasher = MinHasher(num_perm=16, bands=4, rows=4)
    keys = hasher.band_keys(bytes(64))
    assert len(set(keys)) == 4


def test_near_duplicates_share_a_band():
    hasher = MinHasher()
    words = TEXT.split()
    variant = " ".join(words[:-1] + ["village."])
    assert set(hasher.band_keys(hasher.signature(TEXT))) & set(
        hasher.band_keys(hasher.signature(variant))
    )


def test_bands_times_rows_above_num_perm_raises():
    with pytest.raises(ValueError, match="exceeds"):
        MinHasher(num_perm=128, bands=20, rows=7)
    MinHasher(num_perm=128, bands=16, rows=8)  # exactly num_perm is fine


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.5, 256), (0.95, 64)])
def test_optimal_bands_rows_fit_num_perm(threshold, num_perm):
    bands, rows = optimal_bands_rows(threshold, num_perm)
    assert isinstance(bands, int)
    assert isinstance(rows, int)
    assert bands >= 1
    assert rows >= 1
    assert bands * rows <= num_perm
    MinHasher(num_perm=num_perm, bands=bands, rows=rows)
    # the S-curve's midpoint (1/b)^(1/r) lies near the threshold
    assert abs((1 / bands) ** (1 / rows) - threshold) < 0.15


def test_signature_of_many_shingles_equals_one_batch():
    """Chunked hashing (bounded memory on huge documents) gives datasketch's own result."""
    items = [f"shingle {i}" for i in range(3 * BATCH_SHINGLES + 17)]
    reference = MinHash(128, seed=MINHASH_SEED, hashfunc=_xxh32, scheme=PERMUTATION_SCHEME)
    reference.update_batch(items)
    expected = reference.hashvalues.astype("<u4").tobytes()
    assert MinHasher(num_perm=128, bands=16, rows=8).signature_of_shingles(items) == expected
