"""The API's contract: one error body in the requested language, refusals logged and readable in
the audit log of the right territory, pagination, and a complete, valid OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
from sqlalchemy.orm import Session, sessionmaker

from saylau.web.i18n import gettext
from tests.services.nomination_world import NOMINATING
from tests.web.test_api_helpers import Api, make_api, ok
from tests.world import build_election, build_world

LANGUAGES = ("kk", "ru", "en")


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    yield from make_api(factory, world)


def sentence(language: str, code: str, field: str | None) -> str:
    return gettext(language, f"error.{code}").replace("{field}", field or "—")


def test_errors_name_code_and_field_in_the_requested_language(api: Api) -> None:
    election = api.world.election
    cases = [
        ("/api/elections/999", None, None, 404, "not_found", "election_id"),
        ("/api/candidacies/smd:77", None, "oblast_admin", 404, "not_found", "nomination_id"),
        (f"/api/elections/{election}/publish", {}, "oblast_admin", 409, "results_not_final", None),
        ("/api/protocols/1/resolve", {"keep": None}, "oblast_coordinator", 404, "not_found", None),
    ]
    for path, payload, who, status, code, field in cases:
        messages = set()
        for language in LANGUAGES:
            if payload is None:
                response = api.get(path, who, language)
            else:
                response = api.post(path, payload, who, language)
            assert response.status_code == status, response.text
            body = response.json()
            assert set(body) == {"code", "field", "message", "detail"}
            if code is not None:
                assert body["code"] == code
            if field is not None:
                assert body["field"] == field
            if gettext(language, f"error.{body['code']}") != f"error.{body['code']}":
                assert body["message"] == sentence(language, body["code"], body["field"])
            messages.add(body["message"])
        assert len(messages) == 3  # one sentence per language; the detail stays English


def test_invalid_input_names_the_field(api: Api) -> None:
    for language in LANGUAGES:
        too_many = api.get("/api/precincts?limit=501", None, language)
        assert too_many.status_code == 422
        assert too_many.json()["code"] == "invalid_input" and too_many.json()["field"] == "limit"
    missing = api.post("/api/elections", {"called_on": "2023-01-19"}, "cec_admin", "ru")
    assert missing.status_code == 422 and missing.json()["field"] == "polling_day"
    assert "polling_day" in missing.json()["message"]
    unknown = api.post(
        "/api/elections",
        {"polling_day": "2023-03-19", "called_on": "2023-01-19", "colour": "red"},
        "cec_admin",
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "colour"
    out_of_range = api.post(
        "/api/elections", {"polling_day": "3023-03-19", "called_on": "2023-01-19"}, "cec_admin"
    )
    assert out_of_range.status_code == 422 and out_of_range.json()["field"] == "polling_day"
    nul = api.post("/api/parties", {"code": "x\x00", "name_kk": "a", "name_en": "b"}, "cec_admin")
    assert nul.status_code == 422 and nul.json()["code"] == "unstorable_text"
    body = api.client.post(
        "/api/parties",
        content=b"\xff\xfe{",
        headers={**api.headers("cec_admin"), "Content-Type": "application/json"},
    )
    assert body.status_code == 422 and body.json()["code"] in {"invalid_input", "unreadable_body"}
    party = {"code": "delta", "name_kk": "Дельта", "name_en": "Delta"}
    assert ok(api.post("/api/parties", party, "cec_admin"))["code"] == "delta"
    assert ok(api.get("/api/parties/delta"))["name_kk"] == "Дельта"


def test_refusals_are_localised_logged_and_audited_by_territory(api: Api) -> None:
    world = api.world
    api.clock.now = NOMINATING
    call = {"polling_day": "2024-03-17", "called_on": "2024-01-10"}
    for language in LANGUAGES:
        refused = api.post("/api/elections", call, None, language)
        assert refused.status_code == 403
        body = refused.json()
        assert body["code"] == "role_forbids" and body["field"] is None
        assert body["message"] == sentence(language, "role_forbids", None)
        assert body["detail"] == "the role public may not call_election"
    typist = api.post(f"/api/elections/{world.election}/parties", {"party_id": 1}, "typist_p1_a")
    assert typist.status_code == 403
    tec = api.post(
        "/api/elections",
        call | {"body_ids": [world.bodies["capital"]]},
        "oblast_admin",
    )
    assert tec.status_code == 403 and tec.json()["code"] == "outside_territory"

    refusals = ok(api.get("/api/audit?outcome=refused&limit=500", "cec_admin"))
    assert refusals["total"] == 5
    assert {e["action"] for e in refusals["items"]} == {"call_election", "admit_party"}
    assert all(e["outcome"] == "refused" for e in refusals["items"])
    by_user = ok(
        api.get(f"/api/audit?user_id={world.users['oblast_admin']}&outcome=refused", "cec_admin")
    )
    assert [e["after"]["action"] for e in by_user["items"]] == ["call_election"]
    public = ok(api.get("/api/audit?username=public&action=call_election", "cec_admin"))
    assert public["total"] == 3
    since = refusals["items"][0]["at"]
    assert ok(api.get(f"/api/audit?since={since}&outcome=refused", "cec_admin"))["total"] >= 1

    # The oblast's coordinator reads the oblast's commissions' events only, and not the CEC's.
    oblast = ok(api.get("/api/audit?outcome=refused", "oblast_coordinator"))
    tec_oblast = world.commissions["tec_oblast"]
    pec_p1 = world.commissions["pec_p1"]
    assert {e["commission_id"] for e in oblast["items"]} == {tec_oblast, pec_p1}
    cec = api.get(f"/api/audit?commission_id={world.commissions['cec']}", "oblast_coordinator")
    assert cec.status_code == 403 and cec.json()["code"] == "outside_territory"
    assert api.get("/api/audit", "typist_p1_a").status_code == 403
    assert api.get("/api/audit").status_code == 403
    chain = ok(api.get("/api/audit/verify", "cec_admin"))
    assert chain["intact"] and chain["events"] > 5


def test_pagination(api: Api) -> None:
    first = ok(api.get("/api/precincts?limit=4"))
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (6, 4, 0, 4)
    rest = ok(api.get("/api/precincts?limit=4&offset=4"))
    assert len(rest["items"]) == 2 and rest["total"] == 6
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert len(set(ids)) == 6
    beyond = ok(api.get("/api/precincts?offset=100"))
    assert beyond["items"] == [] and beyond["total"] == 6
    filtered = ok(api.get(f"/api/precincts?region_id={api.world.regions['capital']}"))
    assert filtered["total"] == 2
    assert api.get("/api/precincts?limit=0").status_code == 422
    assert api.get("/api/precincts?offset=-1").status_code == 422
    assert ok(api.get("/api/precincts?limit=500"))["limit"] == 500
    contests = ok(api.get(f"/api/elections/{api.world.election}/contests?kind=first_level_smd"))
    assert contests["total"] == 5
    users = ok(api.get("/api/users?limit=3", "oblast_admin"))
    assert users["total"] > 3 and len(users["items"]) == 3
    names = {u["username"] for u in ok(api.get("/api/users?limit=500", "oblast_admin"))["items"]}
    assert "oblast_coordinator" in names and "capital_admin" not in names


DUAL_CONTROLLED = {
    ("post", "/api/elections/{election_id}/publish"),
    ("post", "/api/protocols/{protocol_id}/correct"),
    ("post", "/api/contests/{contest_id}/ballot"),
    ("post", "/api/territory/import"),
}
"""The endpoints that answer 202 with a request when dual control is required, and only they."""


def test_the_openapi_document_is_valid_and_complete(api: Api) -> None:
    document = ok(api.get("/openapi.json"))
    assert document["openapi"].startswith("3.1")
    assert list(OPENAPI_31_VALIDATOR.iter_errors(document)) == []
    ids = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            ids.append(operation["operationId"])
            if not path.startswith("/api/") or path.startswith(("/api/auth/", "/api/health")):
                continue
            responses = operation["responses"]
            for status in ("403", "404", "409", "422"):
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
            success = [s for s in responses if s.startswith("2")]
            if (method, path) in DUAL_CONTROLLED:  # the request filed instead (issue #9 §2)
                accepted = responses.pop("202")["content"]["application/json"]["schema"]
                assert accepted == {"$ref": "#/components/schemas/ApprovalOut"}, path
                success.remove("202")
            assert len(success) == 1, (method, path)
            content = responses[success[0]]["content"]["application/json"]["schema"]
            assert content, (method, path)
    assert len(ids) == len(set(ids)) > 100
    schemas = document["components"]["schemas"]
    page = next(s for name, s in schemas.items() if name.startswith("Page_PrecinctOut"))
    assert {"items", "total", "limit", "offset"} <= set(page["properties"])
