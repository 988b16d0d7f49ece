"""Imported for its effect: the importing process exits without garbage-collecting everything.

When Python exits it runs full garbage collections over every object still alive. In a
process that imported Beam, numba, pyarrow and matplotlib that takes about half a second, for
memory the operating system is about to take back whole. Importing this module registers
:func:`gc.freeze` as an exit handler; handlers run last-registered first, so this one runs
after those registered later, and moves every object to the permanent generation, which
those collections skip. Exit handlers, module teardown and the flushing of files still run;
objects in reference cycles are not finalised at exit (nothing in this project leaves an open
file or temporary directory to a collector).

The ``curate`` command imports it, and the local runner's worker processes import it as a
Beam plugin (``--beam_plugins``, runner workaround 9 in :mod:`transforms.runner_workarounds`).
"""

from __future__ import annotations

import atexit
import gc

atexit.register(gc.freeze)
