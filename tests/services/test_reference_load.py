"""The real 2023 structure loads as printed, once, with its seat-cap excesses explained."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import CommissionLevel, Role
from saylau.law.rules import MaslikhatKind
from saylau.reference.structure import structure_2023
from saylau.services.audit import verify_chain
from saylau.services.context import Actor, execute
from saylau.services.errors import PermissionDenied
from saylau.services.reference_load import PARTIES_2023, expected_counts, load_reference_2023
from saylau.storage.models import (
    AuditEvent,
    Body,
    BodyKind,
    Commission,
    Party,
    PartyBranch,
    Precinct,
    Region,
    Unit,
)

OPERATOR = Actor.operator()


def count(session: Session, model: type[Any]) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_loads_the_2023_structure_as_printed(factory: sessionmaker[Session]) -> None:
    report = execute(factory, OPERATOR, load_reference_2023)
    expected = expected_counts()
    assert expected == {"regions": 20, "units": 203, "bodies": 224, "parties": 7}
    with factory() as session:
        assert count(session, Region) == 20
        assert count(session, Unit) == 203
        assert count(session, Body) == 224
        assert count(session, Party) == 7
        assert count(session, PartyBranch) == 7 * 20
        assert count(session, Precinct) == 0  # not in the monograph: not invented here
        levels = [c.level for c in session.execute(select(Commission)).scalars()]
        assert levels.count(CommissionLevel.CEC) == 1
        assert levels.count(CommissionLevel.TEC_REGION) == 20
        assert levels.count(CommissionLevel.TEC_UNIT) == 203
        mazhilis = session.execute(select(Body).where(Body.kind == BodyKind.MAZHILIS)).scalar_one()
        assert mazhilis.seats == 98
        maslikhats = list(
            session.execute(select(Body).where(Body.kind != BodyKind.MAZHILIS)).scalars()
        )
        assert len([b for b in maslikhats if b.unit_id is None]) == 20
        assert sum(b.seats for b in maslikhats if b.unit_id is None) == 668  # Table 6 total
        assert sum(b.seats for b in maslikhats if b.unit_id is not None) == 2746  # Tables 35–51
        codes = {p.code for p in session.execute(select(Party)).scalars()}
        assert codes == {p.code for p in PARTIES_2023}
        aktobe = session.execute(
            select(Body).where(Body.name_en == "Aktobe city maslikhat")
        ).scalar_one()
        unit = session.get(Unit, aktobe.unit_id)
        assert unit is not None
        assert (unit.name_en, unit.name_kk, unit.kind) == (
            "Aktobe city",
            "Ақтөбе қаласы",
            MaslikhatKind.CITY,
        )
        overridden = {b.name_en: b.seats for b in maslikhats if b.seat_cap_override is not None}
        assert verify_chain(session).intact
    assert overridden == {
        "Aktobe city maslikhat": 32,
        "Ile district maslikhat": 27,
        "Karasai district maslikhat": 30,
        "Enbekshikazak district maslikhat": 28,
    }
    assert sum("exceed the cap" in w for w in report.warnings) == 4
    by_region = {s.region.code: s for s in structure_2023()}
    with factory() as session:
        for body in session.execute(
            select(Body, Region.code)
            .join(Region, Region.id == Body.region_id)
            .where(Body.unit_id.is_(None))
        ):
            stored, code = body
            assert stored.seats == by_region[code].first_level_seats


def test_loading_twice_changes_nothing(factory: sessionmaker[Session]) -> None:
    execute(factory, OPERATOR, load_reference_2023)
    with factory() as session:
        events = count(session, AuditEvent)
    report = execute(factory, OPERATOR, load_reference_2023)
    assert report.changed == 0
    with factory() as session:
        assert count(session, AuditEvent) == events
        assert count(session, Body) == 224


def test_a_tec_admin_may_not_load_and_the_refusal_is_logged(
    factory: sessionmaker[Session],
) -> None:
    tec = Actor(
        user_id=None,
        username="tec",
        role=Role.TEC_ADMIN,
        commission_id=None,
        level=CommissionLevel.TEC_REGION,
        region_id=1,
    )
    with pytest.raises(PermissionDenied):
        execute(factory, tec, load_reference_2023)
    with factory() as session:
        assert count(session, Region) == 0
        events = list(session.execute(select(AuditEvent)).scalars())
    assert [(e.outcome, e.action) for e in events] == [("refused", "load_reference_2023")]
