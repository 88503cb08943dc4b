"""Incremental tabulation (issue #8, B3) on SQLite and PostgreSQL: after any sequence of protocols,
re-tabulating only the pending contests gives what a full recomputation gives; unchanged inputs
write nothing; a lot re-tabulates only its contest."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.context import Actor
from saylau.services.tabulation import (
    record_lot,
    tabulate_contest,
    tabulate_election,
    tabulate_pending,
)
from saylau.storage.models import AuditEvent, Contest, ContestResult
from saylau.storage.models.outcome import TabulationPending
from tests.services.count_world import (
    CountWorld,
    double_entry,
    figures,
    run,
    setup,
)
from tests.world import CONTESTS

Factory = sessionmaker[Session]

LIST_PRECINCTS = {
    "mazhilis_list": ("p1", "p2", "p3", "p4", "p5", "p6"),
    "oblast_list": ("p1", "p2", "p3", "p4"),
    "capital_list": ("p5", "p6"),
}


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


def pairs() -> list[tuple[str, str]]:
    """Every (contest, precinct) whose protocol the test world's election expects."""
    found = [(name, p) for name, ps in LIST_PRECINCTS.items() for p in ps]
    found += [(name, p) for name, spec in CONTESTS.items() for p in spec[4]]
    return sorted(set(found))


def enter(
    factory: Factory, cw: CountWorld, contest: str, precinct: str, rng: random.Random
) -> None:
    ids = cw.choices[contest]
    votes = {choice: rng.randrange(0, 300) for choice in ids.values()}
    data = figures(votes, voters=3000, against_all=rng.randrange(0, 30), invalid=rng.randrange(5))
    status = double_entry(factory, cw, contest, precinct, data)
    assert status.state.value == "definitive", status


def state(factory: Factory, election: int) -> dict[int, Any]:
    """Every stored result and contest status of the election (what a tabulation decides)."""
    with factory() as session:
        rows = session.execute(
            select(Contest.id, Contest.status, ContestResult)
            .outerjoin(ContestResult, ContestResult.contest_id == Contest.id)
            .where(Contest.election_id == election)
        ).all()
        return {
            cid: (
                status,
                None
                if r is None
                else (
                    r.status,
                    r.precincts_counted,
                    r.precincts_total,
                    r.totals,
                    r.outcome,
                    r.outcome_status,
                    r.inputs_digest,
                ),
            )
            for cid, status, r in rows
        }


def events(factory: Factory) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def pending(factory: Factory) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(TabulationPending)) or 0)


