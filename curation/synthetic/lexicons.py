"""Load the LLM over-use lexicons shipped in ``curation/synthetic/lexicons/``.

Sources and licences are listed in ``lexicons/SOURCES.md``. All entries are lower-cased and
tokenised with the same tokenizer as the signals, so phrase matching works on token tuples.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from curation.synthetic.text import tokenize

LEXICON_DIR = Path(__file__).with_name("lexicons")
AIROBOROS_FILE = "airoboros_response_filters.txt"

# Everyday words that berenslab's PubMed analysis (Kobak et al. 2024) marks as "style" excess
# words because their frequency rose a little after 2023, but that every writer uses constantly.
# Counting them would mostly measure register, so this project (hand-picked, not from the
# paper) leaves them out of the marker-word rate.
_COMMON_STYLE_WORDS = frozenset(
    [
        "across",
        "address",
        "approach",
        "analysis",
        "announced",
        "background",
        "based",
        "between",
        "both",
        "challenge",
        "conditions",
        "during",
        "fight",
        "hold",
        "holds",
        "impact",
        "including",
        "into",
        "leading",
        "lies",
        "like",
        "need",
        "offer",
        "observed",
        "primary",
        "research",
        "role",
        "statement",
        "their",
        "these",
        "this",
        "through",
        "using",
        "were",
        "while",
        "within",
        "however",
    ]
)

# The airoboros pattern ``(\w+\s)+`` backtracks badly on long texts (see SOURCES.md); it is
# bounded to at most 8 words here. ``flesch`` only matches airoboros' own prompts and is dropped.
_AIROBOROS_REWRITES = {r"(\w+\s)+": r"(?:\w+\s){1,8}"}
_AIROBOROS_DROPPED = frozenset({"flesch"})


@dataclass(frozen=True)
class Lexicons:
    """Lower-cased lexicons.

    ``marker_words``: berenslab "style" excess words (Kobak et al. 2024) minus common function
    words. ``slop_words``: single-word entries of antislop (Paech 2025) word and adjustment
    lists. ``phrases``: multi-word entries of the antislop phrase lists and the project's own
    ``assistant_phrases.txt``, keyed by their first two tokens -> set of token tuples.
    ``disclaimer_res``: the airoboros refusal / AI-disclaimer regexes, compiled one by one
    (separately they keep their literal-prefix fast path; one alternation is ~5x slower).
    """

    marker_words: frozenset[str]
    slop_words: frozenset[str]
    phrases: dict[tuple[str, str], frozenset[tuple[str, ...]]]
    disclaimer_res: tuple[re.Pattern[str], ...]


def _read_marker_words(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    words = {r["word"].strip().lower() for r in rows if r["type"].startswith("style")}
    return frozenset(words - _COMMON_STYLE_WORDS)


def _read_pairs(path: Path) -> list[str]:
    return [str(entry[0]) for entry in json.loads(path.read_text(encoding="utf-8"))]


def _read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _disclaimer_regexes(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    kept = []
    for p in patterns:
        if p in _AIROBOROS_DROPPED:
            continue
        for old, new in _AIROBOROS_REWRITES.items():
            p = p.replace(old, new)
        kept.append(re.compile(p))
    return tuple(kept)


def build_lexicons(tokenize: Callable[[str], list[str]]) -> Lexicons:
    """Read every lexicon file and tokenise its entries with ``tokenize`` (lower-cased)."""
    slop_entries = _read_pairs(LEXICON_DIR / "antislop_slop_words_2025-04-07.json")
    slop_entries += _read_pairs(LEXICON_DIR / "antislop_slop_phrase_prob_adjustments.json")
    slop_entries += _read_pairs(LEXICON_DIR / "antislop_slop_phrases_2025-04-07.json")
    slop_entries += _read_lines(LEXICON_DIR / "assistant_phrases.txt")
    single: set[str] = set()
    by_first: dict[tuple[str, str], set[tuple[str, ...]]] = {}
    for entry in slop_entries:
        toks = tuple(tokenize(entry.lower()))
        if len(toks) == 1:
            single.add(toks[0])
        elif toks:
            by_first.setdefault(toks[:2], set()).add(toks)
    return Lexicons(
        marker_words=_read_marker_words(LEXICON_DIR / "berenslab_excess_words.csv"),
        slop_words=frozenset(single),
        phrases={k: frozenset(v) for k, v in by_first.items()},
        disclaimer_res=_disclaimer_regexes(_read_lines(LEXICON_DIR / AIROBOROS_FILE)),
    )


@cache
def default_lexicons() -> Lexicons:
    """The shipped lexicons, tokenised with :func:`curation.synthetic.text.tokenize`."""
    return build_lexicons(tokenize)
