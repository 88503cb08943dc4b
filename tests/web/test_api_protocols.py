"""Protocols through the API: the live check, double entry by two typists with one differing
field, the coordinator's compare-and-resolve, the four-eyes refusal, and counting results."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.services.count_world import NEXT_DAY, CountWorld, build_count_world, figures
from tests.services.nomination_world import AFTER_REGISTRATION
from tests.web.test_api_helpers import Api, acted, make_api, ok


@pytest.fixture
def counted(factory: sessionmaker[Session]) -> Iterator[tuple[Api, CountWorld]]:
    with factory() as session, session.begin():
        cw = build_count_world(session)
    for api in make_api(factory, cw.world):
        api.clock.now = NEXT_DAY
        yield api, cw


def entry(cw: CountWorld, precinct: str, **changes: Any) -> dict[str, Any]:
    """An entry of the first-level district o1 protocol at ``precinct`` that adds up."""
    choices = cw.choices["oblast_o1"]
    votes = dict(zip(choices.values(), (300, 200, 100), strict=True))
    data = {k: v for k, v in asdict(figures(votes)).items() if k != "extra"}
    data["votes"] = {str(k): v for k, v in votes.items()}
    data.update(changes)
    return {
        "contest_id": cw.contest("oblast_o1"),
        "precinct_id": cw.precinct(precinct),
        "data": data,
    }


def test_two_typists_differ_on_one_field_and_the_coordinator_resolves(
    counted: tuple[Api, CountWorld],
) -> None:
    api, cw = counted
    first = entry(cw, "p1")
    second = entry(cw, "p1")
    second["data"]["ballots_cancelled"] += 1  # the second typist misreads one line

    live = ok(api.post("/api/protocols/check", second, "typist_p1_b"))
    assert live["errors"] == ["received_equals_issued_plus_cancelled"] and not live["clean"]
    assert ok(api.post("/api/protocols/check", first))["clean"]
    assert ok(api.get("/api/protocols"))["total"] == 0  # checking saves nothing

    one = ok(api.post("/api/protocols", first, "typist_p1_a"))
    assert one["state"] == "first_entry" and one["entry_no"] == 1
    same = api.post("/api/protocols", second, "typist_p1_a", "ru")
    assert same.status_code == 403 and same.json()["code"] == "same_typist"
    assert same.json()["message"] != same.json()["detail"]
    assert [e.action for e in api.refusals("typist_p1_a")] == ["enter_protocol"]

    two = ok(api.post("/api/protocols", second, "typist_p1_b"))
    assert two["state"] == "entries_differ"
    assert two["differing_fields"] == ["ballots_cancelled"]
    protocol = two["protocol_id"]

    seen_by_typist = ok(api.get(f"/api/protocols/{protocol}", "typist_p1_a"))
    assert seen_by_typist["differing_fields"] == ["ballots_cancelled"]
    assert not seen_by_typist["entries_visible"] and seen_by_typist["entry_data"] is None
    screen = ok(api.get(f"/api/protocols/{protocol}", "oblast_coordinator"))
    assert screen["entries_visible"]
    entries = {e["entry_no"]: e for e in screen["entry_data"]}
    assert entries[1]["typist"] == "typist_p1_a" and entries[2]["typist"] == "typist_p1_b"
    assert entries[2]["data"]["ballots_cancelled"] == entries[1]["data"]["ballots_cancelled"] + 1
    listed = ok(api.get(f"/api/protocols?election_id={cw.world.election}&state=entries_differ"))
    assert [p["id"] for p in listed["items"]] == [protocol]

    wrong = api.post(f"/api/protocols/{protocol}/resolve", {"keep": 2}, "oblast_coordinator")
    assert wrong.status_code == 409 and wrong.json()["code"] == "control_relation_errors"
    typist = api.post(f"/api/protocols/{protocol}/resolve", {"keep": 1}, "typist_p1_b")
    assert typist.status_code == 403 and typist.json()["code"] == "role_forbids"
    resolved = ok(api.post(f"/api/protocols/{protocol}/resolve", {"keep": 1}, "oblast_coordinator"))
    assert resolved["state"] == "definitive" and resolved["violations"] == []

    final = ok(api.get(f"/api/protocols/{protocol}"))
    assert (
        final["state"] == "definitive"
        and final["figures"]["votes"][str(cw.choices["oblast_o1"]["Абаев"])] == 300
    )
    assert final["figures"]["ballots_cancelled"] == first["data"]["ballots_cancelled"]
    again = api.post("/api/protocols", first, "typist_p1_a")
    assert again.status_code == 409 and again.json()["code"] == "protocol_definitive"

    corrected = dict(
        first["data"], invalid=1, ballots_in_boxes=first["data"]["ballots_in_boxes"] + 1
    )
    corrected["ballots_issued"] += 1
    corrected["ballots_cancelled"] -= 1
    path = f"/api/protocols/{protocol}/correct"
    undecided = api.post(path, {"data": corrected, "decision": ""}, "oblast_admin")
    assert undecided.status_code == 422 and undecided.json()["field"] == "decision"
    coordinator = api.post(path, {"data": corrected, "decision": "No. 12"}, "oblast_coordinator")
    assert coordinator.status_code == 403
    asked = api.post(path, {"data": corrected, "decision": "TEC decision No. 12"}, "oblast_admin")
    fixed = acted(api, asked, "oblast_admin")
    assert fixed["state"] == "definitive" and fixed["version"] == 1
    detail = ok(api.get(f"/api/protocols/{protocol}"))
    assert (
        detail["figures"]["invalid"] == 1 and detail["correction_decision"] == "TEC decision No. 12"
    )


def test_protocols_wait_for_polling_to_close_and_count_into_results(
    counted: tuple[Api, CountWorld],
) -> None:
    api, cw = counted
    api.clock.now = AFTER_REGISTRATION
    early = api.post("/api/protocols", entry(cw, "p2"), "typist_p2_a", "kk")
    assert early.status_code == 409 and early.json()["code"] == "counting_not_started"
    api.clock.now = NEXT_DAY
    for precinct in ("p1", "p2"):
        ok(api.post("/api/protocols", entry(cw, precinct), f"typist_{precinct}_a"))
        both = ok(api.post("/api/protocols", entry(cw, precinct), f"typist_{precinct}_b"))
        assert both["state"] == "definitive"
    contest = cw.contest("oblast_o1")
    tally = ok(api.post(f"/api/contests/{contest}/tabulate", {}, "oblast_coordinator"))
    assert (
        tally["final"] and tally["status"] == "elected" and tally["progress"].startswith("2 of 2")
    )
    result = ok(api.get(f"/api/contests/{contest}/result"))
    assert result["outcome"]["winner"]["person_id"] == cw.persons["oblast_o1"]["Абаев"]
    assert result["outcome"]["competitiveness"]["band"]
    progress = ok(api.get(f"/api/elections/{cw.world.election}/progress?limit=5"))
    assert progress["counted"] == 2 and len(progress["contests"]["items"]) == 5
    assert progress["contests"]["total"] == len(cw.world.contests)
    oblast = next(r for r in progress["regions"] if r["region_id"] == cw.world.regions["oblast"])
    assert oblast["counted"] == 2
    results = ok(api.get(f"/api/elections/{cw.world.election}/results?final=true"))
    assert [r["contest_id"] for r in results["items"]] == [contest]
    other = api.post(f"/api/contests/{cw.contest('capital_c1')}/tabulate", {}, "oblast_coordinator")
    assert other.status_code == 403 and other.json()["code"] == "outside_territory"
