"""Runner workarounds: SplitByTag (no multi-output ParDo) and freed memory given back."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from tests.paths import REPO
from tests.transforms.beam_helpers import local_pipeline
from transforms.runner_workarounds import MALLOC_SETTINGS, SplitByTag


def test_split_by_tag_selects_each_tag():
    with local_pipeline() as pipeline:
        parts = (
            pipeline
            | beam.Create([("a", 1), ("b", 2), ("a", 3), ("c", 4)])
            | SplitByTag(["a", "b"])
        )
        assert_that(parts["a"], equal_to([1, 3]), label="a")
        assert_that(parts["b"], equal_to([2]), label="b")


#: Allocates 2,000 blocks of 100 kB (shuffle buffers passed on) between small objects that
#: stay, frees the blocks and prints how much RSS (MiB) the process kept.
_PASS_ON_BUFFERS = """
import sys, psutil
import transforms.runner_workarounds as workarounds
applied = workarounds.return_freed_memory() if sys.argv[1] == "tuned" else []
before = psutil.Process().memory_info().rss
blocks, stay = [], []
for _ in range(2000):
    blocks.append(bytearray(100_000))
    stay.append(bytearray(600))
del blocks
print((psutil.Process().memory_info().rss - before) >> 20, ",".join(applied))
"""


def _kept_mib(mode: str, **environment: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | environment
    command = [sys.executable, "-c", _PASS_ON_BUFFERS, mode]
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, check=True)
    kept, applied = (done.stdout.split() + [""])[:2]
    return int(kept), applied


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="a glibc workaround")
def test_local_runner_processes_give_freed_buffers_back():
    kept, _ = _kept_mib("plain")
    assert kept > 150, "glibc keeps freed 100 kB blocks by default (the workaround's reason)"
    kept, applied = _kept_mib("tuned")
    assert kept < 50
    assert applied == ",".join(MALLOC_SETTINGS)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="a glibc workaround")
def test_malloc_settings_reach_worker_processes_and_leave_the_users_own():
    probe = "import os; print(os.environ['MALLOC_ARENA_MAX'], os.environ['MALLOC_MMAP_THRESHOLD_'])"
    code = (
        "import subprocess, sys\n"
        "from transforms.runner_workarounds import return_freed_memory\n"
        "print(','.join(return_freed_memory()))\n"
        f"subprocess.run([sys.executable, '-c', {probe!r}], check=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env["MALLOC_ARENA_MAX"] = "4"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    applied, seen = done.stdout.splitlines()
    assert applied == "MALLOC_MMAP_THRESHOLD_,MALLOC_TRIM_THRESHOLD_"
    assert seen == f"4 {MALLOC_SETTINGS['MALLOC_MMAP_THRESHOLD_']}"
