"""The tiny two-source corpus (English news with synthetic-looking notes, German forum posts)
that the reader, inspect and report tests share, and the helper that runs it."""

from __future__ import annotations

import contextlib
import io
import json
import random
from pathlib import Path

import pytest

from pipelines.cli import main

_ENGLISH = [
    "The library opens at nine in the morning and closes at six in the evening on weekdays.",
    "On Saturdays the reading room is open until noon, and the archive is open by appointment.",
    "Members may borrow up to ten books for three weeks, and renewals are made at the desk.",
    "Rain fell steadily over the harbour all afternoon, so the boats stayed tied to the quay.",
    "The old men sat in the cafe and argued about the price of diesel and the football results.",
    "Our garden committee met on Tuesday to plan the spring planting along the northern fence.",
    "We agreed to sow beans and peas in the raised beds, and to move the compost near the shed.",
    "My grandmother kept a notebook of recipes that she had collected from neighbours for years.",
    "Most of them were written in pencil, with little drawings of the dishes in the margins.",
    "The bus to the station was late again, which meant I missed the first train of the day.",
    "A man with a small dog asked me for directions, but I was new to the town myself.",
    "In the end we walked to the bakery on the corner and bought bread that was still warm.",
    "The school play was about a lighthouse keeper who talks to the seagulls every night.",
    "Parents built the set from old cardboard boxes, and the children painted the waves.",
    "When the lights went out during the second act, nobody noticed it was not part of the show.",
    "The river froze over in January for the first time since my father was a boy.",
    "People skated from one village to the next, and someone sold hot chestnuts by the bridge.",
    "By February the ice had cracked, and the ferry started running again between the banks.",
]
_GERMAN = [
    "Die Bibliothek ist montags bis freitags von neun bis achtzehn Uhr geöffnet.",
    "Am Samstag ist der Lesesaal bis zwölf Uhr offen, und das Archiv nach Vereinbarung.",
    "Mitglieder dürfen bis zu zehn Bücher für drei Wochen ausleihen und online verlängern.",
    "Der Regen fiel den ganzen Nachmittag über den Hafen, und die Fischerboote blieben am Kai.",
    "Die alten Männer saßen im Café und stritten über den Dieselpreis und die Ergebnisse.",
    "Unser Gartenverein hat sich am Dienstag getroffen, um die Pflanzungen zu planen.",
    "Wir haben beschlossen, Bohnen und Erbsen in den Hochbeeten neben dem Zaun auszusäen.",
    "Meine Großmutter hatte ein Heft mit Rezepten, die sie über vierzig Jahre gesammelt hatte.",
    "Der Bus zum Bahnhof kam wieder zu spät, und ich habe den ersten Zug des Tages verpasst.",
    "Am Ende sind wir zur Bäckerei an der Ecke gegangen und haben noch warmes Brot gekauft.",
    "Im Januar ist der Fluss zum ersten Mal seit der Kindheit meines Vaters zugefroren.",
    "Die Leute sind von einem Dorf zum nächsten gelaufen, und an der Brücke gab es Maronen.",
]
#: Chat-model boilerplate (stock phrases and "slop" words), scored as machine-written.
_SLOP = [
    "In today's fast-paced world, it is important to note that the landscape is evolving.",
    "Furthermore, it is crucial to delve into the multifaceted tapestry of innovation.",
    "Moreover, leveraging these transformative insights empowers stakeholders to navigate.",
    "Ultimately, this comprehensive approach underscores the pivotal role of collaboration.",
    "Additionally, embracing a nuanced perspective unlocks unprecedented opportunities.",
    "By harnessing cutting-edge solutions, teams can seamlessly streamline their workflows.",
    "In conclusion, navigating this intricate journey requires a meticulous, holistic mindset.",
    "I hope this helps! Let me know if you have any other questions or need clarification.",
]

#: A licence with markup characters, to check that reports escape data-derived text.
FORUM_LICENSE = "cc0-1.0 <see NOTICE & LICENSE>"
#: What the tiny corpus holds (records per source and the expected outcome).
NEWS_RECORDS, FORUM_RECORDS = 16, 8
EXPECTED_KEPT = 20  # 10 English + 4 synthetic-looking + 6 German + the kept copy of n2
EXPECTED_REJECTS = {
    "invalid_json": 1,
    "quality:gopher_quality.word_count": 1,
    "exact_duplicate": 1,
    "near_duplicate": 1,
}


def _document(pool: list[str], number: int, rng: random.Random) -> str:
    return (
        " ".join(rng.sample(pool, 7)) + f" This was note number {number} from office {number * 7}."
    )


def write_tiny_corpus(root: Path) -> Path:
    """Two JSONL sources (news: English, cc-by-4.0; forum: German, :data:`FORUM_LICENSE`) with
    an exact and a near duplicate, a too-short text and a broken line; returns the config file."""
    rng = random.Random(7)
    news = [{"id": f"n{i}", "text": _document(_ENGLISH, i, rng)} for i in range(10)]
    news += [{"id": f"s{i}", "text": _document(_SLOP, i, rng)} for i in range(4)]
    news.append({"id": "n-copy", "text": news[2]["text"]})
    news.append({"id": "n-near", "text": news[3]["text"].replace("note number", "notice number")})
    forum = [{"id": f"f{i}", "text": _document(_GERMAN, i, rng)} for i in range(6)]
    forum.append({"id": "f-short", "text": "buy now!!! click here"})
    forum_lines = [json.dumps(row, ensure_ascii=False) for row in forum] + [
        '{"id": "junk", "text": '
    ]
    (root / "news.jsonl").write_text("\n".join(json.dumps(r) for r in news) + "\n")
    (root / "forum.jsonl").write_text("\n".join(forum_lines) + "\n", encoding="utf-8")
    config = root / "config.yaml"
    config.write_text(
        "sources:\n"
        f"  - {{name: news, paths: ['{root / 'news.jsonl'}'], license: cc-by-4.0}}\n"
        f"  - {{name: forum, paths: ['{root / 'forum.jsonl'}'], license: '{FORUM_LICENSE}'}}\n"
    )
    return config


def run_tiny(tmp_path_factory: pytest.TempPathFactory, *options: str) -> tuple[Path, str]:
    """Run ``curate run`` (in-memory DirectRunner) on the tiny corpus; returns OUT and stdout."""
    root = tmp_path_factory.mktemp("tiny")
    out = root / "out"
    args = ["run", "--config", str(write_tiny_corpus(root)), "--output", str(out), *options]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(args + ["--runner=DirectRunner", "--direct_running_mode=in_memory"])
    assert code == 0
    return out, printed.getvalue()
