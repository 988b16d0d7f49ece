"""``benchmarks/scorer_eval.py``: a scorer plug-in evaluated zero-shot on the dev sets, with
the tables a user needs before plugging it in, and a bad scorer as a one-line error."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from tests.paths import REPO, SHARED_SYNTHETIC

SCRIPT = REPO / "benchmarks" / "scorer_eval.py"
PLUGIN = "tests.curation.synthetic.scorer_plugins"
DEV = SHARED_SYNTHETIC / "dev.jsonl.gz"
needs_dev_sets = pytest.mark.skipif(
    not DEV.exists(), reason=f"shared dev set absent ({DEV}): it lives in ../shared beside the repo"
)


def _eval(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), "--dev", str(DEV)]
    command += ["--dev2", str(SHARED_SYNTHETIC / "dev2"), "--limit", "120", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


@needs_dev_sets
def test_a_plugin_gets_every_table_at_its_threshold(tmp_path):
    log = tmp_path / "batches.txt"
    args = json.dumps({"log": str(log)})
    scorer = f"{PLUGIN}:BatchMarkerShare"
    done = _eval("--scorer", scorer, "--args", args, "--out", str(tmp_path / "eval.md"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert max(int(n) for n in log.read_text().split()) == 3  # its batch_size, as in a run
    text = (tmp_path / "eval.md").read_text(encoding="utf-8")
    assert text.startswith(f"## Scorer plug-in `{scorer}` (zero-shot")
    assert "English texts: 240; scored" in text
    for header in ("| domain |", "| generator |", "| length band (words) |"):
        assert header in text
    assert "| gpt2-xl (base / not chat) |" in text and "| dev2/legal |" in text
    assert "| 30-49 |" in text and "| 200+ |" in text


def test_a_bad_scorer_is_one_line_and_exit_2():
    done = _eval("--scorer", f"{PLUGIN}:PlainProbability")
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("scorer_eval: synthetic.scorer: PlainProbability.threshold")


@pytest.mark.parametrize("seed", range(3))
def test_auroc_is_the_mann_whitney_statistic(seed):
    spec = importlib.util.spec_from_file_location("scorer_eval", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.normal(size=200) + y, 1)  # ties included
    pairs = s[y == 1][:, None] - s[y == 0][None, :]
    expected = ((pairs > 0).sum() + 0.5 * (pairs == 0).sum()) / pairs.size
    assert module.auroc(y, s) == pytest.approx(expected)
    assert np.isnan(module.auroc(np.zeros(5, dtype=int), np.arange(5.0)))
