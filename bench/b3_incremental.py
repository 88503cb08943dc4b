"""B3 incremental: one more protocol becomes definitive → its results and published files are up to
date, in milliseconds at the 50th and 99th percentile.

On a scratch copy of the demo, ``n`` (default 200) seeded-random definitive protocols of the
general election are removed (their figures kept), the election is tabulated and the whole site
published (set-up, not timed). Then each protocol is entered again through the real service path
(:func:`saylau.services.protocols.enter_protocol`, both typists of the precinct's commission: the
second entry makes it definitive and queues its contest), and at once the incremental tabulation
(:func:`saylau.services.tabulation.tabulate_pending`: only the queued contests) and the incremental
publication (:func:`saylau.publication.publish` with ``contests=``/``precincts=``: only the files
that depend on them). The figure is the time from the definitive protocol to results and files up
to date. Floor: the definitive entry's own write (the second entry's transaction), the least the
protocol costs before anything depends on it. Correctness: afterwards a forced recomputation of
every contest finds nothing to change (no audit event), and a full publication of the same
database gives the same bytes for every file but the election's open datasets (whole-election
dumps, left to a publication by election).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update

from bench.b2_tabulation import main_election
from bench.database import copy_of
from bench.model import Figure
from saylau.domain.roles import Role
from saylau.domain.states import ProtocolState
from saylau.publication import publish
from saylau.services.context import Actor, Context, execute
from saylau.services.protocols import definitive_data, enter_protocol
from saylau.services.tabulation import tabulate_election, tabulate_pending
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import (
    AuditEvent,
    Commission,
    Contest,
    ContestResult,
    Protocol,
    ProtocolEntry,
    ProtocolVote,
    RoleAssignment,
    User,
)
from saylau.storage.models.outcome import TabulationPending

TITLE = "B3 incremental"
NEEDS_DEMO = True
WHY_MISSED = (
    "The incremental tabulation meets the target (one contest, p99 under 100 ms at scale 1); "
    "the time is the incremental publication's. A contest's further precinct pages now show "
    "their rows only (the totals, outcome and trace are on its first page), so a protocol "
    "rewrites the first page and the one table page holding its precinct instead of every "
    "page: for the national Mazhilis list that was 41 pages of 250 rows each, three languages "
    "and two twins (at scale 1: p99 11.3 s before, 4.0 s after; p50 3.8 s, 3.4 s). What is "
    "left is the same for every protocol: the election-wide pages that sum the whole country "
    "- the summary, the region page, turnout, the three maps and the indicators - each "
    "recomputed from the stored protocols and results (profiled on the scale-1 demo, cold "
    "process: indicators 1.8 s, of which 0.9 s reading the election as ORM rows; maps 0.9 s; "
    "the pages' Jinja 0.7 s). What would reach it: keep the election-wide sums as incremental "
    "aggregates (each protocol adds its difference to stored per-region and per-body counters "
    "in its own transaction, as the tabulation's pending marks do), render those pages from "
    "the aggregates, and publish them on a short cycle that coalesces a burst of protocols; "
    "the latency of a protocol would then be its contest's and precinct's pages (tens of "
    "milliseconds) plus at most one cycle for the national pages."
)

TARGET_MS = 100.0
OPEN_DATASETS = ("results.json", "nist-1500-100.json", "protocols.csv")


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def files(root: Path) -> dict[str, bytes]:
    return {
        "/" + p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def fixed(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at ``moment`` (the protocol's original time, after counting started)."""
    return lambda: moment


def typists(session: Any, precinct_id: int) -> tuple[Actor, Actor]:
    """Two typists of the precinct's commission (the four-eyes principle needs two)."""
    commission = session.scalar(select(Commission.id).where(Commission.precinct_id == precinct_id))
    names = session.scalars(
        select(User.username)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.commission_id == commission, RoleAssignment.role == Role.PEC_TYPIST)
        .order_by(User.id)
    ).all()
    if len(names) < 2:
        raise SystemExit(f"precinct {precinct_id}'s commission has fewer than two typists")
    return (
        Actor.load(session, names[0], Role.PEC_TYPIST, commission),
        Actor.load(session, names[1], Role.PEC_TYPIST, commission),
    )


