"""Killing a ``curate run`` subprocess for real, and finding what of it survived."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, session id) of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[3])


def _live_processes() -> dict[int, tuple[str, int, int]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _proc_stat(int(entry))) and stat[0] != "Z":
            found[int(entry)] = stat
    return found


def descendants(pid: int) -> set[int]:
    processes = _live_processes()
    family, grew = {pid}, True
    while grew:
        more = {child for child, (_, parent, _) in processes.items() if parent in family}
        grew = not more <= family
        family |= more
    return family - {pid}


def survivors(leader: int, family: set[int]) -> set[int]:
    """Live processes of the killed run: in its session, or ever seen below it."""
    return {
        pid
        for pid, (_, _, session) in _live_processes().items()
        if session == leader or pid in family
    }


def kill_group(process: subprocess.Popen) -> set[int]:
    """SIGKILL the run's process group; return the processes still alive 10 s later."""
    family = descendants(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while (left := survivors(process.pid, family)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
