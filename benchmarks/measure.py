"""Run a command and measure it: wall seconds and peak memory of its whole process tree.

Memory is PSS (proportional set size: shared pages split between the processes sharing them,
so summing over a process tree counts each page once), read from ``/proc/PID/smaps_rollup``
every 0.1 s, or less often when that read is slow (:data:`SAMPLER_WAIT_FACTOR`); peak RSS is
reported beside it for comparison with older figures. CPU seconds (user + system) of the tree
come from ``getrusage(RUSAGE_CHILDREN)`` (every process of the tree that was waited for): on a
shared machine they move much less with the load than wall seconds do.
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil

#: Shortest interval between two samples (seconds).
SAMPLE_SECONDS = 0.1
#: Reading ``smaps_rollup`` walks a process's memory map: 10-40 ms for a large Python process,
#: so sampling a pipeline's tree every 0.1 s took about half of one core, which the measured run
#: (on a 2-core machine) then lacked. After each sample the sampler waits this many times as
#: long as the sample took, so it never takes more than 1/(1 + factor) of one core.
SAMPLER_WAIT_FACTOR = 20


def pss_bytes(pid: int) -> int:
    """PSS of one process in bytes (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def sample_until(done: threading.Event, sample: Callable[[], None]) -> None:
    """Call ``sample`` until ``done`` is set: every :data:`SAMPLE_SECONDS`, or
    :data:`SAMPLER_WAIT_FACTOR` times as long as the last call took when that is longer."""
    while not done.is_set():
        began = time.perf_counter()
        sample()
        done.wait(max(SAMPLE_SECONDS, SAMPLER_WAIT_FACTOR * (time.perf_counter() - began)))


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(command: Sequence[str], log: Path, cwd: Path | str | None = None) -> dict:
    """Run ``command`` (in ``cwd``); return wall seconds, CPU seconds of the tree, peak PSS and
    RSS summed over its process tree and of its largest process (MiB, sampled), and its
    stdout. Raises ``RuntimeError`` naming ``log`` (its stderr) when it fails."""
    start = time.perf_counter()
    cpu_before = _children_cpu_seconds()
    with log.open("w") as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=cwd)
        peak = {"pss_tree": 0, "pss_process": 0, "rss_tree": 0}
        done = threading.Event()

        def sample() -> None:
            processes = _tree(root)
            pss = [pss_bytes(p.pid) for p in processes]
            rss = []
            for process in processes:
                with contextlib.suppress(psutil.Error):
                    rss.append(process.memory_info().rss)
            if pss:
                peak["pss_tree"] = max(peak["pss_tree"], sum(pss))
                peak["pss_process"] = max(peak["pss_process"], max(pss))
                peak["rss_tree"] = max(peak["rss_tree"], sum(rss))

        root = psutil.Process(proc.pid)
        sampler = threading.Thread(target=sample_until, args=(done, sample), daemon=True)
        sampler.start()
        stdout, _ = proc.communicate()
        done.set()
        sampler.join()
    seconds = time.perf_counter() - start
    cpu_seconds = _children_cpu_seconds() - cpu_before
    if proc.returncode != 0:
        raise RuntimeError(f"{list(command[:3])} failed ({proc.returncode}); see {log}")
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 1),
        "peak_pss_tree_mib": round(peak["pss_tree"] / 2**20),
        "peak_pss_process_mib": round(peak["pss_process"] / 2**20),
        "peak_rss_tree_mib": round(peak["rss_tree"] / 2**20),
        "stdout": stdout,
    }
