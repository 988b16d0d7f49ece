"""Runner workarounds: SplitByTag (no multi-output ParDo), freed memory given back, the
workers' garbage-collector plugin."""

from __future__ import annotations

import os
import pickle
import platform
import subprocess
import sys

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import (
    DirectOptions,
    PipelineOptions,
    SetupOptions,
    StandardOptions,
    TypeOptions,
)
from apache_beam.testing.util import assert_that, equal_to

from tests.paths import REPO
from tests.transforms.beam_helpers import local_pipeline
from transforms.runner_workarounds import (
    LOCAL_RUNNER,
    MALLOC_SETTINGS,
    WORKER_PLUGINS,
    SplitByTag,
    ViewCachingOptions,
)


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


def _worker_state(_: int, launcher_pid: int) -> tuple[bool, bool]:
    """(whether this runs in another process than the launcher, whether it imported the
    garbage-collector plugin)."""
    return os.getpid() != launcher_pid, all(plugin in sys.modules for plugin in WORKER_PLUGINS)


def test_local_runner_workers_import_the_garbage_collector_plugin():
    options = PipelineOptions(
        [
            f"--runner={LOCAL_RUNNER}",
            "--direct_running_mode=multi_processing",
            "--direct_num_workers=1",
        ]
    )
    with beam.Pipeline(options=options) as pipeline:
        seen = pipeline | beam.Create([0]) | beam.Map(_worker_state, os.getpid())
        assert_that(seen, equal_to([(True, True)]))
    assert "beam_plugins" not in options.get_all_options(drop_default=True), "options untouched"


def test_view_caching_options_give_beams_views_once():
    args = ["--direct_num_workers=3", "--runner=FnApiRunner", "--no_pipeline_type_check"]
    cached, plain = ViewCachingOptions(args), PipelineOptions(args)
    for cls in (StandardOptions, DirectOptions, TypeOptions, SetupOptions):
        assert vars(cached.view_as(cls)._visible_options) == vars(
            plain.view_as(cls)._visible_options
        )
        assert cached.view_as(cls) is cached.view_as(cls)
    assert cached.get_all_options() == plain.get_all_options()
    cached.view_as(DirectOptions).direct_num_workers = 5  # a view's change is everyone's
    assert cached.get_all_options()["direct_num_workers"] == 5
    assert cached.view_as(DirectOptions).direct_num_workers == 5
    copy = pickle.loads(pickle.dumps(cached))
    assert "_views" not in vars(copy)
    assert copy.get_all_options() == cached.get_all_options()
