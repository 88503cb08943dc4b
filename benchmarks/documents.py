"""Benchmark (not a test): every ballot of a demo election, rendered in bulk (issue #6,
acceptance: "the time and peak memory to produce every ballot … with pages per second").

On a built demo database (``saylau demo --scale 0.1 --database sqlite:///PATH``, or the file
``saylau demo`` writes) it runs the bulk generator of one document kind (``ballots`` by default:
every frozen ballot and its print-run sheet) into an empty directory, then again into the same
directory (the resumed run: every file skipped), and prints a Markdown table for
``docs/benchmarks.md``: documents, pages, seconds, pages per second, and the peak resident memory
of this process (which builds the documents' data) and of the largest rendering process
(``resource.getrusage`` of self and of the children; ``ru_maxrss`` is in KiB on Linux).

Usage::

    .venv/bin/python benchmarks/documents.py /path/to/demo.sqlite3 [--election 1] [--jobs 2]
        [--kind ballots] [--out DIR]

The database is only read. The output directory defaults to a temporary one, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from saylau.documents.bulk import KINDS, Summary, default_workers, generate
from saylau.storage.db import make_engine, session_factory


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _run(database: str, kind: str, election: int, out: Path, jobs: int) -> Summary:
    engine = make_engine(database)
    try:
        with session_factory(engine)() as session:
            return generate(session, kind, election, out, workers=jobs)
    finally:
        engine.dispose()


def _row(label: str, summary: Summary) -> str:
    return (
        f"| {label} | {summary.documents:,} | {summary.rendered:,} | {summary.skipped:,} | "
        f"{summary.pages:,} | {summary.bytes / 2**20:,.0f} | {summary.seconds:,.1f} | "
        f"{summary.pages / summary.seconds if summary.seconds else 0:,.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="a built demo SQLite file")
    parser.add_argument("--election", type=int, default=1)
    parser.add_argument("--kind", default="ballots", choices=sorted(KINDS))
    parser.add_argument("--jobs", type=int, default=default_workers())
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    url = f"sqlite:///{args.database.resolve()}"
    out = args.out or Path(tempfile.mkdtemp(prefix="saylau-documents-"))
    try:
        first = _run(url, args.kind, args.election, out, args.jobs)
        second = _run(url, args.kind, args.election, out, args.jobs)
        files = sum(1 for _ in out.rglob("*.pdf"))
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    print(f"Kind `{args.kind}`, election {args.election}, {args.jobs} rendering processes.\n")
    print("| Run | Documents | Rendered | Skipped | Pages | MiB written | Seconds | Pages/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(_row("first (empty directory)", first))
    print(_row("again (resumed: nothing to do)", second))
    print(f"\nFiles on disk after the runs: {files:,}.")
    print(
        f"Peak resident memory: this process (data, manifest) "
        f"{_peak_mib(resource.RUSAGE_SELF):,.0f} MiB; largest rendering process "
        f"{_peak_mib(resource.RUSAGE_CHILDREN):,.0f} MiB."
    )
    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores; "
        f"{platform.platform()}; Python {sys.version.split()[0]}."
    )


if __name__ == "__main__":
    main()
