"""One benchmark in its own process, so that its peak resident memory is its own (B7).

``python -m bench.child NAME CONFIG.json OUT.json``: runs benchmark ``NAME`` with the
configuration and writes its :class:`bench.model.Outcome` (with ``ru_maxrss``) to ``OUT.json``.
``NAME`` ``idle`` is this frame doing nothing: the memory floor of a benchmark process.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.model import Figure, Outcome
from bench.registry import module

Runner = Callable[[dict[str, Any]], tuple[list[Figure], list[str], dict[str, Any]]]


def runner(name: str) -> Runner:
    """The ``run`` function of benchmark ``name`` (imported only in its own process)."""
    if name == "idle":
        return lambda config: ([], [], {})
    run: Runner = module(name).run
    return run


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB: ``VmHWM``, which ``exec`` resets.

    ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is the fallback off Linux; on Linux it keeps the
    high-water mark of the parent it was forked from, so a small child would report the frame's.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main(argv: list[str]) -> None:
    name, config_path, out_path = argv
    config = json.loads(Path(config_path).read_text())
    started = time.perf_counter()
    figures, checks, details = runner(name)(config)
    outcome = Outcome(
        benchmark=name,
        figures=figures,
        peak_rss_kib=peak_rss_kib(),
        seconds=time.perf_counter() - started,
        checks=checks,
        details=details,
    )
    Path(out_path).write_text(json.dumps(outcome.as_dict(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
