"""The commission screens added lately, in a real browser, each visited by the role that uses it and
driven from the keyboard alone (Tab, typing, Space, Enter; never the mouse): the districts' deviation
report and one district edited (CL arts. 21–22; decision #11), the ballots and a contest's ballot
prepared (CL art. 37), a typist's turnout report shown in the summary (CL art. 23), a member
appointed to a commission (CL arts. 10–19), a definitive protocol corrected by a TEC decision with
the live check of the control relations (CL art. 43), a district mandate ended calling a by-election
(CL art. 101 para 3-1, art. 113) and, in the party portal, the list seats given after publication
(CL art. 111-1 paras 5-6). axe-core checks every screen, in Kazakh and for a sample in Russian.

The module runs its own server over the browser world, with the state the screens need built through
the services (the protocol's double entry) or inserted as ``tests/web/test_portal_mandates.py`` and
``tests/web/test_pages_commissions.py`` insert it (results published, mandates won).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import ProtocolState
from saylau.law.iin import Sex
from saylau.services.context import Actor, execute
from saylau.services.users import set_password
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import (
    BallotDefinition,
    CommissionMember,
    ContestResult,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    PartyList,
    Person,
    Protocol,
    RoleAssignment,
    TurnoutReport,
    User,
    Vacancy,
)
from saylau.web.app import create_app
from tests.browser.conftest import Clock, Server, Visit, serve
from tests.browser.world import PASSWORD, BrowserWorld, build_browser_world
from tests.conftest import ShiftedClock
from tests.security.dual import second_member
from tests.services.count_world import NEXT_DAY, double_entry, figures
from tests.services.nomination_world import AFTER_REGISTRATION, NOMINATING
from tests.services.test_vacancies import TERM_START

SOON = datetime(2023, 1, 23, 6, 0, tzinfo=UTC)
"""Four days after the call: the districts are being formed (CL art. 22 paras 2, 2-1)."""
POLLING = datetime(2023, 3, 19, 5, 0, tzinfo=UTC)
"""11:00 in Almaty on polling day: the 10:00 turnout is being reported."""
BEFORE_DEADLINE = datetime(2023, 3, 31, 11, 59, tzinfo=UTC)
"""Just before the party branch's decision on its list seats is due (18:00 local)."""
LATER = datetime(2023, 6, 12, 6, tzinfo=UTC)
"""After the election, when a deputy may leave."""
LIST = ("Аманов", "Ботаева", "Данаева")
"""Alpha's oblast list, in order."""


def _persons(session: Session) -> dict[str, int]:
    ids = {}
    for serial, surname in enumerate((*LIST, "Депутатов"), start=1):
        female = surname.endswith("ева")
        row = Person(
            iin=f"{900000000000 + serial:012d}",
            surname=surname,
            name="Сынақ",
            birth_date=date(1980, 1, serial),
            sex=Sex.FEMALE if female else Sex.MALE,
        )
        session.add(row)
        session.flush()
        ids[surname] = row.id
    return ids


def build_screens_world(factory: sessionmaker[Session]) -> tuple[BrowserWorld, dict[str, int]]:
    """The browser world, plus: a definitive protocol of district o1 at precinct p1; Alpha's
    oblast list with three persons, its result published and two seats won; a deputy holding
    district o2's mandate."""
    world = build_browser_world(factory)
    count = world.count
    choices = count.choices["oblast_o1"]
    data = figures({choices["Абаев"]: 300, choices["Бекова"]: 200, choices["Жұмабаев"]: 80})
    status = double_entry(factory, count, "oblast_o1", "p1", data)
    assert status.state is ProtocolState.DEFINITIVE
    w = count.world
    with factory() as session, session.begin():
        persons = _persons(session)
        alpha = session.scalars(
            select(PartyList).where(
                PartyList.contest_id == w.contests["oblast_list"],
                PartyList.party_id == w.parties["alpha"],
            )
        ).one()
        for position, surname in enumerate(LIST, start=1):
            session.add(
                ListEntry(party_list_id=alpha.id, position=position, person_id=persons[surname])
            )
        session.add(
            ContestResult(
                contest_id=w.contests["oblast_list"],
                status="final",
                precincts_counted=4,
                precincts_total=4,
                totals={},
                outcome={"status": "allocated"},
                published_at=datetime(2023, 3, 26, 6, tzinfo=UTC),
            )
        )
        for _ in range(2):
            session.add(
                Mandate(
                    body_id=w.bodies["oblast"],
                    contest_id=w.contests["oblast_list"],
                    source=MandateSource.PARTY_LIST,
                    party_id=w.parties["alpha"],
                    state=MandateState.WON,
                )
            )
        deputy = Mandate(
            body_id=w.bodies["oblast"],
            contest_id=w.contests["oblast_o2"],
            source=MandateSource.SINGLE_MEMBER,
            person_id=persons["Депутатов"],
            state=MandateState.REGISTERED,
            term_start=TERM_START,
        )
        session.add(deputy)
        session.flush()
        persons["mandate"] = deputy.id
    return world, persons


