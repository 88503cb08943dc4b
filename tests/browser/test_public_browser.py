"""The public site in a real browser (issue #5): a reader follows links from the front page down
national → region → maslikhat → contest → precinct, each page's breadcrumb and figures agreeing with
its JSON twin; the language link keeps the page; "where do I vote" finds a precinct by its street and
shows its ballots; the registration check answers for a loaded IIN; a results page reads with
JavaScript switched off. axe-core checks every screen for WCAG 2.1 A/AA violations and no request
leaves 127.0.0.1.

The module runs its own server over the browser world with contests counted (definitive protocols by
double entry, as the typists make them), the areas of four precincts imported and a voter register
loaded through the service under the server's own register key (``app.state.register_key``, which
the check reads before ``saylau.web.register_key``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from saylau.services.context import Actor, execute
from saylau.services.imports import rows_of
from saylau.services.voters import import_areas, import_register
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.web.app import create_app
from tests.browser.conftest import SCREENSHOTS, Clock, Server, Visit, serve
from tests.browser.world import build_browser_world
from tests.services.nomination_world import NOMINATING
from tests.services.test_voters import AREAS, KEY, iin
from tests.web.test_public_results import count

COUNTED = ("mazhilis_list", "oblast_list", "oblast_o1", "district_d1")
REGISTERED = iin(10)
"""An IIN on the loaded register, at precinct № 3 of KZ-35."""


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module's server (replacing the shared one for its tests): results to drill into."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('public') / 'saylau.sqlite3'}")
    migrate(engine)
    factory = session_factory(engine)
    world = build_browser_world(factory)
    count(factory, world.count, COUNTED)
    execute(factory, Actor.operator(), import_areas, rows_of(AREAS))
    register = rows_of([{"iin": REGISTERED, "region": "KZ-35", "precinct": 3}])
    execute(factory, Actor.operator(), import_register, register, KEY)
    clock = Clock(NOMINATING)
    app = create_app(factory, secret="browser-public", clock=clock)
    app.state.register_key = KEY  # the key the register was loaded with
    try:
        with serve(app) as url:
            yield Server(url, world, clock, factory)
    finally:
        engine.dispose()


def number(text: str) -> int:
    """A figure as shown (grouped with spaces in Kazakh and Russian) read back as a whole number."""
    digits = re.sub(r"\D", "", text)
    assert digits, f"no figure in {text!r}"
    return int(digits)


def twin(visit: Visit) -> Any:
    """The JSON twin of the page open now, fetched with the page's own request context."""
    link = visit.page.locator("p.data-links a", has_text="JSON")
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/data/") and href.endswith("index.json")
    response = visit.page.request.get(visit.server.url + href)
    assert response.ok, href
    visit.requests.append(response.url)
    return response.json()


def crumbs(page: Page) -> list[str]:
    """The breadcrumb's links, in order; the last must be the page itself."""
    trail = page.locator("nav.breadcrumbs a")
    expect(trail.last).to_have_attribute("aria-current", "page")
    hrefs: list[str] = trail.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return hrefs


def assert_trail(visit: Visit, expected: list[str], document: Any) -> None:
    """The breadcrumb is the way down; the twin's breadcrumbs are the same links and names."""
    page = visit.page
    shown = crumbs(page)
    assert shown == expected
    assert page.url == visit.server.url + expected[-1]
    assert ["/kk/" + c["path"] for c in document["breadcrumbs"]] == shown[1:]
    named = [c["name_kk"] for c in document["breadcrumbs"] if c["level"] in ("region", "body")]
    labels = page.locator("nav.breadcrumbs a").all_inner_texts()
    assert all(name in labels for name in named), (named, labels)


def cell(page: Page, row: str, column: str) -> int:
    found = page.locator(f'[data-row="{row}"] [data-column="{column}"]')
    expect(found).to_have_count(1)
    return number(found.inner_text())


def follow(visit: Visit, href: str) -> None:
    """A click on the link of the main content leading to ``href``."""
    visit.page.locator(f"main a[href='{href}']").first.click()
    visit.page.wait_for_url(visit.server.url + href)


