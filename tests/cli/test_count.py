"""``saylau protocol | turnout | tabulate | results`` through typer's runner, on an SQLite file."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli import approvals, count
from saylau.domain.roles import Role
from saylau.services.context import Actor
from saylau.services.protocols import COUNT_FIELDS
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import AuditEvent, Mandate, Protocol, TurnoutReport
from tests.security.dual import second_member
from tests.services.count_world import CountWorld, build_count_world

app = typer.Typer()


@app.callback()
def _group() -> None:
    """A local stand-in for the ``saylau`` application."""


count.register(app)
approvals.register(app)
runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[sessionmaker[Session], CountWorld]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        cw = build_count_world(session)
    return factory, cw


def invoke(*args: Any) -> tuple[int, Any, str]:
    result = runner.invoke(app, [str(a) for a in args])
    out = json.loads(result.stdout) if result.exit_code == 0 and result.stdout.strip() else None
    return result.exit_code, out, result.stderr


def as_typist(cw: CountWorld, precinct: str, which: str) -> list[str]:
    return [
        "--as",
        f"typist_{precinct}_{which}",
        "--role",
        "pec_typist",
        "--commission",
        str(cw.world.commissions[f"pec_{precinct}"]),
    ]


def as_user(cw: CountWorld, user: str, role: str, commission: str) -> list[str]:
    return ["--as", user, "--role", role, "--commission", str(cw.world.commissions[commission])]


def approved(
    factory: sessionmaker[Session], cw: CountWorld, code: int, out: Any, who: list[str]
) -> Any:
    """The output of a critical command (issue #9 §2): direct when dual control is off; when
    required, the request it printed, approved by a second member with ``saylau approval``."""
    assert code == 0, out
    if not out.get("approval_required"):
        return out
    asked = out["approval"]
    assert asked["state"] == "requested" and asked["requested_by"] == who[1]
    with factory() as session:
        acting = Actor.load(session, who[1], Role(who[3]), int(who[5]))
    other = second_member(factory, acting)
    second = ["--as", other.username, "--role", who[3], "--commission", who[5]]
    code, listed, _ = invoke("approval", "list", "--state", "requested", *second)
    assert code == 0 and [a["id"] for a in listed] == [asked["id"]]
    code, _, err = invoke("approval", "approve", asked["id"], "--digest", asked["digest"], *who)
    assert code == 2 and "second member" in err  # the requester cannot approve
    code, done, _ = invoke("approval", "approve", asked["id"], "--digest", asked["digest"], *second)
    assert code == 0 and done["approval"]["state"] == "approved", done
    result: Any = done["result"]
    return result


def protocol(cw: CountWorld, contest: str, votes: dict[str, int], **extra: int) -> dict[str, Any]:
    ids = cw.choices[contest]
    total = sum(votes.values())
    document: dict[str, Any] = {
        "voters_on_list": 1000,
        "ballots_received": 1000,
        "ballots_issued": total,
        "ballots_cancelled": 1000 - total,
        "ballots_in_boxes": total,
        "portable_box_ballots": 0,
        "portable_box_requests": 0,
        "against_all": 0,
        "invalid": 0,
        "votes": {str(ids[k]): v for k, v in votes.items()},
    }
    document.update(extra)
    return document


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_double_entry_through_the_command_line(
    db: tuple[sessionmaker[Session], CountWorld], tmp_path: Path
) -> None:
    factory, cw = db
    contest, precinct = cw.contest("district_d1"), cw.precinct("p1")
    file = write(
        tmp_path / "p.json",
        protocol(cw, "district_d1", {"Абаев": 50, "Бекова": 40, "Жұмабаев": 10}),
    )
    code, out, _ = invoke("protocol", "enter", contest, precinct, file, *as_typist(cw, "p1", "a"))
    assert code == 0 and out["state"] == "first_entry"
    code, _, err = invoke("protocol", "enter", contest, precinct, file, *as_typist(cw, "p1", "a"))
    assert code == 2 and err.startswith("error: ") and "different user" in err
    code, _, err = invoke("protocol", "enter", contest, precinct, file, *as_typist(cw, "p2", "a"))
    assert code == 2 and "outside the territory" in err
    code, out, _ = invoke("protocol", "enter", contest, precinct, file, *as_typist(cw, "p1", "b"))
    assert code == 0 and out["state"] == "definitive" and out["violations"] == []
    with factory() as session:
        refused = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused")
        )
    assert refused == 2


def test_entries_differ_then_resolve(
    db: tuple[sessionmaker[Session], CountWorld], tmp_path: Path
) -> None:
    _, cw = db
    contest, precinct = cw.contest("district_d1"), cw.precinct("p1")
    a = write(
        tmp_path / "a.json",
        protocol(cw, "district_d1", {"Абаев": 50, "Бекова": 40, "Жұмабаев": 10}),
    )
    b = write(
        tmp_path / "b.json", protocol(cw, "district_d1", {"Абаев": 50, "Бекова": 41, "Жұмабаев": 9})
    )
    invoke("protocol", "enter", contest, precinct, a, *as_typist(cw, "p1", "a"))
    code, out, _ = invoke("protocol", "enter", contest, precinct, b, *as_typist(cw, "p1", "b"))
    assert code == 0 and out["state"] == "entries_differ" and len(out["differing_fields"]) == 2
    coordinator = as_user(cw, "oblast_coordinator", "tec_coordinator", "tec_oblast")
    code, _, err = invoke("protocol", "resolve", out["protocol_id"], *coordinator)
    assert code == 2 and "--keep" in err
    code, resolved, _ = invoke("protocol", "resolve", out["protocol_id"], "--keep", 2, *coordinator)
    assert code == 0 and resolved["state"] == "definitive"


def test_bulk_import_is_all_or_nothing(
    db: tuple[sessionmaker[Session], CountWorld], tmp_path: Path
) -> None:
    factory, cw = db
    rows = []
    for name, votes in (
        ("district_d1", {"Абаев": 5, "Бекова": 4, "Жұмабаев": 1}),
        ("oblast_o1", {"Абаев": 7, "Бекова": 2, "Жұмабаев": 1}),
    ):
        document = protocol(cw, name, votes)
        row = {"contest": cw.contest(name), "precinct": cw.precinct("p1")}
        row.update({k: document[k] for k in COUNT_FIELDS if k in document})
        row.update({f"votes[{k}]": v for k, v in document["votes"].items()})
        rows.append(row)
    columns = sorted({k for row in rows for k in row})
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerow(rows[0])
        writer.writerow({**rows[1], "invalid": "two"})
    code, _, err = invoke("protocol", "import", bad, *as_typist(cw, "p1", "a"))
    assert code == 2 and "row 2" in err and "invalid" in err
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Protocol)) == 0
    good = tmp_path / "good.csv"
    with good.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    code, out, _ = invoke("protocol", "import", good, *as_typist(cw, "p1", "a"))
    assert code == 0 and out["states"] == {"first_entry": 2}
    entries = []
    for row in rows:
        entry: dict[str, Any] = {k: v for k, v in row.items() if not k.startswith("votes[")}
        entry["votes"] = {k[6:-1]: v for k, v in row.items() if k.startswith("votes[")}
        entries.append(entry)
    second = write(tmp_path / "second.json", entries)
    code, out, _ = invoke("protocol", "import", second, *as_typist(cw, "p1", "b"))
    assert code == 0 and out["states"] == {"definitive": 2}


def test_turnout_tabulate_publish_and_export(
    db: tuple[sessionmaker[Session], CountWorld], tmp_path: Path
) -> None:
    factory, cw = db
    election = cw.world.election
    assert election is not None
    code, out, _ = invoke(
        "turnout", "report", election, cw.precinct("p5"), "10:00", 200, *as_typist(cw, "p5", "a")
    )
    assert code == 0 and out["share"]["exact"] == "1/10"
    code, out, _ = invoke(
        "turnout", "report", election, cw.precinct("p5"), "final", 100, *as_typist(cw, "p5", "a")
    )
    assert code == 2
    code, out, _ = invoke("turnout", "summary", election, "--at", "10:00")
    assert code == 0 and out["national"]["share"] == {"exact": "1/10", "percent": "10.00"}
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(TurnoutReport)) == 1

    for name, precincts in (
        ("capital_list", ("p5", "p6")),
        ("capital_c1", ("p5",)),
        ("capital_c2", ("p6",)),
    ):
        votes = (
            {"alpha": 60, "beta": 30, "gamma": 10}
            if name.endswith("list")
            else {"Абаев": 6, "Бекова": 3, "Жұмабаев": 1}
        )
        file = write(tmp_path / f"{name}.json", protocol(cw, name, votes))
        for precinct in precincts:
            for which in ("a", "b"):
                code, _, err = invoke(
                    "protocol",
                    "enter",
                    cw.contest(name),
                    cw.precinct(precinct),
                    file,
                    *as_typist(cw, precinct, which),
                )
                assert code == 0, err
    admin = as_user(cw, "capital_admin", "tec_admin", "tec_capital")
    code, out, _ = invoke("tabulate", election, "--contest", cw.contest("capital_c1"), *admin)
    assert code == 0 and [t["status"] for t in out["tallies"]] == ["elected"]
    code, _, err = invoke("tabulate", election, "--follow-up-day", "soon", *admin)
    assert code == 2 and "YYYY-MM-DD" in err
    code, out, _ = invoke("tabulate", election, *admin)
    assert code == 0 and out["contests"] == 3 and out["final"] == 3
    code, out, _ = invoke("results", "show", election)
    assert code == 0
    shown = {
        p["contest_id"]: (p["precincts_counted"], p["precincts_total"]) for p in out["progress"]
    }
    assert shown[cw.contest("capital_list")] == (2, 2) and shown[cw.contest("mazhilis_list")] == (
        0,
        6,
    )
    code, _, err = invoke("results", "publish", election, *admin)
    assert code == 2 and "deadline" in err  # the test runs long after E+7
    code, out, _ = invoke("results", "publish", election, "--late-reason", "test replay", *admin)
    out = approved(factory, cw, code, out, admin)
    assert out["mandates"] == 4 and out["late"] is True
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Mandate)) == 4
    target = tmp_path / "results.json"
    code, out, _ = invoke("results", "export", election, "--out", target)
    assert code == 0 and out["contests"] == len(cw.world.contests)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert len(exported["mandates"]) == 4
    code, _, err = invoke("results", "lot", cw.contest("capital_c1"), "seed", *admin)
    assert code == 2 and "no lot" in err
    code, _, err = invoke("results", "export", 999, "--out", target)
    assert code == 2 and "no election" in err