@pytest.fixture(scope="module")
def built(
    chromium: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, dict[str, int]]]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('screens') / 'saylau.sqlite3'}")
    migrate(engine)
    factory = session_factory(engine)
    world, persons = build_screens_world(factory)
    clock = Clock(NOMINATING)
    auth_clock = ShiftedClock()  # the one-time codes the tests type are computed on it
    app = create_app(factory, secret="browser-screens", clock=clock, auth_clock=auth_clock)
    try:
        with serve(app) as url:
            yield Server(url, world, clock, factory, auth_clock), persons
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server(built: tuple[Server, dict[str, int]]) -> Server:
    """This module's server, replacing the shared one for its tests."""
    return built[0]


@pytest.fixture(scope="module")
def persons(built: tuple[Server, dict[str, int]]) -> dict[str, int]:
    return built[1]


def _second_member(server: Server, username: str, commission: str) -> str:
    """A second member of ``username``'s commission, with ``username``'s role, who may sign in
    (dual control, issue #9 §2)."""
    world = server.world.count.world
    with server.factory() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        role = session.scalars(
            select(RoleAssignment.role).where(RoleAssignment.user_id == user.id)
        ).first()
        assert role is not None
        who = Actor.load(session, username, role, world.commissions[commission])
    second = second_member(server.factory, who)
    with server.factory() as session:
        user_id = session.scalars(select(User.id).where(User.username == second.username)).one()
    execute(server.factory, Actor.operator(), set_password, user_id, PASSWORD)
    return second.username


# --- keyboard helpers ----------------------------------------------------------------------------


def focused(page: Page) -> str:
    """The id (or name) of the element holding the focus."""
    found: str = page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e ? (e.id || e.getAttribute('name') || e.tagName) : ''; })()"
    )
    return found


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until ``selector`` has the focus (as a keyboard user reaches a control)."""
    target = page.locator(selector)
    expect(target).to_have_count(1)
    for _ in range(limit):
        if target.evaluate("e => e === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reaches {selector}; the focus is on {focused(page)}")


def enter(page: Page) -> None:
    """Enter, waiting for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def choose(page: Page, selector: str, value: str) -> None:
    """Choose an option of a focused list with the arrow keys."""
    page.keyboard.press("Home")
    for _ in range(40):
        if page.input_value(selector) == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {value} in {selector}")


# --- the screens ----------------------------------------------------------------------------------


def test_districts_deviation_report_and_a_district_edited(
    visit: Visit, server_clock: Clock
) -> None:
    server_clock.moment = SOON
    world = visit.server.world.count.world
    page = visit.page
    visit.sign_in("oblast_admin")
    screen = f"/districts?election={world.election}&body={world.bodies['oblast']}"
    visit.go(screen)
    rows = page.locator("#report-title ~ table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#report-title ~ table caption")).to_be_visible()
    visit.screen("commission-districts-kk")
    # Keyboard only: Tab to the edit link of district № 2, Enter, change its name, Enter.
    tab_to(page, "main a[href$='&number=2#edit']")
    enter(page)
    expect(page.locator("#f-edit-number")).to_have_value("2")
    tab_to(page, "#f-edit-name")
    page.keyboard.press("Control+A")
    page.keyboard.type("Екінші округ")
    enter(page)
    expect(page.locator("main")).to_contain_text("Округ сақталды.")
    expect(rows.nth(1).locator("td").first).to_have_text("Екінші округ")
    visit.screen("commission-districts-edited")


def test_ballots_and_a_contest_ballot_prepared(visit: Visit, server_clock: Clock) -> None:
    server_clock.moment = AFTER_REGISTRATION
    world = visit.server.world.count.world
    contest = world.contests["oblast_o2"]
    page = visit.page
    visit.sign_in("oblast_admin")
    visit.go(f"/ballots?election={world.election}&body={world.bodies['oblast']}")
    visit.screen("commission-ballots-kk")
    # Keyboard only: the state filter, then the contest's ballot page.
    tab_to(page, "#state-picker")
    choose(page, "#state-picker", "none")
    tab_to(page, "#contests-title ~ form button[type=submit]")
    enter(page)
    assert "state=none" in page.url
    tab_to(page, f"main a[href='/ballots/contest/{contest}']")
    enter(page)
    assert page.url.endswith(f"/ballots/contest/{contest}")
    visit.screen("commission-ballot-kk")
    tab_to(page, f"form[action='/ballots/contest/{contest}/prepare'] button[type=submit]")
    enter(page)
    expect(page.locator("main")).to_contain_text("Абаев")
    visit.screen("commission-ballot-prepared")
    with visit.server.factory() as session:
        prepared = session.scalars(
            select(BallotDefinition).where(BallotDefinition.contest_id == contest)
        ).one()
        assert prepared.frozen_at is None


