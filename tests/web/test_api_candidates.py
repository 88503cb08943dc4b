"""Candidacies through the API: a TEC administrator registers a candidate from nomination to
registration; what the public sees and what it does not; a self-nominee's missing documents are
named before anything is submitted; refusals outside the territory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from saylau.law.iin import Sex
from tests.services.nomination_world import (
    NOMINATING,
    REGISTERING,
    SMD_DOCUMENTS,
    make_iin,
)
from tests.web.test_api_helpers import Api, make_api, ok
from tests.world import build_election, build_world


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    yield from make_api(factory, world)


def candidate(serial: int = 1, **changes: Any) -> dict[str, Any]:
    birth = date(1980, 5, 17)
    person = {
        "iin": make_iin(birth, Sex.MALE, serial),
        "surname": "Жұмабаев",
        "name": "Ерлан",
        "birth_date": birth.isoformat(),
        "sex": "male",
        "citizen": True,
        "incapacitated_by_court": False,
        "imprisoned_by_sentence": False,
        "corruption_crime_conviction": False,
        "unexpunged_conviction": False,
    }
    person.update(changes)
    return person


def test_a_tec_administrator_registers_a_candidate(api: Api) -> None:
    world = api.world
    election = world.election
    contest = world.contests["oblast_o1"]
    alpha = world.parties["alpha"]
    api.clock.now = NOMINATING
    admitted = ok(api.post(f"/api/elections/{election}/parties", {"party_id": alpha}, "cec_admin"))
    assert admitted["created"] is True and admitted["party_code"] == "alpha"

    submitted = ok(
        api.post(
            "/api/nominations",
            {
                "contest_id": contest,
                "nominator": "political_party",
                "party_id": alpha,
                "person": candidate(),
                "documents": list(SMD_DOCUMENTS),
            },
            "oblast_admin",
        ),
        201,
    )
    ref = submitted["ref"]
    assert submitted["state"] == "documents_complete" and submitted["documents"]["complete"]
    due = submitted["deposit"]["amount"]
    assert due == 350_000 and submitted["deposit"]["article"]

    file = ok(api.get(f"/api/candidacies/{ref}", "oblast_admin"))
    assert file["file_visible"] and file["deposit"]["outstanding"] == due
    assert file["person"]["iin"] == submitted["iin"]
    assert file["registration_closes"].startswith("2023-02-22T18:00:00+06:00")

    api.clock.now = REGISTERING
    early = api.post(f"/api/candidacies/{ref}/register", None, "oblast_admin")
    assert early.status_code == 409 and early.json()["code"] == "not_ready"
    paid = ok(api.post(f"/api/candidacies/{ref}/deposits", {"amount": due}, "oblast_admin"))
    assert paid["outstanding"] == 0 and paid["state"] == "deposit_paid"
    decision = ok(api.post(f"/api/candidacies/{ref}/register", None, "oblast_admin"))
    assert decision["state"] == "registered" and decision["registered_at"]

    public = ok(api.get(f"/api/candidacies/{ref}"))
    assert public["state"] == "registered" and public["party_code"] == "alpha"
    assert public["person"]["surname"] == "Жұмабаев"
    assert public["person"]["iin"] is None and public["person"]["birth_date"] is None
    assert not public["file_visible"] and public["documents"] is None
    listed = ok(api.get(f"/api/nominations?election_id={election}&state=registered"))
    assert listed["total"] == 1 and listed["items"][0]["ref"] == ref
    assert ok(api.get(f"/api/nominations?contest_id={contest}&state=refused"))["total"] == 0
    hidden = api.get(f"/api/candidacies/{ref}/documents")
    assert hidden.status_code == 403 and hidden.json()["code"] == "role_forbids"


def test_another_regions_administrator_is_refused_and_logged(api: Api) -> None:
    world = api.world
    api.clock.now = NOMINATING
    alpha = world.parties["alpha"]
    ok(api.post(f"/api/elections/{world.election}/parties", {"party_id": alpha}, "cec_admin"))
    body = {
        "contest_id": world.contests["oblast_o1"],
        "nominator": "political_party",
        "party_id": alpha,
        "person": candidate(2),
        "documents": list(SMD_DOCUMENTS),
    }
    ref = ok(api.post("/api/nominations", body, "oblast_admin"), 201)["ref"]
    for language, other in (("kk", "ru"), ("ru", "en"), ("en", "kk")):
        refused = api.post(f"/api/candidacies/{ref}/register", None, "capital_admin", language)
        again = api.post(f"/api/candidacies/{ref}/register", None, "capital_admin", other)
        assert refused.status_code == 403
        error = refused.json()
        assert error["code"] == "outside_territory" and error["field"] is None
        assert "outside the territory" in error["detail"]
        assert error["message"] and error["message"] != again.json()["message"]
    refusals = api.refusals("capital_admin")
    assert [e.action for e in refusals] == ["register"] * 6
    assert refusals[0].after is not None and refusals[0].after["action"] == "decide_registration"
    file = api.get(f"/api/candidacies/{ref}/documents", "capital_admin")
    assert file.status_code == 403 and file.json()["code"] == "outside_territory"


def test_missing_documents_are_named_before_submitting(api: Api) -> None:
    checklist = ok(api.get("/api/nomination-routes/self_nominated_smd/documents"))
    ids = [d["id"] for d in checklist["documents"]]
    assert "intent_application" in ids and all(d["name"]["kk"] for d in checklist["documents"])
    check = ok(
        api.post(
            "/api/documents/check",
            {"route": "self_nominated_smd", "documents": ["intent_application", "biography"]},
        )
    )
    assert not check["complete"]
    missing = {m["document"] for m in check["missing"]}
    assert missing == set(ids) - {"intent_application", "biography"}
    typo = api.post(
        "/api/documents/check",
        {"route": "self_nominated_smd", "documents": ["biografy"]},
        None,
        "ru",
    )
    assert typo.status_code == 422 and typo.json()["field"].startswith("documents")
    reasons = ok(api.get("/api/refusal-reasons?limit=3"))
    assert reasons["total"] == 11 and len(reasons["items"]) == 3
    assert reasons["items"][0]["label"]["ru"] and reasons["items"][0]["article"]


def test_a_party_list_with_its_quota_and_per_person_documents(api: Api) -> None:
    world = api.world
    api.clock.now = NOMINATING
    alpha = world.parties["alpha"]
    ok(api.post(f"/api/elections/{world.election}/parties", {"party_id": alpha}, "cec_admin"))
    persons = [
        candidate(10, surname="Әлиева", name="Айгүл", sex="female", birth_date="1975-01-01")
        | {"iin": make_iin(date(1975, 1, 1), Sex.FEMALE, 10)},
        candidate(11),
        candidate(12),
    ]
    for person in persons:
        person["documents"] = ["biography", "asset_declaration_certificate", "consent"]
    body = {
        "contest_id": world.contests["oblast_list"],
        "party_id": alpha,
        "persons": persons,
        "documents": ["nomination_minutes"],
        "previous_result": "1/50",
    }
    submitted = ok(api.post("/api/party-lists", body, "alpha_agent"), 201)
    assert submitted["quota"]["met"] and submitted["quota"]["required"] == 1
    assert submitted["deposit"]["share_due"] == "7/10"
    missing = {(m["document"], m["iin"]) for m in submitted["documents"]["missing"]}
    assert ("deposit_payment", None) in missing
    assert ("party_membership", persons[0]["iin"]) in missing
    ref = submitted["ref"]
    more = ok(
        api.post(
            f"/api/candidacies/{ref}/documents",
            {"persons": {p["iin"]: ["party_membership"] for p in persons}},
            "alpha_agent",
        )
    )
    assert [m["document"] for m in more["missing"]] == ["deposit_payment"]
    detail = ok(api.get(f"/api/candidacies/{ref}", "alpha_agent"))
    assert [p["position"] for p in detail["persons"]] == [1, 2, 3]
    assert detail["persons"][0]["iin"] == persons[0]["iin"] and detail["quota"]["met"]
    public = ok(api.get(f"/api/candidacies/{ref}"))
    assert public["persons"][0]["iin"] is None and public["persons_on_list"] == 3
    lists = ok(api.get(f"/api/party-lists?election_id={world.election}&party_id={alpha}"))
    assert lists["total"] == 1 and lists["items"][0]["route"] == "party_list"
    beta = api.post(
        "/api/party-lists", body | {"party_id": world.parties["beta"]}, "alpha_agent", "kk"
    )
    assert beta.status_code == 403 and beta.json()["code"] == "outside_territory"


def test_nominations_in_one_batch_are_all_or_nothing(api: Api) -> None:
    world = api.world
    api.clock.now = NOMINATING
    alpha = world.parties["alpha"]
    ok(api.post(f"/api/elections/{world.election}/parties", {"party_id": alpha}, "cec_admin"))

    def nomination(contest: str, person: dict[str, Any]) -> dict[str, Any]:
        return {
            "contest_id": world.contests[contest],
            "nominator": "political_party",
            "party_id": alpha,
            "person": person,
            "documents": list(SMD_DOCUMENTS),
        }

    good = nomination("oblast_o2", candidate(20))
    bad = nomination("oblast_o3", candidate(21, birth_date="1979-05-17"))
    refused = api.post("/api/nominations/batch", {"nominations": [good, bad]}, "oblast_admin")
    assert refused.status_code == 422 and refused.json()["code"] == "iin_mismatch"
    assert refused.json()["field"].startswith("row 2")
    assert ok(api.get(f"/api/nominations?election_id={world.election}"))["total"] == 0
    done = ok(api.post("/api/nominations/batch", {"nominations": [good]}, "oblast_admin"), 201)
    assert [n["state"] for n in done] == ["documents_complete"]
