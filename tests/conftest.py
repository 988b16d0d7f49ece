"""Fixtures shared across test packages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tiny_corpus import run_tiny


@dataclass(frozen=True)
class TinyRun:
    out: Path  # the finished run's output root
    stdout: str  # what ``curate run --json`` printed


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> TinyRun:
    """One ``curate run --json`` of the tiny corpus, shared read-only by every test that reads
    a finished output (copy it before changing anything)."""
    return TinyRun(*run_tiny(tmp_path_factory, "--json"))


@pytest.fixture(scope="session")
def tiny_out(tiny_run: TinyRun) -> Path:
    return tiny_run.out