def test_a_typist_reports_turnout_and_sees_it_in_the_summary(
    visit: Visit, server_clock: Clock
) -> None:
    server_clock.moment = POLLING
    page = visit.page
    visit.sign_in("typist_p1_a")
    visit.go("/turnout")
    visit.screen("commission-turnout-kk")
    tab_to(page, "#f-report-at")
    assert page.input_value("#f-report-at") == "10:00"  # the next time to report
    page.keyboard.press("Tab")
    assert focused(page) == "f-report-voted"
    page.keyboard.type("150")
    enter(page)
    summary = page.locator("#summary-title ~ table tbody tr").first
    expect(summary).to_contain_text("150")
    expect(summary).to_contain_text("15,00")  # of p1's 1,000 voters, in Kazakh notation
    visit.screen("commission-turnout-reported")
    with visit.server.factory() as session:
        reports = session.scalars(select(TurnoutReport)).all()
        assert [(r.at, r.voted) for r in reports] == [("10:00", 150)]


def test_a_member_is_appointed_to_a_commission(visit: Visit, server_clock: Clock) -> None:
    server_clock.moment = LATER
    world = visit.server.world.count.world
    tec = world.commissions["tec_oblast"]
    page = visit.page
    visit.sign_in("oblast_admin")
    visit.go("/commissions")
    visit.screen("commission-commissions-kk")
    tab_to(page, f"main a[href$='commission={tec}#members']")
    enter(page)
    visit.screen("commission-commission-members")
    tab_to(page, "#f-appoint-full_name")
    page.keyboard.type("Ахметова Гүлнар")
    page.keyboard.press("Tab")
    assert focused(page) == "f-appoint-position"
    choose(page, "#f-appoint-position", "secretary")
    page.keyboard.press("Tab")
    page.keyboard.type("Альфа партиясы")
    enter(page)
    expect(page.locator("main")).to_contain_text("Комиссия мүшесі тағайындалды.")
    members = page.locator("#members-title ~ table tbody")
    expect(members).to_contain_text("Ахметова Гүлнар")
    visit.screen("commission-commission-appointed")
    with visit.server.factory() as session:
        member = session.scalars(select(CommissionMember)).one()
        assert member.full_name == "Ахметова Гүлнар" and member.commission_id == tec


def test_a_definitive_protocol_corrected_by_a_tec_admin(
    visit: Visit, second_visit: Visit, server_clock: Clock
) -> None:
    server_clock.moment = NEXT_DAY
    count = visit.server.world.count
    choices = count.choices["oblast_o1"]
    with visit.server.factory() as session:
        protocol_id = session.scalars(
            select(Protocol.id).where(
                Protocol.contest_id == count.contest("oblast_o1"),
                Protocol.precinct_id == count.precinct("p1"),
            )
        ).one()
    first, second = f"votes[{choices['Абаев']}]", f"votes[{choices['Бекова']}]"
    page = visit.page
    visit.sign_in("oblast_admin")
    visit.go(f"/protocols/{protocol_id}/correct")
    expect(page.locator(f"input[name='{first}']")).to_have_value("300")
    visit.screen("commission-protocol-correct-kk")
    live = page.locator("#live-check")
    # A first line typed too high: the live check names the broken relation before any saving.
    tab_to(page, f"input[name='{first}']")
    page.keyboard.press("Control+A")
    page.keyboard.type("310")
    page.keyboard.press("Tab")
    expect(live.locator("li").first).to_be_visible(timeout=10_000)
    expect(live).to_contain_text("Жәшіктердегі бюллетеньдер")  # ballots in the boxes …
    expect(live).to_contain_text("590")  # … against the 590 the typed lines add up to
    visit.screen("commission-protocol-correct-live-check")
    with visit.server.factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.version == 0
    # The correction that holds: 300 → 290 and 200 → 210, by the TEC's decision.
    tab_to(page, f"input[name='{first}']")
    page.keyboard.press("Control+A")
    page.keyboard.type("290")
    page.keyboard.press("Tab")
    assert page.locator(f"input[name='{second}']").evaluate("e => e === document.activeElement")
    page.keyboard.press("Control+A")
    page.keyboard.type("210")
    page.keyboard.press("Tab")
    expect(live.locator("li")).to_have_count(0, timeout=10_000)
    tab_to(page, "#f-correct-decision")
    page.keyboard.type("АСК-нің 2023 жылғы 20 наурыздағы № 7 шешімі")
    enter(page)
    # Dual control (issue #9 §2): the correction is a request; a second member of the TEC
    # approves it from the requests page, and the correction page shows what it changed.
    expect(page.locator("p.approval-filed")).to_contain_text("екінші мүшесінің мақұлдауын")
    with visit.server.factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.version == 0
    second_visit.sign_in(_second_member(visit.server, "oblast_admin", "tec_oblast"))
    second_visit.go("/approvals")
    page = second_visit.page
    expect(page.locator("main")).to_contain_text("АСК-нің 2023 жылғы 20 наурыздағы № 7 шешімі")
    tab_to(page, "form[action^='/approvals/'][action$='/approve'] button")
    enter(page)
    changed = page.locator("#corrected table tbody tr")
    expect(changed).to_have_count(2)  # exactly the two lines that changed
    expect(changed.nth(0)).to_contain_text("300")
    expect(changed.nth(0)).to_contain_text("290")
    expect(changed.nth(1)).to_contain_text("210")
    second_visit.screen("commission-protocol-corrected")
    with visit.server.factory() as session:
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.version == 1
        assert protocol.state is ProtocolState.DEFINITIVE


