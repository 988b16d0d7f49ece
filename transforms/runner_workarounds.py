"""Every workaround for a Beam runner bug, in one place (Beam 2.77).

On upgrade day, check each entry below against the new Beam version; each says what it works
around, where it is applied and how to remove it once the runner is fixed.

1. **DirectRunner downloads Prism** (Beam 2.77: ``DirectRunner`` first tries to download and
   start the Prism runner, a Go binary, and only then falls back to its ``FnApiRunner``
   engine). :class:`LocalRunner` is that fallback taken directly, set up as ``DirectRunner``
   sets it up (the pipeline options reach the worker processes). ``RUNNER_ALIASES`` maps
   ``--runner=DirectRunner`` to it. Remove when DirectRunner no longer reaches for the network:
   drop the alias and the class, and ``curate run`` uses ``DirectRunner`` itself.
2. **DaskRunner gives every consumer of a multi-output ParDo all outputs, untagged** (Beam
   2.77, ``ParDo(...).with_outputs()`` and ``Partition``). Steps with several outputs emit
   ``(tag, value)`` pairs from a single-output ParDo and :class:`SplitByTag` selects each tag.
   Remove by replacing ``SplitByTag`` with ``beam.ParDo(...).with_outputs(*tags)``.
3. **DaskRunner computes only the pipeline's last transform and its ancestors.** Every sink
   feeds one final step (:class:`GatherToOne` in front of the run record writer, see
   ``pipelines.curate_pipeline``). Remove by letting the sinks stand on their own.
4. **DaskRunner drops the outputs of ``DoFn.finish_bundle``**, and runs ``setup`` once per
   partition. No DoFn of this project emits from ``finish_bundle`` (it only flushes local
   files); keep it that way until fixed.
5. **DaskRunner is not a short runner name, and its ``--dask_*`` options are unknown until its
   module is imported.** ``RUNNER_ALIASES`` names its module, and ``curate run`` imports the
   runner before validating options. Remove the alias when ``create_runner("DaskRunner")``
   works.
6. **DaskRunner ignores ``Reshuffle`` and makes one partition per ``Create`` unless told
   otherwise**, so without ``--dask_npartitions`` a run is one chain of tasks on one worker.
   docs/cluster.md tells users to pass ``--dask_npartitions`` (= worker threads).
7. **The local runner's processes keep the memory of every shuffle they have passed on**
   (Beam 2.77 ``FnApiRunner`` on glibc): each stage's input and output pass through the
   controller and the workers as many mid-sized buffers on several threads, and glibc's malloc
   keeps what they free in per-thread arenas and a heap whose mmap threshold grows with use, so
   each process's footprint grows with every shuffle (measured: peak PSS of a 100,000-document
   run 1,766 -> 1,240 MiB with the settings below, same speed). :class:`LocalRunner` sets
   :data:`MALLOC_SETTINGS` (unless the environment already does) in its own process with
   ``mallopt`` and for the worker processes it starts through the environment
   (:func:`return_freed_memory`). Remove when the local runner stops holding shuffles in its
   processes (or glibc is no longer the allocator).
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner.fn_runner import (
    ExtendedProvisionInfo,
    FnApiRunner,
)
from apache_beam.runners.portability.portable_runner import JobServiceHandle

#: Fully qualified name of :class:`LocalRunner`, to pass as ``--runner`` (workaround 1).
LOCAL_RUNNER = "transforms.runner_workarounds.LocalRunner"
#: Runner names Beam 2.77 resolves wrongly or not at all (workarounds 1 and 5).
RUNNER_ALIASES = {
    "DaskRunner": "apache_beam.runners.dask.dask_runner.DaskRunner",
    "DirectRunner": LOCAL_RUNNER,
}


#: glibc malloc settings of the local runner's processes (workaround 7): two arenas at most;
#: blocks from 64 KiB mapped on their own, so freeing one gives its memory back; the heap
#: trimmed once 128 KiB at its top are free. Environment names, as glibc reads them.
MALLOC_SETTINGS = {
    "MALLOC_ARENA_MAX": 2,
    "MALLOC_MMAP_THRESHOLD_": 64 << 10,
    "MALLOC_TRIM_THRESHOLD_": 128 << 10,
}
#: ``mallopt`` parameter numbers of :data:`MALLOC_SETTINGS` (glibc's malloc.h).
_MALLOPT = {"MALLOC_ARENA_MAX": -8, "MALLOC_MMAP_THRESHOLD_": -3, "MALLOC_TRIM_THRESHOLD_": -1}


def return_freed_memory() -> list[str]:
    """Apply :data:`MALLOC_SETTINGS` to this process (``mallopt``) and to the processes it
    starts from now on (environment), except those the environment sets already, and only
    where the C library is glibc (workaround 7). Returns the names applied."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return []
    libc = ctypes.CDLL("libc.so.6")
    applied = []
    for name, value in MALLOC_SETTINGS.items():
        if name not in os.environ and libc.mallopt(_MALLOPT[name], value) == 1:
            os.environ[name] = str(value)
            applied.append(name)
    return applied


class LocalRunner(FnApiRunner):
    """FnApiRunner whose workers receive the pipeline options, as under DirectRunner
    (workaround 1), and whose processes give freed memory back (workaround 7). Honours
    ``--direct_running_mode`` and ``--direct_num_workers``."""

    def run_pipeline(self, pipeline, options: PipelineOptions):  # noqa: ANN201 - Beam's API
        return_freed_memory()
        encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
        self._provision_info = ExtendedProvisionInfo(
            beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
        )
        return super().run_pipeline(pipeline, options)


def _select(item: tuple[str, Any], tag: str) -> Iterator[Any]:
    if item[0] == tag:
        yield item[1]


class SplitByTag(beam.PTransform):
    """PCollection[(tag, value)] -> {tag: PCollection[value]} for the given tags
    (workaround 2)."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__()
        self._tags = tuple(tags)

    def expand(self, tagged: beam.PCollection) -> dict[str, beam.PCollection]:
        return {tag: tagged | f"Select_{tag}" >> beam.FlatMap(_select, tag) for tag in self._tags}


class GatherToOne(beam.PTransform):
    """PCollection[T] -> one element, the list of all of them, so a final step can depend on
    every sink (workaround 3). Only for small collections (a run's file and shard stats)."""

    def expand(self, entries: beam.PCollection) -> beam.PCollection:
        return (
            entries
            | "OneKey" >> beam.Map(lambda entry: (None, entry))
            | "Gather" >> beam.GroupByKey()
            | "Values" >> beam.Map(_values)
        )


def _values(item: tuple[None, Iterable[Any]]) -> list[Any]:
    return list(item[1])
