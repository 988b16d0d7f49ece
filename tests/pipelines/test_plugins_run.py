"""``curate run`` with plug-ins: their rejects, scores and edits in the output, a bad plug-in
stopping the run before anything is written, and no plug-in columns without plug-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq

from tests.paths import REPO

MODEL = REPO / "tests" / "data" / "quality_tiny.bin"
SENTENCE = "The committee published a detailed report on regional water management. "
PLUGINS = """
class Redact:
    name = "redact"
    def format(self, text):
        return text.replace("SECRET", "[X]")
    def filter(self, doc):
        return "forbidden" not in doc["text"], "forbidden_word"

class Boom:
    def filter(self, doc):
        if "boom" in doc["text"]:
            raise RuntimeError("kaboom")
        return True
"""


def _run(tmp_path, config: str) -> subprocess.CompletedProcess:
    docs = [
        {"id": "kept", "text": SENTENCE * 6 + "SECRET"},
        {"id": "forbidden", "text": SENTENCE * 6 + "forbidden"},
        {"id": "boom", "text": SENTENCE * 6 + "boom"},
    ]
    (tmp_path / "docs.jsonl").write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    (tmp_path / "my_plugins.py").write_text(PLUGINS)
    (tmp_path / "config.yaml").write_text(config)
    command = [sys.executable, "-m", "pipelines.cli", "run", "--config", "config.yaml"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [*command, "--output", "out"], cwd=tmp_path, env=env, capture_output=True, text=True
    )


CONFIG = f"""
sources: [{{name: s, paths: [docs.jsonl]}}]
quality: {{reject: false}}
plugins:
  - {{class: "my_plugins:Redact"}}
  - {{class: "my_plugins:Boom"}}
  - {{class: fasttext_quality, args: {{model_path: "{MODEL}"}}}}
"""


def test_plugins_reject_score_and_edit_in_the_run(tmp_path):
    done = _run(tmp_path, CONFIG)
    assert done.returncode == 0, done.stderr[-2000:]
    corpus = pq.read_table(tmp_path / "out" / "corpus" / "part-00000.parquet").to_pylist()
    rejects = pq.read_table(tmp_path / "out" / "rejects" / "part-00000.parquet").to_pylist()
    assert [row["id"] for row in corpus] == ["kept"]
    kept = corpus[0]
    assert kept["text"].endswith("[X]")
    assert kept["text_edits"] == [
        {
            "step": "plugin:redact",
            "spans": None,
            "chars_before": len(SENTENCE) * 6 + 6,
            "chars_after": len(SENTENCE) * 6 + 3,
        }
    ]
    assert dict(kept["plugin_scores"])["fasttext_quality.score"] > 0.5
    reasons = {row["id"]: (row["reject_stage"], row["reject_reason"]) for row in rejects}
    assert reasons == {
        "forbidden": ("plugin", "plugin:redact.forbidden_word"),
        "boom": ("plugin", "plugin:Boom.error"),
    }


def test_a_bad_plugin_stops_the_run_before_anything_is_written(tmp_path):
    done = _run(tmp_path, CONFIG.replace("my_plugins:Boom", "my_plugins:Missing"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("has no class 'Missing'")
    assert not (tmp_path / "out").exists()


def test_no_plugin_columns_without_plugins(tiny_run):
    names = pq.read_schema(next((tiny_run.out / "corpus").glob("*.parquet"))).names
    assert "plugin_scores" not in names and "text_edits" not in names
