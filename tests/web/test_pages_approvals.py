"""Dual control in the commission interface (issue #9 §2), on SQLite and PostgreSQL, with
``SAYLAU_DUAL_CONTROL=required`` (the default): the pages of the critical actions file a request and
say so; the commission's requests page describes each request, refuses the requester's own approval
and a member of another commission, rejects only with a reason, and carries the action out when a
second member approves it — in Kazakh, Russian and English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services import approvals
from saylau.services.context import Actor, execute
from saylau.services.protocols import votes_of
from saylau.services.tabulation import tabulate_election
from saylau.services.users import set_password
from saylau.storage.models import Approval, ApprovalState, Protocol, User
from saylau.web.app import create_app
from tests.security.dual import second_member
from tests.services.count_world import (
    NEXT_DAY,
    CountWorld,
    actor,
    double_entry,
    figures,
    published_results,
    run,
)
from tests.services.count_world import setup as count_setup
from tests.web.test_api_results import CAPITAL_VOTES
from tests.web.test_commission_pages import PASSWORD, assert_clean, csrf, passwords, sign_in


@pytest.fixture(autouse=True)
def dual_control_required(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.REQUIRED)
    yield


@pytest.fixture
def world(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, CountWorld]]:
    """The capital's contests counted and tabulated; the capital's administrator, a second one
    and the oblast's administrator (another commission) may sign in."""
    cw = count_setup(factory)
    for contest, precincts in (
        ("capital_list", ("p5", "p6")),
        ("capital_c1", ("p5",)),
        ("capital_c2", ("p6",)),
    ):
        votes = {cw.choices[contest][n]: v for n, v in CAPITAL_VOTES[contest].items()}
        for precinct in precincts:
            double_entry(factory, cw, contest, precinct, figures(votes, voters=2000))
    run(factory, Actor.operator(), tabulate_election, cw.world.election)
    passwords(factory, cw.world.users, "capital_admin", "oblast_admin")
    capital = cw.world.commissions["tec_capital"]
    second_of(factory, actor(factory, "capital_admin", Role.TEC_ADMIN, capital))
    with TestClient(create_app(factory, secret="test-secret", clock=lambda: NEXT_DAY)) as client:
        yield client, cw


CORRECT_RU = "Исправление окончательного протокола"


def second_of(factory: sessionmaker[Session], who: Actor) -> str:
    """A second member of ``who``'s commission with ``who``'s role, who may sign in."""
    second = second_member(factory, who)
    with factory() as session:
        user_id = session.scalars(select(User.id).where(User.username == second.username)).one()
    execute(factory, Actor.operator(), set_password, user_id, PASSWORD)
    return second.username


def approved(approver: TestClient, filed: Any) -> Any:
    """The request a page just filed (``filed``: its response, linking to the request), approved
    as shown on the requests page by ``approver``; returns the page the approval leads to."""
    found = re.search(r'href="/approvals#approval-(\d+)"', filed.text)
    assert found is not None, "no request was filed"
    approval_id = int(found.group(1))
    listing = approver.get("/approvals")
    card = _card(listing.text, approval_id)
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', card)
    assert digest is not None, card
    return approver.post(
        f"/approvals/{approval_id}/approve",
        data={"digest": digest.group(1), "csrf_token": csrf(listing.text)},
    )


def _card(html: str, approval_id: int) -> str:
    return html.split(f'id="approval-{approval_id}"')[1].split("</article>")[0]


