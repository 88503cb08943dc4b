"""The commission screens for correcting a definitive protocol by decision (CL art. 43; issue #3
§2.5) and for turnout reports on polling day (CL art. 23; monograph [L750–L756]), through their
forms on SQLite and PostgreSQL: in Kazakh, Russian and English, refused to roles without the right,
refusals shown next to the field with nothing written."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import ProtocolState
from saylau.services.context import Actor
from saylau.services.protocols import votes_of
from saylau.services.tabulation import tabulate_election
from saylau.storage.models import AuditEvent, Protocol, TurnoutReport
from saylau.web.app import create_app
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup
from tests.web.test_commission_pages import assert_clean, csrf, passwords, sign_in
from tests.web.test_pages_approvals import approved, second_of


@pytest.fixture
def counted(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, CountWorld]]:
    cw = setup(factory)
    passwords(
        factory,
        cw.world.users,
        "cec_admin",
        "oblast_admin",
        "capital_admin",
        "oblast_coordinator",
        "typist_p1_a",
        "analyst",
    )
    app = create_app(factory, secret="test-secret")
    with TestClient(app) as client:
        yield client, cw


def _definitive(factory: sessionmaker[Session], cw: CountWorld) -> int:
    """Contest oblast_o1 at precinct p1 entered twice alike (definitive), then tabulated."""
    choices = cw.choices["oblast_o1"]
    data = figures({choices["Абаев"]: 300, choices["Бекова"]: 200, choices["Жұмабаев"]: 80})
    status = double_entry(factory, cw, "oblast_o1", "p1", data)
    assert status.state is ProtocolState.DEFINITIVE
    run(factory, Actor.operator(), tabulate_election, cw.world.election)
    return int(status.protocol_id)


def _oblast_admin(factory: sessionmaker[Session], cw: CountWorld) -> Actor:
    return actor(factory, "oblast_admin", Role.TEC_ADMIN, cw.world.commissions["tec_oblast"])


def _form(html: str) -> dict[str, str]:
    """The correction form's prefilled lines, by name."""
    return dict(re.findall(r'name="([^"]+)" data-protocol-field value="([^"]*)"', html))


