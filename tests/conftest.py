"""Fixtures shared across test packages."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.tiny_corpus import run_tiny

# Property tests (Hypothesis): a bounded, derandomized run in `make test` (the same examples on
# every run, so CI is repeatable); `HYPOTHESIS_PROFILE=soak` for many more, random, examples
# (docs/limits.md). No deadline: timing belongs in benchmarks, not in tests.
settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "soak", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the docs examples first: their shared fixture is the suite's longest single item,
    so with several workers (``make test`` runs pytest-xdist) one starts it while the others
    take the rest."""
    items.sort(key=lambda item: item.path.name != "test_docs_examples.py")
