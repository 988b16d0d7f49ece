"""Shared helpers for Beam transform tests: a local runner that never downloads anything."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline


def local_pipeline(workers: int = 1) -> TestPipeline:
    """A TestPipeline on FnApiRunner, the DirectRunner's local engine (in-memory, or
    multi-processing when workers > 1), named directly so Beam never tries to fetch Prism."""
    if workers > 1:
        args = [
            "--runner=FnApiRunner",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={workers}",
        ]
    else:
        args = ["--runner=FnApiRunner", "--direct_running_mode=in_memory"]
    return TestPipeline(options=PipelineOptions(args), blocking=True)
