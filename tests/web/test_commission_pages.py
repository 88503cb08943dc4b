"""The commission interface through its forms, on SQLite and PostgreSQL: every page in Kazakh,
Russian and English, refusals for roles without the right, double protocol entry resolved by the
coordinator, registration at the desk, CSRF, and pages that load nothing from outside."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState, ProtocolState
from saylau.services.context import Actor, execute
from saylau.services.protocols import enter_protocol
from saylau.services.tabulation import tabulate_election
from saylau.services.users import set_password
from saylau.storage.models import Nomination, Protocol
from saylau.web.app import create_app
from tests.conftest import second_factor
from tests.services import nomination_world
from tests.services.count_world import CountWorld, double_entry, figures, run, setup, typist

PASSWORD = "correct horse 7"
LANGUAGES = {"kk": "Бақылау тақтасы", "ru": "Панель", "en": "Dashboard"}
EXTERNAL = re.compile(r"https?://")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)


def sign_in(app: object, username: str, language: str = "en") -> TestClient:
    client = TestClient(app, headers={"Accept-Language": language})  # type: ignore[arg-type]
    token = csrf(client.get("/login").text)
    signed = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    signed = second_factor(client, username, signed)  # the one-time code of a commission account
    assert signed.status_code == 303, signed.text
    return client


def csrf(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def passwords(factory: sessionmaker[Session], users: dict[str, int], *names: str) -> None:
    for name in names:
        execute(factory, Actor.operator(), set_password, users[name], PASSWORD)


def assert_clean(html: str) -> None:
    """Nothing loaded from outside, no inline script or style attribute."""
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert not INLINE_SCRIPT.search(html)
    assert "style=" not in html and "<style" not in html


@pytest.fixture
def counted(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, CountWorld]]:
    cw = setup(factory)
    passwords(
        factory,
        cw.world.users,
        "oblast_admin",
        "oblast_coordinator",
        "typist_p1_a",
        "typist_p1_b",
        "analyst",
        "alpha_agent",
    )
    app = create_app(factory, secret="test-secret")
    with TestClient(app) as client:
        yield client, cw


def test_every_page_in_three_languages_and_refused_without_the_right(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    choices = cw.choices["oblast_o1"]
    data = figures({choices["Абаев"]: 300, choices["Бекова"]: 200, choices["Жұмабаев"]: 80})
    run(factory, typist(factory, cw, "p1", "a"), enter_protocol, contest, precinct, data)
    differing = replace(data, invalid=1, ballots_in_boxes=data.ballots_in_boxes + 1)
    run(factory, typist(factory, cw, "p1", "b"), enter_protocol, contest, precinct, differing)
    lists = cw.choices["oblast_list"]
    for name in ("p1", "p2", "p3", "p4"):
        votes = {lists["alpha"]: 300, lists["beta"]: 200, lists["gamma"]: 50}
        double_entry(factory, cw, "oblast_list", name, figures(votes, against_all=20, invalid=5))
    run(factory, Actor.operator(), tabulate_election, cw.world.election)
    with factory() as session:
        protocol_id = session.scalars(
            select(Protocol.id).where(Protocol.state == ProtocolState.ENTRIES_DIFFER)
        ).one()
        definitive = session.scalars(
            select(Protocol.id).where(Protocol.state == ProtocolState.DEFINITIVE)
        ).first()
    nomination = cw.nominations["oblast_o1"]["Абаев"]
    admin_pages = [
        "/dashboard",
        "/territory",
        f"/territory?region={cw.world.regions['oblast']}",
        "/territory/districts",
        "/users",
        "/registration",
        f"/registration/smd/{nomination}",
        "/protocols",
        f"/protocols/{protocol_id}/resolve",
        f"/protocols/{definitive}/correct",
        "/turnout",
        "/results",
        f"/results/contest/{contest}",
        f"/results/contest/{cw.contest('oblast_list')}",
        "/mandates",
        "/recall",
        "/observers",
        "/audit",
    ]
    typist_pages = [
        "/dashboard",
        "/protocols",
        f"/protocols/entry?contest={contest}&precinct={precinct}",
        "/turnout",
    ]
    for language, dashboard_word in LANGUAGES.items():
        admin = sign_in(client.app, "oblast_admin", language)
        for path in admin_pages:
            response = admin.get(path)
            assert response.status_code == 200, (language, path, response.text[:500])
            assert f'lang="{language}"' in response.text
            assert_clean(response.text)
        assert dashboard_word in admin.get("/dashboard").text
        trace = admin.get(f"/results/contest/{cw.contest('oblast_list')}").text
        assert "2200/3 ≈" in trace  # the quota as an exact fraction
        clerk = sign_in(client.app, "typist_p1_a", language)
        for path in typist_pages:
            response = clerk.get(path)
            assert response.status_code == 200, (language, path)
            assert_clean(response.text)
    # Roles without the right get a 403 page; nobody signed in is sent to sign in.
    clerk = sign_in(client.app, "typist_p1_a")
    for path in ("/territory", "/users", "/registration", "/results", "/mandates", "/recall"):
        assert clerk.get(path).status_code == 403, path
    assert clerk.get("/observers").status_code == 403
    assert clerk.get("/audit").status_code == 403
    assert clerk.get(f"/protocols/{protocol_id}/resolve").status_code == 403
    analyst = sign_in(client.app, "analyst")
    assert analyst.get("/protocols").status_code == 403
    nav = analyst.get("/dashboard").text
    assert 'href="/protocols"' not in nav and 'href="/audit"' not in nav
    agent = sign_in(client.app, "alpha_agent")  # party agents work in the portal
    assert agent.get("/dashboard", follow_redirects=False).headers["location"] == "/portal"
    assert agent.get("/registration").status_code == 403
    stranger = TestClient(client.app)
    for path in admin_pages:
        response = stranger.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login", path


def test_double_entry_with_a_differing_line_resolved_by_the_coordinator(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    contest, precinct = cw.contest("oblast_o1"), cw.precinct("p1")
    choices = cw.choices["oblast_o1"]
    entry_page = f"/protocols/entry?contest={contest}&precinct={precinct}"
    typed = {
        "voters_on_list": "1000",
        "ballots_received": "1000",
        "ballots_issued": "600",
        "ballots_cancelled": "400",
        "portable_box_requests": "0",
        "portable_box_ballots": "0",
        "ballots_in_boxes": "600",
        f"votes[{choices['Абаев']}]": "300",
        f"votes[{choices['Бекова']}]": "200",
        f"votes[{choices['Жұмабаев']}]": "85",
        "against_all": "10",
        "invalid": "5",
    }
    first = sign_in(client.app, "typist_p1_a")
    page = first.get(entry_page)
    names = re.findall(r'name="([^"]+)" data-protocol-field', page.text)
    assert names[:4] == [
        "voters_on_list",
        "ballots_received",
        "ballots_issued",
        "ballots_cancelled",
    ]
    assert names.index("ballots_in_boxes") < names.index(f"votes[{choices['Абаев']}]")
    assert names[-3:] == ["against_all", "invalid", "valid"]
    assert 'aria-live="polite"' in page.text and 'inputmode="numeric"' in page.text
    # The live check: the JSON endpoint needs the CSRF header and names the broken relation.
    check = {
        "contest_id": contest,
        "precinct_id": precinct,
        "values": {**typed, "ballots_issued": "700"},
    }
    assert first.post("/commission/protocols/check", json=check).status_code == 403
    live = first.post(
        "/commission/protocols/check", json=check, headers={"X-CSRF-Token": csrf(page.text)}
    ).json()
    assert live["status"] == "violations"
    assert "received_equals_issued_plus_cancelled" in [v["name"] for v in live["violations"]]
    saved = first.post(
        "/protocols/entry",
        data={**typed, "contest": contest, "precinct": precinct, "csrf_token": csrf(page.text)},
    )
    assert saved.status_code == 200 and "First entry saved" in saved.text
    # The same typist cannot make the second entry.
    assert "must be made by a different typist" in first.get(entry_page).text
    second = sign_in(client.app, "typist_p1_b")
    page = second.get(entry_page)
    assert "Second entry" in page.text
    differing = {**typed, f"votes[{choices['Абаев']}]": "301", "against_all": "9"}
    saved = second.post(
        "/protocols/entry",
        data={**differing, "contest": contest, "precinct": precinct, "csrf_token": csrf(page.text)},
    )
    assert "differ" in saved.text
    coordinator = sign_in(client.app, "oblast_coordinator")
    listing = coordinator.get("/protocols")
    protocol_id = int(re.search(r"/protocols/(\d+)/resolve", listing.text).group(1))  # type: ignore[union-attr]
    compare = coordinator.get(f"/protocols/{protocol_id}/resolve")
    assert compare.text.count('class="differs"') == 2
    assert compare.text.count('class="differs-mark"') == 2  # marked in words, not by colour alone
    # No choice: refused next to the field; then keep the first entry.
    refused = coordinator.post(
        f"/protocols/{protocol_id}/resolve", data={"csrf_token": csrf(compare.text)}
    )
    assert 'id="f-resolve-keep-error"' in refused.text
    resolved = coordinator.post(
        f"/protocols/{protocol_id}/resolve", data={"keep": "1", "csrf_token": csrf(compare.text)}
    )
    assert resolved.status_code == 200 and "definitive" in resolved.text
    with factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.state is ProtocolState.DEFINITIVE
        assert protocol.against_all == 10


def test_a_form_without_the_csrf_token_is_refused(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    admin = sign_in(client.app, "oblast_admin")
    trace = admin.get(f"/results/contest/{cw.contest('oblast_list')}")
    assert trace.status_code == 200 and "This contest is not tabulated yet." in trace.text
    nomination = cw.nominations["oblast_o1"]["Абаев"]
    refused = admin.post(f"/registration/smd/{nomination}/refuse", data={"reason": "bribery"})
    assert refused.status_code == 403
    forged = admin.post("/users", data={"username": "intruder", "csrf_token": "forged"})
    assert forged.status_code == 403
    with factory() as session:
        found = session.get(Nomination, nomination)
        assert found is not None and found.state is CandidacyState.REGISTERED
    # With the token, the user is created and the role granted through the forms.
    page = admin.get("/users")
    created = admin.post(
        "/users",
        data={
            "username": "new_clerk",
            "full_name": "New Clerk",
            "password": PASSWORD,
            "locale": "ru",
            "csrf_token": csrf(page.text),
            "form_id": "new",
        },
    )
    assert "The user is created." in created.text
    granted = admin.post(
        "/users/roles",
        data={
            "username": "new_clerk",
            "role": "pec_typist",
            "commission_id": str(cw.world.commissions["pec_p1"]),
            "csrf_token": csrf(page.text),
            "form_id": "grant",
        },
    )
    assert "The role is granted." in granted.text and "new_clerk" in granted.text


@pytest.fixture
def desk(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, nomination_world.Setup]]:
    """The test world's election on 20 February 2023, while registration is open: the pages'
    service calls run on that clock."""
    s = nomination_world.setup(factory, "alpha")
    passwords(factory, s.world.users, "oblast_admin")
    app = create_app(factory, secret="test-secret", clock=lambda: nomination_world.REGISTERING)
    with TestClient(app) as client:
        yield client, s


def _nominate(s: nomination_world.Setup, surname: str, contest: str) -> int:
    candidate = nomination_world.person(surname, "Test")
    return nomination_world.smd(s, contest, candidate).nomination_id


def test_a_tec_admin_registers_a_candidate_through_the_forms(
    desk: tuple[TestClient, nomination_world.Setup], factory: sessionmaker[Session]
) -> None:
    client, s = desk
    nomination = _nominate(s, "Сапаров", "oblast_o1")
    other = _nominate(s, "Омарова", "oblast_o2")
    admin = sign_in(client.app, "oblast_admin", "kk")
    listing = admin.get("/registration")
    assert f"/registration/smd/{nomination}" in listing.text
    path = f"/registration/smd/{nomination}"
    page = admin.get(path)
    assert "✔" in page.text and "350" in page.text  # documents received, deposit due
    # Registering before the deposit is paid is refused, next to the decision.
    early = admin.post(
        path + "/register", data={"csrf_token": csrf(page.text), "form_id": "register"}
    )
    assert 'role="alert"' in early.text and 'id="f-register-state-error"' in early.text
    outstanding = re.search(r'name="amount" type="text" value="(\d+)"', page.text)
    assert outstanding is not None
    paid = admin.post(
        path + "/deposit",
        data={
            "amount": outstanding.group(1),
            "note": "PAY-1",
            "csrf_token": csrf(page.text),
            "form_id": "deposit",
        },
    )
    assert paid.status_code == 200 and 'role="status"' in paid.text
    registered = admin.post(path + "/register", data={"csrf_token": csrf(page.text)})
    assert registered.status_code == 200
    with factory() as session:
        found = session.get(Nomination, nomination)
        assert found is not None and found.state is CandidacyState.REGISTERED
    # A refusal names a reason of the law's list, shown in the page's language.
    refused = admin.post(
        f"/registration/smd/{other}/refuse",
        data={"reason": "early_campaigning", "note": "", "csrf_token": csrf(page.text)},
    )
    assert "тіркеу мерзімі аяқталғанға дейін сайлауалды үгіт жүргізу" in refused.text
    with factory() as session:
        found = session.get(Nomination, other)
        assert found is not None and found.state is CandidacyState.REFUSED


def test_every_message_of_the_commission_interface_is_translated() -> None:
    """Every string of the commission templates and modules has a Kazakh and a Russian text."""
    from pathlib import Path

    from babel.messages.extract import extract
    from babel.messages.pofile import read_po

    import saylau.web

    web = Path(saylau.web.__file__).parent
    wanted: set[str] = set()
    for path in sorted((web / "templates" / "commission").glob("*.html")):
        with path.open("rb") as handle:
            for _, message, _, _ in extract(
                "jinja2.ext:babel_extract", handle, keywords={"_": None}
            ):
                wanted.add(message[0] if isinstance(message, tuple) else message)
    for path in sorted((web / "pages" / "commission").glob("*.py")):
        with path.open("rb") as handle:
            for _, message, _, _ in extract(
                "python", handle, keywords={"N_": None, "tr": None, "gettext": (2,)}
            ):
                wanted.add(message[0] if isinstance(message, tuple) else message)
    wanted.discard("")
    assert len(wanted) > 300

    def catalog(language: str) -> list[Any]:
        """Every message of the commission catalogues (``commission*.po``) of ``language``."""
        messages: list[Any] = []
        for po in sorted((web / "locale" / language / "LC_MESSAGES").glob("commission*.po")):
            with po.open("rb") as handle:
                messages += [m for m in read_po(handle, locale=language) if m.id]
        return messages

    source = {m.id: str(m.string or m.id) for m in catalog("en")}
    for language in ("kk", "ru"):
        messages = catalog(language)
        translated = {m.id for m in messages if m.string}
        assert not sorted(wanted - translated), (language, sorted(wanted - translated)[:10])
        for message in messages:
            if message.id:  # the same placeholders, so that formatting cannot fail
                expected = sorted(re.findall(r"{(\w+)}", source[str(message.id)]))
                assert sorted(re.findall(r"{(\w+)}", str(message.string))) == expected, message.id


def test_the_audit_page_shows_the_events_of_the_commissions_in_the_territory(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    """``/audit`` reads through ``services.audit_log`` (READ_AUDIT over the actor's territory,
    issue #9 §2): the oblast's TEC sees its precinct commissions' events, the capital's TEC does
    not, and the filters narrow the page."""
    client, cw = counted
    passwords(factory, cw.world.users, "capital_admin")
    choices = cw.choices["oblast_o1"]
    data = figures({choices["Абаев"]: 300, choices["Бекова"]: 200, choices["Жұмабаев"]: 80})
    double_entry(factory, cw, "oblast_o1", "p1", data)
    oblast = sign_in(client.app, "oblast_admin")
    page = oblast.get("/audit?action=enter_protocol").text
    assert "typist_p1_a" in page and "typist_p1_b" in page
    assert "typist_p1_a" not in oblast.get("/audit?action=enter_protocol&user=typist_p1_b").text
    assert "typist_p1_a" not in oblast.get("/audit?action=enter_protocol&outcome=refused").text
    capital = sign_in(client.app, "capital_admin")
    assert "typist_p1_a" not in capital.get("/audit?action=enter_protocol").text
    verified = capital.post("/audit/verify", data={"csrf_token": csrf(capital.get("/audit").text)})
    assert verified.status_code == 200 and "The chain of the audit log is intact." in verified.text
