"""``curate run`` needs no network: no model, runner or data download at run time.

``curate run --input`` (default policy: hybrid language identification, the synthetic-text
model; a local Beam runner with worker processes) runs in a subprocess
whose Python sockets refuse and log every connection or name lookup that is not loopback
(worker processes talk to the runner over loopback gRPC). As root with ``unshare`` available,
the subprocess also runs in a new network namespace with only loopback up, which blocks
native code (gRPC's C core) as well.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fuzz_corpus import write_fuzz_corpus
from tests.paths import REPO

#: Installed as ``sitecustomize`` in the run's processes (the venv has none of its own).
GUARD = '''
"""Refuse and log every non-loopback connection or name lookup made through Python sockets."""
import ipaddress
import os
import socket

_LOG = os.environ["CURATE_NETWORK_LOG"]
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_local(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host is None or str(host).lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what, target):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {what} {target!r}\\n")
    raise OSError(f"network access blocked in tests: {what} {target!r}")


def _guard(name, target_of):
    original = getattr(socket.socket, name)

    def guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(target_of(address)):
            _refuse(name, address)
        return original(self, address, *args)

    setattr(socket.socket, name, guarded)


for _name in ("connect", "connect_ex"):
    _guard(_name, lambda address: address[0])
_original_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse("getaddrinfo", host)
    return _original_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo
'''


def _network_namespace() -> list[str]:
    """``unshare --net`` with loopback up, when this process may create one; else nothing."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        return []
    return ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


def run_guarded(tmp_path: Path, *beam: str) -> tuple[subprocess.CompletedProcess, str, Path]:
    """``curate run`` on a small corpus, network blocked: (result, logged attempts, OUT)."""
    (tmp_path / "guard").mkdir()
    (tmp_path / "guard" / "sitecustomize.py").write_text(GUARD)
    corpus = write_fuzz_corpus(tmp_path / "corpus", sources=("lines",))
    log = tmp_path / "network.log"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(tmp_path / "guard"), str(REPO)]),
        CURATE_NETWORK_LOG=str(log),
    )
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(proxy, None)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipelines.cli", "run", "--input", str(corpus.root / "lines")]
    result = subprocess.run(
        [*_network_namespace(), *command, "--output", str(out), *beam],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, log.read_text() if log.exists() else "", out


def test_default_runner_needs_no_network(tmp_path):
    """No ``--runner``: the CLI's default runner (in-memory mode, to keep the test short)."""
    result, attempts, out = run_guarded(tmp_path, "--direct_running_mode=in_memory")
    assert result.returncode == 0, result.stderr[-3000:]
    assert attempts == "", f"network access attempted:\n{attempts}"
    assert (out / "_SUCCESS").exists()


def test_local_runner_with_worker_processes_needs_no_network(tmp_path):
    beam = ("--runner=FnApiRunner", "--direct_running_mode=multi_processing")
    result, attempts, out = run_guarded(tmp_path, *beam, "--direct_num_workers=2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert attempts == "", f"network access attempted:\n{attempts}"
    assert (out / "_SUCCESS").exists()
    assert "documents in:" in result.stdout


def test_guard_refuses_the_outside_world(tmp_path):
    """The guard itself works: a connection to a public name is refused and logged."""
    (tmp_path / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "network.log"
    env = dict(os.environ, PYTHONPATH=str(tmp_path), CURATE_NETWORK_LOG=str(log))
    probe = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('pypi.org', 443), 1)\n"
        "except OSError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert "network access blocked" in result.stdout
    assert "pypi.org" in log.read_text()
