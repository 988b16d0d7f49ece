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
   files); keep it that way until fixed. ``beam.BatchElements`` emits from it, so the Beam
   API over dicts batches through :class:`BatchElementsSafely` (batches of one on Dask).
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
8. **The local runner's worker processes write their log to the launcher's stderr** (Beam
   2.77 ``SubprocessSdkWorker`` inherits file descriptor 2, and each worker logs its start-up,
   "Logging handler created", "Discarding unparseable args" and import warnings, before
   ``--default_sdk_harness_log_level`` applies), which breaks the progress line.
   :func:`quiet_workers` points descriptor 2 at ``/dev/null`` while the pipeline runs (not with
   ``--verbose``) and hands the launcher the real stderr; a failing worker's error still
   reaches the launcher through the runner. Remove when the workers log through the runner.
9. **The local runner stops its worker processes one after another and waits for each to
   exit** (Beam 2.77 ``WorkerHandlerManager.close_all``), and a worker's Python spends a
   good part of a second of its exit in garbage collections over everything it imported,
   once per worker in every run's wall time. :class:`LocalRunner` gives its workers
   :mod:`transforms.garbage_collector` as a Beam plugin (:data:`WORKER_PLUGINS`), which skips those
   collections. Remove when the runner stops its workers in parallel, or keep it: it is a
   plain speed-up.
10. **Every options view parses the command line again** (Beam 2.77 ``view_as`` builds an
    ``argparse`` parser for the class viewed), and Beam's type checks view the options for
    each transform applied: about half the time of building curate's pipeline went there.
    ``curate run``'s options are :class:`ViewCachingOptions`, which make each view once.
    Remove when ``view_as`` is cheap.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import platform
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO, TypeVar

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


#: Modules each worker process of the local runner imports at start (workaround 9).
WORKER_PLUGINS = ("transforms.garbage_collector",)


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


@contextlib.contextmanager
def quiet_workers() -> Iterator[TextIO]:
    """Send what processes started inside the block write to file descriptor 2 to
    ``/dev/null``; yields a stream on the real stderr (workaround 8). Where ``sys.stderr`` is
    not descriptor 2 (replaced, e.g. captured by a test) nothing changes and it is yielded."""
    try:
        descriptor = sys.stderr.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        descriptor = -1
    if descriptor != 2:
        yield sys.stderr
        return
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    try:
        with os.fdopen(os.dup(saved), "w", buffering=1) as real_stderr:
            yield real_stderr
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


_View = TypeVar("_View", bound=PipelineOptions)


class ViewCachingOptions(PipelineOptions):
    """Pipeline options whose ``view_as(cls)`` builds each class's view once (workaround 10).

    Equivalent to Beam's: every view of an options object shares its values, and a view's
    flags never change, so one view per class serves every call."""

    def view_as(self, cls: type[_View]) -> _View:
        views = self.__dict__.setdefault("_views", {})  # past PipelineOptions.__setattr__
        if cls not in views:
            views[cls] = super().view_as(cls)
        return views[cls]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_views", None)
        return state


class LocalRunner(FnApiRunner):
    """FnApiRunner whose workers receive the pipeline options, as under DirectRunner
    (workaround 1) and with :data:`WORKER_PLUGINS` added to their ``--beam_plugins``
    (workaround 9), and whose processes give freed memory back (workaround 7). Honours
    ``--direct_running_mode`` and ``--direct_num_workers``."""

    def run_pipeline(self, pipeline, options: PipelineOptions):  # noqa: ANN201 - Beam's API
        return_freed_memory()
        worker_options = options.get_all_options()
        given = worker_options.get("beam_plugins") or []
        worker_options["beam_plugins"] = [*given, *(p for p in WORKER_PLUGINS if p not in given)]
        encoded = JobServiceHandle.encode_pipeline_options(worker_options)
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


def _one_element_batch(element: Any) -> list[Any]:
    return [element]


class BatchElementsSafely(beam.PTransform):
    """PCollection[T] -> PCollection[list[T]] (workaround 4): ``beam.BatchElements`` emits
    each bundle's last batch from ``finish_bundle``, which DaskRunner drops, so on DaskRunner
    every element is a batch of its own. Remove by using ``beam.BatchElements`` everywhere."""

    def __init__(self, max_batch_size: int) -> None:
        super().__init__()
        self._max_batch_size = max_batch_size

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        if type(elements.pipeline.runner).__name__ == "DaskRunner":
            return elements | "OneElementBatches" >> beam.Map(_one_element_batch)
        return elements | "Batch" >> beam.BatchElements(max_batch_size=self._max_batch_size)
