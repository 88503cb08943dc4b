"""Tabulation: sums of definitive protocols, the law applied, follow-up contests (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.bodies import ContestKind
from saylau.law.district import RUNOFF_LOT_PURPOSE
from saylau.law.lot import draw_lot
from saylau.services.errors import Conflict, PermissionDenied
from saylau.services.tabulation import (
    contest_progress,
    election_totals,
    record_lot,
    tabulate_contest,
    tabulate_election,
)
from saylau.storage.models import (
    AuditEvent,
    BallotChoice,
    Contest,
    ContestResult,
    ContestStatus,
    Election,
    LotRecord,
    Nomination,
)
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup, typist

Factory = sessionmaker[Session]


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


def cec(factory: Factory, cw: CountWorld) -> Any:
    return actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])


def oblast_coordinator(factory: Factory, cw: CountWorld) -> Any:
    return actor(
        factory, "oblast_coordinator", Role.TEC_COORDINATOR, cw.world.commissions["tec_oblast"]
    )


def count_in(
    factory: Factory,
    cw: CountWorld,
    contest: str,
    precinct: str,
    votes: dict[str, int],
    *,
    against_all: int = 0,
    invalid: int = 0,
    at: datetime | None = None,
    choices: dict[str, int] | None = None,
) -> None:
    """A definitive protocol (two identical entries) with ``votes`` by party code / surname."""
    ids = choices if choices is not None else cw.choices[contest]
    data = figures(
        {ids[k]: v for k, v in votes.items()},
        voters=2000,
        against_all=against_all,
        invalid=invalid,
    )
    kwargs = {"at": at} if at is not None else {}
    status = double_entry(factory, cw, contest, precinct, data, **kwargs)
    assert status.state.value == "definitive", status


def result(factory: Factory, cw: CountWorld, contest: str) -> ContestResult:
    with factory() as session:
        row = session.scalars(
            select(ContestResult).where(ContestResult.contest_id == cw.contest(contest))
        ).one()
        return row


def contest_row(factory: Factory, contest_id: int) -> Contest:
    with factory() as session:
        row = session.get(Contest, contest_id)
        assert row is not None
        return row


def test_list_contest_seats_computed_by_hand_and_progress(factory: Factory, cw: CountWorld) -> None:
    # Oblast maslikhat list part: 3 seats, precincts p1–p4 (CL art. 111-1).
    count_in(
        factory, cw, "oblast_list", "p1", {"alpha": 300, "beta": 200, "gamma": 10}, against_all=30
    )
    count_in(
        factory, cw, "oblast_list", "p2", {"alpha": 250, "beta": 150, "gamma": 10}, against_all=20
    )
    count_in(
        factory,
        cw,
        "oblast_list",
        "p3",
        {"alpha": 250, "beta": 150, "gamma": 10},
        against_all=30,
        invalid=7,
    )
    coordinator = oblast_coordinator(factory, cw)
    partial = run(factory, coordinator, tabulate_contest, cw.contest("oblast_list"))
    assert (partial.final, partial.progress) == (False, "3 of 4 precincts definitive")
    assert contest_row(factory, cw.contest("oblast_list")).status is ContestStatus.OPEN
    assert result(factory, cw, "oblast_list").status == "provisional"

    count_in(
        factory, cw, "oblast_list", "p4", {"alpha": 200, "beta": 100, "gamma": 10}, against_all=20
    )
    tally = run(factory, coordinator, tabulate_contest, cw.contest("oblast_list"))
    assert (tally.final, tally.status, tally.progress) == (
        True,
        "allocated",
        "4 of 4 precincts definitive",
    )
    # By hand: alpha 1000, beta 600, gamma 40, against all 100 → base 1740 (decision #1).
    # 5% of 1740 = 87: gamma (40) fails. Hare quota = (1000 + 600) / 3 = 533⅓.
    # alpha 1000 / 533⅓ = 1.875 → 1 seat, remainder 0.875; beta 1.125 → 1, remainder 0.125.
    # The third seat goes to the largest remainder: alpha. Seats: alpha 2, beta 1, gamma 0.
    stored = result(factory, cw, "oblast_list")
    seats = {line["party"]: line["seats"] for line in stored.outcome["lists"]}
    assert seats == {"alpha": 2, "beta": 1, "gamma": 0}
    assert stored.outcome["allocation"]["quota"] == "1600/3"
    assert stored.totals["valid"] == 1740 and stored.totals["invalid"] == 7
    assert stored.totals["turnout"] == "1747/8000"
    assert (stored.status, stored.precincts_counted, stored.precincts_total) == ("final", 4, 4)
    assert contest_row(factory, cw.contest("oblast_list")).status is ContestStatus.DECIDED
    with factory() as session:
        election = cw.world.election
        assert election is not None
        assert contest_progress(session, election)[cw.contest("oblast_list")] == (4, 4)
        assert contest_progress(session, election)[cw.contest("mazhilis_list")] == (0, 6)


def test_tabulating_again_writes_nothing(factory: Factory, cw: CountWorld) -> None:
    count_in(factory, cw, "district_d1", "p1", {"Абаев": 500, "Бекова": 300, "Жұмабаев": 100})
    coordinator = oblast_coordinator(factory, cw)
    run(factory, coordinator, tabulate_contest, cw.contest("district_d1"))
    with factory() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    again = run(factory, coordinator, tabulate_contest, cw.contest("district_d1"))
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert (again.final, again.status) == (True, "elected")
    stored = result(factory, cw, "district_d1")
    assert stored.outcome["winner"]["person_id"] == cw.persons["district_d1"]["Абаев"]
    assert stored.outcome["competitiveness"]["rounded"] == "0.6"  # 300 / 500 (decision #18)
    assert stored.outcome["competitiveness"]["band"] == "medium"


def test_three_way_tie_waits_for_a_lot_then_creates_the_runoff(
    factory: Factory, cw: CountWorld
) -> None:
    # Oblast district 2 is precinct p3 alone; three candidates tie (CL art. 109-1; decision #6).
    count_in(
        factory,
        cw,
        "oblast_o2",
        "p3",
        {"Абаев": 100, "Бекова": 100, "Жұмабаев": 100},
        against_all=5,
    )
    coordinator = oblast_coordinator(factory, cw)
    tally = run(factory, coordinator, tabulate_contest, cw.contest("oblast_o2"))
    assert (tally.final, tally.status, tally.follow_up_contest_id) == (True, "lot_required", None)
    assert contest_row(factory, cw.contest("oblast_o2")).status is ContestStatus.LOT_REQUIRED
    with pytest.raises(Conflict):
        run(factory, coordinator, record_lot, cw.contest("oblast_list"), "seed")

    seed = "TEC Testoblast sitting 2023-03-20 #7"
    drawn = run(factory, coordinator, record_lot, cw.contest("oblast_o2"), seed)
    assert drawn.status == "runoff" and drawn.follow_up_contest_id is not None
    with factory() as session:
        labels = {
            surname: session.get(BallotChoice, choice).label  # type: ignore[union-attr]
            for surname, choice in cw.choices["oblast_o2"].items()
        }
        expected = draw_lot(seed, RUNOFF_LOT_PURPOSE, list(labels.values())).winners(2)
        lot = session.scalars(select(LotRecord)).one()
        assert (lot.seed, lot.order[:2]) == (seed, list(expected))
        runoff = session.get(Contest, drawn.follow_up_contest_id)
        assert runoff is not None
        assert runoff.follows_contest_id == cw.contest("oblast_o2")
        assert (runoff.district_id, runoff.kind) == (
            cw.world.districts["oblast_o2"],
            ContestKind.FIRST_LEVEL_SMD,
        )
        runoff_election = session.get(Election, runoff.election_id)
        assert runoff_election is not None
        assert (runoff_election.purpose, runoff_election.parent_id) == ("runoff", cw.world.election)
        assert runoff_election.polling_day == date(2023, 4, 16)  # last Sunday by 19 April
        choices = session.scalars(
            select(BallotChoice)
            .where(BallotChoice.contest_id == runoff.id)
            .order_by(BallotChoice.position)
        ).all()
        assert sorted(c.label for c in choices) == sorted(expected)
        nominations = session.scalars(
            select(Nomination).where(Nomination.contest_id == runoff.id)
        ).all()
        assert {n.state for n in nominations} == {CandidacyState.REGISTERED}
    assert contest_row(factory, cw.contest("oblast_o2")).status is ContestStatus.RUNOFF

    # The runoff itself (one month later) is counted and won by plurality (art. 109-1) …
    runoff_night = datetime(2023, 4, 17, 3, 0, tzinfo=UTC)
    by_label = {c.label: c.id for c in choices}
    first, second = expected
    _count_runoff(
        factory, cw, runoff.id, {by_label[first]: 120, by_label[second]: 90}, runoff_night
    )
    decided = run(factory, coordinator, tabulate_election, runoff.election_id, at=runoff_night)
    assert [(t.contest_id, t.status, t.final) for t in decided] == [(runoff.id, "elected", True)]
    with factory() as session:
        won = session.scalars(
            select(ContestResult).where(ContestResult.contest_id == runoff.id)
        ).one()
    assert won.outcome["winner"]["name"] == first
    assert won.outcome["round"] == "runoff"


def _count_runoff(
    factory: Factory, cw: CountWorld, contest_id: int, votes: dict[int, int], at: datetime
) -> None:
    from saylau.services.protocols import enter_protocol

    data = figures(votes, voters=2000)
    for which in ("a", "b"):
        status = run(
            factory,
            typist(factory, cw, "p3", which),
            enter_protocol,
            contest_id,
            cw.precinct("p3"),
            data,
            at=at,
        )
    assert status.state.value == "definitive"


def test_a_tied_runoff_leads_to_a_repeat_election(factory: Factory, cw: CountWorld) -> None:
    count_in(factory, cw, "oblast_o3", "p4", {"Абаев": 200, "Бекова": 150, "Жұмабаев": 100})
    count_in(factory, cw, "oblast_o2", "p3", {"Абаев": 200, "Бекова": 200, "Жұмабаев": 100})
    coordinator = oblast_coordinator(factory, cw)
    tally = run(factory, coordinator, tabulate_contest, cw.contest("oblast_o2"))
    assert tally.status == "runoff" and tally.follow_up_contest_id is not None
    runoff_id = tally.follow_up_contest_id
    with factory() as session:
        ids = list(
            session.scalars(select(BallotChoice.id).where(BallotChoice.contest_id == runoff_id))
        )
        runoff_election = session.get(Contest, runoff_id).election_id  # type: ignore[union-attr]
    night = datetime(2023, 4, 17, 3, 0, tzinfo=UTC)
    _count_runoff(factory, cw, runoff_id, dict.fromkeys(ids, 75), night)
    tied = run(
        factory, coordinator, tabulate_contest, runoff_id, follow_up_day=date(2023, 5, 28), at=night
    )
    assert tied.status == "repeat_election" and tied.follow_up_contest_id is not None
    with factory() as session:
        repeat = session.get(Contest, tied.follow_up_contest_id)
        assert repeat is not None and repeat.follows_contest_id == runoff_id
        repeat_election = session.get(Election, repeat.election_id)
        assert repeat_election is not None
        assert (repeat_election.purpose, repeat_election.parent_id) == ("repeat", runoff_election)
        assert repeat_election.polling_day == date(2023, 5, 28)
        assert (
            session.scalar(
                select(func.count())
                .select_from(BallotChoice)
                .where(BallotChoice.contest_id == repeat.id)
            )
            == 0
        )


def test_tabulation_permissions(factory: Factory, cw: CountWorld) -> None:
    count_in(factory, cw, "district_d1", "p1", {"Абаев": 5, "Бекова": 3, "Жұмабаев": 1})
    with pytest.raises(PermissionDenied):
        run(factory, typist(factory, cw, "p1", "a"), tabulate_contest, cw.contest("district_d1"))
    capital = actor(
        factory, "capital_coordinator", Role.TEC_COORDINATOR, cw.world.commissions["tec_capital"]
    )
    with pytest.raises(PermissionDenied):
        run(factory, capital, tabulate_contest, cw.contest("district_d1"))
    with pytest.raises(PermissionDenied):  # the Mazhilis is the CEC's
        run(factory, oblast_coordinator(factory, cw), tabulate_contest, cw.contest("mazhilis_list"))
    with factory() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
        assert [e.username for e in refused] == [
            "typist_p1_a",
            "capital_coordinator",
            "oblast_coordinator",
        ]
        assert session.scalar(select(func.count()).select_from(ContestResult)) == 0
    election = cw.world.election
    assert election is not None
    oblast = run(factory, oblast_coordinator(factory, cw), tabulate_election, election)
    expected = {
        cw.contest(n)
        for n in (
            *("oblast_list", "oblast_o1", "oblast_o2", "oblast_o3"),
            *("district_d1", "district_d2", "city_t1", "city_t2"),
        )
    }
    assert {t.contest_id for t in oblast} == expected
    everything = run(factory, cec(factory, cw), tabulate_election, election)
    assert len(everything) == len(cw.world.contests)


def test_totals_per_region_body_and_nation(factory: Factory, cw: CountWorld) -> None:
    count_in(
        factory,
        cw,
        "mazhilis_list",
        "p1",
        {"alpha": 600, "beta": 200, "gamma": 100},
        against_all=50,
        invalid=10,
    )
    count_in(
        factory,
        cw,
        "mazhilis_list",
        "p5",
        {"alpha": 700, "beta": 300, "gamma": 100},
        against_all=40,
        invalid=5,
    )
    election = cw.world.election
    assert election is not None
    with factory() as session:
        lines = election_totals(session, election)
    national = next(
        x for x in lines if x.scope == "national" and x.kind is ContestKind.MAZHILIS_LIST
    )
    assert (national.protocols, national.valid, national.against_all) == (2, 2090, 90)
    assert national.turnout == Fraction(2105, 4000)
    oblast = next(x for x in lines if x.scope == "region" and x.key == cw.world.regions["oblast"])
    assert (oblast.valid, oblast.against_all, oblast.invalid) == (950, 50, 10)
    body = next(x for x in lines if x.scope == "body")
    assert (body.key, body.protocols) == (cw.world.bodies["mazhilis"], 2)
