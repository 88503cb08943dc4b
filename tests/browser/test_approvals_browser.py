"""Dual control in a real browser (issue #9 §2; ``SAYLAU_DUAL_CONTROL=required``, the default): a
member of the capital's TEC asks to publish the results and the page says the request waits for a
second member; the member cannot approve the request itself; a second member of the same
commission signs in at another computer, approves it from the requests page, and the public site
then shows the results as official. axe-core checks the requests page.

The module runs its own server over the browser world with the capital's contests counted and
tabulated through the services.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from saylau.domain.roles import Role
from saylau.services import approvals
from saylau.services.context import Actor, execute
from saylau.services.tabulation import tabulate_election
from saylau.services.users import set_password
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Approval, ApprovalState, User
from saylau.web.app import create_app
from saylau.web.i18n import gettext
from tests.browser.conftest import Clock, Server, Visit, serve
from tests.browser.world import PASSWORD, build_browser_world
from tests.conftest import ShiftedClock
from tests.security.dual import second_member
from tests.services.count_world import NEXT_DAY, actor, double_entry, figures, published_results
from tests.web.test_api_results import CAPITAL_VOTES


def _kk(message: str) -> str:
    return gettext("kk", message)


@pytest.fixture(autouse=True)
def dual_control_required(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default policy, stated so that the test does not depend on the environment."""
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.REQUIRED)


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The browser world with the capital's contests counted and tabulated; the capital's TEC
    administrator and a second administrator of the same TEC may sign in."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('approvals') / 'saylau.sqlite3'}")
    migrate(engine)
    factory = session_factory(engine)
    world = build_browser_world(factory)
    cw = world.count
    for contest, precincts in (
        ("capital_list", ("p5", "p6")),
        ("capital_c1", ("p5",)),
        ("capital_c2", ("p6",)),
    ):
        votes = {cw.choices[contest][n]: v for n, v in CAPITAL_VOTES[contest].items()}
        for precinct in precincts:
            double_entry(factory, cw, contest, precinct, figures(votes, voters=2000))
    execute(factory, Actor.operator(), tabulate_election, cw.world.election, clock=lambda: NEXT_DAY)
    capital = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    second = second_member(factory, capital)
    with factory() as session:
        ids = session.scalars(
            select(User.id).where(User.username.in_(["capital_admin", second.username]))
        ).all()
    for user_id in ids:
        execute(factory, Actor.operator(), set_password, user_id, PASSWORD)
    clock = Clock(NEXT_DAY)
    auth_clock = ShiftedClock()  # the one-time codes the tests type are computed on it
    app = create_app(factory, secret="browser-approvals", clock=clock, auth_clock=auth_clock)
    try:
        with serve(app) as url:
            yield Server(url, world, clock, factory, auth_clock)
    finally:
        engine.dispose()


def test_publication_requested_by_one_member_and_approved_by_a_second(
    visit: Visit, second_visit: Visit, server_clock: Clock
) -> None:
    server_clock.moment = NEXT_DAY
    cw = visit.server.world.count
    election, factory = cw.world.election, visit.server.factory
    page = visit.page
    # Member A asks to publish: the page says the request waits for a second member.
    visit.sign_in("capital_admin")
    visit.go(f"/results?election={election}")
    page.click("form[action='/results/publish'] button[type=submit]")
    page.wait_for_load_state()
    filed = page.locator("p.approval-filed")
    expect(filed).to_be_visible()
    expect(filed).to_contain_text(_kk("Publish the results"))
    link = filed.locator("a")
    href = link.get_attribute("href") or ""
    found = re.fullmatch(r"/approvals#approval-(\d+)", href)
    assert found is not None, href
    approval_id = int(found.group(1))
    assert published_results(factory) == 0
    visit.screen("commission-approval-filed")

    # The request as its requester sees it: pending, described, no approval button of its own.
    link.click()
    page.wait_for_load_state()
    card = page.locator(f"#approval-{approval_id}")
    expect(card).to_contain_text(_kk("Waiting for a second member"))
    expect(card).to_contain_text("capital_admin")
    expect(card.locator(f"form[action='/approvals/{approval_id}/approve']")).to_have_count(0)
    expect(card).to_contain_text(
        _kk(
            "You filed this request: a second member of the commission approves it. You may "
            "withdraw it with a reason."
        )
    )
    expect(page.locator("nav a[href='/approvals'] .count")).to_contain_text("1")
    visit.screen("commission-approvals-own-request")
    # Posting the approval anyway (a stale or forged form) is refused, in the page's language.
    with factory() as session:
        row = session.get(Approval, approval_id)
        assert row is not None
        digest = row.digest
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    refused = page.request.post(
        f"{visit.server.url}/approvals/{approval_id}/approve",
        form={"digest": digest, "csrf_token": token},
    )
    assert refused.ok and _kk("error.approval_by_requester") in refused.text()
    assert published_results(factory) == 0

    # Member B, at another computer: the same request with its Approve button; approving runs it.
    second_visit.sign_in("capital_admin_second")
    second_visit.go("/approvals")
    other = second_visit.page
    card = other.locator(f"#approval-{approval_id}")
    expect(card).to_contain_text("capital_admin")
    button = card.locator(f"form[action='/approvals/{approval_id}/approve'] button")
    expect(button).to_be_visible()
    second_visit.screen("commission-approvals-second-member")
    button.click()
    other.wait_for_load_state()
    expect(other.locator("main")).to_contain_text(_kk("The results are published."))
    assert published_results(factory) == 3
    with factory() as session:
        row = session.get(Approval, approval_id)
        assert row is not None and row.state is ApprovalState.APPROVED
        assert row.decided_by == "capital_admin_second" and row.executed_at is not None

    # The public site shows the capital's results as official.
    second_visit.go(f"/kk/elections/{election}/contests/{cw.contest('capital_c1')}/")
    expect(other.locator(".official").first).to_contain_text(_kk("Official"))
    expect(other.locator(".preliminary")).to_have_count(0)
