"""``saylau commission members|appoint|release`` on an SQLite file: JSON out, refusals exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from saylau.cli.admin import register
from saylau.domain.roles import CommissionLevel
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import AuditEvent, Commission, Region

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
    "bodies": [
        {"kind": "oblast", "region": "KZ-35", "seats": 36},
        {"kind": "capital", "region": "KZ-71", "seats": 34},
    ],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'saylau.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    path = tmp_path / "territory.json"
    path.write_text(json.dumps(TERRITORY), encoding="utf-8")
    code, _, err = invoke("territory", "import", str(path))
    assert code == 0, err
    return url


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def query(url: str, statement: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            return list(session.execute(statement).scalars())
    finally:
        engine.dispose()


def tec_of(url: str, code: str) -> str:
    found = query(
        url,
        select(Commission.id)
        .join(Region, Region.id == Commission.region_id)
        .where(Commission.level == CommissionLevel.TEC_REGION, Region.code == code),
    )
    return str(found[0])


def test_appoint_list_and_release_members(database: str) -> None:
    tec = tec_of(database, "KZ-35")
    code, out, err = invoke(
        "commission", "appoint", tec, " Әбілов  Нұрлан ", "--position", "chair",
        "--nominated-by", "Amanat", "--appointed-on", "2023-01-10",
    )  # fmt: skip
    assert code == 0, err
    chair = json.loads(out)
    assert chair["full_name"] == "Әбілов Нұрлан" and chair["position"] == "chair"
    assert chair["appointed_on"] == "2023-01-10" and chair["released_on"] is None
    code, out, err = invoke("commission", "appoint", tec, "Second Chair", "--position", "chair")
    assert code == 2 and out == ""
    assert err.startswith("error: ") and f"(member {chair['id']})" in err
    code, out, _ = invoke("commission", "appoint", tec, "Member One")
    assert code == 0 and json.loads(out)["position"] == "member"
    code, out, err = invoke(
        "commission", "release", str(chair["id"]), "--reason", "resigned", "--on", "2023-02-01"
    )
    assert code == 0, err
    released = json.loads(out)
    assert released["released_on"] == "2023-02-01" and released["release_reason"] == "resigned"
    code, out, _ = invoke("commission", "members", tec)
    assert code == 0
    listed = json.loads(out)
    assert [m["full_name"] for m in listed] == ["Member One", "Әбілов Нұрлан"]
    code, out, _ = invoke("commission", "members", tec, "--serving-only")
    assert [m["full_name"] for m in json.loads(out)] == ["Member One"]
    code, _, err = invoke("commission", "release", str(chair["id"]), "--reason", "again")
    assert code == 2 and "was released on 2023-02-01" in err
    code, _, err = invoke("commission", "appoint", tec, "X", "--position", "treasurer")
    assert code == 2
    actions = query(database, select(AuditEvent.action).order_by(AuditEvent.id))
    assert actions.count("appoint_member") == 2 and actions.count("release_member") == 1


def test_a_user_of_another_region_is_refused_and_logged(database: str) -> None:
    karaganda, astana = tec_of(database, "KZ-35"), tec_of(database, "KZ-71")
    code, _, err = invoke(
        "user", "add", "astana_admin", "--role", "tec_admin", "--commission", astana
    )
    assert code == 0, err
    code, out, err = invoke(
        "commission", "appoint", karaganda, "Someone",
        "--as", "astana_admin", "--as-role", "tec_admin", "--as-commission", astana,
    )  # fmt: skip
    assert code == 2 and out == "" and "outside the territory" in err
    code, out, err = invoke(
        "commission", "appoint", astana, "Someone",
        "--as", "astana_admin", "--as-role", "tec_admin", "--as-commission", astana,
    )  # fmt: skip
    assert code == 0, err
    refused = query(database, select(AuditEvent.username).where(AuditEvent.outcome == "refused"))
    assert refused == ["astana_admin"]
