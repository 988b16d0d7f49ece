"""Test hooks: stop a run at a stage so that a test can kill it there, or make it fail there.

With ``CURATE_PAUSE_AT=<stage>`` and ``CURATE_PAUSE_FLAG=<path>`` in the environment, a worker
that reaches :func:`pause_at` for that stage creates the flag file and sleeps
(:data:`PAUSE_SECONDS`), so the test sees where the run is and kills it with a real signal.
With ``CURATE_FAIL_AT=<stage>`` it raises :class:`InjectedFailure` there instead (a crash).
Without them (every real run) :func:`pause_at` does nothing. Stages: ``score`` (a worker has
finished :data:`transforms.score.PAUSE_AFTER_PIECES` pieces), ``dedup`` (every piece is
scored), ``write`` (a shard file is written).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

#: Long enough for any test to kill the run, short enough not to hang forever if it does not.
PAUSE_SECONDS = 600


class InjectedFailure(RuntimeError):
    """The failure ``CURATE_FAIL_AT`` asks for."""


def pause_at(stage: str, pause: bool = True) -> None:
    """Pause or fail here if the environment asks to at ``stage`` (see the module docstring);
    ``pause=False``: fail if asked, but do not pause (this call has left nothing to see)."""
    if os.environ.get("CURATE_FAIL_AT") == stage:
        raise InjectedFailure(f"CURATE_FAIL_AT={stage}")
    if not pause or os.environ.get("CURATE_PAUSE_AT") != stage:
        return
    flag = os.environ.get("CURATE_PAUSE_FLAG")
    if flag:
        Path(flag).touch()
    time.sleep(PAUSE_SECONDS)
