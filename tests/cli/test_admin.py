"""The election-setup commands end to end on an SQLite file: import, users, call, districts, audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from saylau.cli.admin import register
from saylau.domain.roles import CommissionLevel
from saylau.services.users import verify_password
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import AuditEvent, Commission, Contest, District, Precinct, Region

runner = CliRunner()
app = typer.Typer()
register(app)

TERRITORY = {
    "regions": [
        {
            "code": "KZ-35",
            "kind": "oblast",
            "name_kk": "Қарағанды облысы",
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
    ],
    "units": [
        {"region": "KZ-35", "kind": "district", "name_kk": "Абай ауданы", "name_en": "Abai"},
    ],
    "bodies": [
        {"kind": "mazhilis", "seats": 98},
        {"kind": "oblast", "region": "KZ-35", "seats": 36},
        {"kind": "capital", "region": "KZ-71", "seats": 34},
        {"kind": "district", "region": "KZ-35", "unit": "Abai", "seats": 2},
    ],
}
PRECINCTS_CSV = (
    "region,unit,number,address,voters\n"
    "KZ-35,Abai,1,School 1,1200\n"
    "KZ-35,Abai,2,School 2,3100\n"
    "KZ-35,Abai,3,School 3,1100\n"
)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'saylau.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    return url


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def scalar(url: str, query: Any) -> Any:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return session.execute(query).scalar_one()
    finally:
        engine.dispose()


def tec_of(url: str, code: str) -> str:
    """The id of the TEC of the region with this code."""
    return str(
        scalar(
            url,
            select(Commission.id)
            .join(Region, Region.id == Commission.region_id)
            .where(Commission.level == CommissionLevel.TEC_REGION, Region.code == code),
        )
    )


def territory(tmp_path: Path) -> None:
    path = tmp_path / "territory.json"
    path.write_text(json.dumps(TERRITORY), encoding="utf-8")
    code, out, err = invoke("territory", "import", str(path))
    assert code == 0, err
    assert json.loads(out)["tallies"]["body"]["created"] == 4


def test_db_upgrade(database: str) -> None:
    code, out, _ = invoke("db", "upgrade")
    assert code == 0 and "schema up to date" in out


def test_a_csv_with_one_bad_row_imports_nothing_then_is_idempotent(
    database: str, tmp_path: Path
) -> None:
    territory(tmp_path)
    path = tmp_path / "precincts.csv"
    path.write_text(PRECINCTS_CSV, encoding="utf-8")
    code, out, err = invoke("territory", "import", str(path))
    assert code == 2 and out == ""
    assert err.startswith("error: territory import: nothing imported, 1 error(s)")
    assert "precincts row 2 (line 3), field voters=3100" in err
    assert scalar(database, select(func.count()).select_from(Precinct)) == 0

    path.write_text(PRECINCTS_CSV.replace("3100", "1000"), encoding="utf-8")
    code, out, _ = invoke("territory", "import", str(path))
    assert code == 0
    report = json.loads(out)
    assert report["tallies"]["precinct"]["created"] == 3
    assert report["tallies"]["commission"]["created"] == 3  # their PECs
    code, out, _ = invoke("territory", "import", str(path))
    assert code == 0 and json.loads(out)["changed"] == 0


def test_load_2023_twice(database: str) -> None:
    code, out, _ = invoke("territory", "load-2023")
    assert code == 0
    first = json.loads(out)
    assert first["tallies"]["body"]["created"] == 224
    code, out, _ = invoke("territory", "load-2023")
    assert code == 0 and json.loads(out)["changed"] == 0


def test_users_are_added_with_a_hashed_password_and_roles(database: str, tmp_path: Path) -> None:
    territory(tmp_path)
    karaganda, astana = tec_of(database, "KZ-35"), tec_of(database, "KZ-71")
    code, out, err = invoke(
        "user",
        "add",
        "aigerim",
        "--role",
        "tec_admin",
        "--commission",
        karaganda,
        "--full-name",
        "Aigerim S.",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["has_password"] is True
    assert document["roles"] == [
        {"id": 1, "role": "tec_admin", "commission_id": int(karaganda), "party_id": None}
    ]
    engine = make_engine(database)
    with session_factory(engine)() as session:
        assert verify_password(session, "aigerim", "correct horse battery") is not None
    engine.dispose()
    code, _, err = invoke("user", "add", "aigerim", "--role", "analyst")
    assert code == 2 and "already taken" in err
    # Karaganda's TEC administrator may not staff the capital's TEC
    code, _, err = invoke(
        "user",
        "add",
        "bolat",
        "--role",
        "tec_coordinator",
        "--commission",
        astana,
        "--as",
        "aigerim",
        "--as-role",
        "tec_admin",
        "--as-commission",
        karaganda,
    )
    assert code == 2 and "outside the territory" in err
    refused = scalar(
        database,
        select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused"),
    )
    assert refused == 1
    code, out, err = invoke(
        "user",
        "add",
        "bolat",
        "--role",
        "tec_coordinator",
        "--commission",
        karaganda,
        "--as",
        "aigerim",
        "--as-role",
        "tec_admin",
        "--as-commission",
        karaganda,
    )
    assert code == 0, err
    assert json.loads(out)["has_password"] is False


def test_call_an_election_form_and_check_districts(database: str, tmp_path: Path) -> None:
    territory(tmp_path)
    path = tmp_path / "precincts.csv"
    path.write_text(PRECINCTS_CSV.replace("3100", "1000"), encoding="utf-8")
    assert invoke("territory", "import", str(path))[0] == 0
    code, out, err = invoke(
        "election",
        "call",
        "--polling-day",
        "2023-03-19",
        "--called",
        "2023-01-19",
        "--kind",
        "early",
    )
    assert code == 0, err
    election = json.loads(out)
    assert {(c["kind"], c["seats"]) for c in election["contests"]} == {
        ("mazhilis_list", 69),
        ("first_level_list", 18),
        ("first_level_list", 17),
    }
    assert [p["code"] for p in election["problems"]] == ["nomination_opens_before_call"]

    plan = tmp_path / "plan.csv"
    plan.write_text(
        "body,number,name,precincts\nKZ-35/Abai,1,North,1;2\nKZ-35/Abai,2,South,3\n",
        encoding="utf-8",
    )
    code, out, err = invoke("districts", "import", str(election["id"]), str(plan))
    assert code == 0, err
    assert json.loads(out)["tallies"]["district"]["created"] == 2
    assert scalar(database, select(func.count()).select_from(District)) == 2
    assert (
        scalar(
            database,
            select(func.count()).select_from(Contest).where(Contest.kind == "second_level_smd"),
        )
        == 2
    )
    body_id = json.loads(out)["body_ids"][0]
    code, out, _ = invoke("districts", "report", str(election["id"]), str(body_id))
    assert code == 0
    report = json.loads(out)
    assert report["complete"] and report["mean_voters"] == "1650"
    assert [d["voters"] for d in report["districts"]] == [2200, 1100]
    assert not report["acceptable"] and len(report["problems"]) == 2

    code, out, _ = invoke("election", "calendar", str(election["id"]), "--region", "KZ-35")
    assert code == 0
    stages = {s["id"]: s for s in json.loads(out)["stages"]}
    assert stages["nomination_closes"]["at"] == "2023-02-17T18:00:00+06:00"

    bad = tmp_path / "bad.csv"
    bad.write_text("body,number,precincts\nKZ-35/Abai,3,1\n", encoding="utf-8")
    code, _, err = invoke("districts", "import", str(election["id"]), str(bad))
    assert code == 2 and "row 1 (line 2), field number=3" in err


def test_audit_verify_passes_then_names_the_edited_event(database: str, tmp_path: Path) -> None:
    territory(tmp_path)
    code, out, _ = invoke("audit", "verify")
    events = scalar(database, select(func.count()).select_from(AuditEvent))
    assert code == 0 and out.strip() == f"intact: {events} events"
    engine = make_engine(database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET entity_id = 'forged' WHERE id = 3"))
    engine.dispose()
    code, _, err = invoke("audit", "verify")
    assert code == 1 and "event 3" in err


def test_acting_as_a_role_not_held_is_refused(database: str, tmp_path: Path) -> None:
    territory(tmp_path)
    code, _, err = invoke("territory", "load-2023", "--as", "ghost", "--role", "cec_admin")
    assert code == 2 and "does not hold the role" in err
    code, _, err = invoke("territory", "load-2023", "--role", "cec_admin")
    assert code == 2 and "--as USER" in err
