"""What ``curate run`` shows while it runs: the plan, then a progress line for local runs.

The progress line shows the current stage (score, dedup, write), its records or documents done
of the total, its rate and the run's ETA, from the workers' counter files
(:mod:`curation.progress`). The total is the plan's input bytes times the records per byte of
the pieces scored so far (marked ``~``) until every piece is scored, then exact. On a terminal
the line is rewritten in place every second; otherwise (CI logs, nohup) one line is printed
every 10 seconds, so logs are not flooded. Runs on cluster runners print the plan only.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TextIO

from curation.plan import RunPlan
from curation.progress import (
    DECIDED,
    DOCUMENTS,
    PIECE_BYTES,
    PIECE_RECORDS,
    PIECES,
    RECORDS,
    WRITTEN,
    total_progress,
)

#: Seconds between progress lines on a terminal (rewritten in place) and in a log.
TERMINAL_INTERVAL = 1.0
LOG_INTERVAL = 10.0
#: The work directory's subdirectory for the workers' progress counters (local runs).
PROGRESS_DIR = "_progress"


def stages(plan: RunPlan) -> str:
    """The stages a run goes through, the optional ones only when configured."""
    scored = ["language", "quality", "synthetic", "MinHash"]
    if plan.config.decontamination.paths:
        scored.append("decontamination")
    pii = plan.config.pii.policy
    score = f"{'' if pii == 'off' else f'PII {pii} -> '}score ({', '.join(scored)})"
    repeated = plan.config.dedup.repeated
    write = "write" if repeated is None else f"remove repeated {repeated.unit}s -> write"
    return f"read -> validate -> {score} -> ids -> exact dedup -> near dedup -> {write}"


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
        f"curate: stages: {stages(plan)} (LSH {hasher.bands}x{hasher.rows})"
    )


#: Each stage's rough share of a run's work (after the workers started), for the ETA: on the
#: sample corpus (1,650 documents, 2 workers, a loaded machine) scoring took 46 s, dedup 2 s,
#: writing 1 s. Rough shares are enough: the ETA is re-estimated on every line.
STAGE_WEIGHTS = {"score": 0.9, "dedup": 0.05, "write": 0.05}


@dataclass(frozen=True)
class Progress:
    """Where a run is: the workers' summed counters (:mod:`curation.progress`) against the
    plan's pieces and input bytes."""

    counts: Mapping[str, int]
    pieces: int
    input_bytes: int

    @property
    def scored(self) -> bool:
        return self.counts.get(PIECES, 0) >= self.pieces

    def total_records(self) -> int | None:
        """Records in the input: exact once every piece is scored, until then estimated from
        the records per input byte of the pieces finished so far (None before the first)."""
        if self.scored:
            return self.counts.get(PIECE_RECORDS, 0)
        piece_bytes = self.counts.get(PIECE_BYTES, 0)
        if not piece_bytes:
            return None
        return round(self.counts.get(PIECE_RECORDS, 0) * self.input_bytes / piece_bytes)

    def stage(self) -> str:
        """``score`` until every piece is scored, ``write`` once every document has its
        decision or a shard is written, ``dedup`` between."""
        if not self.scored:
            return "score"
        decided = self.counts.get(DECIDED, 0) >= self.counts.get(DOCUMENTS, 0)
        return "write" if decided or self.counts.get(WRITTEN, 0) else "dedup"

    def stage_counts(self) -> dict[str, tuple[int, int | None, str]]:
        """Stage -> (done, total or None, unit)."""
        total = self.total_records()
        return {
            "score": (self.counts.get(RECORDS, 0), total, "records"),
            "dedup": (self.counts.get(DECIDED, 0), self.counts.get(DOCUMENTS, 0), "documents"),
            "write": (self.counts.get(WRITTEN, 0), total, "records"),
        }

    def done(self) -> float:
        """Share of the run's work done, 0..1 (stages weighted by :data:`STAGE_WEIGHTS`)."""
        share = 0.0
        for stage, (count, total, _) in self.stage_counts().items():
            if stage == "dedup" and not self.scored:
                continue
            if total:
                share += STAGE_WEIGHTS[stage] * min(count / total, 1.0)
            elif stage == "dedup":  # nothing to deduplicate
                share += STAGE_WEIGHTS[stage]
        return share


def format_progress(progress: Progress, stage_seconds: float, work_seconds: float) -> str:
    """One line: the current stage's count of its total, its rate and the run's ETA.
    ``stage_seconds``: since the stage began; ``work_seconds``: since the first count."""
    stage = progress.stage()
    count, total, unit = progress.stage_counts()[stage]
    estimated = stage != "dedup" and not progress.scored
    if total is None:
        of = f"{count:,} {unit}"
    else:
        share = f" ({min(count / total, 1.0):.0%})" if total else ""
        of = f"{count:,}/{'~' if estimated else ''}{total:,} {unit}{share}"
    if stage == "write" and total is not None and count >= total:
        return f"curate: write {of}, finishing"
    rate = f"{count / stage_seconds:,.0f}/s" if stage_seconds > 0 and count else "-/s"
    done = progress.done()
    eta = "--:--"
    if 0 < done < 1 and work_seconds > 0:
        eta = _clock(work_seconds * (1 - done) / done)
    elif done >= 1:
        eta = "00:00"
    return f"curate: {stage} {of}, {rate}, ETA {eta}"


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}" if hours else f"{minute:02d}:{second:02d}"


class ProgressReporter:
    """Background thread printing the progress line; use as a context manager.

    On a terminal the line is rewritten in place (carriage return) every second; otherwise
    one line is printed every :data:`LOG_INTERVAL` seconds. The last state is printed when
    the run ends.
    """

    def __init__(
        self,
        directory: str,
        pieces: int,
        input_bytes: int,
        stream: TextIO | None = None,
        interval: float | None = None,
    ) -> None:
        self._directory = directory
        self._pieces = pieces
        self._input_bytes = input_bytes
        self._stream = stream or sys.stderr  # looked up now: sys.stderr may have been replaced
        self._interactive = self._stream.isatty()
        default = TERMINAL_INTERVAL if self._interactive else LOG_INTERVAL
        self._interval = default if interval is None else interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="curate-progress", daemon=True)
        self._stage: tuple[str, float] | None = None  # current stage and when it began
        self._first_count: float | None = None
        self._started = self._last_poll = time.monotonic()
        self._width = 0

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
        self._show(self.line() if kind else self.final_line())
        if self._interactive:
            self._stream.write("\n")
            self._stream.flush()

    def line(self) -> str:
        """The progress line now. A stage is taken to have begun at the poll before the one
        that first saw it."""
        now, last_poll = time.monotonic(), self._last_poll
        self._last_poll = now
        progress = Progress(total_progress(self._directory), self._pieces, self._input_bytes)
        if self._first_count is None and progress.counts:
            self._first_count = last_poll
        stage = progress.stage()
        if self._stage is None or self._stage[0] != stage:
            self._stage = (stage, last_poll)
        if self._first_count is None:
            return f"curate: starting workers, {_clock(now - self._started)}"
        return format_progress(progress, now - self._stage[1], now - self._first_count)

    def final_line(self) -> str:
        """Records written and the run's rate, once the pipeline has finished."""
        written = total_progress(self._directory).get(WRITTEN, 0)
        seconds = time.monotonic() - (self._first_count or self._last_poll)
        rate = f"{written / seconds:,.0f}" if seconds > 0 else "-"
        return f"curate: wrote {written:,} records in {_clock(seconds)}, {rate} records/s"

    def _show(self, line: str) -> None:
        if self._interactive:
            self._stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._show(self.line())
