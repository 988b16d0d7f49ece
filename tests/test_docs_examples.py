"""Every command the README and docs/ show runs as written, so the docs cannot rot.

Each fenced ``sh`` block of README.md and docs/*.md is run by bash (``-e -o pipefail``) in one
scratch directory shaped like a fresh clone after ``make run``: the sample corpus and its
config, the small evaluation set ``data/evaluation`` and example inputs ``data/examples``,
``.venv/bin`` (this interpreter's environment, also first on ``PATH`` for ``curate`` and
``python``) and ``out/``, made by the Makefile's own ``run`` recipe once and shared by every
block. A block fails on a non-zero exit
or on a query answering ``0 rows``. A command that is meant to fail says so in its comment,
``# exit 2: why``, and must exit with that code.

A block that cannot run here (it needs a cloud account, a cluster, other software, or is a
long benchmark) is fenced ```` ```sh no-run: reason ````; every other fence names its content
(``text``, ``yaml``, ``python``...), so no command hides in an unnamed block.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import REPO, SAMPLE_CONFIG, SAMPLE_DIR

DOCS = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))
_FENCE = re.compile(
    r"^(?P<indent> *)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S
)
_NO_RUN = re.compile(r"sh no-run: \S")
#: A command line whose comment says the exit code it must end with: ``cmd  # exit 2: why``.
_EXPECTED_EXIT = re.compile(r"^(?P<command>[^#\n]*\S)\s+#.*?\bexit (?P<code>\d+)\b.*$", re.M)
#: What an example that found nothing prints: ``corpus where ...: 0 rows`` or JSON ``"count": 0``.
_NO_ROWS = re.compile(r"(?<![\d,])0 rows\b|\"count\": 0\b")
#: Seconds one block may take.
BLOCK_TIMEOUT = 900
#: Blocks run at the same time.
PARALLEL_BLOCKS = 2


@dataclass(frozen=True)
class Block:
    """One fenced block: its file, first line, info string and text."""

    path: Path
    line: int
    info: str
    body: str

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.info.split(" ")[0] == "sh" and not self.info.startswith("sh no-run")


def doc_blocks() -> list[Block]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            body = "\n".join(
                line.removeprefix(match["indent"]) for line in match["body"].splitlines()
            )
            line = text.count("\n", 0, match.start()) + 1
            found.append(Block(path, line, match["info"].strip(), body))
    return found


BLOCKS = doc_blocks()
RUNNABLE = [block for block in BLOCKS if block.runs]


def test_every_fence_names_its_content_and_every_skipped_block_says_why():
    assert len(RUNNABLE) >= 10
    for block in BLOCKS:
        assert block.info, f"{block.name}: a fence without an info string (sh, text, yaml, ...)"
        assert block.info.split(" ")[0] not in ("bash", "shell", "console"), (
            f"{block.name}: shell commands are fenced as sh (run by this test)"
        )
        if block.info.startswith("sh") and not block.runs:
            assert _NO_RUN.match(block.info), f"{block.name}: write ```sh no-run: <reason>"


def _make_run_recipe() -> str:
    """The commands of the Makefile's ``run`` target, with ``$(BIN)`` as ``.venv/bin``."""
    lines = (REPO / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("run:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip().replace("$(BIN)", ".venv/bin"))
    assert recipe, "the Makefile has no run recipe"
    return "\n".join(recipe)


def _script(body: str) -> str:
    """``body`` with each ``cmd  # exit N`` line checked for exit code ``N``."""

    def expect(match: re.Match) -> str:
        line = body.count("\n", 0, match.start()) + 1
        return (
            f"if {match['command']}\nthen __rc=0; else __rc=$?; fi\n"
            f'if [ "$__rc" != {match["code"]} ]; then '
            f'echo "line {line}: expected exit {match["code"]}, got $__rc" >&2; exit 1; fi'
        )

    return _EXPECTED_EXIT.sub(expect, body)


@dataclass(frozen=True)
class Workspace:
    root: Path
    env: dict[str, str]

    def run(self, script: str, name: str) -> tuple[int, str, str]:
        """Run ``script`` in bash in its own session; returns (exit code, stdout, stderr). Any
        process the script left running (a server started with ``&``) is ended after it."""
        logs = self.root.parent / "logs"
        logs.mkdir(exist_ok=True)
        slug = re.sub(r"\W", "_", name)
        out_path, err_path = logs / f"{slug}.out", logs / f"{slug}.err"
        with out_path.open("w") as out, err_path.open("w") as err:
            process = subprocess.Popen(
                ["bash", "-e", "-o", "pipefail", "-x", "-c", script],
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
            try:
                code = process.wait(timeout=BLOCK_TIMEOUT)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        return code, out_path.read_text(errors="replace"), err_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A fresh clone's files the examples use, after ``make run``."""
    root = tmp_path_factory.mktemp("docs") / "curate"
    shutil.copytree(SAMPLE_DIR, root / "data" / "sample")
    shutil.copytree(REPO / "data" / "evaluation", root / "data" / "evaluation")
    shutil.copytree(REPO / "data" / "examples", root / "data" / "examples")
    (root / "pipelines" / "configs").mkdir(parents=True)
    shutil.copy(SAMPLE_CONFIG, root / "pipelines" / "configs" / "sample.yaml")
    venv_bin = Path(sys.executable).parent
    (root / ".venv").mkdir()
    (root / ".venv" / "bin").symlink_to(venv_bin)
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO),  # this checkout's code, whatever the environment installed
        "HF_HOME": str(root.parent / "hf-home"),  # `datasets` caches here, not in ~/.cache
    }
    space = Workspace(root, env)
    code, stdout, stderr = space.run(_make_run_recipe(), "make-run")
    assert code == 0, f"make run's recipe failed:\n{stdout}\n{stderr}"
    return space


@pytest.fixture(scope="module")
def outcomes(workspace: Workspace) -> dict[str, tuple[int, str, str]]:
    """Every runnable block's (exit code, stdout, stderr), two blocks at a time: they write
    different paths and only read ``out/``, and most of a block's time is one process starting
    (imports, models), so two share the machine's cores well."""
    with ThreadPoolExecutor(max_workers=PARALLEL_BLOCKS) as pool:
        runs = {
            block.name: pool.submit(workspace.run, _script(block.body), block.name)
            for block in RUNNABLE
        }
        return {name: run.result() for name, run in runs.items()}


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.name for block in RUNNABLE])
def test_doc_example_runs_as_written(outcomes, block):
    code, stdout, stderr = outcomes[block.name]
    shown = f"{block.name}: exit {code}\n--- stdout\n{stdout[-4000:]}\n--- stderr\n{stderr[-4000:]}"
    assert code == 0, shown
    assert not _NO_ROWS.search(stdout), f"an example that finds nothing: {shown}"