def test_a_tec_admin_corrects_a_definitive_protocol_through_the_form(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    protocol_id = _definitive(factory, cw)
    choices = cw.choices["oblast_o1"]
    first, second = f"votes[{choices['Абаев']}]", f"votes[{choices['Бекова']}]"
    admin = sign_in(client.app, "oblast_admin")
    # The precinct's protocols link a definitive protocol to its correction.
    listing = admin.get(f"/protocols?election={cw.world.election}&precinct=1")
    assert f'href="/protocols/{protocol_id}/correct"' in listing.text
    path = f"/protocols/{protocol_id}/correct"
    page = admin.get(path)
    assert page.status_code == 200
    typed = _form(page.text)
    assert list(typed)[:4] == [
        "voters_on_list",
        "ballots_received",
        "ballots_issued",
        "ballots_cancelled",
    ]  # the order of the paper protocol
    assert typed[first] == "300" and typed[second] == "200" and typed["ballots_issued"] == "580"
    assert 'aria-live="polite"' in page.text and 'data-check-url="/commission/protocols/check"' in (
        page.text
    )
    assert "must be tabulated again" in page.text  # the contest was tabulated from these figures
    token = csrf(page.text)
    moved = {**typed, first: "290", second: "210"}
    # The live control-relation check of the entry screen works for the correcting administrator.
    with factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None
        where = {"contest_id": protocol.contest_id, "precinct_id": protocol.precinct_id}
    live = admin.post(
        "/commission/protocols/check",
        json={**where, "values": {**typed, first: "310"}},
        headers={"X-CSRF-Token": token},
    ).json()
    assert live["status"] == "violations"
    assert "in_boxes_equals_votes_plus_against_all_plus_invalid" in [
        v["name"] for v in live["violations"]
    ]

    def unchanged() -> None:
        with factory() as session:
            protocol = session.get(Protocol, protocol_id)
            assert protocol is not None and protocol.version == 0
            assert protocol.correction_decision is None
            assert votes_of(session, protocol_id)[choices["Абаев"]] == 300

    # Without the commission's decision: refused next to the decision field.
    refused = admin.post(path, data={**moved, "decision": " ", "csrf_token": token})
    assert 'id="f-correct-decision-error"' in refused.text
    assert "recorded decision" in refused.text
    assert _form(refused.text)[first] == "290"  # the typed figures are kept
    unchanged()
    # A line that is not a number: refused naming the line as printed on the protocol.
    refused = admin.post(
        path,
        data={**moved, "ballots_issued": "5x0", "decision": "№ 7", "csrf_token": token},
    )
    error = re.search(r'id="f-correct-ballots_issued-error">([^<]*)<', refused.text)
    assert error is not None and "3. Voters who received ballots" in error.group(1)
    unchanged()
    # Figures that break a control relation: refused, the relation named in words.
    refused = admin.post(path, data={**typed, first: "310", "decision": "№ 7", "csrf_token": token})
    assert 'id="f-correct-data-error"' in refused.text
    assert "must equal all votes plus “against all” plus invalid ballots" in refused.text
    unchanged()
    # The correction by decision: the changed lines old → new, the notice, the result's fate.
    decision = "TEC decision № 7 of 20 March 2023"
    filed = admin.post(path, data={**moved, "decision": decision, "csrf_token": token})
    assert "waits for the approval of a second member" in filed.text  # dual control, issue #9 §2
    unchanged()
    approver = sign_in(client.app, second_of(factory, _oblast_admin(factory, cw)))
    saved = approved(approver, filed)
    assert saved.status_code == 200
    assert "The protocol is corrected by the commission" in saved.text
    shown = saved.text.split('id="corrected"')[1].split("</section>")[0]
    assert shown.count('<tr><th scope="row">') == 2  # exactly the two lines that changed
    assert re.search(r"300</td><td class=\"number\">→ <strong>290</strong>", shown)
    assert re.search(r"200</td><td class=\"number\">→ <strong>210</strong>", shown)
    assert decision in shown and "must be tabulated again" in shown
    with factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.state is ProtocolState.DEFINITIVE
        assert protocol.version == 1 and protocol.correction_decision == decision
        assert votes_of(session, protocol_id) == {
            choices["Абаев"]: 290,
            choices["Бекова"]: 210,
            choices["Жұмабаев"]: 80,
        }
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "correct_definitive_protocol")
        ).one()
        assert event.username == "oblast_admin_second" and event.entity_id == str(protocol_id)
        request = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "request_approval")
        ).one()
        assert request.username == "oblast_admin"
        assert event.after is not None and event.after["decision"] == decision
    # The same figures again change nothing and are refused as such.
    again = admin.post(path, data={**moved, "decision": decision, "csrf_token": token})
    assert "The figures are unchanged" in again.text
    # A warning (more voters than a precinct may have) must be acknowledged: the form asks for it.
    large = {
        **moved,
        "voters_on_list": "3500",
        "ballots_received": "3500",
        "ballots_cancelled": "2920",
        "decision": "№ 8",
        "csrf_token": token,
    }
    asked = admin.post(path, data=large)
    assert 'id="f-correct-acknowledge_warnings-error"' in asked.text
    assert 'name="acknowledge_warnings" value="voters_on_list_at_most_precinct_max"' in asked.text
    with factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.version == 1
    accepted = approved(
        approver,
        admin.post(
            path, data={**large, "acknowledge_warnings": "voters_on_list_at_most_precinct_max"}
        ),
    )
    assert "The protocol is corrected by the commission" in accepted.text
    with factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.version == 2 and protocol.voters_on_list == 3500
        assert protocol.acknowledged_warnings == ["voters_on_list_at_most_precinct_max"]
    # Another territory's administrator and the coordinator may not correct it.
    assert sign_in(client.app, "capital_admin").get(path).status_code == 403
    assert sign_in(client.app, "oblast_coordinator").get(path).status_code == 403
    other = sign_in(client.app, "capital_admin")
    forbidden = other.post(
        path,
        data={**moved, first: "280", second: "220", "decision": "x", "csrf_token": token},
    )
    assert forbidden.status_code == 403  # refused by the service, then the page is refused too
    with factory() as session:
        assert votes_of(session, protocol_id)[choices["Абаев"]] == 290