@pytest.mark.parametrize("seed", [11, 2023])
def test_incremental_equals_full_after_a_random_sequence(
    factory: Factory, cw: CountWorld, seed: int
) -> None:
    rng = random.Random(seed)
    election = cw.world.election
    assert election is not None
    todo = pairs()
    rng.shuffle(todo)
    todo = todo[: rng.randrange(len(todo) // 2, len(todo) + 1)]
    operator = Actor.operator()
    touched: set[int] = set()
    while todo:
        size = rng.randrange(1, 4)
        batch, todo = todo[:size], todo[size:]
        for contest, precinct in batch:
            enter(factory, cw, contest, precinct, rng)
        assert pending(factory) == len(batch)
        done = run(factory, operator, tabulate_pending, election)
        assert done.contests == {cw.contest(c) for c, _ in batch}
        assert done.precincts == {cw.precinct(p) for _, p in batch}
        assert pending(factory) == 0
        touched |= done.contests
    incremental = state(factory, election)
    assert {cid for cid, (_, r) in incremental.items() if r is not None} == touched
    before = events(factory)
    # A forced recomputation of every contest compares each with its stored result: nothing to
    # write (no event, the same rows) means the incremental results are the full ones.
    forced = run(factory, operator, tabulate_election, election, force=True)
    assert events(factory) == before
    assert state(factory, election) == incremental
    # And a tabulation from scratch (no stored result) computes the same results.
    with factory() as session, session.begin():
        session.query(ContestResult).delete()
    scratch = run(factory, operator, tabulate_election, election)
    assert scratch == forced
    again = state(factory, election)
    assert {cid: (s, r and r[:6]) for cid, (s, r) in again.items()} == {
        cid: (s, r and r[:6]) for cid, (s, r) in incremental.items()
    }


def test_unchanged_inputs_write_nothing(factory: Factory, cw: CountWorld) -> None:
    election = cw.world.election
    assert election is not None
    rng = random.Random(5)
    for contest, precinct in (("oblast_list", "p1"), ("district_d1", "p1"), ("capital_c1", "p5")):
        enter(factory, cw, contest, precinct, rng)
    operator = Actor.operator()
    first = run(factory, operator, tabulate_election, election)
    stored = state(factory, election)
    count = events(factory)
    with factory() as session:
        computed = dict(session.execute(select(ContestResult.id, ContestResult.computed_at)).all())
    assert run(factory, operator, tabulate_election, election) == first
    assert run(factory, operator, tabulate_pending, election).tallies == ()
    assert run(factory, operator, tabulate_contest, cw.contest("oblast_list")).status == "allocated"
    assert events(factory) == count
    assert state(factory, election) == stored
    with factory() as session:
        assert dict(session.execute(select(ContestResult.id, ContestResult.computed_at)).all()) == (
            computed
        )


def test_a_lot_retabulates_only_its_contest(factory: Factory, cw: CountWorld) -> None:
    election = cw.world.election
    assert election is not None
    ids = cw.choices["oblast_o2"]
    tie = figures({ids["Абаев"]: 100, ids["Бекова"]: 100, ids["Жұмабаев"]: 100}, against_all=5)
    double_entry(factory, cw, "oblast_o2", "p3", tie)
    operator = Actor.operator()
    assert run(factory, operator, tabulate_contest, cw.contest("oblast_o2")).status == (
        "lot_required"
    )
    enter(factory, cw, "district_d1", "p1", random.Random(1))  # pending, not tabulated
    with factory() as session:
        last = int(session.scalar(select(func.max(AuditEvent.id))) or 0)
    drawn = run(factory, operator, record_lot, cw.contest("oblast_o2"), "TEC sitting #7")
    assert drawn.status == "runoff"
    with factory() as session:
        written = session.execute(
            select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id).where(
                AuditEvent.id > last
            )
        ).all()
        results = {
            int(cid)
            for (cid,) in session.execute(
                select(ContestResult.contest_id).where(
                    ContestResult.id.in_([int(e) for a, t, e in written if t == "contest_result"])
                )
            )
        }
        left = session.scalars(select(TabulationPending.contest_id)).all()
    assert results == {cw.contest("oblast_o2")}
    assert {a for a, _, _ in written} <= {
        "tabulate",
        "record_lot",
        "call_follow_up_election",
        "create_follow_up_contest",
        "register_runoff_candidate",
    }
    assert list(left) == [cw.contest("district_d1")]  # still waiting for its tabulation


@pytest.mark.parametrize("seed", [3, 2024])
def test_whole_election_tabulation_keeps_no_stale_result(
    factory: Factory, cw: CountWorld, seed: int
) -> None:
    """A whole-election tabulation takes an unchanged contest's sums from its stored digest when
    nothing is pending for it (issue #8, B2), and aggregates the pending ones: after any sequence
    of protocols and tabulations, a forced recomputation of every contest finds nothing to
    change (no event written, the same rows)."""
    rng = random.Random(seed)
    election = cw.world.election
    assert election is not None
    todo = pairs()
    rng.shuffle(todo)
    operator = Actor.operator()
    while todo:
        size = rng.randrange(1, 5)
        batch, todo = todo[:size], todo[size:]
        for contest, precinct in batch:
            enter(factory, cw, contest, precinct, rng)
        run(factory, operator, tabulate_election, election)
        assert pending(factory) == 0
        tabulated = state(factory, election)
        before = events(factory)
        run(factory, operator, tabulate_election, election, force=True)
        assert events(factory) == before
        assert state(factory, election) == tabulated
