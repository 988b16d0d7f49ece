"""The garbage collector's settings: none while importing, a frozen heap, none at exit."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from tests.paths import REPO
from transforms import garbage_collector


def test_importing_pauses_collections_and_restores_the_previous_state():
    assert gc.isenabled()
    with garbage_collector.importing():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with garbage_collector.importing():
            assert not gc.isenabled()
        assert not gc.isenabled(), "a caller's disabled collector stays disabled"
    finally:
        gc.enable()


def test_frozen_moves_the_heap_aside_for_the_block_only():
    with garbage_collector.frozen():
        assert gc.get_freeze_count() > 1000
        garbage = [[]]
        garbage[0].append(garbage)  # a cycle made inside the block is still collected
        del garbage
        assert gc.collect() >= 2
    assert gc.get_freeze_count() == 0


#: A reference cycle whose finaliser prints: Python's exit collections finalise it.
_CYCLE_AT_EXIT = """
import sys
if sys.argv[1] == "imported":
    import transforms.garbage_collector
class Cycle:
    def __del__(self):
        print("collected")
cycle = Cycle()
cycle.me = cycle
del cycle
print("exit")
"""


@pytest.mark.parametrize(("mode", "printed"), [("plain", "exit collected"), ("imported", "exit")])
def test_no_collections_at_exit_once_imported(mode, printed):
    done = subprocess.run(
        [sys.executable, "-c", _CYCLE_AT_EXIT, mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert " ".join(done.stdout.split()) == printed
