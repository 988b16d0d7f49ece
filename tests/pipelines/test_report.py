"""The HTML report of a real run of the tiny corpus: self-contained, escaped, and rendered by a
real headless browser (Debian's ``chromium``; skipped when it is not installed)."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from pipelines.cli import main
from pipelines.inspect import Shards, locate, summarise
from pipelines.plots import count_axis
from pipelines.report import (
    OTHER_LABEL,
    RULE_LABEL,
    grouped,
    quality_reasons,
    quality_thresholds,
    scored_values,
)
from tests.pipelines.helpers import read_rows
from tests.tiny_corpus import FORUM_LICENSE

SECTIONS = {
    "funnel",
    "sources",
    "languages",
    "quality",
    "rules",
    "synthetic",
    "duplicates",
    "run",
}
CHROMIUM = shutil.which("chromium")
_CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
]


class _Elements(HTMLParser):
    """Collects (tag, attributes) of every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(document)
    return parser.elements


@pytest.fixture(scope="module")
def out(tiny_out) -> Path:
    return tiny_out


@pytest.fixture(scope="module")
def document(out) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


def test_the_run_writes_a_self_contained_report(out, document):
    assert (out / "_SUCCESS").exists()
    found = elements(document)
    images = [attrs["src"] for tag, attrs in found if tag == "img"]
    assert len(images) >= 5
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    linked = [v for _, attrs in found for k, v in attrs.items() if k in ("src", "href") and v]
    assert all(v.startswith(("data:", "#")) for v in linked)
    assert not any(tag == "link" or (tag == "script" and "src" in attrs) for tag, attrs in found)
    assert "default-src 'none'" in document
    assert {attrs.get("id") for tag, attrs in found if tag == "section"} >= SECTIONS


def test_report_content_and_escaping(document):
    assert html.escape(FORUM_LICENSE) in document
    assert FORUM_LICENSE not in document
    assert "Counts read from the shards match the manifest" in document
    assert "Dashed lines are the thresholds" in document
    assert "near_duplicate" in document and "exact_duplicate" in document
    share_row = r"<td>all kept</td>(\s*<td>[\d,]+</td>){3}\s*<td>(\d+\.\d% \(|unreliable)"
    assert re.search(share_row, document)


def test_the_synthetic_share_says_what_it_covers(out, document):
    """Scored documents only (the model's languages, long enough); abstentions not counted."""
    manifest = json.loads((out / "manifest.json").read_text())
    scored = manifest["synthetic_share"]["corpus"]["n"]
    kept = manifest["counts"]["kept"]
    german = manifest["counts"]["kept_languages"]["de"]
    headline = document.split("<nav>")[0]
    assert f"of the {scored:,} scored kept documents (in en, at least 30 words" in headline
    assert "abstentions, not counted" in headline
    assert f"{scored:,} of {kept:,} kept" in document
    assert f"abstains on the other {kept - scored:,} (unsupported_language {german:,}" in document


def test_quality_histograms_colour_only_their_own_rule_red(out):
    """A document rejected by one quality rule is red in that rule's histogram only, grey in
    the others (it was not rejected by them, whatever its value there)."""
    shards = Shards(locate(str(out)))
    config = json.loads((out / "manifest.json").read_text())["config"]
    reasons = quality_reasons(config["quality"]["scorers"])
    structs, rejected_for = scored_values(shards, "quality")
    rows = shards.rows("SELECT reject_reason AS reason, count(*) AS n FROM rejects GROUP BY 1")
    counts = {row["reason"]: row["n"] for row in rows}
    quality_rejects = sum(n for reason, n in counts.items() if reason.startswith("quality:"))
    (scored,) = shards.rows("SELECT count(*) AS n FROM rejects WHERE quality IS NOT NULL")
    assert quality_rejects > 0
    red_total = 0
    for column, own in reasons.items():
        groups = grouped(structs.field(column), rejected_for, own, RULE_LABEL)
        red = groups[RULE_LABEL]
        assert red.size == sum(counts.get(reason, 0) for reason in own), column
        red_total += red.size
        assert groups["kept"].size == len(shards.rows("SELECT id FROM corpus"))
        assert red.size + groups[OTHER_LABEL].size == scored["n"], column
    assert red_total == quality_rejects


