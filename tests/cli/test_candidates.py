"""``saylau party | nomination | ballots`` through typer's runner, on an SQLite file.

The test world's election is that of 19 March 2023; the commands' clock is set to moments of its
calendar (nomination open, registration open, after registration closed).
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli import candidates
from saylau.law.iin import Sex
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import AuditEvent, Nomination, Person
from tests.services.nomination_world import (
    AFTER_REGISTRATION,
    LIST_DOCUMENTS,
    NOMINATING,
    PERSON_DOCUMENTS,
    REGISTERING,
    make_iin,
)
from tests.world import World, build_election, build_world

app = typer.Typer()


@app.callback()
def _group() -> None:
    """A local stand-in for the ``saylau`` application."""


candidates.register(app)
runner = CliRunner()
Factory = sessionmaker[Session]
FACTS = {
    "citizen": True,
    "incapacitated_by_court": False,
    "imprisoned_by_sentence": False,
    "corruption_crime_conviction": False,
    "unexpunged_conviction": False,
}
SMD_DOCS = "nomination_minutes;biography;deposit_payment;asset_declaration_certificate;consent"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Factory, World]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        world = build_world(session)
        build_election(session, world)
    at(monkeypatch, NOMINATING)
    return factory, world


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(candidates, "clock", lambda: moment)


def invoke(*args: Any) -> tuple[int, Any, str]:
    result = runner.invoke(app, [str(a) for a in args])
    out = json.loads(result.stdout) if result.exit_code == 0 and result.stdout.strip() else None
    return result.exit_code, out, result.stderr


def person(surname: str, name: str, birth: date, sex: str, serial: int) -> dict[str, Any]:
    return {
        "iin": make_iin(birth, Sex(sex), serial),
        "surname": surname,
        "name": name,
        "birth_date": birth.isoformat(),
        "sex": sex,
        **FACTS,
    }


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = sorted({key for row in rows for key in row})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()}
            )
    return path


def test_from_admission_to_frozen_ballot(
    db: tuple[Factory, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, world = db
    election = world.election
    code, out, _ = invoke("party", "admit", election, "alpha")
    assert code == 0 and out["created"] is True and out["party_code"] == "alpha"
    code, out, _ = invoke("party", "admit", election, "alpha")
    assert code == 0 and out["created"] is False

    persons = [
        person("Әлиева", "Дана", date(1980, 1, 1), "female", 1),
        person("Бекенов", "Арман", date(1970, 1, 1), "male", 1),
        person("Сейітов", "Нұрлан", date(1971, 1, 1), "male", 1),
    ]
    listed = tmp_path / "list.json"
    listed.write_text(
        json.dumps(
            {
                "contest": world.contests["oblast_list"],
                "party": "alpha",
                "documents": list(LIST_DOCUMENTS),
                "persons": [{**p, "documents": list(PERSON_DOCUMENTS)} for p in persons],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    code, out, err = invoke("nomination", "submit-list", listed)
    assert code == 0, err
    assert out["state"] == "documents_complete"
    assert out["deposit"]["amount"] == 3 * 350_000
    assert (out["quota"]["count"], out["quota"]["required"], out["quota"]["met"]) == (1, 1, True)
    list_ref = f"list:{out['party_list_id']}"

    rows = [
        {
            "contest": world.contests["oblast_o1"],
            "nominator": "political_party",
            "party": "alpha",
            "documents": SMD_DOCS,
            **person("Жақыпов", "Ерлан", date(1965, 4, 4), "male", 1),
        },
        {
            "contest": world.contests["oblast_o1"],
            "nominator": "citizen",
            "documents": "biography",
            **person("Өтегенова", "Сәуле", date(1990, 2, 2), "female", 1),
        },
    ]
    code, out, err = invoke("nomination", "submit", write_csv(tmp_path / "smd.csv", rows))
    assert code == 0, err
    assert out["submitted"] == 2
    first, second = (f"smd:{n['nomination_id']}" for n in out["nominations"])
    assert [n["route"] for n in out["nominations"]] == ["party_smd", "self_nominated_smd"]

    code, again, _ = invoke("nomination", "submit", tmp_path / "smd.csv")
    assert code == 0 and [n["created"] for n in again["nominations"]] == [False, False]

    code, out, _ = invoke("nomination", "documents", second)
    assert code == 0 and out["complete"] is False
    assert [m["document"] for m in out["missing"]] == [
        "intent_application",
        "deposit_payment",
        "asset_declaration_certificate",
    ]
    code, out, _ = invoke("nomination", "refuse", second, "--reason", "incomplete_documents")
    assert code == 0 and out["state"] == "refused"
    assert out["article"] == "CL art. 104 para 6 subpara 3, para 6-1 subpara 3"

    at(monkeypatch, REGISTERING)
    code, out, _ = invoke("nomination", "deposit", first)
    assert code == 0 and (out["paid"], out["outstanding"]) == (0, 350_000)
    code, out, _ = invoke("nomination", "deposit", first, 350_000, "--note", "order 17")
    assert code == 0 and out["state"] == "deposit_paid"
    code, out, _ = invoke("nomination", "register", first)
    assert code == 0 and out["state"] == "registered"
    assert invoke("nomination", "deposit", list_ref, 1_050_000)[0] == 0
    code, out, _ = invoke("nomination", "register", list_ref)
    assert code == 0 and (out["state"], out["registration_order"]) == ("registered", 1)

    code, _, err = invoke("ballots", "prepare", election, "--seed", "s-1")
    assert code == 2 and "registration_closes" in err
    at(monkeypatch, AFTER_REGISTRATION)
    code, out, err = invoke("ballots", "prepare", election, "--seed", "s-1")
    assert code == 0, err
    assert out["party_order"]["parties"] == ["alpha"]
    by_contest = {c["contest_id"]: c for c in out["contests"]}
    ballot = by_contest[world.contests["oblast_o1"]]
    assert ballot["status"] == "prepared"
    assert [line["label"] for line in ballot["lines"]] == ["Жақыпов Ерлан"]
    assert ballot["print_run"] == 2222  # p1 1,000 + p2 1,200 voters, + 1% each
    code, out, _ = invoke("ballots", "freeze", world.contests["oblast_o1"])
    assert code == 0 and out["status"] == "frozen" and out["frozen_at"]
    code, _, err = invoke("nomination", "withdraw", first)
    assert code == 2 and "decision" in err


def test_a_bad_row_imports_nothing_and_is_named(db: tuple[Factory, World], tmp_path: Path) -> None:
    factory, world = db
    assert invoke("party", "admit", world.election, "alpha")[0] == 0
    good = person("Дұрысов", "Бек", date(1970, 1, 1), "male", 1)
    bad = {**person("Қатесов", "Бек", date(1970, 1, 1), "male", 50), "birth_date": "1970-01-02"}
    rows = [
        {"contest": world.contests["oblast_o1"], "nominator": "citizen", **good},
        {"contest": world.contests["oblast_o2"], "nominator": "citizen", **bad},
    ]
    code, _, err = invoke("nomination", "submit", write_csv(tmp_path / "bad.csv", rows))
    assert code == 2
    assert err.startswith("error: row 2: ") and "birth_date" in err
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 0
        assert session.scalar(select(func.count()).select_from(Person)) == 0
    json_file = tmp_path / "bad.json"
    json_file.write_text(json.dumps({"nominations": [{**rows[0], "sex": "x"}]}), encoding="utf-8")
    code, _, err = invoke("nomination", "submit", json_file)
    assert code == 2 and "row 1: sex" in err


def test_another_regions_tec_is_refused_and_logged(
    db: tuple[Factory, World], tmp_path: Path
) -> None:
    factory, world = db
    row = {
        "contest": world.contests["oblast_o1"],
        "nominator": "citizen",
        "documents": "intent_application;biography;deposit_payment;asset_declaration_certificate",
        **person("Облысов", "Асан", date(1975, 5, 5), "male", 1),
    }
    assert invoke("nomination", "submit", write_csv(tmp_path / "one.csv", [row]))[0] == 0
    assert invoke("nomination", "deposit", "smd:1", 350_000)[0] == 0
    as_capital = [
        "--as",
        "capital_admin",
        "--role",
        "tec_admin",
        "--commission",
        world.commissions["tec_capital"],
    ]
    code, _, err = invoke("nomination", "register", "smd:1", *as_capital)
    assert code == 2 and "outside the territory" in err
    with factory() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
    assert [(e.username, e.action) for e in refused] == [("capital_admin", "register")]
    as_oblast = [
        "--as",
        "oblast_admin",
        "--role",
        "tec_admin",
        "--commission",
        world.commissions["tec_oblast"],
    ]
    code, out, _ = invoke("nomination", "register", "smd:1", *as_oblast)
    assert code == 0 and out["state"] == "registered"


def test_checks_and_bad_references() -> None:
    code, out, _ = invoke("nomination", "check-documents", "self_nominated_smd", "biography")
    assert code == 0 and out["complete"] is False
    assert len(out["missing"]) == 3
    code, _, err = invoke("nomination", "check-documents", "party_smd", "consnet")
    assert code == 2 and "consnet" in err
    code, _, err = invoke("nomination", "register", "foo:1")
    assert code == 2 and "list:ID" in err


def test_party_record_and_branch(db: tuple[Factory, World]) -> None:
    """``saylau party record`` is idempotent; a branch in a region is recorded once."""
    _, world = db
    code, out, _ = invoke("party", "record", "delta", "--kk", "Дельта", "--en", "Delta")
    assert code == 0 and out["code"] == "delta"
    code, again, _ = invoke("party", "record", "delta", "--kk", "Дельта", "--en", "Delta")
    assert code == 0 and again["id"] == out["id"]
    assert invoke("party", "branch", "delta", world.regions["oblast"])[1] == {"created": True}
    assert invoke("party", "branch", "delta", world.regions["oblast"])[1] == {"created": False}
    code, _, err = invoke("party", "record", " ", "--kk", "x", "--en", "y")
    assert code == 2 and "code" in err
