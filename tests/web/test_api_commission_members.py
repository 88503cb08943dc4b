"""The commission-member API: list, appoint, release, with localised conflicts and territory
refusals, on both databases (CL arts. 10–19)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from saylau.web.i18n import gettext
from tests.web.test_api_helpers import Api, make_api, ok
from tests.world import build_world


@pytest.fixture
def api(factory: sessionmaker[Session]) -> Iterator[Api]:
    with factory() as session, session.begin():
        world = build_world(session)
    yield from make_api(factory, world)


def test_appoint_list_and_release_members(api: Api) -> None:
    tec = api.world.commissions["tec_oblast"]
    path = f"/api/commissions/{tec}/members"
    chair = ok(
        api.post(
            path,
            {"full_name": " Ахметова  Гүлнар ", "position": "chair", "nominated_by": "Amanat"},
            "oblast_admin",
        ),
        201,
    )
    assert chair["full_name"] == "Ахметова Гүлнар" and chair["position"] == "chair"
    assert chair["appointed_on"] == "2023-02-01" and chair["released_on"] is None
    member = ok(api.post(path, {"full_name": "Серіков Бауыржан"}, "oblast_admin"), 201)
    assert member["position"] == "member"
    listed = ok(api.get(path, "oblast_admin"))
    assert listed["total"] == 2 and [m["id"] for m in listed["items"]] == [
        chair["id"],
        member["id"],
    ]
    # A second chair: a conflict naming the field, in the requested language.
    for language in ("kk", "ru", "en"):
        taken = api.post(
            path, {"full_name": "Другой", "position": "chair"}, "oblast_admin", language
        )
        assert taken.status_code == 409
        body = taken.json()
        assert body["code"] == "position_taken" and body["field"] == "position"
        assert body["message"] == gettext(language, "error.position_taken").replace(
            "{field}", "position"
        )
    twice = api.post(path, {"full_name": "ахметова гүлнар", "position": "member"}, "oblast_admin")
    assert twice.status_code == 409 and twice.json()["code"] == "already_member"
    assert str(chair["id"]) in twice.json()["detail"]
    # Release with a reason; the member stays listed, the chair can be appointed again.
    released = ok(
        api.post(
            f"/api/commission-members/{chair['id']}/release", {"reason": "resigned"}, "oblast_admin"
        )
    )
    assert released["released_on"] == "2023-02-01" and released["release_reason"] == "resigned"
    again = api.post(
        f"/api/commission-members/{chair['id']}/release", {"reason": "again"}, "oblast_admin"
    )
    assert again.status_code == 409 and again.json()["code"] == "already_released"
    ok(api.post(path, {"full_name": "Жаңа Төраға", "position": "chair"}, "oblast_admin"), 201)
    serving = ok(api.get(path + "?include_released=false", "oblast_admin"))
    assert serving["total"] == 2 and chair["id"] not in [m["id"] for m in serving["items"]]
    assert ok(api.get(path, "oblast_admin"))["total"] == 3


def test_invalid_input_and_refusals(api: Api) -> None:
    tec = api.world.commissions["tec_oblast"]
    path = f"/api/commissions/{tec}/members"
    bad = api.post(path, {"full_name": "X", "position": "treasurer"}, "oblast_admin")
    assert bad.status_code == 422
    blank = api.post(path, {"full_name": "   "}, "oblast_admin")
    assert blank.status_code == 422 and blank.json()["field"] == "full_name"
    future = api.post(path, {"full_name": "X", "appointed_on": "2023-03-01"}, "oblast_admin")
    assert future.status_code == 422 and future.json()["code"] == "future_date"
    assert api.get("/api/commissions/999/members", "cec_admin").status_code == 404
    assert (
        api.post("/api/commission-members/999/release", {"reason": "r"}, "cec_admin").status_code
        == 404
    )
    # Another region's administrator, a typist and anonymous callers are refused.
    outside = api.post(path, {"full_name": "X"}, "capital_admin")
    assert outside.status_code == 403 and outside.json()["code"] == "outside_territory"
    assert api.get(path, "capital_admin").status_code == 403
    typist = api.post(path, {"full_name": "X"}, "typist_p1_a")
    assert typist.status_code == 403 and typist.json()["code"] == "role_forbids"
    assert api.get(path).status_code in (401, 403)
    assert [e.action for e in api.refusals("capital_admin")] == ["appoint_member", "list_members"]
    assert [e.action for e in api.refusals("typist_p1_a")] == ["appoint_member"]
    # The CEC staffs every commission, its own included.
    cec = api.world.commissions["cec"]
    ok(api.post(f"/api/commissions/{cec}/members", {"full_name": "Y"}, "cec_admin"), 201)
    refused = api.post(f"/api/commissions/{cec}/members", {"full_name": "Z"}, "oblast_admin")
    assert refused.status_code == 403
