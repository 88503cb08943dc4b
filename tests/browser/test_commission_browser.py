"""The commission's pages in a real browser: a TEC administrator registers a candidate at the
registration desk; two typists enter a precinct protocol by keyboard with one differing line and
the coordinator resolves it on the compare screen."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from saylau.domain.states import CandidacyState, ProtocolState
from saylau.storage.models import Nomination, Protocol
from tests.browser.conftest import Clock, Visit
from tests.services.count_world import NEXT_DAY, figures
from tests.services.nomination_world import REGISTERING


def test_tec_admin_registers_a_candidate(visit: Visit, server_clock: Clock) -> None:
    server_clock.moment = REGISTERING
    page, world = visit.page, visit.server.world
    election = world.count.world.election
    ready = world.ready
    visit.sign_in("oblast_admin")
    visit.go(f"/registration?election={election}")
    visit.screen("commission-registration-desk")
    page.click(f"main a[href='/registration/{ready.kind.value}/{ready.id}']")
    expect(page.locator(f"form[action$='/{ready.id}/register'] button")).to_be_visible()
    visit.screen("commission-registration-candidacy")
    page.click(f"form[action$='/{ready.id}/register'] button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator(f"form[action$='/{ready.id}/register']")).to_have_count(0)
    visit.screen("commission-registration-registered")
    with visit.server.factory() as session:
        nomination = session.get(Nomination, ready.id)
        assert nomination is not None and nomination.state is CandidacyState.REGISTERED


def _entry_values(visit: Visit) -> dict[str, str]:
    """The lines of a consistent protocol of district d1 at precinct p1, by input name."""
    count = visit.server.world.count
    choices = count.choices["district_d1"]
    votes = {choices[name]: share for name, share in zip(choices, (310, 220, 95), strict=True)}
    data = figures(votes, voters=1000, invalid=4).as_json()
    values = {k: str(v) for k, v in data.items() if isinstance(v, int)}
    values |= {f"votes[{k}]": str(v) for k, v in data["votes"].items()}
    return values


def _type_protocol(visit: Visit, values: dict[str, str]) -> None:
    """Keyboard only: type each line in the paper protocol's order, Tab to the next, Enter."""
    page = visit.page
    names = page.locator("#protocol-form input[data-protocol-field]").evaluate_all(
        "inputs => inputs.map(i => i.name)"
    )
    assert names, "the protocol form has no lines"
    page.focus(f"#protocol-form input[name='{names[0]}']")
    for index, name in enumerate(names):
        focused = page.evaluate("document.activeElement && document.activeElement.name")
        assert focused == name, f"Tab order: expected {name}, focus is on {focused}"
        page.keyboard.type(values.get(name, ""))
        if index < len(names) - 1:
            page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_double_entry_with_a_differing_line_resolved_by_the_coordinator(
    visit: Visit, second_visit: Visit, server_clock: Clock
) -> None:
    server_clock.moment = NEXT_DAY
    world = visit.server.world
    election = world.count.world.election
    contest, precinct = world.contest("district_d1"), world.precinct("p1")
    entry = f"/protocols/entry?contest={contest}&precinct={precinct}"

    visit.sign_in("typist_p1_a")
    visit.go(f"/protocols?election={election}")
    visit.screen("commission-protocols-typist")
    visit.go(entry)
    visit.screen("commission-protocol-entry")
    first = _entry_values(visit)
    _type_protocol(visit, first)
    expect(visit.page.locator("#result")).to_be_visible()

    second_visit.sign_in("typist_p1_b")
    second_visit.go(entry)
    _type_protocol(second_visit, first | {"invalid": "5"})  # one line differs
    expect(second_visit.page.locator("#result")).to_be_visible()
    with visit.server.factory() as session:
        protocol = session.execute(
            select(Protocol).where(Protocol.contest_id == contest, Protocol.precinct_id == precinct)
        ).scalar_one()
        assert protocol.state is ProtocolState.ENTRIES_DIFFER
        protocol_id = protocol.id

    coordinator = visit
    coordinator.page.context.clear_cookies()
    coordinator.sign_in("oblast_coordinator")
    coordinator.go(f"/protocols?election={election}")
    coordinator.page.click(f"main a[href='/protocols/{protocol_id}/resolve']")
    differing = coordinator.page.locator("table.compare tr.differs")
    expect(differing).to_have_count(1)
    expect(differing.locator(".differs-mark")).to_be_visible()  # marked in words, not colour only
    coordinator.screen("commission-protocol-resolve")
    coordinator.page.check("#keep-1")
    coordinator.page.click(f"form[action='/protocols/{protocol_id}/resolve'] button[type=submit]")
    coordinator.page.wait_for_load_state()
    with visit.server.factory() as session:
        resolved = session.get(Protocol, protocol_id)
        assert resolved is not None and resolved.state is ProtocolState.DEFINITIVE
    coordinator.screen("commission-protocols-coordinator")


def test_sign_in_and_dashboard_screens(visit: Visit, server_clock: Clock) -> None:
    server_clock.moment = REGISTERING
    visit.go("/login")
    visit.screen("sign-in")
    visit.sign_in("oblast_admin")
    expect(visit.page).to_have_url(f"{visit.server.url}/dashboard")
    visit.screen("commission-dashboard")
