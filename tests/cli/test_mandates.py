"""``saylau mandate | vacancy | recall | observer`` through Typer's CliRunner on an SQLite file.

The commands use the real clock, so the test election is placed around today (Asia/Almaty).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from saylau.cli import mandates as cli
from saylau.law.calendar import ElectionKind
from saylau.law.iin import Sex
from saylau.reference.regions import zone
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import (
    AuditEvent,
    Election,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    PartyList,
    Person,
)
from tests.world import World, build_election, build_world

runner = CliRunner()
IIN = itertools.count(1)


def application() -> typer.Typer:
    app = typer.Typer()
    cli.register(app)
    return app


@dataclass
class Setup:
    url: str
    world: World
    today: date
    listed: int
    list_seat: int
    smd: int
    district_deputy: int
    future_election: int


def person(session: Any, name: str) -> int:
    row = Person(
        iin=f"{next(IIN):012d}",
        surname=name,
        name="Test",
        birth_date=date(1980, 1, 1),
        sex=Sex.FEMALE,
    )
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    today = datetime.now(zone("Asia/Almaty")).date()
    with session_factory(engine)() as session, session.begin():
        world = build_election(session, build_world(session))
        election = session.get(Election, world.election)
        assert election is not None
        election.called_on = today - timedelta(days=60)
        election.polling_day = today - timedelta(days=3)
        listed = person(session, "Listed")
        plist = PartyList(contest_id=world.contests["oblast_list"], party_id=world.parties["alpha"])
        session.add(plist)
        session.flush()
        session.add(ListEntry(party_list_id=plist.id, position=1, person_id=listed))
        seat = Mandate(
            body_id=world.bodies["oblast"],
            contest_id=world.contests["oblast_list"],
            source=MandateSource.PARTY_LIST,
            party_id=world.parties["alpha"],
            state=MandateState.WON,
        )
        smd = Mandate(
            body_id=world.bodies["oblast"],
            contest_id=world.contests["oblast_o1"],
            source=MandateSource.SINGLE_MEMBER,
            person_id=person(session, "Winner"),
            state=MandateState.WON,
        )
        deputy = Mandate(
            body_id=world.bodies["district"],
            contest_id=world.contests["district_d1"],
            source=MandateSource.SINGLE_MEMBER,
            person_id=person(session, "Deputy"),
            state=MandateState.REGISTERED,
            term_start=today - timedelta(days=730),
        )
        future = Election(
            name="Future",
            kind=ElectionKind.EARLY,
            called_on=today,
            polling_day=today + timedelta(days=30),
        )
        session.add_all([seat, smd, deputy, future])
        session.flush()
        result = Setup(url, world, today, listed, seat.id, smd.id, deputy.id, future.id)
    engine.dispose()
    return result


def call(args: Sequence[object]) -> tuple[int, Any, str]:
    result = runner.invoke(application(), [str(a) for a in args])
    document = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, document, result.stderr


def test_mandate_commands(setup: Setup) -> None:
    w = setup.world
    code, out, err = call(
        [
            "mandate",
            "assign",
            w.contests["oblast_list"],
            w.parties["alpha"],
            setup.listed,
            "--as",
            "alpha_agent",
            "--role",
            "party_agent",
        ]
    )
    assert code == 0, err
    [assigned] = out["mandates"]
    assert (assigned["id"], assigned["person_id"], assigned["state"]) == (
        setup.list_seat,
        setup.listed,
        "assigned",
    )
    code, out, err = call(
        ["mandate", "register", setup.smd, "--application", setup.today.isoformat()]
    )
    assert code == 0, err
    assert out["mandate"]["state"] == "registered"
    assert out["mandate"]["term_start"] == setup.today.isoformat()
    code, out, _ = call(["mandate", "competence", w.bodies["oblast"]])
    assert code == 0
    assert out == {
        "body_id": w.bodies["oblast"],
        "seats_total": 6,
        "seats_filled": 1,
        "required": 5,
        "competent": False,
        "missing": 4,
    }
    code, out, _ = call(["mandate", "register", setup.list_seat, "--application", "yesterday"])
    assert code == 2


def test_vacancy_terminate_calls_a_by_election(setup: Setup) -> None:
    assert (
        call(["mandate", "register", setup.smd, "--application", setup.today.isoformat()])[0] == 0
    )
    code, out, err = call(
        ["vacancy", "terminate", setup.smd, "--on", setup.today.isoformat(), "--reason", "resigned"]
    )
    assert code == 0, err
    vacancy = out["vacancy"]
    assert vacancy["outcome"] == "by_election"
    day = date.fromisoformat(vacancy["by_election_day"])
    assert day > setup.today and day.month in (3, 10) and day.weekday() == 6
    code, _, err = call(
        ["vacancy", "terminate", setup.smd, "--on", setup.today.isoformat(), "--reason", "again"]
    )
    assert code == 2 and err.startswith("error: mandate")


def test_recall_commands(setup: Setup) -> None:
    code, out, err = call(["recall", "apply", setup.district_deputy, "--initiator", "A. Voter"])
    assert code == 0, err
    case = out["recall_case"]["id"]
    assert out["recall_case"]["state"] == "applied"
    for step in (["register"], ["submit"], ["verify", "--signatures", "101"]):
        code, out, err = call(["recall", step[0], case, *step[1:]])
        assert code == 0, err
    assert out["recall_case"]["timeline"]["petition"]["sufficient"] is True
    vote_day = setup.today + timedelta(days=10)
    code, out, err = call(["recall", "decide", case, "--vote-day", vote_day.isoformat()])
    assert code == 0, err
    assert out["recall_case"]["state"] == "vote_called"
    assert call(["recall", "notify", case])[0] == 0
    code, _, err = call(["recall", "result", case, "--took-part", "400", "--for-recall", "300"])
    assert code == 2
    assert (
        err.strip()
        == f"error: the recall vote is on {vote_day.isoformat()}; today is {setup.today.isoformat()}"
    )


def test_refusals_exit_2_and_are_logged(setup: Setup) -> None:
    w = setup.world
    args = ["recall", "apply", setup.district_deputy, "--initiator", "A. Voter"]
    code, _, err = call(
        [
            *args,
            "--as",
            "capital_admin",
            "--role",
            "tec_admin",
            "--commission",
            w.commissions["tec_capital"],
        ]
    )
    assert code == 2
    assert "outside the territory" in err
    engine = make_engine(setup.url)
    with session_factory(engine)() as session:
        [event] = session.scalars(select(AuditEvent)).all()
        assert (event.outcome, event.username, event.action) == (
            "refused",
            "capital_admin",
            "apply_for_recall",
        )
    engine.dispose()
    code, _, err = call([*args, "--as", "capital_admin", "--role", "cec_admin"])
    assert code == 2 and "does not hold the role" in err
    code, _, err = call([*args, "--role", "cec_admin"])
    assert code == 2 and "--as" in err


def test_observer_commands(setup: Setup) -> None:
    w = setup.world
    code, out, err = call(
        [
            "observer",
            "apply",
            "Fair Vote",
            "--kind",
            "ngo",
            "--accrediting-commission",
            w.commissions["tec_oblast"],
        ]
    )
    assert code == 0, err
    organisation = out["organisation"]
    assert organisation["review_due"] == (setup.today + timedelta(days=30)).isoformat()
    code, out, err = call(["observer", "accredit", organisation["id"]])
    assert code == 0, err
    assert out["organisation"]["accredited_on"] == setup.today.isoformat()
    code, out, err = call(
        ["observer", "credential", organisation["id"], "Aigerim Bekova", "Daulet Ospanov"]
    )
    assert code == 0, err
    first, _second = out["observers"]
    assert first["credential"] == f"OBS-{organisation['id']:05d}-00001"
    p = w.precincts
    code, out, err = call(
        ["observer", "assign", first["id"], setup.future_election, p["p1"], p["p2"]]
    )
    assert code == 0, err
    assert len(out["assignments"]) == 2
    code, out, err = call(["observer", "coverage", setup.future_election])
    assert code == 0, err
    assert (out["total_precincts"], out["covered"], out["share"]) == (6, 2, "1/3")
    assert out["categories"] == {"ngo": 2}
    code, _, err = call(["observer", "apply", "X", "--kind", "spy", "--accrediting-commission", 1])
    assert code == 2 and "--kind" in err
