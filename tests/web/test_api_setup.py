"""Setting an election up through the API: territory, commissions and users, calling an election
and its calendar, districts with the deviation report, and observers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.services.nomination_world import AFTER_REGISTRATION, NOMINATING
from tests.web.test_api_helpers import Api, make_api, ok
from tests.world import build_election, build_world


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    yield from make_api(factory, world)


def test_territory_commissions_and_users(api: Api) -> None:
    rows = {
        "precincts": [
            {"region": "KZ-71", "number": 3, "voters": 1500, "address": "Street 3"},
            {"region": "KZ-71", "number": 4, "voters": 9999},
        ]
    }
    bad = api.post("/api/territory/import", rows, "cec_admin")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_rows"
    assert bad.json()["field"] == "voters" and "row 2" in bad.json()["detail"]
    rows["precincts"][1]["voters"] = 999
    report = ok(api.post("/api/territory/import", rows, "cec_admin"))
    assert report["tallies"]["precinct"]["created"] == 2
    again = ok(api.post("/api/territory/import", rows, "cec_admin"))
    assert again["tallies"]["precinct"] == {"created": 0, "updated": 0, "unchanged": 2}
    capital = api.world.regions["capital"]
    made = ok(api.post("/api/commissions/ensure", {"region_id": capital}, "capital_admin"))
    assert made["tallies"]["commission"]["created"] == 2
    pecs = ok(api.get(f"/api/commissions?level=pec&region_id={capital}"))
    assert pecs["total"] == 4
    refused = api.post("/api/territory/import", rows, "oblast_admin")
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbids"

    user = ok(
        api.post("/api/users", {"username": "clerk.7", "full_name": "Clerk"}, "capital_admin"),
        201,
    )
    assert user["has_password"] is False and user["roles"] == []
    weak = api.post(f"/api/users/{user['id']}/password", {"password": "short"}, "capital_admin")
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    commission = pecs["items"][-1]["id"]
    role = ok(
        api.post(
            f"/api/users/{user['id']}/roles",
            {"role": "pec_typist", "commission_id": commission},
            "capital_admin",
        )
    )
    assert role["role"] == "pec_typist" and role["commission_id"] == commission
    ok(
        api.post(
            f"/api/users/{user['id']}/password", {"password": "a long passphrase"}, "capital_admin"
        )
    )
    listed = ok(api.get(f"/api/users?commission_id={commission}", "capital_admin"))
    assert [u["username"] for u in listed["items"]] == ["clerk.7"]
    assert listed["items"][0]["has_password"]
    elsewhere = api.post(
        f"/api/users/{user['id']}/roles",
        {"role": "pec_typist", "commission_id": api.world.commissions["pec_p1"]},
        "capital_admin",
    )
    assert elsewhere.status_code == 403
    revoked = ok(
        api.post(
            f"/api/users/{user['id']}/roles/revoke",
            {"role": "pec_typist", "commission_id": commission},
            "capital_admin",
        )
    )
    assert revoked == {"revoked": True}


def test_calling_an_election_and_its_calendar(api: Api) -> None:
    world = api.world
    api.clock.now = datetime(2024, 1, 10, 6, 0, tzinfo=UTC)
    body = {
        "polling_day": "2024-03-17",
        "called_on": "2024-01-10",
        "kind": "early",
        "name": "Early elections of the capital maslikhat",
        "body_ids": [world.bodies["capital"]],
    }
    called = ok(api.post("/api/elections", body, "cec_admin"), 201)
    election = called["election"]["id"]
    assert called["body_ids"] == [world.bodies["capital"]]
    assert [c["kind"] for c in called["contests"]] == ["first_level_list"]
    assert called["contests"][0]["seats"] == 2
    detail = ok(api.get(f"/api/elections/{election}"))
    assert detail["body_ids"] == [world.bodies["capital"]] and detail["status"] == "called"
    calendar = ok(
        api.get(f"/api/elections/{election}/calendar?region_id={world.regions['capital']}")
    )
    stages = {s["id"]: s for s in calendar["stages"]}
    assert stages["polling_opens"]["at"] == "2024-03-17T07:00:00+05:00"  # UTC+5 since 1.3.2024
    assert stages["polling_opens"]["state"] == "upcoming"
    assert (
        calendar["next_stage"] is not None and stages[calendar["next_stage"]]["state"] == "upcoming"
    )
    assert all(s["article"] for s in calendar["stages"])
    api.clock.now = datetime(2024, 3, 16, 6, 0, tzinfo=UTC)  # the silence day, local 11:00
    silent = ok(api.get(f"/api/elections/{election}/calendar?region_id={world.regions['capital']}"))
    assert {s["id"]: s["state"] for s in silent["stages"]}["silence_day"] == "current"
    elections = ok(api.get("/api/elections?status=called"))
    assert [e["id"] for e in elections["items"]] == [election, world.election]
    bad = api.post("/api/elections", body | {"called_on": "2024-04-01"}, "cec_admin", "kk")
    assert bad.status_code == 422 and bad.json()["code"] == "polling_before_call"
    assert bad.json()["field"] == "polling_day" and "polling_day" in bad.json()["message"]
    ballots = ok(
        api.get(f"/api/elections/{world.election}/precincts/{world.precincts['p1']}/contests")
    )
    assert ballots["agrees"] and len(ballots["contests"]) == 5


def test_districts_with_the_deviation_report_and_publication(api: Api) -> None:
    world = api.world
    election, oblast = world.election, world.bodies["oblast"]
    report = ok(api.get(f"/api/elections/{election}/bodies/{oblast}/districting"))
    assert report["complete"] and report["covers_exactly_once"] and not report["acceptable"]
    lines = {d["number"]: d for d in report["districts"]}
    assert lines[1]["voters"] == 2200 and not lines[1]["within_tolerance"]
    assert lines[1]["deviation_percent"].startswith("+") and report["tolerance"] == "3/20"
    assert report["problems"]
    districts = ok(api.get(f"/api/elections/{election}/districts?body_id={oblast}"))
    assert districts["total"] == 3 and districts["items"][0]["contest_id"]

    api.clock.now = NOMINATING
    moved = ok(
        api.put(
            f"/api/elections/{election}/bodies/{oblast}/districts/3",
            {"name": "Third", "precinct_ids": [world.precincts["p4"]]},
            "oblast_admin",
        )
    )
    assert moved["name"] == "Third" and moved["precinct_ids"] == [world.precincts["p4"]]
    path = f"/api/elections/{election}/bodies/{oblast}/districts/publish"
    refused = api.post(path, {}, "oblast_admin")
    assert refused.status_code == 409 and refused.json()["code"] == "deviation_outside_tolerance"
    late = api.post(path, {"deviation_reason": "sparse areas"}, "oblast_admin")
    assert late.status_code == 409 and late.json()["code"] == "deadline_passed"
    published = ok(
        api.post(
            path, {"deviation_reason": "sparse areas", "late_reason": "court order"}, "oblast_admin"
        )
    )
    assert published["late"] and published["warnings"] and not published["already_published"]
    frozen = api.put(
        f"/api/elections/{election}/bodies/{oblast}/districts/3",
        {"precinct_ids": [world.precincts["p4"]]},
        "oblast_admin",
    )
    assert frozen.status_code == 409


def test_parties_and_observers(api: Api) -> None:
    world = api.world
    parties = ok(api.get("/api/parties"))
    assert parties["total"] == 3
    assert parties["items"][0]["branch_region_ids"] == sorted(world.regions.values())
    by_code = ok(api.get("/api/parties/beta"))
    assert by_code["id"] == world.parties["beta"]
    api.clock.now = NOMINATING
    ok(
        api.post(
            f"/api/elections/{world.election}/parties", {"party_id": by_code["id"]}, "cec_admin"
        )
    )
    admitted = ok(api.get(f"/api/elections/{world.election}/parties"))
    assert [a["party_code"] for a in admitted["items"]] == ["beta"]

    api.clock.now = AFTER_REGISTRATION
    application = {
        "name": "Fair Count",
        "kind": "ngo",
        "commission_id": world.commissions["tec_oblast"],
    }
    organisation = ok(api.post("/api/observer-organisations", application, "oblast_admin"), 201)
    assert organisation["review_due"] == "2023-03-27" and organisation["accredited_on"] is None
    number = organisation["id"]
    accredited = ok(
        api.post(f"/api/observer-organisations/{number}/accreditation", {}, "oblast_admin")
    )
    assert accredited["valid_until"] == "2024-02-25"
    observers = ok(
        api.post(
            f"/api/observer-organisations/{number}/observers",
            {"full_names": ["Aigerim Observer", "Bolat Observer"]},
            "oblast_admin",
        ),
        201,
    )
    assert [o["credential"] for o in observers] == ["OBS-00001-00001", "OBS-00001-00002"]
    assigned = ok(
        api.post(
            f"/api/observers/{observers[0]['id']}/assignments",
            {"election_id": world.election, "precinct_ids": [world.precincts["p1"]]},
            "oblast_admin",
        )
    )
    assert assigned[0]["precinct_id"] == world.precincts["p1"]
    outside = api.post(
        f"/api/observers/{observers[1]['id']}/assignments",
        {"election_id": world.election, "precinct_ids": [world.precincts["p5"]]},
        "oblast_admin",
    )
    assert outside.status_code == 422 and outside.json()["code"] == "outside_accreditation"
    coverage = ok(api.get(f"/api/elections/{world.election}/observer-coverage?limit=2"))
    assert coverage["covered"] == 1 and coverage["categories"] == {"ngo": 1}
    assert coverage["precincts"]["total"] == 6 and len(coverage["precincts"]["items"]) == 2
    assert ok(api.get(f"/api/observers?precinct_id={world.precincts['p1']}"))["total"] == 1
