"""Paths the tests read: the repository, the shipped sample corpus, and the shared dev sets."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "data" / "sample"
SAMPLE_CONFIG = REPO / "pipelines" / "configs" / "sample.yaml"
#: Labelled human/LLM dev sets shared by the team (``../shared`` beside the repository; also
#: present in CI). Tests that need them are skipped, saying so, when it is absent.
SHARED_SYNTHETIC = REPO.parent / "shared" / "data" / "synthetic"
