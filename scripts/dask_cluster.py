"""A local Dask cluster (one scheduler and N worker OS processes) for tests and benchmarks.

:func:`start_cluster` starts ``dask scheduler`` and ``dask worker`` processes (the CLIs of
``dask[distributed]``, run with this interpreter so the workers import the repo's packages),
waits until every worker has registered and returns their addresses and process ids;
:func:`stop_cluster` stops exactly those processes (checked by pid *and* start time, so a
reused pid is never signalled). Users start clusters with the plain Dask CLIs
(docs/cluster.md).

Workers run in ``cwd``, so relative input paths in a config resolve the same on the workers as
in the launching process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from curation.config import ConfigError

#: Seconds to wait for the scheduler and all workers to come up.
START_TIMEOUT_S = 60.0
#: Seconds a process gets to exit after SIGTERM before it is sent SIGKILL.
STOP_GRACE_S = 10.0


@dataclass(frozen=True)
class ClusterProcess:
    """One started process: its pid, its start time (``psutil`` epoch seconds) and its role."""

    pid: int
    started: float
    role: str


@dataclass(frozen=True)
class ClusterState:
    """A running local cluster: scheduler address, processes, log directory."""

    address: str
    processes: tuple[ClusterProcess, ...]
    log_dir: str


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        message = "dask.distributed is not installed: pip install 'curate[dask]'"
        raise ConfigError(message) from error


def _spawn(args: list[str], log: Path, cwd: str | None) -> subprocess.Popen:
    """Start ``python -m <args>`` in a new session (its own process group), output to ``log``."""
    with open(log, "ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )


def _record(process: subprocess.Popen, role: str) -> ClusterProcess:
    import psutil

    return ClusterProcess(process.pid, psutil.Process(process.pid).create_time(), role)


def _wait_for_workers(address: str, workers: int, timeout_s: float) -> None:
    from distributed import Client

    with Client(address, timeout=timeout_s) as client:
        client.wait_for_workers(workers, timeout=timeout_s)


def start_cluster(
    workers: int = 2,
    threads: int = 1,
    host: str = "127.0.0.1",
    port: int = 0,
    log_dir: str | os.PathLike[str] = ".",
    cwd: str | None = None,
    timeout_s: float = START_TIMEOUT_S,
    memory_limit: str | None = None,
) -> ClusterState:
    """Start a scheduler on ``host:port`` (0 = a free port) and ``workers`` worker processes.

    Each worker is a separate OS process (``--nworkers 1 --no-nanny``) with ``threads``
    threads; no dashboards. ``memory_limit`` (Dask's ``--memory-limit``, e.g. ``"1.5GiB"``)
    bounds each worker: past fractions of it the worker spills its data to disk. Returns once
    all workers have registered with the scheduler; on any failure every process already
    started is stopped before the error propagates.
    """
    if workers < 1 or threads < 1:
        raise ConfigError(f"need workers >= 1 and threads >= 1, got {workers} and {threads}")
    _require_distributed()
    logs = Path(log_dir)
    logs.mkdir(parents=True, exist_ok=True)
    address = f"tcp://{host}:{port or free_port(host)}"
    started: list[ClusterProcess] = []
    try:
        scheduler = _spawn(
            ["distributed.cli.dask_scheduler", "--host", host, "--port", address.rsplit(":", 1)[1],
             "--no-dashboard", "--no-show"],
            logs / "scheduler.log",
            cwd,
        )  # fmt: skip
        started.append(_record(scheduler, "scheduler"))
        for index in range(workers):
            worker = _spawn(
                ["distributed.cli.dask_worker", address, "--nworkers", "1",
                 "--nthreads", str(threads), "--no-nanny", "--no-dashboard", "--host", host,
                 "--name", f"worker-{index}", "--local-directory", str(logs / "dask-worker-space"),
                 *(["--memory-limit", memory_limit] if memory_limit else [])],
                logs / f"worker-{index}.log",
                cwd,
            )  # fmt: skip
            started.append(_record(worker, "worker"))
        _wait_for_workers(address, workers, timeout_s)
    except BaseException:
        stop_processes(started)
        raise
    return ClusterState(address, tuple(started), str(logs))


def _is_ours(entry: ClusterProcess) -> bool:
    """Whether ``entry.pid`` is still the process we started (same start time)."""
    import psutil

    try:
        return abs(psutil.Process(entry.pid).create_time() - entry.started) < 1e-3
    except psutil.NoSuchProcess:
        return False


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def stop_processes(processes: list[ClusterProcess] | tuple[ClusterProcess, ...]) -> None:
    """SIGTERM each still-running listed process (and its process group), then SIGKILL.

    Only processes whose pid and start time both match are signalled; each was started as the
    leader of its own session, so its group holds it and any children it spawned.
    """
    import psutil

    alive = [entry for entry in processes if _is_ours(entry)]
    for entry in reversed(alive):  # workers first, scheduler last
        _signal_group(entry.pid, signal.SIGTERM)
    handles = [psutil.Process(entry.pid) for entry in alive if _is_ours(entry)]
    _, still_alive = psutil.wait_procs(handles, timeout=STOP_GRACE_S)
    for process in still_alive:
        _signal_group(process.pid, signal.SIGKILL)
    psutil.wait_procs(still_alive, timeout=STOP_GRACE_S)


def stop_cluster(state: ClusterState) -> None:
    stop_processes(state.processes)


def running_processes(state: ClusterState) -> list[ClusterProcess]:
    """The processes of ``state`` that are still running (zombies count as exited)."""
    import psutil

    def alive(entry: ClusterProcess) -> bool:
        try:
            return _is_ours(entry) and psutil.Process(entry.pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    return [entry for entry in state.processes if alive(entry)]
