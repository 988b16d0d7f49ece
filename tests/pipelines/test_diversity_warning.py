"""The diversity early warning end to end: ``curate report OUT --compare EARLIER_OUT`` flags a
source whose machine-written share grows over three runs, and nothing in human-only runs.

The corpora are built at test time from the shipped sample's ``synthetic_dev.jsonl`` (human
and machine texts on the same prompts; labels and generators from the ids, e.g.
``fdg-writing-gpt4-00012-m``) and ``python_docs.jsonl.gz`` (a steady second source); no text
is copied into the repository. Machine text is that of the chat models the synthetic scorer
is trained for (:data:`CHAT_MODELS`).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import yaml

from pipelines.cli import main
from tests.paths import SAMPLE_DIR
from tests.pipelines.helpers import run_cli

#: Generators (third part of a synthetic_dev id) that are chat models.
CHAT_MODELS = ("claude", "gemini", "gpt4", "gpt35turbo")


def _records(name: str) -> list[dict]:
    path = SAMPLE_DIR / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _run(tmp: Path, name: str, feed: list[dict], steady: list[dict]) -> Path:
    for source, records in (("feed", feed), ("steady", steady)):
        path = tmp / f"{name}-{source}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    config = {
        "sources": [
            {"name": "feed", "paths": [str(tmp / f"{name}-feed.jsonl")], "license": "MIT"},
            {"name": "steady", "paths": [str(tmp / f"{name}-steady.jsonl")], "license": "PSF-2.0"},
        ],
        "quality": {"reject": False},
    }
    (tmp / f"{name}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp / name
    assert run_cli("--config", str(tmp / f"{name}.yaml"), "--output", str(out)) == 0
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("diversity")
    dev = _records("synthetic_dev.jsonl")
    human = [r for r in dev if r["id"].endswith("-h")]
    machine = [
        r for r in dev if r["id"].endswith("-m") and r["id"].split("-")[2].startswith(CHAT_MODELS)
    ]
    assert len(machine) >= 15
    docs = _records("python_docs.jsonl.gz")
    return {
        "h1": _run(tmp, "h1", human[:50], docs[:150]),
        "h2": _run(tmp, "h2", human[25:75], docs[50:200]),
        "h3": _run(tmp, "h3", human[50:100], docs[100:250]),
        "m2": _run(tmp, "m2", human[:50] + machine[:6], docs[:150]),
        "m3": _run(tmp, "m3", human[:50] + machine[:15], docs[:150]),
    }


def _report(runs: dict[str, Path], *names: str, capsys) -> list[str]:
    *earlier, newest = (str(runs[name]) for name in names)
    html = runs[names[-1]].parent / f"report-{'-'.join(names)}.html"
    compare = [arg for run in earlier for arg in ("--compare", run)]
    assert main(["report", newest, "--html", str(html), *compare]) == 0
    assert "Run over run" in html.read_text(encoding="utf-8")
    return [line for line in capsys.readouterr().err.splitlines() if "warning" in line]


def test_manifest_has_the_figures_per_source_and_for_the_corpus(runs):
    diversity = json.loads((runs["h1"] / "manifest.json").read_text())["diversity"]
    for scope in (diversity["corpus"], *diversity["by_source"].values()):
        assert scope["sample_tokens"] > 5_000
        for figure in ("distinct_1", "distinct_2", "mattr", "rare_token_mass"):
            assert 0 < scope[figure] < 1
        assert 0 <= scope["marker_word_share"] < 1
        assert scope["duplicate_cluster_mass"] is not None
        assert scope["synthetic_share"]["low"] <= scope["synthetic_share"]["share"]


def test_growing_machine_share_is_flagged(runs, capsys):
    warnings = _report(runs, "h1", "m2", "m3", capsys=capsys)
    assert any("feed: synthetic share rose" in line for line in warnings), warnings
    assert not any(line.split("warning: ")[1].startswith("steady") for line in warnings)


def test_human_only_runs_raise_no_flag(runs, capsys):
    assert _report(runs, "h1", "h2", "h3", capsys=capsys) == []
