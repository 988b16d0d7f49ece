"""The end-of-run summary (``pipelines/summary.py``) of a real run's manifest."""

from __future__ import annotations

import copy
import json

from pipelines.summary import format_summary


def test_a_run_that_keeps_nothing_says_none_for_languages_and_licences(tiny_out):
    manifest = json.loads((tiny_out / "manifest.json").read_text())
    assert "  kept languages: none" not in format_summary(manifest, str(tiny_out))
    empty = copy.deepcopy(manifest)
    empty["counts"]["kept_languages"] = {}
    empty["counts"]["kept_by_license"] = {}
    lines = format_summary(empty, str(tiny_out)).splitlines()
    assert "  kept languages: none" in lines
    assert "  kept by licence: none" in lines
