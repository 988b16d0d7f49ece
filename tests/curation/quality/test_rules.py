"""Each quality rule on hand-made texts just inside and just outside its default threshold.

Every case builds the scorer with only the rule under test enabled (other thresholds ``None``),
so the text only has to control one metric; ``test_quality.py`` covers the scorers as a whole.
"""

from __future__ import annotations

import math

import pytest

from curation.quality import C4Quality, FineWebQuality, GopherQuality, GopherRepetition

WORDS = [
    "the",
    "quick",
    "brown",
    "foxes",
    "jumped",
    "over",
    "lazy",
    "dogs",
    "and",
    "that",
    "was",
    "with",
    "them",
]


def only(cls, *args: str):
    """``cls`` with every rule threshold ``None`` except ``args`` (kept at their defaults)."""
    bounds = {name for rule in cls.rules for name in (rule.min_arg, rule.max_arg) if name}
    return cls(**dict.fromkeys(bounds - set(args)))


def prose(n_words: int) -> str:
    """``n_words`` ordinary English words (mean length 4, several stop words), one line."""
    return " ".join(WORDS[i % len(WORDS)] for i in range(n_words))


def filler(n_chars: int) -> str:
    """Exactly ``n_chars`` characters of distinct words (no repeated n-grams), space-led."""
    words, size, index = [], 0, 0
    while n_chars - size > 12:
        word = f" fill{index:04d}x"
        words.append(word)
        size += len(word)
        index += 1
    rest = n_chars - size
    if rest == 1:
        words[-1] += "y"
    elif rest > 1:
        words.append(" " + "z" * (rest - 1))
    return "".join(words)


def exact_length(base: str, total: int) -> str:
    """``base`` followed by filler up to ``total`` characters."""
    text = base + filler(total - len(base))
    assert len(text) == total
    return text


def bounds(numerator: int, threshold: float) -> tuple[int, int]:
    """Lengths L with numerator / L just above (fails) and at or below (passes) ``threshold``."""
    passing = math.ceil(numerator / threshold - 1e-9)
    return passing - 1, passing


def check(scorer, text: str, lang: str | None = "en") -> str | None:
    return scorer.check(scorer.score(text, lang))


# --- Gopher quality ----------------------------------------------------------------------

GOPHER_CASES = [
    # (threshold args, failing text, passing text, rule)
    (("min_words",), prose(49), prose(50), "word_count"),
    (("max_words",), prose(100_001), prose(100_000), "word_count"),
    (("min_mean_word_length",), "the " + "ab " * 49, "the " + "abc " * 49, "mean_word_length"),
    (
        ("max_mean_word_length",),
        "the " + "abcdefghijk " * 49,
        "the " + "abcdefghij " * 49,
        "mean_word_length",
    ),
    # 60 words + 7 '#' tokens: 7/67 > 0.1; + 6: 6/66 <= 0.1
    (("max_symbol_word_ratio",), prose(60) + " #" * 7, prose(60) + " #" * 6, "hash_word_ratio"),
    (
        ("max_symbol_word_ratio",),
        prose(60) + " ... the" * 8,  # 8 / 76 tokens > 0.1
        prose(60) + " ... the" * 7,  # 7 / 74
        "ellipsis_word_ratio",
    ),
    (
        ("max_bullet_line_ratio",),
        "\n".join(["- " + prose(7)] * 10),
        "\n".join(["- " + prose(7)] * 9 + [prose(7)]),
        "bullet_line_ratio",
    ),
    (
        ("max_ellipsis_line_ratio",),
        "\n".join([prose(7) + "..."] * 4 + [prose(7)] * 6),
        "\n".join([prose(7) + " …"] * 3 + [prose(7)] * 7),
        "ellipsis_line_ratio",
    ),
    # 60 alphabetic tokens + 16 numbers: 60/76 < 0.8; + 15: 60/75 = 0.8
    (
        ("min_alpha_word_ratio",),
        prose(60) + " 123" * 16,
        prose(60) + " 1.5" * 15,
        "alpha_word_ratio",
    ),
    (
        ("min_stop_words",),
        "the cat sat on a mat " * 10,
        "The cat sat Of a mat " * 10,
        "stop_word_count",
    ),
]