def test_tables_write_counts_with_thousands_separators(out, document):
    kept_bytes = [
        entry["kept_text_bytes"] for entry in summarise(Shards(locate(str(out)))).by_source.values()
    ]
    assert max(kept_bytes) >= 1000
    for value in kept_bytes:
        assert f"<td>{value:,}</td>" in document


@pytest.mark.parametrize(
    "counts, log", [([1, 2, 3], False), ([0, 7, 650], False), ([1, 40, 5_000], True)]
)
def test_count_axes_have_integer_ticks_and_go_log_across_magnitudes(counts, log):
    axes = Figure().add_subplot()
    axes.bar(range(len(counts)), counts)
    assert count_axis(axes, counts) is log
    assert axes.get_yscale() == ("log" if log else "linear")
    ticks = axes.yaxis.get_majorticklocs()
    assert all(float(t).is_integer() for t in ticks if t >= 1)
    assert axes.yaxis.get_major_formatter()(12345, 0) == "12,345"


def test_rejects_per_language_and_rule(out, document):
    rows = read_rows(out, "rejects")
    stages = {"language", "quality", "synthetic", "pii", "decontamination"}
    judged = [row for row in rows if row["reject_stage"] in stages]
    assert judged, "the tiny corpus has documents failing a per-document rule"
    section = document.split('<section id="rules">', 1)[1].split("</section>", 1)[0]
    for reason, count in Counter(row["reject_reason"] for row in judged).items():
        languages = Counter(
            row["lang"] or "und" for row in judged if row["reject_reason"] == reason
        )
        cells = r"\s*".join(f"<td>{n}</td>" for n in [count]) + r"\s*<td>"
        assert re.search(f"<td>{re.escape(reason)}</td>\\s*{cells}", section), reason
        for lang in languages:
            assert f"<th>{lang}</th>" in section


def test_quality_thresholds_come_from_the_configured_scorers():
    defaults = quality_thresholds({})
    assert defaults["gopher_quality__word_count"] == (50, 100_000)
    assert defaults["c4_quality__sentence_count"] == (5, None)
    assert defaults["c4_quality__dropped_line_frac"] == (None, None)  # recorded, not a rule
    changed = quality_thresholds(
        {"gopher_quality": {"min_words": 10}, "c4_quality": {"enabled": False}}
    )
    assert changed["gopher_quality__word_count"] == (10, 100_000)
    assert not any(name.startswith("c4_quality") for name in changed)


def test_report_command_writes_where_asked(out, tmp_path, capsys):
    target = tmp_path / "elsewhere.html"
    assert main(["report", str(out), "--html", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    ids = {attrs.get("id") for tag, attrs in elements(target.read_text()) if tag == "section"}
    assert ids >= SECTIONS


def test_a_report_is_never_written_among_shards(out, capsys):
    before = sorted(p.name for p in (out / "corpus").iterdir())
    assert main(["report", str(out / "corpus")]) == 2
    error = capsys.readouterr().err
    assert "not a run directory" in error and "--html" in error
    assert sorted(p.name for p in (out / "corpus").iterdir()) == before


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [CHROMIUM, *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_headless_chromium(out, document, tmp_path):
    url = (out / "report.html").as_uri()
    dom = _chromium(tmp_path, "--dump-dom", url).stdout
    body = dict(next(attrs for tag, attrs in elements(dom) if tag == "body"))
    expected = sum(1 for tag, _ in elements(document) if tag == "img")
    assert body["data-images-total"] == str(expected)
    assert body["data-images-ok"] == str(expected)
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,4000", url)
    pixels = imread(shot)
    assert pixels.shape[:2] == (4000, 1200)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0)) > 50
