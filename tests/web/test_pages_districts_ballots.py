"""The commission's districts and ballots screens through their forms, on SQLite and PostgreSQL:
a districting plan uploaded (a bad row imports nothing and is named by its line and field), one
district edited, the deviation report over the limit of decision #11, publication (CL art. 22);
the party order drawn by lot (CL art. 37 para 1; decision #9), ballots prepared and frozen."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.calendar import ElectionKind
from saylau.law.lot import lot_key
from saylau.services.ballots import lot_purpose
from saylau.services.context import Actor, execute
from saylau.services.elections import CallElection, call_election
from saylau.services.users import set_password
from saylau.storage.models import Approval, BallotDefinition, District, LotRecord, User
from tests.security.dual import second_member
from tests.services import nomination_world as nw
from tests.services.count_world import actor
from tests.web.test_commission_pages import PASSWORD, assert_clean, csrf, passwords, sign_in
from tests.world import World, build_world

SOON = datetime(2023, 1, 23, 6, 0, tzinfo=UTC)
"""Four days after the call: the districts are due by 29 January (CL art. 22 paras 2, 2-1)."""
GOOD_PLAN = "body,number,name,precincts\nKZ-35/Town,1,Town 1,3\nKZ-35/Town,2,Town 2,4\n"
BAD_PLAN = "body,number,name,precincts\nKZ-35/Town,1,Town 1,3\nKZ-35/Town,9,Town 9,4\n"
SEED = "sitting of 23.02.2023, seed 7714"

assert PASSWORD  # the helpers above sign in with it


def districts_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(District)) or 0


@pytest.fixture
def called(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, World, int]]:
    """The test world with an election called on 19 January 2023 and no district formed."""
    with factory() as session, session.begin():
        world = build_world(session)
    call = CallElection(
        polling_day=date(2023, 3, 19), called_on=date(2023, 1, 19), kind=ElectionKind.EARLY
    )
    election = execute(factory, Actor.operator(), call_election, call, clock=lambda: SOON)
    passwords(factory, world.users, "oblast_admin", "typist_p1_a")
    app = create(factory, lambda: SOON)
    with TestClient(app) as client:
        yield client, world, election.election.id


def create(factory: sessionmaker[Session], clock: Callable[[], datetime]) -> Any:
    from saylau.web.app import create_app

    return create_app(factory, secret="test-secret", clock=clock)


def upload(client: TestClient, token: str, election: int, body: int, text: str) -> Any:
    return client.post(
        "/districts/import",
        data={"csrf_token": token, "form_id": "import", "election_id": election, "body_id": body},
        files={"file": ("plan.csv", text.encode("utf-8"), "text/csv")},
    )


def test_a_plan_uploaded_edited_checked_and_published(
    called: tuple[TestClient, World, int], factory: sessionmaker[Session]
) -> None:
    client, world, election = called
    town = world.bodies["city"]
    admin = sign_in(client.app, "oblast_admin")
    screen = f"/districts?election={election}&body={town}"
    page = admin.get(screen)
    assert page.status_code == 200 and "No district is formed yet." in page.text
    assert_clean(page.text)
    token = csrf(page.text)
    # A bad row (district 9 of a body with 2 seats) imports nothing and is named by line and field.
    refused = upload(admin, token, election, town, BAD_PLAN)
    assert refused.status_code == 200
    assert "Nothing was imported: a row is invalid (District number)." in refused.text
    row = re.search(r"<tr><th scope=\"row\">(\d+)</th><td>(\w+)</td>", refused.text)
    assert row is not None and row.groups() == ("3", "number")
    assert districts_count(factory) == 0
    # Too large a file is refused before it is read.
    large = upload(admin, token, election, town, GOOD_PLAN + "#" * 2_000_001)
    assert "The file is too large (Plan file)." in large.text
    huge = admin.post(
        f"/districts/import?election_id={election}&body_id={town}",
        data={"csrf_token": token, "form_id": "import"},
        files={"file": ("plan.csv", b"#" * 2_200_000, "text/csv")},
    )
    assert huge.url.path == "/districts" and "The file is too large (Plan file)." in huge.text
    assert districts_count(factory) == 0
    # The good plan: two districts, 1,500 and 900 voters, ±25% from the mean of 1,200.
    imported = upload(admin, token, election, town, GOOD_PLAN)
    assert "The plan is imported." in imported.text
    assert "Districts created: 2, changed: 0, unchanged: 0." in imported.text
    assert districts_count(factory) == 2
    report = admin.get(screen).text
    assert "25.00%" in report and "-25.00%" in report and "±15.00%" in report.replace(" ", "")
    assert report.count("Yes — outside the limit") == 2
    assert "CL art. 21 para 4, art. 22; decision #11" in report
    # Edit one district: its name and precincts; an unknown precinct is refused and changes nothing.
    edit = admin.get(screen + "&number=2").text
    assert 'name="precincts" type="text" value="4"' in edit
    data = {"csrf_token": token, "form_id": "edit", "election_id": election, "body_id": town}
    bad = admin.post("/districts/edit", data={**data, "number": 2, "precincts": "4, 77"})
    assert 'id="f-edit-precincts-error"' in bad.text
    saved = admin.post(
        "/districts/edit", data={**data, "number": 2, "name": "Town two", "precincts": "4"}
    )
    assert "The district is saved." in saved.text and "Town two" in saved.text
    # Publishing with districts outside the tolerance needs the stated reason.
    publish = {"csrf_token": token, "form_id": "publish", "election_id": election, "body_id": town}
    early = admin.post("/districts/publish", data=publish)
    assert 'id="f-publish-deviation_reason-error"' in early.text
    with factory() as session:
        assert session.scalar(select(District.published_at).where(District.number == 2)) is None
    done = admin.post(
        "/districts/publish", data={**publish, "deviation_reason": "one town, two precincts"}
    )
    assert "The districts are published." in done.text
    assert "they can no longer change" in done.text and "Import the plan" not in done.text
    with factory() as session:
        names = {d.name: d.published_at for d in session.scalars(select(District))}
    assert set(names) == {"Town 1", "Town two"} and all(names.values())
    # The former address still leads to the screen.
    moved = admin.get(
        f"/territory/districts?election={election}&body={town}", follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"] == screen


def test_the_districts_screen_in_three_languages_and_refused_to_a_typist(
    called: tuple[TestClient, World, int], factory: sessionmaker[Session]
) -> None:
    client, world, election = called
    town = world.bodies["city"]
    words = {"kk": "Округтер", "ru": "Округа", "en": "Districts"}
    for language, word in words.items():
        admin = sign_in(client.app, "oblast_admin", language)
        page = admin.get(f"/districts?election={election}&body={town}")
        assert page.status_code == 200 and f'lang="{language}"' in page.text
        assert word in page.text
        assert_clean(page.text)
        refused = upload(admin, csrf(page.text), election, town, BAD_PLAN)
        assert "error.invalid_rows" not in refused.text and 'role="alert"' in refused.text
    clerk = sign_in(client.app, "typist_p1_a")
    assert clerk.get("/districts").status_code == 403
    token = csrf(clerk.get("/dashboard").text)
    assert upload(clerk, token, election, town, GOOD_PLAN).status_code == 403
    assert districts_count(factory) == 0


# --- ballots -------------------------------------------------------------------------------------


@pytest.fixture
def registered(
    factory: sessionmaker[Session],
) -> Iterator[tuple[TestClient, nw.Setup, list[datetime]]]:
    """Two registered lists in the oblast and a registered candidate in its district 1; the
    application's clock is ``now[0]`` (registration still open at first)."""
    s = nw.setup(factory, "alpha", "beta")
    nw.registered_list(s, "oblast_list", "alpha", nw.quota_list("Әлі"))
    nw.registered_list(s, "oblast_list", "beta", nw.quota_list("Бек"))
    nw.registered_candidate(s, "oblast_o1", nw.person("Жұмабаев", "Ерлан"))
    passwords(factory, s.world.users, "cec_admin", "oblast_admin", "typist_p1_a")
    now = [nw.REGISTERING]
    with TestClient(create(factory, lambda: now[0])) as client:
        yield client, s, now


