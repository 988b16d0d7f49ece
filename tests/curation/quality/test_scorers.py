"""Quality scorers as a whole: API contract, languages, configuration, summary, tokenizer."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from curation.quality import (
    DEFAULT_SCORERS,
    C4Quality,
    FineWebQuality,
    GopherQuality,
    GopherRepetition,
    QualityScorer,
    TextStats,
    build_scorers,
    quality_summary,
    text_stats,
)
from curation.quality.c4 import (
    _POLICY,
    _fewer_words,
    _has_long_word,
    _has_policy_phrase,
    count_sentences,
    count_sentences_in_lines,
)
from curation.quality.ngrams import DUP_NGRAM_SIZES, TOP_NGRAM_SIZES, ngram_repetition
from curation.quality.text import _HAS_ALNUM, _HAS_LETTER, token_ids, tokenize

EN = (
    "The committee met on Tuesday to discuss the budget. Members agreed that the proposal "
    "should be revised, and that the new version would have to include the costs of the "
    "maintenance work planned for next year.\n\nA final vote is expected with the next report, "
    "once the auditors have checked the figures. The chair thanked everyone for their work. "
    "The meeting closed at noon."
)
DE = (
    "Der Ausschuss traf sich am Dienstag, um den Haushalt zu besprechen. Die Mitglieder waren "
    "sich einig, dass der Vorschlag überarbeitet werden sollte und dass die neue Fassung die "
    "Kosten der Wartungsarbeiten für das nächste Jahr enthalten muss. Eine endgültige Abstimmung "
    "wird mit dem nächsten Bericht erwartet, sobald die Prüfer die Zahlen kontrolliert haben."
)
AR = (
    "اجتمعت اللجنة يوم الثلاثاء لمناقشة الميزانية. واتفق الأعضاء على أن الاقتراح يجب أن يُراجع، "
    "وأن النسخة الجديدة يجب أن تتضمن تكاليف أعمال الصيانة المخطط لها في العام المقبل. ومن "
    "المتوقع إجراء تصويت نهائي مع التقرير القادم، بعد أن يتحقق المدققون من الأرقام. وشكر "
    "الرئيس الجميع على عملهم في هذا المشروع المهم."
)
ZH = (
    "委员会周二开会讨论了预算问题。成员们一致认为这个提案需要修改，新版本必须包括明年计划的"
    "维护工作的费用。最终投票预计将在下一份报告中进行，在审计人员核对数字之后。主席感谢大家"
    "的工作，并表示这是一个重要的项目。"
)


def all_scores(text: str, lang: str | None) -> dict[str, dict]:
    return {scorer.name: scorer.score(text, lang) for scorer in build_scorers(None)}


# --- API contract ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " \n\n ", "word", EN, DE, ZH, "# " * 50, "a\r\nb\r\n"])
@pytest.mark.parametrize("lang", ["en", "de", "zh", "th", None])
def test_scores_have_exactly_the_declared_metrics(text, lang):
    for scorer in build_scorers(None):
        assert isinstance(scorer, QualityScorer)
        scores = scorer.score(text, lang)
        assert tuple(scores) == scorer.metrics
        assert all(value is None or isinstance(value, float | int) for value in scores.values())
        reason = scorer.check(scores)
        assert reason is None or reason in {rule.name for rule in scorer.rules}


def test_names_metrics_and_rules_are_stable_identifiers():
    names = [cls.name for cls in DEFAULT_SCORERS]
    assert names == ["gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality"]
    for cls in DEFAULT_SCORERS:
        assert len(set(cls.metrics)) == len(cls.metrics)
        for rule in cls.rules:
            assert rule.metric in cls.metrics
            assert rule.name.isidentifier()


def test_english_prose_passes_every_scorer():
    for scorer in build_scorers(None):
        assert scorer.check(scorer.score(EN, "en")) is None, scorer.name


def test_none_metric_passes():
    scorer = GopherQuality()
    scores = dict.fromkeys(scorer.metrics)
    assert scorer.check(scores) is None
    assert scorer.rule_outcomes(scores) == []


# --- languages ---------------------------------------------------------------------------


def test_german_uses_german_stop_words_and_skips_english_only_rules():
    scores = all_scores(DE, "de")
    assert scores["gopher_quality"]["stop_word_count"] >= 5  # der, die, das, und, zu, mit, ...
    assert all(value is None for value in scores["c4_quality"].values())
    assert all(s.check(scores[s.name]) is None for s in build_scorers(None))
    assert all_scores(DE, "en")["gopher_quality"]["stop_word_count"] == 0


def test_arabic_is_space_delimited_with_its_own_stop_words_and_punctuation():
    scores = all_scores(AR, "ar")
    gopher = scores["gopher_quality"]
    assert gopher["stop_word_count"] >= 3  # في، على، أن، هذا ...
    assert 3 <= gopher["mean_word_length"] <= 10
    assert gopher["alpha_word_ratio"] > 0.8  # combining marks (ـُ) stay inside words
    assert scores["fineweb_quality"]["line_punct_ratio"] == 1.0
    assert all(value is None for value in scores["c4_quality"].values())
    assert all(s.check(scores[s.name]) is None for s in build_scorers(None))


def test_chinese_counts_characters_as_words():
    scores = all_scores(ZH, "zh")
    gopher = scores["gopher_quality"]
    han = sum("\u4e00" <= char <= "\u9fff" for char in ZH)
    assert gopher["word_count"] == han
    assert gopher["mean_word_length"] is None
    assert gopher["stop_word_count"] >= 4  # 的, 了, 是, 在, 这 ...
    repetition = scores["gopher_repetition"]
    assert repetition["top_2gram_char_frac"] is None and repetition["dup_line_frac"] == 0
    assert scores["fineweb_quality"]["short_line_ratio"] is None
    assert scores["fineweb_quality"]["list_ratio"] is None
    assert all(s.check(scores[s.name]) is None for s in build_scorers(None))


def test_thai_has_no_word_metrics_and_unknown_language_no_stop_words():
    thai = all_scores("ภาษาไทยเขียนติดกันโดยไม่เว้นวรรคระหว่างคำ ประโยคนี้เป็นตัวอย่าง", "th")
    assert thai["gopher_quality"]["word_count"] is None
    assert thai["gopher_quality"]["bullet_line_ratio"] == 0
    unknown = all_scores(EN, None)["gopher_quality"]
    assert unknown["stop_word_count"] is None and unknown["word_count"] > 50


# --- configuration -----------------------------------------------------------------------


def test_build_scorers_defaults_disable_and_override():
    assert [s.name for s in build_scorers(None)] == [c.name for c in DEFAULT_SCORERS]
    scorers = build_scorers({"c4_quality": {"enabled": False}, "gopher_quality": {"min_words": 5}})
    assert [s.name for s in scorers] == ["gopher_quality", "gopher_repetition", "fineweb_quality"]
    short = "The committee and the board met today to discuss that agenda with care."
    assert scorers[0].check(scorers[0].score(short, "en")) is None
    assert GopherQuality().check(GopherQuality().score(short, "en")) == "word_count"
    assert build_scorers({"gopher_quality": {"min_words": None}})[0].min_words is None


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"gopher_qualty": {}}, "gopher_qualty"),
        ({"fineweb_quality": {"max_short_lines": 0.5}}, "max_short_lines"),
        ({"gopher_repetition": {"max_dup_line_frac": "high"}}, "max_dup_line_frac"),
        ({"c4_quality": {"min_sentences": -1}}, "min_sentences"),
        ({"c4_quality": {"min_sentences": True}}, "min_sentences"),
    ],
)
def test_bad_configuration_raises_naming_the_key(config, message):
    with pytest.raises(ValueError, match=message):
        build_scorers(config)


# --- summary -----------------------------------------------------------------------------


def test_quality_summary_is_the_fraction_of_applicable_rules_passed():
    scorers = build_scorers(None)
    assert quality_summary(scorers, all_scores(EN, "en")) == 1.0
    short = all_scores("Too short to pass.", "en")
    value = quality_summary(scorers, short)
    outcomes = [p for s in scorers for _, p in s.rule_outcomes(short[s.name])]
    assert 0 < value < 1 and value == sum(outcomes) / len(outcomes)
    assert quality_summary([], {}) == 1.0


# --- tokenizer and n-gram engine ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Hello, world.", ["Hello", ",", "world", "."]),
        ("It's well-known", ["It", "'s", "well", "-", "known"]),
        ("U.S. 3.5 1,000 10:30", ["U.S.", "3.5", "1,000", "10:30"]),
        ("see http://a.org/x?y=1.", ["see", "http://a.org/x?y=1", "."]),
        ("(a) [1] casino.[2]", ["(", "a", ")", "[", "1", "]", "casino.[2", "]"]),
        ("/usr/share --quoting -Wall", ["/usr", "/", "share", "--quoting", "-Wall"]),
        ("end.Start wait...", ["end", ".", "Start", "wait", "..."]),
        ("中文abc", ["中", "文", "abc"]),
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
    ],
)
def test_tokenizer_follows_spacy_rules(text, tokens):
    assert tokenize(text) == tokens


def _reference(tokens: list[str]) -> tuple[dict[int, int], dict[int, int]]:
    """Straightforward transcription of the Gopher/datatrove n-gram definitions."""
    top, dup = {}, {}
    for n in TOP_NGRAM_SIZES:
        grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        gram, count = Counter(grams).most_common(1)[0] if grams else ((), 0)
        top[n] = len(" ".join(gram)) * count
    for n in DUP_NGRAM_SIZES:
        seen, chars, i = set(), 0, 0
        while i < len(tokens) - n + 1:
            gram = tuple(tokens[i : i + n])
            if gram in seen:
                chars, i = chars + len("".join(gram)), i + n
            else:
                seen.add(gram)
                i += 1
        dup[n] = chars
    return top, dup


def test_ngram_engine_matches_the_reference_definition():
    rng = random.Random(7)
    for _ in range(300):
        vocabulary = rng.choice([["a", "b"], ["a", "b", "c", "dd"], list("abcdefgh")])
        tokens = [rng.choice(vocabulary) for _ in range(rng.randint(0, 60))]
        assert ngram_repetition(token_ids(tokens)) == _reference(tokens)


def test_scorer_classes_are_exported():
    assert {GopherQuality, GopherRepetition, C4Quality, FineWebQuality} == set(DEFAULT_SCORERS)


def test_ngram_engine_matches_the_reference_with_sparse_repeats():
    """Larger vocabularies and planted repeated spans: few repeats, long repeats, overlaps."""
    rng = random.Random(11)
    for _ in range(300):
        vocabulary = [f"w{i}" for i in range(rng.choice([5, 30, 300]))] + [",", "."]
        tokens = [rng.choice(vocabulary) for _ in range(rng.randint(0, 400))]
        for _ in range(rng.randint(0, 4)):
            if len(tokens) > 2:
                start = rng.randrange(len(tokens))
                span = tokens[start : start + rng.randint(1, 25)]
                at = rng.randrange(len(tokens))
                tokens[at:at] = span * rng.randint(1, 3)
        assert ngram_repetition(token_ids(tokens)) == _reference(tokens)


def test_ngram_engine_matches_the_reference_on_long_documents():
    """Long documents: many hash-table collisions and long runs of repeats."""
    rng = random.Random(17)
    for size, vocabulary_size in [(4095, 50), (4096, 50), (5000, 3000), (9000, 20)]:
        vocabulary = [f"w{i}" for i in range(vocabulary_size)]
        tokens = [rng.choice(vocabulary) for _ in range(size)]
        tokens[size // 2 : size // 2] = tokens[100:160] * 2
        assert ngram_repetition(token_ids(tokens)) == _reference(tokens)


# --- shared per-document view and fast paths ----------------------------------------------

SHARED_VIEW_TEXTS = [
    "",
    " \n\n ",
    EN,
    DE,
    ZH,
    AR,
    EN + "\n\n" + EN,
    "- item one\n- item two\n  - item two\n• bullet...\nend …\n\n\n# Title #\n",
    "Line one.\r\nLine one.\r\n\r\nA line with {braces}. Lorem ipsum dolor sit amet.\n"
    "We use cookies on this site. Terms of Use apply. Mr. Smith left. It's 3.5 m.\n",
    "see http://example.org/a?b=1. " * 40 + "x" * 1200 + " tail.",
    "word " * 300,
]


@pytest.mark.parametrize("text", SHARED_VIEW_TEXTS)
@pytest.mark.parametrize("lang", ["en", "de", "zh", "th", None])
def test_scores_are_the_same_with_and_without_the_shared_view(text, lang):
    """Scorers called in turn share one cached ``TextStats``; each one alone on a fresh view,
    or on a view another scorer filled first, gives exactly the same metrics."""
    scorers = build_scorers(None)
    text_stats.cache_clear()
    shared = {scorer.name: scorer.score(text, lang) for scorer in scorers}
    for scorer in scorers:
        assert scorer.compute(TextStats(text, lang)) == shared[scorer.name]
    for first in scorers:
        stats = TextStats(text, lang)
        first.compute(stats)
        for scorer in scorers:
            assert scorer.compute(stats) == shared[scorer.name]


def test_word_stats_count_the_words_list():
    """``word_stats`` equals counting the words (tokens containing a letter or digit) one by
    one."""
    rng = random.Random(3)
    alphabet = "ab1²_-.,' ()#…٣ⅷ漢Zé"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        stats = TextStats(text, "en")
        words = [token for token in stats.tokens if _HAS_ALNUM(token)]
        letters = sum(1 for word in words if _HAS_LETTER(word))
        assert stats.word_stats == (len(words), sum(map(len, words)), letters)


def test_tokenizer_equals_the_straightforward_pattern():
    """The token pattern is written in a faster form; it must split exactly as the plain
    alternation it replaces (each core character tried against every rule in turn)."""
    from curation.quality import text as module

    plain_rest = (
        f"[^\\s{module._SUFFIXES}{module._INFIX_CHARS}]++"
        f"|(?=[{module._INFIX_CHARS}])(?!{module._INFIX})[{module._INFIX_CHARS}]"
        f"|(?=[{module._SUFFIXES}])(?:(?!{module._INFIX}|{module._CONTRACTION})"
        f"[{module._SUFFIXES}])++(?=[^\\s{module._SUFFIXES}])"
        "|\\.(?<=(?<![A-Za-z])[A-Z]\\.)"
    )
    core = f"[^\\s{module._PREFIXES}](?:{plain_rest})*+"
    plain = re.compile(f"{module._CONTRACTION}|{module._INFIX}|{core}|\\S")
    rng = random.Random(5)
    alphabet = (
        list("aAbZz09_ ßé²٣\n")
        + list(module._INFIX_CHARS.replace("\\", ""))
        + list(module._SUFFIXES.replace("\\", ""))
        + list(module._PREFIXES.replace("\\", ""))
    )
    unrolled = re.compile(module._TOKEN)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert unrolled.findall(text) == plain.findall(text), text
    for text in SHARED_VIEW_TEXTS:
        assert unrolled.findall(text) == plain.findall(text)


def test_tokenize_skips_whitespace_as_a_search_would():
    """``tokenize`` matches the whitespace before each token as part of the match; it must
    give exactly the tokens that searching for the token pattern itself gives, whatever the
    whitespace (leading, trailing, runs, Unicode line breaks) and with or without URLs."""
    from curation.quality import text as module

    plain = re.compile(module._TOKEN)
    with_urls = re.compile(f"{module._URL}|{module._TOKEN}")
    rng = random.Random(13)
    alphabet = list("ab Z9_.,'-/:") + [" ", "  ", "\n", "\t", "\r\n", "\u2028", "\x1c", "\xa0"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert tokenize(text) == plain.findall(text), repr(text)
        url_text = f"{text} http://a.b/{text.strip()} {text}"
        assert tokenize(url_text) == with_urls.findall(url_text), repr(url_text)


def test_token_ids_number_tokens_by_first_occurrence():
    index, ids = token_ids(["b", "a", "b", ",", "a", "c"])
    assert index == {"b": 1, "a": 2, ",": 4, "c": 6}
    assert ids.tolist() == [1, 2, 1, 4, 2, 6]
    index, ids = token_ids([])
    assert index == {} and ids.size == 0


def test_c4_fast_paths_equal_their_definitions():
    lines = [
        "He said so. Then he left! Really? Yes.",
        "Mr. Smith met Dr. J. Doe at 3.5 p.m. today.",
        'A "quoted." Next one.) And (this). End',
        "e.g. this... and that?! ok.",
    ]
    assert count_sentences_in_lines(lines) == sum(map(count_sentences, lines))
    for line in ["a b", "a  b  c", " a ", "", "one two three four", "x\ty\u00a0z"]:
        for minimum in (0, 1, 2, 3, 4, 2.5):
            assert _fewer_words(line, minimum) == (len(line.split()) < minimum)
    for line in ["we use cookies here", "privacy policy", "cookie jar", "terms of use", "none"]:
        assert _has_policy_phrase(line) == bool(_POLICY.search(line))
    text = "short words " + "y" * 12 + "\n" + "z" * 5 + "\u2028" + "w" * 9 + "\x1cv\r\nend"
    lines = TextStats(text, "en").lines
    for limit in (0, 4, 5, 9, 11, 12, 13, 12.5, float("inf")):
        assert _has_long_word(lines, limit) == (max(map(len, text.split())) > limit)
