"""Shingles, MinHash signatures, Jaccard estimates and LSH band hashes."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import xxhash
from datasketch import MinHash

from benchmarks.reference import jaccard, shingles
from curation.dedup.minhash import (
    _COMBINE_MULTIPLIER,
    MINHASH_SEED,
    PERMUTATION_SCHEME,
    MinHasher,
    estimated_jaccard,
    exact_jaccard,
    exact_jaccards,
    shingle_hashes,
    shingle_set,
    token_hashes,
)
from tests.paths import REPO

TEXT = (
    "The quick brown fox jumps over the lazy dog while the cat watches from the warm "
    "windowsill and the rain keeps falling on the quiet town."
)


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


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        "a b c d e f a b c d e f g",
        "a b c",
        "a b c d e",
        "Hi!",
        "",
        "!!! ... ???",
        "这是 一个，测试文本",
        "测试",
        "ภาษาไทย สำหรับ การทดสอบ",
    ],
)
def test_shingle_hashes_are_one_per_shingle_of_shingles(text):
    """Both paths share the tokens and the short-text rule: a shingle string is itself one
    shingle, whose hash is among the text's (and no other hash is)."""
    hashes = shingle_hashes(text)
    assert hashes.dtype == np.uint32
    assert set(hashes.tolist()) == {int(shingle_hashes(s)[0]) for s in shingles(text)}
    assert len(set(hashes.tolist())) == len(shingles(text))


def test_shingle_hashes_keep_token_order_and_repeats():
    assert shingle_hashes("a b c d e")[0] != shingle_hashes("b a c d e")[0]
    assert shingle_hashes("a b c d e")[0] != shingle_hashes("e d c b a")[0]
    assert shingle_hashes("a a b")[0] != shingle_hashes("a b a")[0]
    repeated = shingle_hashes("a b c d e f a b c d e f")
    assert len(repeated) == 8
    assert len(set(repeated.tolist())) == 6


def test_token_weights_keep_every_token_difference_visible():
    """Backs the collision bound of ``shingle_hashes``: for each token, its coefficient in the
    difference of two 5-gram sums is a signed sum of weights M^k (sign +1/-1/0 per position);
    whenever it is nonzero it has at most 2^7 as a factor, so it never vanishes mod 2^64."""
    modulus = 2**64
    weights = [pow(int(_COMBINE_MULTIPLIER), k, modulus) for k in range(5)]
    for signs in itertools.product((-1, 0, 1), repeat=5):
        if any(signs):
            coefficient = sum(map(int.__mul__, signs, weights)) % modulus
            assert coefficient % 2**8 != 0, signs


def test_signature_is_a_function_of_the_shingle_set():
    hasher = MinHasher()
    cycle = "a b c d e f "
    assert hasher.signature(cycle * 2) == hasher.signature(cycle * 5)  # same six 5-grams
    assert hasher.signature(cycle * 2) != hasher.signature(cycle * 2 + "g")
    hashes = shingle_hashes(TEXT)
    assert hasher.signature_of_hashes(hashes) == hasher.signature(TEXT)
    assert hasher.signature_of_hashes(hashes[::-1]) == hasher.signature(TEXT)
    assert hasher.signature_of_hashes(np.tile(hashes, 3)) == hasher.signature(TEXT)


def test_text_without_shingles_has_the_empty_signature_and_no_band_hashes():
    hasher = MinHasher()
    assert hasher.signature("!!! ... ???") == hasher.signature("") == b"\xff" * 128 * 4
    assert hasher.band_hashes(hasher.signature("")) == []


