"""What ``curate run`` shows while it runs: the plan, then a progress line for local runs.

The progress line counts documents scored (from the workers' counter files, see
:mod:`curation.progress`). On a terminal it is rewritten in place every second; otherwise
(CI logs, nohup) one line is printed every 30 seconds, so logs are not flooded. Runs on cluster
runners print the plan only.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TextIO

from curation.plan import RunPlan
from curation.progress import total_progress

#: The work directory's subdirectory for the workers' progress counters (local runs).
PROGRESS_DIR = "_progress"
STAGES = "read -> validate -> score (language, quality, synthetic, MinHash) -> ids -> "
STAGES += "exact dedup -> near dedup -> write"


def describe_runner_line(runner: Mapping[str, Any]) -> str:
    """``LocalRunner (multi_processing, 2 workers)``, or the runner's name alone."""
    if runner.get("mode") is None:
        return str(runner["runner"])
    return f"{runner['runner']} ({runner['mode']}, {runner['workers']} workers)"


def format_plan(plan: RunPlan, runner: Mapping[str, Any]) -> str:
    """Two lines: what is read, on which runner, through which stages."""
    total_bytes = sum(file.size_bytes for file in plan.files)
    sources = len(plan.config.sources)
    hasher = plan.hasher
    return (
        f"curate: {len(plan.files)} files ({total_bytes / 1e6:.1f} MB) from {sources} sources "
        f"on {describe_runner_line(runner)}\n"
        f"curate: stages: {STAGES} (LSH {hasher.bands}x{hasher.rows})"
    )


class ProgressReporter:
    """Background thread printing documents scored so far; use as a context manager."""

    def __init__(self, directory: str, stream: TextIO | None = None) -> None:
        self._directory = directory
        self._stream = stream or sys.stderr  # looked up now: sys.stderr may have been replaced
        self._interactive = self._stream.isatty()
        self._interval = 1.0 if self._interactive else 30.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="curate-progress", daemon=True)
        self._started = time.monotonic()

    def __enter__(self) -> ProgressReporter:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self._interactive:
            self._stream.write("\n")
            self._stream.flush()

    def line(self) -> str:
        elapsed = time.monotonic() - self._started
        done = total_progress(self._directory)
        rate = done / elapsed if elapsed > 0 else 0.0
        minutes, seconds = divmod(int(elapsed), 60)
        return f"curate: scored {done:,} documents ({rate:,.0f}/s), {minutes:02d}:{seconds:02d}"

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            if self._interactive:
                self._stream.write("\r" + self.line())
            else:
                self._stream.write(self.line() + "\n")
            self._stream.flush()
