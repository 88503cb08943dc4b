"""One publication run: render every unit of the site and hand its files to the output.

Rendering is the cost (≈ 5 ms of CPU per view instance, three pages and two twins, once the data
the instances share is read: see :func:`~saylau.services.public.common.remember`; a national
election has ~25,000 instances), writing is cheap once the bytes are known, so ``jobs`` worker
processes render and write disjoint units while this process keeps the manifest and the counts.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from saylau.publication.output import Output, Patch, Report
from saylau.publication.sources import Unit, contest_units, election_ids, render, units
from saylau.services.errors import Conflict, NotFound
from saylau.services.public.common import remember

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)`` after each unit (a view instance or an extra)."""

LOCK = ".publication.lock"


def publish(
    sessions: sessionmaker[Session],
    out: Path,
    *,
    elections: Iterable[int] | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    contests: Iterable[int] | None = None,
    precincts: Iterable[int] = (),
) -> Report:
    """Publish the public site into ``out`` (created if missing); with ``elections``, only those
    elections' files (and the site-wide ones) are rendered, written and pruned; ``jobs`` > 1
    renders in that many worker processes (each reads its own snapshot); by default one per core,
    unless the work is too small to pay for starting them (:data:`PARALLEL_FROM` units).

    With ``contests`` (and ``precincts``: those whose protocols changed), only the files that
    depend on those contests' results are rendered and written (:func:`contest_units`), and no
    file is removed: what an incremental tabulation changed is published in milliseconds
    (issue #8, B3), the other files stay as the last publication left them.

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
        output = Output(out, scope) if contests is None else Patch(out, scope)
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
            work = (
                units(session, scope)
                if contests is None
                else [
                    u
                    for u in contest_units(session, set(contests), set(precincts))
                    if scope is None or u.election_id in scope
                ]
            )
            if len(work) >= PARALLEL_FROM:
                remember(session)  # the units share each election's data: read it once
            stored = (
                _serially(session, output, work)
                if workers(jobs, len(work)) <= 1
                else _in_parallel(sessions, output, work, workers(jobs, len(work)))
            )
            for done, (label, files) in enumerate(stored, start=1):
                for path, sha, written in files:
                    output.record(path, sha, written)
                if progress is not None:
                    progress(done, len(work), label)
        return output.finish()
    finally:
        os.close(lock)


PARALLEL_FROM = 64
"""Fewer units than this are rendered in this process when ``jobs`` is not given: forking workers
(each opening its own connection) costs more than a few units' rendering, e.g. the files an
incremental publication of one contest rewrites."""


def workers(jobs: int | None, units: int) -> int:
    """The worker processes for ``units`` units: ``jobs`` if given, else one per core for a large
    publication and none (this process) for a small one."""
    if jobs is not None:
        return max(1, jobs)
    if units < PARALLEL_FROM:
        return 1
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


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
    remember(session)
    _worker.update(session=session, output=output)


def _store_in_worker(unit: Unit) -> tuple[str, Stored]:
    return unit.label, _store(_worker["session"], _worker["output"], unit)


def _in_parallel(
    sessions: sessionmaker[Session], output: Output, work: list[Unit], jobs: int
) -> Iterator[tuple[str, Stored]]:
    """The units rendered by ``jobs`` forked processes (which inherit the sessions factory and
    the output, and are handed plain :class:`Unit` s)."""
    context = multiprocessing.get_context("fork")
    # The extras first and one by one: the open datasets are the largest units (seconds each),
    # so they start at once on different workers instead of ending the run in one chunk.
    extras = [u for u in work if u.source == "extra"]
    views = [u for u in work if u.source != "extra"]
    chunk = max(1, min(32, len(views) // (jobs * 8)))
    with context.Pool(jobs, initializer=_start_worker, initargs=(sessions, output)) as pool:
        first = pool.imap_unordered(_store_in_worker, extras, chunksize=1)
        rest = pool.imap_unordered(_store_in_worker, views, chunksize=chunk)
        yield from first
        yield from rest


def _snapshot(session: Session) -> None:
    """On PostgreSQL, read from one snapshot, so that pages published while protocols keep
    arriving agree with each other (per process with ``jobs``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