def test_a_district_mandate_ended_calls_a_by_election(
    visit: Visit, server_clock: Clock, persons: dict[str, int]
) -> None:
    server_clock.moment = LATER
    page = visit.page
    visit.sign_in("oblast_admin")
    visit.go("/mandates")
    section = page.locator("#by-elections ~ table").first
    expect(section).to_contain_text("сайлау тағайындалған жоқ")  # none called yet
    visit.screen("commission-mandates-kk")
    tab_to(page, "#f-terminate-mandate_id")
    choose(page, "#f-terminate-mandate_id", str(persons["mandate"]))
    page.keyboard.press("Tab")
    assert focused(page) == "f-terminate-on"
    page.fill("#f-terminate-on", "2023-06-10")  # a date field: its picker is not the point here
    tab_to(page, "#f-terminate-reason")  # Tab walks the date's day, month and year first
    page.keyboard.type("Өз өтініші бойынша")
    enter(page)
    rows = page.locator("#by-elections ~ table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("a[href^='/results/contest/']")).to_have_count(1)
    visit.screen("commission-mandates-by-election")
    with visit.server.factory() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        assert vacancy.by_election_contest_id is not None


def test_a_party_agent_gives_the_list_seats_in_the_portal(
    visit: Visit, server_clock: Clock, persons: dict[str, int]
) -> None:
    server_clock.moment = BEFORE_DEADLINE
    page = visit.page
    contest = visit.server.world.contest("oblast_list")
    visit.sign_in("alpha_agent")
    visit.go("/portal/mandates")
    section = page.locator(f"#contest-{contest}")
    expect(section.locator("input[type=checkbox]")).to_have_count(3)
    visit.screen("portal-mandates-kk")
    boxes = section.locator("input[name=person_ids]")
    first = boxes.nth(0).get_attribute("id")
    third = boxes.nth(2).get_attribute("id")
    tab_to(page, f"#{first}")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == third
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    enter(page)
    expect(page.locator("main")).to_contain_text("Орындар берілді.")
    expect(section.locator("input[type=checkbox]")).to_have_count(0)
    visit.screen("portal-mandates-given")
    with visit.server.factory() as session:
        holders = session.scalars(
            select(Mandate.person_id).where(
                Mandate.contest_id == contest, Mandate.source == MandateSource.PARTY_LIST
            )
        ).all()
    assert sorted(h for h in holders if h) == sorted([persons[LIST[0]], persons[LIST[2]]])


RUSSIAN = {
    "/districts": "Округа",
    "/ballots": "Бюллетени",
    "/turnout": "Явка",
    "/commissions": "Комиссии",
    "/mandates": "Выборы взамен выбывших",
}


def test_the_screens_in_russian(visit: Visit, server_clock: Clock) -> None:
    server_clock.moment = LATER
    page = visit.page
    visit.sign_in("oblast_admin")
    visit.go("/dashboard")
    visit.language("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    for path, word in RUSSIAN.items():
        visit.go(path)
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        expect(page.locator("main")).to_contain_text(word)
        visit.screen("commission" + path.replace("/", "-") + "-ru")