def test_a_typist_reports_turnout_for_their_precinct_only(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    p1, p2 = cw.precinct("p1"), cw.precinct("p2")
    clerk = sign_in(client.app, "typist_p1_a")
    page = clerk.get("/turnout")
    assert page.status_code == 200
    assert f'name="precinct" value="{p1}"' in page.text  # their own precinct, preselected
    assert 'name="number"' not in page.text  # no precinct to choose
    token = csrf(page.text)
    base = {"election": str(cw.world.election), "at": "10:00", "csrf_token": token}
    reported = clerk.post("/turnout", data={**base, "precinct": str(p1), "voted": "150"})
    assert "The turnout is recorded." in reported.text
    summary = reported.text.split('id="summary-title"')[1]
    assert "1 of 1" in summary and "150" in summary and "15.00%" in summary
    # Another precinct: refused next to the precinct, nothing stored.
    refused = clerk.post("/turnout", data={**base, "precinct": str(p2), "voted": "100"})
    assert 'id="f-report-precinct-error"' in refused.text
    # More voters than on the list: refused next to the figure, in the page's language.
    too_many = clerk.post(
        "/turnout", data={**base, "at": "16:00", "precinct": str(p1), "voted": "1001"}
    )
    error = re.search(r'id="f-report-voted-error">([^<]*)<', too_many.text)
    assert error is not None and "Voters who have voted is more than the voters" in error.group(1)
    kazakh = sign_in(client.app, "typist_p1_a", "kk")
    page = kazakh.get("/turnout")
    fewer = kazakh.post(
        "/turnout",
        data={
            **base,
            "at": "16:00",
            "precinct": str(p1),
            "voted": "100",
            "csrf_token": csrf(page.text),
        },
    )
    error = re.search(r'id="f-report-voted-error">([^<]*)<', fewer.text)
    assert error is not None and "Дауыс берген сайлаушылар саны" in error.group(
        1
    )  # never decreases
    with factory() as session:
        reports = list(session.scalars(select(TurnoutReport)))
        assert [(r.precinct_id, r.at, r.voted) for r in reports] == [(p1, "10:00", 150)]


def test_the_coordinator_picks_a_precinct_and_the_cec_sees_every_region(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    election = cw.world.election
    coordinator = sign_in(client.app, "oblast_coordinator")
    page = coordinator.get(f"/turnout?election={election}")
    assert f'href="/turnout?election={election}&amp;precinct=' not in page.text  # none listed yet
    listed = coordinator.get(f"/turnout?election={election}&unit={cw.world.units['city']}")
    assert listed.text.count(f'href="/turnout?election={election}&amp;precinct=') == 2
    chosen = coordinator.get(f"/turnout?election={election}&number=3")
    assert f'name="precinct" value="{cw.precinct("p3")}"' in chosen.text
    outside = coordinator.get(f"/turnout?election={election}&precinct={cw.precinct('p5')}")
    assert "No precinct with this number in your territory." in outside.text
    saved = coordinator.post(
        "/turnout",
        data={
            "election": str(election),
            "precinct": str(cw.precinct("p3")),
            "at": "final",
            "voted": "900",
            "csrf_token": csrf(chosen.text),
        },
    )
    assert "The turnout is recorded." in saved.text
    summary = saved.text.split('id="summary-title"')[1]
    assert "1 of 4" in summary and "60.00%" in summary  # 900 of p3's 1,500 voters
    cec = sign_in(client.app, "cec_admin", "ru")
    national = cec.get(f"/turnout?election={election}").text.split('id="summary-title"')[1]
    assert national.count("<caption>") == 3  # 10:00, 16:00 and the close
    assert "Тестобласть" in national and "Тестастана" in national
    assert "1 из 4" in national and "1 из 6" in national


def test_both_pages_in_three_languages_and_refused_without_the_right(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    protocol_id = _definitive(factory, cw)
    election = cw.world.election
    titles = {  # a text of each page, in its language
        f"/protocols/{protocol_id}/correct": {
            "kk": "Түпкілікті хаттаманы түзету",
            "ru": "Исправление окончательного протокола",
            "en": "Correct a definitive protocol",
        },
        f"/protocols?election={election}&precinct=1": {
            "kk": "Шешім бойынша түзету",
            "ru": "Исправить по решению",
            "en": "Correct by decision",
        },
        f"/turnout?election={election}": {
            "kk": "Сайлаушылардың келуі: жиынтық",
            "ru": "Сводка явки",
            "en": "Turnout summary",
        },
        f"/turnout?election={election}&unit={cw.world.units['district']}&number=2": {
            "kk": "Дауыс берген сайлаушылар саны",
            "ru": "Число проголосовавших избирателей",
            "en": "Voters who have voted",
        },
    }
    for language in ("kk", "ru", "en"):
        admin = sign_in(client.app, "oblast_admin", language)
        for path, texts in titles.items():
            response = admin.get(path)
            assert response.status_code == 200, (language, path, response.text[:300])
            assert f'lang="{language}"' in response.text
            assert texts[language] in response.text, (language, path)
            assert_clean(response.text)
        clerk = sign_in(client.app, "typist_p1_a", language)
        response = clerk.get("/turnout")
        assert response.status_code == 200 and f'lang="{language}"' in response.text
        assert titles[f"/turnout?election={election}"][language] in response.text
        assert_clean(response.text)
    for name in ("typist_p1_a", "oblast_coordinator", "analyst"):
        who = sign_in(client.app, name)
        assert who.get(f"/protocols/{protocol_id}/correct").status_code == 403, name
    analyst = sign_in(client.app, "analyst")
    assert analyst.get("/turnout").status_code == 403
    assert 'href="/turnout"' not in analyst.get("/dashboard").text
    stranger = TestClient(client.app)
    for path in ("/turnout", f"/protocols/{protocol_id}/correct"):
        response = stranger.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