@pytest.mark.parametrize(("args", "failing", "passing", "rule"), GOPHER_CASES)
def test_gopher_quality_rules(args, failing, passing, rule):
    scorer = only(GopherQuality, *args)
    assert check(scorer, failing) == rule
    assert check(scorer, passing) is None


def test_gopher_quality_passes_ordinary_prose():
    text = (
        "The committee met on Tuesday to discuss the budget. Members agreed that the proposal "
        "should be revised, and that the new version would have to include the costs of the "
        "maintenance work planned for next year. A final vote is expected with the next report "
        "once the auditors have checked the figures."
    )
    scores = GopherQuality().score(text, "en")
    assert GopherQuality().check(scores) is None
    assert scores["stop_word_count"] == 8


# --- Gopher repetition -------------------------------------------------------------------


def repeated_lines(n_lines: int, n_copies: int, sep: str) -> str:
    """``n_lines`` blocks of which ``n_copies`` repeat the first one."""
    blocks = [f"line number {i} says something different" for i in range(n_lines - n_copies)]
    return sep.join(blocks + [blocks[0]] * n_copies)


@pytest.mark.parametrize(
    ("arg", "sep", "rule"),
    [
        ("max_dup_line_frac", "\n", "dup_line_frac"),
        ("max_dup_para_frac", "\n\n", "dup_para_frac"),
    ],
)
def test_duplicate_line_and_paragraph_fractions(arg, sep, rule):
    scorer = only(GopherRepetition, arg)
    assert check(scorer, repeated_lines(10, 4, sep)) == rule  # 4/10 > 0.3
    assert check(scorer, repeated_lines(10, 3, sep)) is None  # 3/10 = 0.3


@pytest.mark.parametrize(
    ("arg", "sep", "rule"),
    [
        ("max_dup_line_char_frac", "\n", "dup_line_char_frac"),
        ("max_dup_para_char_frac", "\n\n", "dup_para_char_frac"),
    ],
)
def test_duplicate_line_and_paragraph_char_fractions(arg, sep, rule):
    scorer = only(GopherRepetition, arg)
    block = "twenty characters..."
    head = block + sep + block + sep + "other"
    failing, passing = bounds(len(block), 0.20)
    assert check(scorer, exact_length(head, failing)) == rule
    assert check(scorer, exact_length(head, passing)) is None


@pytest.mark.parametrize(("n", "threshold"), [(2, 0.20), (3, 0.18), (4, 0.16)])
def test_top_ngram_char_fraction(n, threshold):
    scorer = only(GopherRepetition, f"max_top_{n}gram_char_frac")
    gram = " ".join(["alpha", "beta", "gamma", "delta"][:n])
    head = " ".join([gram] * 4)
    failing, passing = bounds(len(gram) * 4, threshold)
    assert check(scorer, exact_length(head, failing)) == f"top_{n}gram_char_frac"
    assert check(scorer, exact_length(head, passing)) is None


@pytest.mark.parametrize(
    ("n", "threshold"), [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)]
)
def test_duplicated_ngram_char_fraction(n, threshold):
    scorer = only(GopherRepetition, f"max_dup_{n}gram_char_frac")
    words = [f"word{i}" for i in range(n)]
    head = " ".join(words + words)  # the second copy repeats the first n-gram
    failing, passing = bounds(sum(map(len, words)), threshold)
    assert check(scorer, exact_length(head, failing)) == f"dup_{n}gram_char_frac"
    assert check(scorer, exact_length(head, passing)) is None


# --- C4 ----------------------------------------------------------------------------------

SENTENCE = "This line is a complete sentence."


