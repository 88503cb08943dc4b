"""Turnout reports at 10:00, 16:00 and the close (monograph [L750–L756]), on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.turnout import TurnoutFigure, report_turnout, turnout_summary
from saylau.storage.models import AuditEvent, TurnoutReport
from tests.services.count_world import CountWorld, actor, run, setup, typist

Factory = sessionmaker[Session]
# Asia/Almaty was UTC+6 in March 2023
AT_10_05 = datetime(2023, 3, 19, 4, 5, tzinfo=UTC)
AT_16_05 = datetime(2023, 3, 19, 10, 5, tzinfo=UTC)
AFTER_CLOSE = datetime(2023, 3, 19, 14, 30, tzinfo=UTC)


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


def report(
    factory: Factory, cw: CountWorld, precinct: str, at: str, voted: int, when: datetime
) -> TurnoutFigure:
    election = cw.world.election
    assert election is not None
    return run(
        factory,
        typist(factory, cw, precinct, "a"),
        report_turnout,
        election,
        cw.precinct(precinct),
        at,
        voted,
        at=when,
    )


def reports(factory: Factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(TurnoutReport)) or 0


def test_reports_through_the_day_and_exact_aggregates(factory: Factory, cw: CountWorld) -> None:
    report(factory, cw, "p1", "10:00", 150, AT_10_05)  # 1,000 voters
    report(factory, cw, "p3", "10:00", 300, AT_10_05)  # 1,500 voters
    report(factory, cw, "p5", "10:00", 500, AT_10_05)  # capital, 2,000 voters
    report(factory, cw, "p1", "16:00", 400, AT_16_05)
    report(factory, cw, "p1", "final", 650, AFTER_CLOSE)
    election = cw.world.election
    assert election is not None
    with factory() as session:
        morning = turnout_summary(session, election, "10:00")
        final = turnout_summary(session, election, "final")
    oblast = next(line for line in morning.regions if line.region_id == cw.world.regions["oblast"])
    assert (oblast.reported, oblast.precincts) == (2, 4)
    assert oblast.share == Fraction(450, 2500)
    assert morning.national.share == Fraction(950, 4500)
    assert (morning.national.reported, morning.national.precincts) == (3, 6)
    assert final.national.share == Fraction(650, 1000)


def test_turnout_never_decreases_and_never_exceeds_the_list(
    factory: Factory, cw: CountWorld
) -> None:
    report(factory, cw, "p1", "16:00", 400, AT_16_05)
    with pytest.raises(InvalidInput) as later_smaller:
        report(factory, cw, "p1", "final", 399, AFTER_CLOSE)
    assert later_smaller.value.code == "turnout_not_monotone"
    with pytest.raises(InvalidInput) as earlier_larger:
        report(factory, cw, "p1", "10:00", 401, AFTER_CLOSE)
    assert earlier_larger.value.code == "turnout_not_monotone"
    with pytest.raises(InvalidInput) as too_many:
        report(factory, cw, "p1", "final", 1001, AFTER_CLOSE)
    assert too_many.value.code == "more_than_voters"
    with pytest.raises(InvalidInput):
        report(factory, cw, "p1", "12:00", 10, AFTER_CLOSE)
    assert reports(factory) == 1


def test_no_report_before_its_hour(factory: Factory, cw: CountWorld) -> None:
    with pytest.raises(Conflict) as early:
        report(factory, cw, "p1", "final", 600, AT_16_05)
    assert early.value.code == "turnout_too_early"
    with pytest.raises(Conflict):
        report(factory, cw, "p1", "16:00", 600, AT_10_05)
    assert reports(factory) == 0


def test_same_figure_again_changes_nothing_and_a_correction_is_audited(
    factory: Factory, cw: CountWorld
) -> None:
    first = report(factory, cw, "p1", "10:00", 150, AT_10_05)
    again = report(factory, cw, "p1", "10:00", 150, AT_16_05)
    corrected = report(factory, cw, "p1", "10:00", 160, AT_16_05)
    assert [x.changed for x in (first, again, corrected)] == [True, False, True]
    with factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report_turnout").order_by(AuditEvent.id)
        ).all()
    assert [(e.before or {}).get("voted") for e in events] == [None, 150]
    assert reports(factory) == 1


def test_typist_of_another_precinct_cannot_report(factory: Factory, cw: CountWorld) -> None:
    election = cw.world.election
    assert election is not None
    with pytest.raises(PermissionDenied):
        run(
            factory,
            typist(factory, cw, "p2", "a"),
            report_turnout,
            election,
            cw.precinct("p1"),
            "10:00",
            10,
            at=AT_10_05,
        )
    analyst = actor(factory, "analyst", Role.ANALYST, None)
    with pytest.raises(PermissionDenied):
        run(factory, analyst, report_turnout, election, cw.precinct("p1"), "10:00", 10, at=AT_10_05)
    with factory() as session:
        refused = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused")
        )
    assert refused == 2
    assert reports(factory) == 0