def test_publication_is_filed_then_approved_by_a_second_member_through_the_pages(
    world: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = world
    election = cw.world.election
    admin = sign_in(client.app, "capital_admin")
    results = admin.get(f"/results?election={election}")
    assert "files a request" in results.text  # the page says what the button does
    filed = admin.post(
        "/results/publish", data={"election": str(election), "csrf_token": csrf(results.text)}
    )
    assert filed.status_code == 200 and filed.url.path == "/results"
    found = re.search(r'href="/approvals#approval-(\d+)"', filed.text)
    assert found is not None, filed.text
    approval_id = int(found.group(1))
    assert "waits for the approval of a second member of" in filed.text
    assert published_results(factory) == 0  # nothing is published by a request
    with factory() as session:
        row = session.get(Approval, approval_id)
        assert row is not None and row.state is ApprovalState.REQUESTED
        assert row.kind == approvals.PUBLISH_RESULTS and row.requested_by == "capital_admin"
        digest = row.digest

    # The requester sees the request, described, with the count in the menu, and cannot approve.
    listing = admin.get("/approvals")
    assert listing.status_code == 200
    assert_clean(listing.text)
    assert re.search(r'href="/approvals"[^>]*>Approvals <span[^>]*>\(1\)</span>', listing.text)
    card = _card(listing.text, approval_id)
    assert "Publish the results" in card and "capital_admin" in card and digest in card
    assert "Waiting for a second member" in card
    assert f'action="/approvals/{approval_id}/approve"' not in card
    assert "You filed this request" in card
    own = admin.post(
        f"/approvals/{approval_id}/approve",
        data={"digest": digest, "csrf_token": csrf(listing.text)},
    )
    assert "You filed this request yourself: a second member" in own.text
    in_russian = sign_in(client.app, "capital_admin", "ru")
    own = in_russian.post(
        f"/approvals/{approval_id}/approve",
        data={"digest": digest, "csrf_token": csrf(in_russian.get("/approvals").text)},
    )
    assert "Этот запрос подали вы сами" in own.text
    assert published_results(factory) == 0

    # A member of another commission neither sees nor decides it.
    oblast = sign_in(client.app, "oblast_admin", "kk")
    elsewhere = oblast.get("/approvals")
    assert f'id="approval-{approval_id}"' not in elsewhere.text
    refused = oblast.post(
        f"/approvals/{approval_id}/approve",
        data={"digest": digest, "csrf_token": csrf(elsewhere.text)},
    )
    assert "Бұл сұрау басқа комиссияда берілген" in refused.text
    # Without a CSRF token nothing is decided.
    forged = oblast.post(f"/approvals/{approval_id}/reject", data={"note": "x", "csrf_token": "x"})
    assert forged.status_code == 403

    # The second member: a rejection needs its reason; a changed digest is refused; approval runs.
    second = sign_in(client.app, "capital_admin_second")
    dashboard = second.get("/dashboard").text
    assert "Requests waiting for a second member of your commission: 1" in dashboard
    listing = second.get("/approvals")
    card = _card(listing.text, approval_id)
    assert f'action="/approvals/{approval_id}/approve"' in card and digest in card
    token = csrf(listing.text)
    no_reason = second.post(
        f"/approvals/{approval_id}/reject",
        data={"note": " ", "csrf_token": token, "form_id": f"reject-{approval_id}"},
    )
    assert f'id="f-reject-{approval_id}-note-error"' in no_reason.text
    changed = second.post(
        f"/approvals/{approval_id}/approve", data={"digest": "0" * 64, "csrf_token": token}
    )
    assert "The request is not the one you saw" in changed.text
    assert published_results(factory) == 0
    approved = second.post(
        f"/approvals/{approval_id}/approve", data={"digest": digest, "csrf_token": token}
    )
    assert approved.url.path == "/results" and "The results are published." in approved.text
    assert published_results(factory) == 3
    history = second.get("/approvals")
    card = _card(history.text, approval_id)
    assert "Approved and done" in card and "capital_admin_second" in card
    assert "No request is waiting." in history.text
    again = second.post(
        f"/approvals/{approval_id}/approve", data={"digest": digest, "csrf_token": token}
    )
    assert "This request has already been decided" in again.text


def test_a_correction_is_filed_rejected_with_a_reason_then_approved(
    world: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = world
    protocol_id = _capital_protocol(factory, cw)
    admin = sign_in(client.app, "capital_admin")
    path = f"/protocols/{protocol_id}/correct"
    form = admin.get(path)
    typed = dict(re.findall(r'name="([^"]+)" data-protocol-field value="([^"]*)"', form.text))
    choices = cw.choices["capital_c1"]
    first, second_line = f"votes[{choices['Абаев']}]", f"votes[{choices['Бекова']}]"
    moved = {
        **typed,
        first: str(int(typed[first]) - 10),
        second_line: str(int(typed[second_line]) + 10),
    }
    token = csrf(form.text)

    def file() -> int:
        done = admin.post(path, data={**moved, "decision": "TEC decision № 7", "csrf_token": token})
        found = re.search(r'href="/approvals#approval-(\d+)"', done.text)
        assert found is not None and done.url.path == path, done.text
        return int(found.group(1))

    def unchanged() -> None:
        with factory() as session:
            protocol = session.get(Protocol, protocol_id)
            assert protocol is not None and protocol.version == 0
            assert votes_of(session, protocol_id)[choices["Абаев"]] == 500

    first_request = file()
    unchanged()
    second = sign_in(client.app, "capital_admin_second", "ru")
    listing = second.get("/approvals")
    card = _card(listing.text, first_request)
    assert CORRECT_RU in card and "capital_admin" in card
    assert "TEC decision № 7" in card  # the decision cited, among the parameters
    changed = re.findall(r'<td class="number">(\d+)</td><td class="number">→ <strong>(\d+)<', card)
    assert changed == [("500", "490"), ("300", "310")]  # the two lines, now → requested
    rejected = second.post(
        f"/approvals/{first_request}/reject",
        data={"note": "figures not checked", "csrf_token": csrf(listing.text)},
    )
    assert "Запрос отклонён." in rejected.text
    assert "figures not checked" in _card(rejected.text, first_request)
    unchanged()

    second_request = file()
    listing = second.get("/approvals")
    with factory() as session:
        row = session.get(Approval, second_request)
        assert row is not None
        digest = row.digest
    approved = second.post(
        f"/approvals/{second_request}/approve",
        data={"digest": digest, "csrf_token": csrf(listing.text)},
    )
    assert approved.url.path == path  # the correction page shows what the approval changed
    shown = approved.text.split('id="corrected"')[1].split("</section>")[0]
    assert shown.count('<tr><th scope="row">') == 2 and "TEC decision № 7" in shown
    with factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.version == 1
        assert votes_of(session, protocol_id)[choices["Абаев"]] == 490


def _capital_protocol(factory: sessionmaker[Session], cw: CountWorld) -> int:
    with factory() as session:
        return session.scalars(
            select(Protocol.id).where(
                Protocol.contest_id == cw.contest("capital_c1"),
                Protocol.precinct_id == cw.precinct("p5"),
            )
        ).one()
