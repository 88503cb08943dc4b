"""The seat-cap override and the strike of a frozen ballot's line through the API and the CLI under
``SAYLAU_DUAL_CONTROL=required`` (issue #9 §2): the import answers 202 with the filed request and a
second CEC member approves it; a withdrawal is recorded at once and names the strike request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli import admin
from saylau.cli import approvals as approval_cli
from saylau.domain.roles import Role
from saylau.services import approvals
from saylau.services.ballots import freeze_ballot, prepare_contest_ballot
from saylau.services.context import Actor
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import Body, BodyKind
from tests.security.dual import second_member
from tests.services.nomination_world import AFTER_REGISTRATION, Setup
from tests.services.test_ballots import NAMES, candidates, lines
from tests.web.test_api_helpers import Api, make_api, ok, second
from tests.world import build_election, build_world

OVER = {"kind": "district", "region": "KZ-35", "unit": "Raion", "seats": 30}
REASON = "seats fixed by the akimat's decision No. 4 of 2022"


@pytest.fixture(autouse=True)
def dual_control_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.REQUIRED)


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    yield from make_api(factory, world)


def seats(factory: sessionmaker[Session]) -> tuple[int, str | None]:
    with factory() as session:
        body = session.scalars(select(Body).where(Body.kind == BodyKind.DISTRICT)).one()
        return body.seats, body.seat_cap_override


def test_an_import_over_the_cap_is_a_request_a_second_cec_member_approves(api: Api) -> None:
    rows = {"bodies": [OVER]}
    unreasoned = api.post("/api/territory/import", rows, "cec_admin")
    assert unreasoned.status_code == 422 and "decision #10" in unreasoned.text
    rows = {"bodies": [{**OVER, "seat_cap_override": REASON}]}
    asked = ok(api.post("/api/territory/import", rows, "cec_admin"), 202)
    assert asked["action"] == "override_seat_cap" and asked["commission"] == "cec"
    assert asked["params"]["bodies"][0]["seat_cap_override"] == REASON
    assert seats(api.factory) == (2, None)
    approve = f"/api/approvals/{asked['id']}/approve"
    own = api.post(approve, {"digest": asked["digest"]}, "cec_admin")
    assert own.status_code == 403 and own.json()["code"] == "approval_by_requester"
    tec = api.post(approve, {"digest": asked["digest"]}, "oblast_admin")
    assert tec.status_code == 403
    done = ok(api.post(approve, {"digest": asked["digest"]}, second(api, "cec_admin")))
    assert done["territory"]["tallies"]["body"]["updated"] == 1
    assert seats(api.factory) == (30, REASON)
    # The override now stored, the same import needs no approval.
    again = ok(api.post("/api/territory/import", rows, "cec_admin"))
    assert again["tallies"]["body"]["unchanged"] == 1


def test_a_withdrawal_answers_with_the_strike_request(api: Api) -> None:
    s = Setup(api.world, api.factory)
    s.admit("alpha", "beta", "gamma")
    ids = candidates(s, "oblast_o1", NAMES[:4])
    contest = s.contest("oblast_o1")
    s.run(s.oblast, prepare_contest_ballot, contest, at=AFTER_REGISTRATION)
    s.run(s.oblast, freeze_ballot, contest, at=AFTER_REGISTRATION)
    api.clock.now = AFTER_REGISTRATION
    ref = f"smd:{ids['Қасымов']}"
    decided = ok(
        api.post(
            f"/api/candidacies/{ref}/withdraw",
            {"note": "own application", "decision": "TEC decision No. 12"},
            "oblast_admin",
        )
    )
    assert decided["state"] == "withdrawn" and decided["ballot_approval"] is not None
    assert len(lines(s, "oblast_o1")) == 4
    listed = ok(api.get("/api/approvals?state=requested", second(api, "oblast_admin")))["items"]
    assert [(a["id"], a["action"]) for a in listed] == [
        (decided["ballot_approval"], "strike_from_frozen_ballot")
    ]
    asked = listed[0]
    done = ok(
        api.post(
            f"/api/approvals/{asked['id']}/approve",
            {"digest": asked["digest"]},
            second(api, "oblast_admin"),
        )
    )
    assert done["ballot"] is not None and len(lines(s, "oblast_o1")) == 3


# --- the CLI -------------------------------------------------------------------------------------

cli = typer.Typer()
admin.register(cli)
approval_cli.register(cli)
runner = CliRunner()


def invoke(*args: str) -> tuple[int, Any, str]:
    result = runner.invoke(cli, list(args))
    out = json.loads(result.stdout) if result.exit_code == 0 and result.stdout.strip() else None
    return result.exit_code, out, result.stderr


def test_the_cli_prints_the_override_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'saylau.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    try:
        from saylau.storage.db import migrate

        migrate(engine)
        factory = session_factory(engine)
        with factory() as session, session.begin():
            cec = build_world(session).commissions["cec"]
        path = tmp_path / "bodies.json"
        path.write_text(json.dumps([{**OVER, "seat_cap_override": REASON}]), encoding="utf-8")
        who = ["--as", "cec_admin", "--role", "cec_admin", "--commission", str(cec)]
        code, out, err = invoke("territory", "import", str(path), "--no-commissions", *who)
        assert code == 0, err
        assert out["approval_required"] is True
        asked = out["approval"]
        assert asked["action"] == "override_seat_cap" and seats(factory) == (2, None)
        code, _, err = invoke(
            "approval", "approve", str(asked["id"]), "--digest", asked["digest"], *who
        )
        assert code == 2 and "second member" in err
        assert seats(factory) == (2, None)
        with factory() as session:
            other = second_member(factory, Actor.load(session, "cec_admin", Role.CEC_ADMIN, cec))
        them = ["--as", other.username, "--role", "cec_admin", "--commission", str(cec)]
        code, done, err = invoke(
            "approval", "approve", str(asked["id"]), "--digest", asked["digest"], *them
        )
        assert code == 0 and done["approval"]["state"] == "approved", err
        assert seats(factory) == (30, REASON)
    finally:
        engine.dispose()