def test_party_order_drawn_ballots_prepared_and_one_frozen(
    registered: tuple[TestClient, nw.Setup, list[datetime]], factory: sessionmaker[Session]
) -> None:
    client, s, now = registered
    election, oblast = s.world.election, s.world.bodies["oblast"]
    assert election is not None
    district = s.contest("oblast_o1")
    cec = sign_in(client.app, "cec_admin")
    screen = f"/ballots?election={election}&body={oblast}"
    page = cec.get(screen)
    assert page.status_code == 200 and "Draw the party order" in page.text
    token = csrf(page.text)
    draw = {"csrf_token": token, "form_id": "draw", "election_id": election, "seed": SEED}
    # Before registration closes the lot is refused, in the page's language.
    early = cec.post("/ballots/party-order", data=draw)
    assert 'role="alert"' in early.text and "This is not open yet" in early.text
    admin = sign_in(client.app, "oblast_admin", "ru")
    ballot_page = f"/ballots/contest/{district}"
    token = csrf(admin.get(ballot_page).text)
    frozen_early = admin.post(
        ballot_page + "/freeze", data={"csrf_token": token, "form_id": "freeze"}
    )
    assert 'id="f-freeze-contest_id-error"' in frozen_early.text
    assert "error.not_prepared" not in frozen_early.text and "Сначала" in frozen_early.text
    prepared_early = admin.post(
        ballot_page + "/prepare", data={"csrf_token": token, "form_id": "prepare"}
    )
    assert 'id="f-prepare-registration_closes-error"' in prepared_early.text
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(LotRecord)) == 0
        assert session.scalar(select(func.count()).select_from(BallotDefinition)) == 0
    # After registration: the CEC draws the order; the page shows each party's verifiable key.
    now[0] = nw.AFTER_REGISTRATION
    drawn = cec.post("/ballots/party-order", data=draw)
    assert "The party order is drawn." in drawn.text and SEED in drawn.text
    with factory() as session:
        record = session.scalars(select(LotRecord)).one()
        order = list(record.order)
    assert sorted(order) == ["alpha", "beta"]
    keys = [lot_key(SEED, lot_purpose(election), code) for code in order]
    assert keys == sorted(keys)
    assert drawn.text.index(keys[0]) < drawn.text.index(keys[1])
    assert "Draw the party order" not in drawn.text
    # The TEC prepares the ballots of its maslikhat; the lists follow the lot.
    token = csrf(admin.get(screen).text)
    prepared = admin.post(
        "/ballots/prepare",
        data={"csrf_token": token, "form_id": "prepare-body", "election_id": election}
        | {"body_id": oblast},
    )
    assert prepared.status_code == 200 and "Бюллетени подготовлены." in prepared.text
    listing = admin.get(screen + "&state=prepared").text
    assert f"/ballots/contest/{district}" in listing
    assert f"/ballots/contest/{s.contest('oblast_list')}" in listing
    assert f"/ballots/contest/{s.contest('oblast_o2')}" not in listing  # nobody registered
    names = {"alpha": "Альфа", "beta": "Бета"}
    lists = admin.get(f"/ballots/contest/{s.contest('oblast_list')}").text
    assert lists.index(names[order[0]]) < lists.index(names[order[1]])
    # A district's ballot in print order, "against all" last; frozen by its button.
    shown = admin.get(ballot_page).text
    assert shown.index("Жұмабаев") < shown.index("Против всех")
    frozen = admin.post(ballot_page + "/freeze", data={"csrf_token": token, "form_id": "freeze"})
    assert "Бюллетень утверждён." in frozen.text and "Утверждён —" in frozen.text
    assert "Утвердить бюллетень для печати" not in frozen.text
    with factory() as session:
        definition = session.scalars(
            select(BallotDefinition).where(BallotDefinition.contest_id == district)
        ).one()
        assert definition.frozen_at == nw.AFTER_REGISTRATION
    listing = admin.get(screen + "&state=frozen").text
    assert f"/ballots/contest/{district}" in listing
    assert f"/ballots/contest/{s.contest('oblast_list')}" not in listing
    # A change of the frozen ballot by decision is a request (dual control, issue #9 §2) that a
    # second member of the commission approves from the requests page.
    decision = "TEC decision № 12: reprint"
    asked = admin.post(
        ballot_page + "/prepare",
        data={"csrf_token": token, "form_id": "change"} | {"decision": decision},
    )
    assert "Запрос подан" in asked.text and asked.url.path == ballot_page
    found = re.search(r'href="/approvals#approval-(\d+)"', asked.text)
    assert found is not None
    with factory() as session:
        row = session.get(Approval, int(found.group(1)))
        assert (
            row is not None
            and row.kind == "change_frozen_ballot"
            and row.state.value == "requested"
        )
        assert (
            session.scalars(
                select(BallotDefinition.change_decision).where(
                    BallotDefinition.contest_id == district
                )
            ).one()
            is None
        )
    second = second_member(
        factory, actor(factory, "oblast_admin", Role.TEC_ADMIN, s.world.commissions["tec_oblast"])
    )
    with factory() as session:
        user_id = session.scalars(select(User.id).where(User.username == second.username)).one()
    execute(factory, Actor.operator(), set_password, user_id, PASSWORD)
    approver = sign_in(client.app, second.username)
    requests = approver.get("/approvals")
    assert "Change a frozen ballot" in requests.text and decision in requests.text
    approved = approver.post(
        f"/approvals/{row.id}/approve",
        data={"csrf_token": csrf(requests.text), "digest": row.digest},
    )
    assert approved.url.path == ballot_page and "The ballot is prepared." in approved.text
    assert decision in approved.text  # the ballot shows the decision that changed it


def test_the_ballots_screens_in_three_languages_and_refused_to_a_typist(
    registered: tuple[TestClient, nw.Setup, list[datetime]], factory: sessionmaker[Session]
) -> None:
    client, s, _ = registered
    district = s.contest("oblast_o1")
    words = {"kk": "Бюллетеньдер", "ru": "Бюллетени", "en": "Ballots"}
    for language, word in words.items():
        admin = sign_in(client.app, "oblast_admin", language)
        for path in ("/ballots", f"/ballots/contest/{district}"):
            page = admin.get(path)
            assert page.status_code == 200 and f'lang="{language}"' in page.text, path
            assert_clean(page.text)
        assert word in admin.get("/ballots").text
    clerk = sign_in(client.app, "typist_p1_a")
    assert clerk.get("/ballots").status_code == 403
    assert clerk.get(f"/ballots/contest/{district}").status_code == 403
    token = csrf(clerk.get("/dashboard").text)
    refused = clerk.post(f"/ballots/contest/{district}/freeze", data={"csrf_token": token})
    assert refused.status_code == 403
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(BallotDefinition)) == 0
