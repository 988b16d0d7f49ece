"""Normalisation for hashing and shingling; script detection for shingle choice."""

from __future__ import annotations

import unicodedata

import pytest

from benchmarks.reference import normalize_for_hash, normalize_for_shingles
from curation.dedup.normalize import (
    _MAX_REPLACED_CHARS,
    _PUNCT_TABLE,
    collapse_whitespace,
    content_hash,
    fold_for_shingles,
    is_unspaced_text,
)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Ｈello  World", "hello world"),  # full-width letter, double space
        ("HELLO\tWorld\n", "hello world"),
        ("  hello \r\n\n world  ", "hello world"),
        ("Stra\u00dfe", "STRASSE"),  # casefold, not lower()
        ("caf\u00e9", "cafe\u0301"),  # composed vs decomposed
        ("\ufb01ne", "fine"),  # ligature (compatibility decomposition)
        ("hello\u3000world", "hello world"),  # ideographic space
        ("hello\u00a0world", "hello world"),  # no-break space
        ("①", "1"),
    ],
)
def test_content_hash_ignores_form_case_and_whitespace(left, right):
    assert normalize_for_hash(left) == normalize_for_hash(right)
    assert content_hash(left) == content_hash(right)


def test_content_hash_keeps_punctuation_and_words():
    assert content_hash("hello, world") != content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello word")
    assert content_hash("helloworld") != content_hash("hello world")


def test_content_hash_is_hex_sha256_of_the_normal_form():
    import hashlib

    assert content_hash(" A ") == hashlib.sha256(b"a").hexdigest()


def test_normalize_for_hash_is_idempotent():
    for text in ["Ｈello  World", "Stra\u00dfe \u0130stanbul", "\u0390 \ufb01", "  x\n"]:
        once = normalize_for_hash(text)
        assert normalize_for_hash(once) == once


def test_collapse_whitespace():
    assert collapse_whitespace("\n a \t\t b \n") == "a b"
    assert collapse_whitespace("   ") == ""
    assert collapse_whitespace("a\x1c\x85\u2028\u3000b") == "a b"  # Unicode whitespace too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello world"),
        ("don't stop—now", "don t stop now"),
        ("«quoted» „text“", "quoted text"),
        ("price: $5 + 3 = 8", "price 5 3 8"),
        ("a...b", "a b"),
        ("你好，世界。", "你好 世界"),  # full-width CJK punctuation
        ("emoji 😀 here", "emoji here"),
        ("!!!", ""),
    ],
)
def test_shingle_normalisation_folds_punctuation_and_symbols(text, expected):
    assert normalize_for_shingles(text) == expected


#: Non-ASCII punctuation that NFKC and case-folding leave alone (so counts survive folding).
NON_ASCII_PUNCT = [
    char
    for char in map(chr, sorted(_PUNCT_TABLE))
    if not char.isascii() and unicodedata.normalize("NFKC", char).casefold() == char
]


@pytest.mark.parametrize(
    "text",
    [
        "“Curly” quotes — dashes… and ASCII: (a), [b]!",
        " ".join(NON_ASCII_PUNCT[:_MAX_REPLACED_CHARS]) + " word",  # replaced one by one
        " ".join(NON_ASCII_PUNCT[: _MAX_REPLACED_CHARS + 1]) + " word",  # one translate pass
        "lone \ud800 surrogate, kept",
        "\x00\x7f\x80\xa7\xff ascii-adjacent bytes",
    ],
)
def test_punctuation_folding_equals_the_translate_table(text):
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert fold_for_shingles(text) == folded.translate(_PUNCT_TABLE)
    assert normalize_for_shingles(text) == collapse_whitespace(folded.translate(_PUNCT_TABLE))


def test_folded_text_splits_into_the_normalised_words():
    text = "Line one,\n\tline\u2028two —  «three»"
    assert fold_for_shingles(text).split() == normalize_for_shingles(text).split()
    assert normalize_for_shingles(text) == "line one line two three"


def test_shingle_normalisation_keeps_letters_digits_and_marks():
    assert normalize_for_shingles("Ｈello Wörld 42") == "hello wörld 42"
    assert normalize_for_shingles("नमस्ते दुनिया") == "नमस्ते दुनिया"  # combining marks stay


@pytest.mark.parametrize(
    "text",
    [
        "这是一个用于测试的中文句子",
        "これは日本語のテストです",
        "カタカナノテキスト",
        "นี่คือประโยคภาษาไทยสำหรับการทดสอบ",
        "中文中文 and a",  # 4 of 8 letters
    ],
)
def test_unspaced_scripts(text):
    assert is_unspaced_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "This is an English sentence",
        "이것은 한국어 문장입니다",
        "هذه جملة باللغة العربية",
        "Это русское предложение",
        "English text with one 字 in it",
        "",
        "1234 !!! ...",
    ],
)
def test_spaced_scripts(text):
    assert not is_unspaced_text(text)


def test_text_of_only_unspaced_script_marks_is_unspaced():
    assert is_unspaced_text("\u0e31")  # a Thai vowel mark: no letters or digits, no division


def test_unspaced_share_threshold():
    text = "abc中文"  # 2 of 5 letters
    assert is_unspaced_text(text, min_share=0.4)
    assert not is_unspaced_text(text, min_share=0.41)


def test_punctuation_table_covers_every_punctuation_and_symbol_character():
    from curation.dedup.normalize import _LAST_PUNCT_PLANE_END

    beyond = [
        code
        for code in range(_LAST_PUNCT_PLANE_END, 0x110000)
        if unicodedata.category(chr(code))[0] in "PS"
    ]
    assert beyond == []