def run(config: dict[str, Any]) -> tuple[list[Figure], list[str], dict[str, Any]]:
    """Remove ``n`` protocols, then make each definitive again, tabulate and publish it."""
    n = int(config.get("b3_protocols", 200))
    rng = random.Random(int(config.get("seed", 2023)))
    with copy_of(str(config["url"])) as url, tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(url)
        sessions = session_factory(engine)
        site, full_site = Path(scratch) / "site", Path(scratch) / "full"
        try:
            with sessions() as session, session.begin():
                election_id = main_election(session)
                ids = session.scalars(
                    select(Protocol.id)
                    .join(Contest, Contest.id == Protocol.contest_id)
                    .where(
                        Contest.election_id == election_id,
                        Protocol.state == ProtocolState.DEFINITIVE,
                    )
                    .order_by(Protocol.id)
                ).all()
                chosen = sorted(rng.sample(list(ids), min(n, len(ids))))
                work = []
                for protocol_id in chosen:
                    protocol = session.get(Protocol, protocol_id)
                    assert protocol is not None and protocol.definitive_at is not None
                    data = definitive_data(session, protocol)
                    assert data is not None
                    work.append(
                        (
                            protocol.contest_id,
                            protocol.precinct_id,
                            data,
                            protocol.definitive_at,
                            typists(session, protocol.precinct_id),
                        )
                    )
                for table, column in (
                    (ProtocolVote, ProtocolVote.protocol_id),
                    (ProtocolEntry, ProtocolEntry.protocol_id),
                    (Protocol, Protocol.id),
                ):
                    session.execute(delete(table).where(column.in_(chosen)))
                session.execute(delete(TabulationPending))
                # Election night: the results are not yet officially published (a published
                # result is never re-tabulated).
                session.execute(update(ContestResult).values(published_at=None))
            operator = Actor.operator()
            execute(sessions, operator, tabulate_election, election_id)
            publish(sessions, site, jobs=2)
            rng.shuffle(work)
            writes, tabulations, publications, totals = [], [], [], []
            for contest_id, precinct_id, data, at, (first, second) in work:
                execute(
                    sessions,
                    first,
                    enter_protocol,
                    contest_id,
                    precinct_id,
                    data,
                    clock=fixed(at),
                )
                started = time.perf_counter()
                status = execute(
                    sessions,
                    second,
                    enter_protocol,
                    contest_id,
                    precinct_id,
                    data,
                    clock=fixed(at + timedelta(minutes=5)),
                )
                definitive = time.perf_counter()
                if status.state is not ProtocolState.DEFINITIVE:
                    raise AssertionError(f"B3: protocol {status.protocol_id} is {status.state}")
                done = execute(sessions, operator, tabulate_pending, election_id)
                tabulated = time.perf_counter()
                publish(sessions, site, contests=done.contests, precincts=done.precincts)
                published = time.perf_counter()
                if done.contests != {contest_id} or done.precincts != {precinct_id}:
                    raise AssertionError(f"B3: re-tabulated {done.contests}, not {contest_id}")
                writes.append((definitive - started) * 1000)
                tabulations.append((tabulated - definitive) * 1000)
                publications.append((published - tabulated) * 1000)
                totals.append((published - definitive) * 1000)
            with sessions() as session, session.begin():
                count = select(func.count()).select_from(AuditEvent)
                before = session.scalar(count)
                tabulate_election(Context(session, operator), election_id, force=True)
                if session.scalar(count) != before:
                    raise AssertionError("B3: a full recomputation changed incremental results")
                session.rollback()
            publish(sessions, full_site, jobs=2)
            incremental, full = files(site), files(full_site)
            datasets = {f"/data/elections/{election_id}/{name}" for name in OPEN_DATASETS}
            differ = sorted(
                p
                for p in set(incremental) | set(full)
                if incremental.get(p) != full.get(p) and p not in datasets
            )
            if differ:
                raise AssertionError(f"B3: {len(differ)} published files differ: {differ[:5]}")
        finally:
            engine.dispose()
    floor = statistics.median(writes)
    label = "the definitive entry's own write (median)"
    p50, p99 = percentile(totals, 50), percentile(totals, 99)
    note = f"{len(totals)} protocols, one at a time, each followed by both steps"
    figures = [
        Figure(
            "definitive protocol → results and files up to date, p50",
            "ms",
            p50,
            floor,
            label,
            "—",
            None,
            note=note,
        ),
        Figure(
            "definitive protocol → results and files up to date, p99",
            "ms",
            p99,
            floor,
            label,
            f"p99 ≤ {TARGET_MS:g} ms",
            p99 <= TARGET_MS,
        ),
        Figure(
            "of which incremental tabulation, p99",
            "ms",
            percentile(tabulations, 99),
            floor,
            label,
            "—",
            None,
            note=f"p50 {percentile(tabulations, 50):.1f} ms",
        ),
        Figure(
            "of which incremental publication, p99",
            "ms",
            percentile(publications, 99),
            floor,
            label,
            "—",
            None,
            note=f"p50 {percentile(publications, 50):.1f} ms",
        ),
    ]
    checks = [
        f"after {len(totals)} protocols, a forced recomputation of every contest changed nothing",
        f"a full publication gives the same bytes for all {len(full)} files but the election's "
        "open datasets",
    ]
    details = {
        "protocols": len(totals),
        "write_ms": writes,
        "tabulation_ms": tabulations,
        "publication_ms": publications,
        "total_ms": totals,
    }
    return figures, checks, details