def test_drill_down_from_the_front_page_to_a_precinct(visit: Visit) -> None:
    world = visit.server.world
    election = world.count.world.election
    contest, precinct = world.contest("oblast_o1"), world.precinct("p1")
    page = visit.page
    base = f"/kk/elections/{election}/"

    visit.go("/kk/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    visit.screen("public-front-kk")

    follow(visit, base)
    document = twin(visit)
    assert_trail(visit, ["/kk/", base], document)
    assert cell(page, "@turnout", "voters_on_list") == document["turnout"]["voters_on_list"]
    assert cell(page, "@turnout", "ballots_in_boxes") == document["turnout"]["ballots_in_boxes"]
    visit.screen("public-election-kk")

    region = base + "regions/KZ-35/"
    follow(visit, region)
    document = twin(visit)
    assert_trail(visit, ["/kk/", base, region], document)
    expect(page.locator("h1")).to_have_text(document["region"]["name_kk"])
    assert cell(page, "@region", "voters_on_list") == document["region"]["voters_on_list"]
    assert cell(page, "@region", "ballots_in_boxes") == document["region"]["ballots_in_boxes"]
    visit.screen("public-region-kk")

    body = base + f"bodies/{world.count.world.bodies['oblast']}/"
    follow(visit, body)
    document = twin(visit)
    assert_trail(visit, ["/kk/", base, region, body], document)
    alpha = next(c for c in document["list_result"]["choices"] if c["party"] == "alpha")
    assert cell(page, f"choice_id:{alpha['choice_id']}", "votes") == alpha["votes"] > 0
    district = document["districts"][0]
    assert cell(page, f"contest_id:{contest}", "leader_votes") == district["leader_votes"]
    visit.screen("public-maslikhat-kk")

    contest_path = base + f"contests/{contest}/"
    follow(visit, contest_path)
    document = twin(visit)
    assert_trail(visit, ["/kk/", base, region, body, contest_path], document)
    totals = document["totals"]
    assert cell(page, "@totals", "voters_on_list") == totals["voters_on_list"] > 0
    assert cell(page, "@totals", "valid") == totals["valid"]
    row = next(p for p in document["precincts"] if p["precinct_id"] == precinct)
    assert cell(page, f"precinct_id:{precinct}", "ballots_in_boxes") == row["ballots_in_boxes"]
    visit.screen("public-contest-kk")

    precinct_path = base + f"precincts/{precinct}/"
    follow(visit, precinct_path)
    document = twin(visit)
    # A precinct belongs to its region and its second-level maslikhat, whichever contest led here.
    trail = crumbs(page)
    assert trail[:3] == ["/kk/", base, region] and trail[-1] == precinct_path
    assert_trail(visit, trail, document)
    expect(page.locator("h1")).to_contain_text(str(document["precinct"]["number"]))
    assert cell(page, "@precinct", "voters") == document["precinct"]["voters"]
    shown = next(p for p in document["protocols"] if p["contest_id"] == contest)
    for line in shown["lines"]:
        assert cell(page, f"line_id:{line['line_id']}", "value") == line["value"], line
    visit.screen("public-precinct-kk")

    # The language link: the same page, in Russian.
    page.click("nav.languages a[hreflang='ru']")
    page.wait_for_url(visit.server.url + precinct_path.replace("/kk/", "/ru/"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("nav.languages a[hreflang='ru']")).to_have_attribute("aria-current", "true")
    expect(page.locator("nav.breadcrumbs a").first).to_have_text("Выборы")
    assert (
        cell(page, f"line_id:{shown['lines'][0]['line_id']}", "value")
        == (shown["lines"][0]["value"])
    )
    visit.screen("public-precinct-ru")


def test_where_do_i_vote_by_street_then_the_precincts_ballots(visit: Visit) -> None:
    page = visit.page
    visit.go("/kk/")
    page.click("header nav a[href='/kk/vote/']")
    expect(page.locator("h1")).to_have_text("Қай жерде дауыс беремін")
    visit.screen("public-vote-kk")
    page.select_option("#region", "KZ-35")
    page.fill("#place", "Абай")
    page.press("#place", "Enter")
    page.wait_for_load_state()
    found = page.locator("#results-title + table tbody tr")
    expect(found).to_have_count(2)
    expect(found.first).to_contain_text("Абай көшесі")
    expect(found.first).to_contain_text("1–39")
    visit.screen("public-vote-found")
    page.click("main a[href='/kk/vote/KZ-35/1/']")
    page.wait_for_url(visit.server.url + "/kk/vote/KZ-35/1/")
    expect(page.locator("h1")).to_contain_text("№ 1")
    ballots = page.locator("main article")
    expect(ballots).to_have_count(5)  # an oblast voter: 5 ballots in 2023
    expect(ballots.first.locator("tbody th")).to_have_text(
        ["Альфа", "Бета", "Гамма", "Бәріне қарсы"]
    )
    visit.screen("public-vote-precinct")


def test_the_registration_check_answers_for_a_loaded_iin(visit: Visit) -> None:
    page = visit.page
    visit.go("/kk/vote/")
    form = page.locator("form[action='/kk/vote/check']")
    expect(form).to_have_count(1)  # shown because a register is loaded
    page.fill("#iin", REGISTERED)
    page.press("#iin", "Enter")
    page.wait_for_url(visit.server.url + "/kk/vote/check")
    answer = page.locator("main p[role=status]")
    expect(answer).to_contain_text("№ 3")
    expect(page.locator("main a[href='/kk/vote/KZ-35/3/']")).to_have_count(1)
    assert REGISTERED not in page.content()  # the IIN is never echoed
    visit.screen("public-vote-check")


def test_a_results_page_reads_without_javascript(browser: Browser, server: Server) -> None:
    """Reading needs no script: the figures are in the served HTML (the live update is a bonus)."""
    context = browser.new_context(locale="kk-KZ", java_script_enabled=False)
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        election = server.world.count.world.election
        contest = server.world.contest("oblast_o1")
        path = f"/elections/{election}/contests/{contest}/"
        page.goto(f"{server.url}/kk{path}")
        page.wait_for_load_state("networkidle")
        data = page.request.get(f"{server.url}/data{path}index.json").json()
        assert data["choices"]
        for choice in data["choices"]:
            shown = page.locator(
                f'[data-row="choice_id:{choice["choice_id"]}"] [data-column=votes]'
            )
            assert number(shown.inner_text()) == choice["votes"]
        total = page.locator('[data-row="@totals"] [data-column="voters_on_list"]')
        assert number(total.inner_text()) == data["totals"]["voters_on_list"]
        precinct = page.locator("main a[href$='/precincts/1/']")
        expect(precinct).to_have_count(1)  # the drill-down is plain links
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "public-contest-no-javascript.png"), full_page=True)
        # The page's live script did not run: it would have polled the twin on load.
        assert not [r for r in requests if r.endswith("index.json")], requests
        assert all(r.startswith(server.url + "/") for r in requests), requests
    finally:
        context.close()
