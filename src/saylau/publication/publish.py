"""One publication run: render every unit of the site and hand its files to the output.

Rendering is the cost (≈ 10 ms per view instance, three pages and two twins; a national election
has ~25,000 instances), writing is cheap once the bytes are known, so ``jobs`` worker processes
render and write disjoint units while this process keeps the manifest and the counts.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from saylau.publication.output import Output, Report
from saylau.publication.sources import Unit, election_ids, render, units
from saylau.services.errors import Conflict, NotFound

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)`` after each unit (a view instance or an extra)."""

LOCK = ".publication.lock"


def publish(
    sessions: sessionmaker[Session],
    out: Path,
    *,
    elections: Iterable[int] | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
) -> Report:
    """Publish the public site into ``out`` (created if missing); with ``elections``, only those
    elections' files (and the site-wide ones) are rendered, written and pruned; ``jobs`` > 1
    renders in that many worker processes (each reads its own snapshot).

    Raises :class:`NotFound` for an unknown election and :class:`Conflict` while another
    publication writes into ``out``.
    """
    scope = None if elections is None else frozenset(elections)
    out.mkdir(parents=True, exist_ok=True)
    lock = os.open(out / LOCK, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise Conflict("publication_running", f"{out} is being published") from exc
        output = Output(out, scope)
        with sessions() as session:
            _snapshot(session)
            if scope is not None:
                unknown = sorted(scope - set(election_ids(session)))
                if unknown:
                    raise NotFound(
                        "election_not_found",
                        f"no election {', '.join(map(str, unknown))}",
                        field="election",
                    )
            work = units(session, scope)
            stored = (
                _serially(session, output, work)
                if jobs <= 1
                else _in_parallel(sessions, output, work, jobs)
            )
            for done, (label, files) in enumerate(stored, start=1):
                for path, sha, written in files:
                    output.record(path, sha, written)
                if progress is not None:
                    progress(done, len(work), label)
        return output.finish()
    finally:
        os.close(lock)


Stored = list[tuple[str, str, bool]]
"""(path, SHA-256, written) of one unit's files."""


def _store(session: Session, output: Output, unit: Unit) -> Stored:
    stored = []
    for path, body in render(session, unit).items():
        result = output.store(path, body)
        if result is not None:
            stored.append((path, *result))
    session.expunge_all()  # the identity map would otherwise hold the whole database
    return stored


def _serially(session: Session, output: Output, work: list[Unit]) -> Iterator[tuple[str, Stored]]:
    for unit in work:
        yield unit.label, _store(session, output, unit)


_worker: dict[str, Any] = {}
"""A worker process's session and output (set by :func:`_start_worker`)."""


def _start_worker(sessions: sessionmaker[Session], output: Output) -> None:
    bind = sessions.kw["bind"]
    bind.dispose(close=False)  # the parent's pooled connections are not this process's
    session = sessions()
    _snapshot(session)
    _worker.update(session=session, output=output)


def _store_in_worker(unit: Unit) -> tuple[str, Stored]:
    return unit.label, _store(_worker["session"], _worker["output"], unit)


def _in_parallel(
    sessions: sessionmaker[Session], output: Output, work: list[Unit], jobs: int
) -> Iterator[tuple[str, Stored]]:
    """The units rendered by ``jobs`` forked processes (which inherit the sessions factory and
    the output, and are handed plain :class:`Unit` s)."""
    context = multiprocessing.get_context("fork")
    chunk = max(1, min(32, len(work) // (jobs * 8)))
    with context.Pool(jobs, initializer=_start_worker, initargs=(sessions, output)) as pool:
        yield from pool.imap_unordered(_store_in_worker, work, chunksize=chunk)


def _snapshot(session: Session) -> None:
    """On PostgreSQL, read from one snapshot, so that pages published while protocols keep
    arriving agree with each other (per process with ``jobs``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
