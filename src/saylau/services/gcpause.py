"""The cyclic garbage collector paused during a bulk computation (issue #8, B1 and B2).

Importing a file of protocols or tabulating an election allocates ~10⁵–10⁶ short-lived,
acyclic objects (rows, dicts, exact fractions, JSON documents); reference counting frees them,
but every allocation still counts towards the collector's thresholds, so it runs full passes over
the session's long-lived objects again and again (profiled: 15–25 % of the CPU time). A
:func:`paused` block switches the collector off and back on when the outermost block ends, so the
cycles it may leave (an ORM session's own) are collected then; reference counting is untouched.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (nested and concurrent blocks allowed: the
    collector resumes, if it was running, when the last open block ends)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