@pytest.mark.parametrize(
    ("failing", "passing", "rule"),
    [
        ("\n".join([SENTENCE] * 4), "\n".join([SENTENCE] * 5), "sentence_count"),
        (
            "\n".join([SENTENCE] * 5 + ["Lorem ipsum dolor sit amet."]),
            "\n".join([SENTENCE] * 5 + ["Lorem ipsum dolor sit amet"]),  # no end punctuation
            "lorem_ipsum",
        ),
        (
            "\n".join([SENTENCE] * 5 + ["Call f() { return 1; } now."]),
            "\n".join([SENTENCE] * 5 + ["Enable JavaScript to use f() { }."]),  # dropped first
            "curly_bracket",
        ),
    ],
)
def test_c4_page_rules(failing, passing, rule):
    scorer = C4Quality()
    assert check(scorer, failing) == rule
    assert check(scorer, passing) is None


def test_c4_counts_sentences_like_spacy():
    lines = [
        "Dr. Smith met J. K. Rowling in the U.S. in 2020. They talked for 3.5 hours.",  # 2
        "Wait... what? Yes!",  # "..." is not a boundary: 2
        'He said "stop." Then he left (quietly.) The end.',  # 3
    ]
    scores = C4Quality().score("\n".join(lines), "en")
    assert scores["sentence_count"] == 7


def test_c4_line_rules_and_dropped_fraction():
    text = "\n".join(
        [
            SENTENCE,
            "A heading without punctuation",
            "Too short.",
            "This site uses cookies to improve things.",
            "Please enable javascript in your browser.",
            "Cited claim that holds.[1]",
            "Trailing ellipsis is not an ending...",
            "x" * 1001 + " is a very long word.",
        ]
    )
    scores = C4Quality().score(text, "en")
    assert scores["dropped_line_frac"] == pytest.approx(6 / 8)  # kept: SENTENCE, cited claim
    assert scores["sentence_count"] == 2
    assert only(C4Quality, "max_dropped_line_frac").check(scores) is None  # rule off by default
    assert only(C4Quality).check(scores) is None
    assert C4Quality(min_sentences=None, max_dropped_line_frac=0.5).check(scores) == (
        "dropped_line_frac"
    )


# --- FineWeb -----------------------------------------------------------------------------

LONG = "this line is comfortably longer than thirty characters"


@pytest.mark.parametrize(
    ("arg", "failing", "passing", "rule"),
    [
        (
            "min_line_punct_ratio",
            "\n".join([f"{LONG} {i}." for i in range(2)] + [f"{LONG} {i}" for i in range(23)]),
            "\n".join([f"{LONG} {i}." for i in range(3)] + [f"{LONG} {i}" for i in range(22)]),
            "line_punct_ratio",
        ),
        (
            "max_short_line_ratio",
            "\n".join(["short one", "short two", "short three", LONG]),  # 3/4 > 0.67
            "\n".join(["short one", "short two", LONG]),  # 2/3 = 0.667
            "short_line_ratio",
        ),
        (
            "max_list_ratio",
            "\n".join(f"item number {i}" for i in range(11)),  # 10 newlines / 33 tokens
            "\n".join(f"item number {i}" for i in range(10)),  # 9 / 30 = 0.3
            "list_ratio",
        ),
    ],
)
def test_fineweb_rules(arg, failing, passing, rule):
    scorer = only(FineWebQuality, arg)
    assert check(scorer, failing) == rule
    assert check(scorer, passing) is None


def test_fineweb_duplicated_line_characters():
    scorer = only(FineWebQuality, "max_char_dup_ratio")
    line = "ten chars!"
    head = f"{line}\n{line}\n"  # one newline is not counted, the other is inside the text
    failing, passing = bounds(len(line), 0.01)
    # the ratio's denominator excludes the 2 newlines
    assert check(scorer, exact_length(head, failing + 2)) == "char_dup_ratio"
    assert check(scorer, exact_length(head, passing + 2)) is None


def test_fineweb_line_punctuation_ignores_trailing_spaces_and_knows_other_scripts():
    scores = FineWebQuality().score("Ends here.   \n这是一个句子。\nهل هذا سؤال؟", None)
    assert scores["line_punct_ratio"] == 1.0


def test_fineweb_rejects_empty_documents():
    assert check(FineWebQuality(), "") == "line_punct_ratio"
