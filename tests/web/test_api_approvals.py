"""Dual control through the API (issue #9 §2), on SQLite and PostgreSQL, with
``SAYLAU_DUAL_CONTROL=required``: publishing results, correcting a definitive protocol and changing
a frozen ballot answer 202 with a request; a second member of the commission lists, rejects or
approves it (the action then runs as the approver) — never the requester, nor another commission."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services import approvals
from saylau.storage.models import AuditEvent, Mandate
from tests.services.count_world import NEXT_DAY, CountWorld, published_results
from tests.web.test_api_helpers import Api, ok, second
from tests.web.test_api_results import counted, entry

__all__ = ["counted"]


@pytest.fixture(autouse=True)
def dual_control_required(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.REQUIRED)
    yield


def _count(factory: sessionmaker[Session], what: object) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(what)) or 0  # type: ignore[arg-type]


def _count_capital(api: Api, cw: CountWorld) -> int:
    api.clock.now = NEXT_DAY
    for contest, precincts in (
        ("capital_list", ("p5", "p6")),
        ("capital_c1", ("p5",)),
        ("capital_c2", ("p6",)),
    ):
        for precinct in precincts:
            for which in ("a", "b"):
                ok(
                    api.post(
                        "/api/protocols", entry(cw, contest, precinct), f"typist_{precinct}_{which}"
                    )
                )
    election = cw.world.election
    assert election is not None
    ok(api.post(f"/api/elections/{election}/tabulate", {}, "capital_coordinator"))
    return election


def test_publication_is_requested_then_rejected_or_approved_by_a_second_member(
    counted: tuple[Api, CountWorld],
) -> None:
    api, cw = counted
    election = _count_capital(api, cw)
    path = f"/api/elections/{election}/publish"
    # A request the service would refuse is refused at once, and files nothing.
    early = api.post(path, {"late_reason": "x" * 10}, "typist_p5_a")
    assert early.status_code == 403
    asked = ok(api.post(path, {}, "capital_admin"), 202)
    assert asked["action"] == "publish_results" and asked["state"] == "requested"
    assert asked["requested_by"] == "capital_admin" and len(asked["digest"]) == 64
    assert asked["params"] == {"election_id": election, "late_reason": None}
    assert published_results(api.factory) == 0 and _count(api.factory, Mandate) == 0

    other = second(api, "capital_admin")
    listed = ok(api.get("/api/approvals?state=requested", other))
    assert [a["id"] for a in listed["items"]] == [asked["id"]]
    assert ok(api.get("/api/approvals", "oblast_admin"))["items"] == []  # another commission
    approve = f"/api/approvals/{asked['id']}/approve"
    # The requester cannot approve; a changed digest, another commission are refused.
    by_requester = api.post(approve, {"digest": asked["digest"]}, "capital_admin")
    assert by_requester.status_code == 403
    assert by_requester.json()["code"] == "approval_by_requester"
    changed = api.post(approve, {"digest": "0" * 64}, other)
    assert changed.status_code == 409 and changed.json()["code"] == "approval_changed"
    elsewhere = api.post(approve, {"digest": asked["digest"]}, "oblast_admin")
    assert elsewhere.status_code == 403
    assert published_results(api.factory) == 0

    # Rejected with its reason, it can no longer be approved.
    rejected = ok(api.post(f"/api/approvals/{asked['id']}/reject", {"reason": "recount"}, other))
    assert rejected["state"] == "rejected" and rejected["note"] == "recount"
    late = api.post(approve, {"digest": asked["digest"]}, other)
    assert late.status_code == 409 and late.json()["code"] == "approval_decided"

    again = ok(api.post(path, {}, "capital_admin"), 202)
    done = ok(api.post(f"/api/approvals/{again['id']}/approve", {"digest": again["digest"]}, other))
    assert done["approval"]["state"] == "approved" and done["approval"]["decided_by"] == other
    assert done["publication"]["mandates"] == 4 and done["protocol"] is None
    assert _count(api.factory, Mandate) == 4 and published_results(api.factory) > 0
    twice = api.post(f"/api/approvals/{again['id']}/approve", {"digest": again["digest"]}, other)
    assert twice.status_code == 409 and twice.json()["code"] == "approval_decided"
    assert _count(api.factory, Mandate) == 4
    with api.factory() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    actions = [e.action for e in events if e.outcome == "done"]
    refused = [e.action for e in events if e.outcome == "refused"]
    assert refused.count("approve") == 2  # the requester's and the other commission's attempts
    assert actions.count("request_approval") == 2 and actions.count("approve") == 1
    assert actions.count("reject_approval") == 1
    decided = ok(api.get("/api/approvals", other))["items"]
    assert [(a["id"], a["state"]) for a in decided] == [
        (again["id"], "approved"),
        (asked["id"], "rejected"),
    ]
