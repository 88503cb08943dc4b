"""Territory import: all-or-nothing, idempotent, the law's caps, territorial permissions; the
commission hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import CommissionLevel, Role
from saylau.services import approvals
from saylau.services.context import Actor, execute
from saylau.services.errors import InvalidInput, PermissionDenied
from saylau.services.territory import (
    TerritoryImport,
    ensure_commissions,
    import_territory,
    read_territory,
)
from saylau.storage.models import AuditEvent, Body, Commission, Precinct, Region, Unit
from tests.world import World, build_world

OPERATOR = Actor.operator()

REGIONS = [
    {
        "code": "KZ-35",
        "kind": "oblast",
        "name_kk": "Қарағанды облысы",
        "name_ru": "Карагандинская область",
        "name_en": "Karaganda Region",
        "iana_zone": "Asia/Almaty",
    },
    {
        "code": "KZ-71",
        "kind": "capital",
        "name_kk": "Астана қ.",
        "name_en": "Astana city",
        "iana_zone": "Asia/Almaty",
    },
]
UNITS = [
    {"region": "KZ-35", "kind": "district", "name_kk": "Абай ауданы", "name_en": "Abai district"},
    {"region": "KZ-35", "kind": "city", "name_kk": "Теміртау қаласы", "name_en": "Temirtau city"},
]
PRECINCTS = [
    {"region": "KZ-35", "unit": "Abai district", "number": 1, "voters": 1200, "address": "a"},
    {"region": "KZ-35", "unit": "Temirtau city", "number": 2, "voters": 3000},
    {"region": "KZ-71", "number": 1, "voters": 2500},
]
BODIES = [
    {"kind": "mazhilis", "seats": 98},
    {"kind": "oblast", "region": "KZ-35", "seats": 36},
    {"kind": "capital", "region": "KZ-71", "seats": 34},
    {"kind": "district", "region": "KZ-35", "unit": "Abai district", "seats": 17},
    {"kind": "city", "region": "KZ-35", "unit": "Temirtau city", "seats": 20},
]


def full_batch(**changes: list[dict[str, Any]]) -> TerritoryImport:
    sections = {"regions": REGIONS, "units": UNITS, "precincts": PRECINCTS, "bodies": BODIES}
    sections.update(changes)
    return TerritoryImport.of(**sections)


def count(factory: sessionmaker[Session], model: type[Any]) -> int:
    with factory() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def refusals(factory: sessionmaker[Session]) -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.execute(select(AuditEvent).where(AuditEvent.outcome == "refused")).scalars()
        )


def world_of(factory: sessionmaker[Session]) -> World:
    with factory() as session, session.begin():
        return build_world(session)


def actor(factory: sessionmaker[Session], username: str, role: Role, commission: int) -> Actor:
    with factory() as session:
        return Actor.load(session, username, role, commission)


def test_import_creates_everything_and_rerun_changes_nothing(
    factory: sessionmaker[Session],
) -> None:
    report = execute(factory, OPERATOR, import_territory, full_batch())
    assert {k: t.created for k, t in report.tallies.items()} == {
        "region": 2,
        "unit": 2,
        "precinct": 3,
        "body": 5,
    }
    events = count(factory, AuditEvent)
    assert events == 12
    again = execute(factory, OPERATOR, import_territory, full_batch())
    assert again.changed == 0
    assert again.tally("precinct").unchanged == 3
    assert count(factory, AuditEvent) == events
    with factory() as session:
        body = session.execute(select(Body).where(Body.kind == "district")).scalar_one()
        assert body.name_en == "Abai district maslikhat"


def test_a_changed_row_is_updated_and_audited_with_before_and_after(
    factory: sessionmaker[Session],
) -> None:
    execute(factory, OPERATOR, import_territory, full_batch())
    changed = [dict(PRECINCTS[0], voters=1300), *PRECINCTS[1:]]
    report = execute(factory, OPERATOR, import_territory, TerritoryImport.of(precincts=changed))
    assert (report.tally("precinct").updated, report.tally("precinct").unchanged) == (1, 2)
    with factory() as session:
        event = session.execute(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one()
    assert (event.entity, event.action) == ("precinct", "import_territory")
    assert event.before is not None and event.after is not None
    assert (event.before["voters"], event.after["voters"]) == (1200, 1300)


def test_one_bad_row_imports_nothing_and_names_the_row_and_field(
    factory: sessionmaker[Session],
) -> None:
    bad = [*PRECINCTS[:2], dict(PRECINCTS[2], voters=3001)]
    with pytest.raises(InvalidInput) as caught:
        execute(factory, OPERATOR, import_territory, full_batch(precincts=bad))
    assert "precincts row 3" in caught.value.message
    assert "voters=3001" in caught.value.message
    assert "CL art. 23" in caught.value.message
    assert caught.value.field == "voters"
    for model in (Region, Unit, Precinct, Body, AuditEvent):
        assert count(factory, model) == 0


def test_every_error_is_collected(factory: sessionmaker[Session]) -> None:
    bad_precincts = [
        {"region": "KZ-35", "number": 1, "voters": 10},  # oblast precinct without a unit
        {"region": "KZ-71", "unit": "Abai district", "number": 2, "voters": 10},
        {"region": "KZ-99", "number": 3, "voters": 10},
        {"region": "KZ-71", "number": "4", "voters": 10},  # a string is not a number in JSON
        {"region": "KZ-71", "number": 5, "voters": 10, "colour": "red"},
        {"region": "KZ-71", "number": 6, "voters": 10},
        {"region": "KZ-71", "number": 6, "voters": 11},
    ]
    with pytest.raises(InvalidInput) as caught:
        execute(factory, OPERATOR, import_territory, full_batch(precincts=bad_precincts))
    rows = {(e["row"], e["field"]) for e in caught.value.params["errors"]}
    assert rows == {
        ("precincts row 1", "unit"),
        ("precincts row 2", "unit"),
        ("precincts row 3", "region"),
        ("precincts row 4", "number"),
        ("precincts row 5", "colour"),
        ("precincts row 7", "number"),
    }
    assert "unknown column" in caught.value.message
    assert count(factory, Region) == 0


def test_seat_cap_excess_needs_a_reason_which_is_stored_and_audited(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Dual control off: its approval is tested in tests/security/test_dual_control_seats_ballots.py
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.OFF)
    over = [*BODIES[:3], dict(BODIES[3], seats=30), BODIES[4]]
    with pytest.raises(InvalidInput) as caught:
        execute(factory, OPERATOR, import_territory, full_batch(bodies=over))
    assert "bodies row 4" in caught.value.message
    assert "cap of 25" in caught.value.message and "decision #10" in caught.value.message
    reason = "seats fixed by the akimat's decision of 2022"
    over[3] = dict(over[3], seat_cap_override=reason)
    report = execute(factory, OPERATOR, import_territory, full_batch(bodies=over))
    assert any("cap of 25" in w and reason in w for w in report.warnings)
    with factory() as session:
        body = session.execute(select(Body).where(Body.kind == "district")).scalar_one()
        event = session.execute(
            select(AuditEvent).where(
                AuditEvent.entity == "body", AuditEvent.entity_id == str(body.id)
            )
        ).scalar_one()
    assert (body.seats, body.seat_cap_override) == (30, reason)
    assert event.after is not None and event.after["seat_cap_override"] == reason


def test_bodies_must_match_their_territory(factory: sessionmaker[Session]) -> None:
    bad = [
        {"kind": "mazhilis", "seats": 107},
        {"kind": "capital", "region": "KZ-35", "seats": 30},
        {"kind": "city", "region": "KZ-35", "unit": "Abai district", "seats": 20},
        {"kind": "district", "region": "KZ-35", "seats": 20},
    ]
    with pytest.raises(InvalidInput) as caught:
        execute(factory, OPERATOR, import_territory, full_batch(bodies=bad))
    fields = [(e["row"], e["field"]) for e in caught.value.params["errors"]]
    assert fields == [
        ("bodies row 1", "seats"),
        ("bodies row 2", "kind"),
        ("bodies row 3", "kind"),
        ("bodies row 4", "unit"),
    ]
    assert "98 seats" in caught.value.message


def test_csv_with_a_bad_row_names_row_line_and_field(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    execute(factory, OPERATOR, import_territory, TerritoryImport.of(regions=REGIONS, units=UNITS))
    path = tmp_path / "precincts.csv"
    path.write_text(
        "region,unit,number,address,voters\n"
        "KZ-35,Abai district,1,School 1,1200\n"
        "KZ-35,Abai district,2,School 2,12OO\n"
        "KZ-71,,3,,900\n",
        encoding="utf-8",
    )
    batch = read_territory(path)
    with pytest.raises(InvalidInput) as caught:
        execute(factory, OPERATOR, import_territory, batch)
    assert "precincts row 2 (line 3), field voters" in caught.value.message
    assert count(factory, Precinct) == 0
    path.write_text(path.read_text().replace("12OO", "1100"), encoding="utf-8")
    report = execute(factory, OPERATOR, import_territory, read_territory(path))
    assert report.tally("precinct").created == 3
    again = execute(factory, OPERATOR, import_territory, read_territory(path))
    assert again.changed == 0


def test_a_json_document_with_sections(factory: sessionmaker[Session], tmp_path: Path) -> None:
    import json

    path = tmp_path / "territory.json"
    path.write_text(
        json.dumps({"regions": REGIONS, "units": UNITS, "precincts": PRECINCTS}), encoding="utf-8"
    )
    report = execute(factory, OPERATOR, import_territory, read_territory(path))
    assert report.tally("precinct").created == 3
    path.write_text(json.dumps({"wards": []}), encoding="utf-8")
    with pytest.raises(InvalidInput, match="unknown section"):
        read_territory(path)


def test_only_the_cec_imports_territory_and_refusals_are_logged(
    factory: sessionmaker[Session],
) -> None:
    world = world_of(factory)
    oblast_admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    before = count(factory, Precinct)
    rows = [
        {"region": "KZ-71", "number": 99, "voters": 10},  # another region
        {"region": "KZ-35", "unit": "Raion", "number": 99, "voters": 10},  # even its own
    ]
    for row in rows:
        batch = TerritoryImport.of(precincts=[row])
        with pytest.raises(PermissionDenied):
            execute(factory, oblast_admin, import_territory, batch)
    assert count(factory, Precinct) == before
    logged = refusals(factory)
    assert [e.action for e in logged] == ["import_territory", "import_territory"]
    assert all(e.username == "oblast_admin" for e in logged)


def test_commission_hierarchy_is_created_once(factory: sessionmaker[Session]) -> None:
    execute(factory, OPERATOR, import_territory, full_batch())
    report = execute(factory, OPERATOR, ensure_commissions)
    assert report.tally("commission").created == 1 + 2 + 2 + 3
    with factory() as session:
        commissions = list(session.execute(select(Commission)).scalars())
        by_level = {
            level: [c for c in commissions if c.level is level] for level in CommissionLevel
        }
        tec_of_region = {c.region_id: c.id for c in by_level[CommissionLevel.TEC_REGION]}
        tec_of_unit = {c.unit_id: c.id for c in by_level[CommissionLevel.TEC_UNIT]}
        for pec in by_level[CommissionLevel.PEC]:
            precinct = session.get(Precinct, pec.precinct_id)
            assert precinct is not None
            expected = (
                tec_of_unit[precinct.unit_id]
                if precinct.unit_id
                else tec_of_region[precinct.region_id]
            )
            assert pec.parent_id == expected
    events = count(factory, AuditEvent)
    assert execute(factory, OPERATOR, ensure_commissions).changed == 0
    assert count(factory, AuditEvent) == events


def test_world_commissions_are_recognised_and_a_new_precinct_gets_its_pec(
    factory: sessionmaker[Session],
) -> None:
    world = world_of(factory)
    assert execute(factory, OPERATOR, ensure_commissions).changed == 0
    execute(
        factory,
        OPERATOR,
        import_territory,
        TerritoryImport.of(
            precincts=[{"region": "KZ-35", "unit": "Raion", "number": 7, "voters": 5}]
        ),
    )
    oblast_admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    report = execute(factory, oblast_admin, ensure_commissions, world.regions["oblast"])
    assert report.tally("commission").created == 1
    with factory() as session:
        pec = session.execute(
            select(Commission).order_by(Commission.id.desc()).limit(1)
        ).scalar_one()
    assert pec.parent_id == world.commissions["tec_district"]
    with pytest.raises(PermissionDenied):
        execute(factory, oblast_admin, ensure_commissions, world.regions["capital"])
    with pytest.raises(PermissionDenied):
        execute(factory, oblast_admin, ensure_commissions)
    assert len(refusals(factory)) == 2
