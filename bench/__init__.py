"""Saylau's benchmark suite (issue #8): figures measured against a floor in the same run.

Run by one command, never by the test suite::

    .venv/bin/python -m bench [--scale S] [--database URL] [--only B2,B6] [--out docs/performance.md]

Each benchmark runs in its own child process (so its peak resident memory is its own) and returns
:class:`bench.model.Figure` rows: the figure, the floor measured on the same data in the same run,
their ratio and the issue's target. The frame (:mod:`bench.frame`) records the machine, the date
and the commit, writes ``bench/results/<date>-<commit>.json`` and rewrites ``docs/performance.md``.
"""
