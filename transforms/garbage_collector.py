"""Python's cyclic garbage collector in curate's processes: fewer walks over long-lived objects.

A ``curate run`` imports Beam, numba, pyarrow and matplotlib: a million objects that live as
long as the process. Python walks all of them in every full collection, at start-up (each
import grows the heap), during the run, and at exit, when it collects once more everything
still alive for memory the operating system is about to take back whole: each of these costs
a sizeable part of a second per process (measured in docs/benchmarks.md, "Fixed costs").

:func:`importing` and :func:`frozen` spare the launcher the first two; importing this module
registers :func:`gc.freeze` as an exit handler, which spares the last one (exit handlers run
last-registered first: this one runs after those registered later, and moves every object to
the permanent generation, which the exit collections skip). Exit handlers, module teardown and
the flushing of files still run; objects in reference cycles are not finalised at exit
(nothing in this project leaves an open file or a temporary directory to a collector). The
``curate`` command imports it, and the local runner's worker processes import it as a Beam
plugin (``--beam_plugins``, runner workaround 9 in :mod:`transforms.runner_workarounds`).
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def importing() -> Iterator[None]:
    """No collections inside the block, for imports: what they build lives on anyway."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """Collections inside the block skip every object that exists when it starts (moved to the
    permanent generation, and back into the oldest one after the block)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


atexit.register(gc.freeze)