def test_signature_is_the_same_in_other_processes():
    code = (
        "import sys; from curation.dedup.minhash import MinHasher; "
        "sys.stdout.write(MinHasher(num_perm=64, bands=8, rows=8).signature(sys.argv[1]).hex())"
    )
    expected = MinHasher(num_perm=64, bands=8, rows=8).signature(TEXT).hex()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        result = subprocess.run(
            [sys.executable, "-c", code, TEXT],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout == expected, f"PYTHONHASHSEED={seed}"


@pytest.mark.parametrize(("overlap", "size"), [(60, 100), (80, 100), (90, 100), (150, 200)])
def test_estimated_jaccard_is_close_to_exact(overlap, size):
    hasher = MinHasher(num_perm=256, bands=16, rows=16)
    a = np.arange(size, dtype=np.uint32)
    b = np.arange(size - overlap, 2 * size - overlap, dtype=np.uint32)
    exact = jaccard(set(a.tolist()), set(b.tolist()))
    assert 0.3 <= exact <= 0.9
    estimate = estimated_jaccard(hasher.signature_of_hashes(a), hasher.signature_of_hashes(b))
    assert abs(estimate - exact) <= 0.1


def test_estimated_jaccard_extremes_and_length_check():
    hasher = MinHasher()
    signature = hasher.signature(TEXT)
    assert estimated_jaccard(signature, signature) == 1.0
    unrelated = hasher.signature(" ".join(f"other{n}" for n in range(200)))
    assert estimated_jaccard(signature, unrelated) < 0.1
    with pytest.raises(ValueError):
        estimated_jaccard(signature, signature[:-4])


def test_band_hashes():
    hasher = MinHasher(num_perm=128, bands=9, rows=13)
    signature = hasher.signature(TEXT)
    hashes = hasher.band_hashes(signature)
    assert len(hashes) == 9
    assert all(0 <= value < 2**64 for value in hashes)
    assert hashes == MinHasher(num_perm=128, bands=9, rows=13).band_hashes(bytes(signature))
    width = 13 * 4
    assert hashes[2] == xxhash.xxh64_intdigest(signature[2 * width : 3 * width])
    other = hasher.band_hashes(hasher.signature("A completely different sentence about boats."))
    assert not set(hashes) & set(other)


def test_near_duplicates_share_a_band():
    hasher = MinHasher()
    words = TEXT.split()
    variant = " ".join(words[:-1] + ["village."])
    pairs = zip(
        hasher.band_hashes(hasher.signature(TEXT)),
        hasher.band_hashes(hasher.signature(variant)),
        strict=True,
    )
    assert any(a == b for a, b in pairs)


def test_bands_times_rows_above_num_perm_raises():
    with pytest.raises(ValueError, match="exceeds"):
        MinHasher(num_perm=128, bands=20, rows=7)
    MinHasher(num_perm=128, bands=16, rows=8)  # exactly num_perm is fine


@pytest.mark.parametrize("num_perm", [1, 16, 128, 256, 1000])
def test_permutations_are_datasketchs(num_perm):
    a, b = MinHasher(num_perm, bands=1, rows=1)._permutations
    reference = MinHash(num_perm, seed=MINHASH_SEED, scheme=PERMUTATION_SCHEME).permutations
    assert a.dtype == b.dtype == np.uint32
    assert a.tolist() == reference[0].tolist() and b.tolist() == reference[1].tolist()


@pytest.mark.parametrize("num_perm", [16, 128, 256])
@pytest.mark.parametrize("count", [0, 1, 380, 1024, 3 * 1024 + 17])
def test_signature_of_hashes_equals_datasketch_update_batch(num_perm, count):
    """The compiled permutation step gives exactly datasketch's ``affine32`` MinHash of the
    same 32-bit shingle hashes."""
    hashes = np.random.default_rng(count).integers(0, 2**32, count, dtype=np.uint64)
    hashes = hashes.astype(np.uint32)
    hashes[: count // 4] = hashes[count // 4 : 2 * (count // 4)]  # repeats do not matter
    reference = MinHash(num_perm, seed=MINHASH_SEED, hashfunc=int, scheme=PERMUTATION_SCHEME)
    reference.update_batch(hashes.tolist())
    expected = reference.hashvalues.astype("<u4").tobytes()
    assert MinHasher(num_perm, bands=4, rows=4).signature_of_hashes(hashes) == expected


def test_token_hashes_are_xxh3_of_each_token_including_long_ones():
    """Tokens up to 240 bytes are hashed in compiled code, longer ones by the xxhash package;
    both give XXH3-64 of the token's UTF-8, in order, with repeats."""
    words = ["a", "dog", "é" * 3, "x" * 240, "y" * 241, "z" * 5000, "日本" * 50, "a"]
    text = "  ".join(words) + "\u3000"
    expected = [xxhash.xxh3_64_intdigest(word.encode()) for word in words]
    assert token_hashes(text, by_character=False).tolist() == expected
    characters = [xxhash.xxh3_64_intdigest(c.encode()) for c in "日本語"]
    assert token_hashes("日 本\n語", by_character=True).tolist() == characters


def test_huge_document_signature():
    """A million shingle hashes at once equal the minimum of the signatures of their parts
    (the permutation loop keeps one running minimum per permutation, whatever the size)."""
    hasher = MinHasher()
    hashes = np.random.default_rng(3).integers(0, 2**32, 1_000_000, dtype=np.uint64)
    hashes = hashes.astype(np.uint32)
    parts = [hasher.signature_of_hashes(part) for part in np.array_split(hashes, 7)]
    minimum = np.min([np.frombuffer(part, dtype="<u4") for part in parts], axis=0)
    assert hasher.signature_of_hashes(hashes) == minimum.astype("<u4").tobytes()


EXACT_PAIRS = [
    (TEXT, TEXT.replace("fox", "cat", 1)),
    (TEXT, TEXT.upper() + " And, a tail!"),
    ("東京都は日本の首都であり、人口が最も多い都市です。", "東京都は日本の首都であり、人口が多い"),
    ("short text", "short text"),
    ("", "!!!"),
    (TEXT, "nothing in common with it at all, not one five-gram"),
]


@pytest.mark.parametrize(("a", "b"), EXACT_PAIRS)
def test_exact_jaccard_of_shingle_sets_is_the_jaccard_of_the_shingle_strings(a, b):
    set_a, set_b = shingle_set(a), shingle_set(b)
    assert set_a.dtype == np.uint64 and bool(np.all(set_a[1:] > set_a[:-1]))
    assert len(set_a) == len(shingles(a))
    assert exact_jaccard(set_a, set_b) == pytest.approx(jaccard(shingles(a), shingles(b)))


def test_exact_jaccards_row_by_row_from_lists_or_arrow():
    import pyarrow as pa

    left = [shingle_set(a) for a, _ in EXACT_PAIRS]
    right = [shingle_set(b) for _, b in EXACT_PAIRS]
    expected = [jaccard(shingles(a), shingles(b)) for a, b in EXACT_PAIRS]
    as_arrow = [pa.array(sets, pa.list_(pa.uint64())) for sets in (left, right)]
    assert exact_jaccards(left, right) == pytest.approx(expected)
    assert exact_jaccards(*as_arrow) == pytest.approx(expected)


def test_sketch_is_the_signature_and_the_shingle_set():
    hasher = MinHasher()
    signature, shingle_set_of_text = hasher.sketch(TEXT)
    assert signature == hasher.signature(TEXT)
    assert np.array_equal(shingle_set_of_text, shingle_set(TEXT))
