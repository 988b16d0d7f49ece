"""The progress line: records done of the total, rate and ETA through score, dedup and write;
one line per interval off a terminal, rewritten in place on one; worker log lines hidden."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time

from curation.progress import (
    DECIDED,
    DOCUMENTS,
    PIECE_BYTES,
    PIECE_RECORDS,
    PIECES,
    RECORDS,
    WRITTEN,
    ProgressFile,
)
from pipelines.progress import Progress, ProgressReporter, format_progress
from tests.paths import REPO
from tests.tiny_corpus import write_tiny_corpus

#: 10 pieces of 100 bytes; 4 finished with 10 records each, 50 records read so far.
SCORING = {RECORDS: 50, PIECES: 4, PIECE_BYTES: 400, PIECE_RECORDS: 40, DOCUMENTS: 36}
SCORED = {RECORDS: 100, PIECES: 10, PIECE_BYTES: 1000, PIECE_RECORDS: 100, DOCUMENTS: 90}


def test_while_scoring_the_total_is_estimated_from_the_finished_pieces():
    line = format_progress(Progress(SCORING, 10, 1000), stage_seconds=5, work_seconds=5)
    assert line.startswith("curate: score 50/~100 records (50%), 10/s, ETA ")
    # 0.9 x 50 % done in 5 s: 0.55 of the work left takes 6.1 s
    assert line.endswith("ETA 00:06")


def test_after_scoring_dedup_counts_documents_of_the_exact_total():
    progress = Progress({**SCORED, DECIDED: 45}, 10, 1000)
    line = format_progress(progress, stage_seconds=1, work_seconds=17)
    assert line.startswith("curate: dedup 45/90 documents (50%), 45/s, ETA ")
    assert round(progress.done(), 6) == 0.925


def test_writing_counts_records_of_the_exact_total_once_every_document_is_decided():
    progress = Progress({**SCORED, DECIDED: 90}, 10, 1000)
    assert format_progress(progress, 1, 10).startswith("curate: write 0/100 records (0%), -/s")
    progress = Progress({**SCORED, DECIDED: 90, WRITTEN: 25}, 10, 1000)
    assert format_progress(progress, 1, 10).startswith("curate: write 25/100 records (25%)")


def _counters(directory, counts) -> None:
    progress = ProgressFile(str(directory))
    for counter, count in counts.items():
        progress.add(counter, count)
    progress.flush()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _report(tmp_path, stream, seconds: float) -> str:
    _counters(tmp_path / "p1", SCORING)
    with ProgressReporter(str(tmp_path / "p1"), 10, 1000, stream, interval=0.05):
        time.sleep(seconds)
        rest = {name: SCORED[name] - SCORING[name] for name in SCORED}
        _counters(tmp_path / "p1", {**rest, DECIDED: 90, WRITTEN: 100})
        time.sleep(seconds)
    return stream.getvalue()


def test_off_a_terminal_each_report_is_a_line_of_its_own(tmp_path):
    text = _report(tmp_path, io.StringIO(), 0.3)
    assert "\r" not in text
    lines = text.splitlines()
    assert len(lines) >= 4
    assert lines[0].startswith("curate: score 50/~100 records (50%)")
    assert "curate: write 100/100 records (100%), finishing" in lines
    assert re.fullmatch(r"curate: wrote 100 records in 00:00, [\d,]+ records/s", lines[-1])


def test_on_a_terminal_the_line_is_rewritten_in_place(tmp_path):
    text = _report(tmp_path, _Terminal(), 0.3)
    assert text.count("\n") == 1 and text.endswith("\n")
    updates = text.rstrip("\n").split("\r")[1:]
    assert len(updates) >= 4
    assert updates[0].startswith("curate: score")
    assert updates[-1].startswith("curate: wrote 100 records")


def _run_two_workers(tmp_path, *flags: str) -> subprocess.CompletedProcess:
    config = write_tiny_corpus(tmp_path)
    args = [*flags, "run", "--config", str(config), "--output", str(tmp_path / "out")]
    beam = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args, *beam],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_a_run_off_a_terminal_shows_progress_and_no_worker_log_lines(tmp_path):
    done = _run_two_workers(tmp_path)
    lines = done.stderr.splitlines()
    assert all(line.startswith("curate: ") for line in lines), done.stderr
    assert "curate: wrote 24 records in " in done.stderr


def test_verbose_shows_the_worker_log_lines(tmp_path):
    done = _run_two_workers(tmp_path, "--verbose")
    assert "Logging handler created" in done.stderr
