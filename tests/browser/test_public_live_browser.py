"""The live update of a public results page in real Chromium (issue #5 §2): a reader has a contest
page open, a protocol of the contest becomes definitive (through the services, as the typists
would make it), and the page changes without reload — the polite live region announces it, the
count of precincts moves — while the reader's focus and what they typed stay where they were."""

from __future__ import annotations

import re

from sqlalchemy import select

from saylau.domain.roles import Role
from saylau.domain.states import ProtocolState
from saylau.services.context import Actor, execute
from saylau.services.protocols import enter_protocol
from saylau.storage.models import Protocol
from tests.browser.conftest import Visit
from tests.services.count_world import NEXT_DAY, figures

CONTEST, PRECINCT = "capital_c2", "p6"  # a contest no other browser test counts


def test_a_contest_page_updates_without_reload_when_a_protocol_becomes_definitive(
    visit: Visit,
) -> None:
    server = visit.server
    world = server.world
    count = world.count
    contest, precinct = world.contest(CONTEST), world.precinct(PRECINCT)
    with server.factory() as session:
        done = session.scalar(
            select(Protocol.state).where(
                Protocol.contest_id == contest, Protocol.precinct_id == precinct
            )
        )
    assert done is not ProtocolState.DEFINITIVE, "another test counted this protocol already"
    election = count.world.election
    path = f"/en/elections/{election}/contests/{contest}/"
    page = visit.page
    with page.expect_response(lambda r: r.url.endswith(f"/contests/{contest}/index.json")):
        visit.go(path)  # the script's first poll learns the twin's ETag
    counted = page.locator("main dd.counted").first
    assert counted.inner_text() == "0 of 1 precincts counted"
    live = page.locator("[data-live][aria-live=polite]")
    assert live.count() == 1 and live.inner_text() == ""
    visit.screen("public-contest-live-before")
    # The reader is typing into the subscription form when the update comes.
    page.fill("#subscribe-target", "https://hooks.example.org/saylau")
    page.focus("#subscribe-target")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    ids = count.choices[CONTEST]
    votes = {ids["Абаев"]: 410, ids["Бекова"]: 380, ids["Жұмабаев"]: 25}
    data = figures(votes, voters=1800, against_all=12, invalid=3)
    for which in ("a", "b"):
        with server.factory() as session:
            typist = Actor.load(
                session,
                f"typist_{PRECINCT}_{which}",
                Role.PEC_TYPIST,
                count.world.commissions[f"pec_{PRECINCT}"],
            )
        execute(
            server.factory, typist, enter_protocol, contest, precinct, data, clock=lambda: NEXT_DAY
        )

    live.filter(has_text=re.compile(r"^Results updated at \d\d:\d\d$")).wait_for(timeout=60_000)
    assert counted.inner_text() == "1 of 1 precincts counted"
    assert navigations == []  # no reload: the same document was updated
    assert page.evaluate("document.activeElement && document.activeElement.id") == (
        "subscribe-target"
    )
    assert page.input_value("#subscribe-target") == "https://hooks.example.org/saylau"
    votes_cell = page.locator(f'tr[data-row="precinct_id:{precinct}"] td[data-column="valid"]')
    assert votes_cell.inner_text() == "827"  # 815 votes + 12 against all
    visit.screen("public-contest-live-after")
