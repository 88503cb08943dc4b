"""The public map in a real browser (issue #5 acceptance): the tile map of the 20 regions, each
tile linking to its region's results, followed by a click; axe-core finds no WCAG 2.1 A/AA
violation and no request leaves the server.

The map needs an election in all 20 regions, so this module runs its own server over the counting
world extended by one precinct in each of the 18 other regions (the Mazhilis list is voted on in
every precinct, CL art. 9), rather than changing the shared browser world.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, expect
from sqlalchemy.orm import Session, sessionmaker

from saylau.law.rules import MaslikhatKind
from saylau.reference.regions import regions
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Precinct, Region
from saylau.web.app import create_app
from tests.browser.conftest import Visit, _free_port, _record
from tests.services.count_world import CountWorld, build_count_world
from tests.web.test_public_results import count


def build_map_world(factory: sessionmaker[Session]) -> CountWorld:
    with factory() as session, session.begin():
        cw = build_count_world(session)
        for region in regions():
            if region.code in ("KZ-35", "KZ-71"):
                continue
            row = Region(
                code=region.code,
                kind=MaslikhatKind(region.kind),
                name_kk=region.name_kk,
                name_ru=region.name_ru,
                name_en=region.name_en,
                iana_zone=region.iana_zone,
            )
            session.add(row)
            session.flush()
            session.add(Precinct(region_id=row.id, number=1, address="Main street 1", voters=800))
    count(factory, cw, ("mazhilis_list", "oblast_list", "capital_list", "oblast_o1"))
    return cw


@pytest.fixture(scope="module")
def map_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('map') / 'saylau.sqlite3'}")
    migrate(engine)
    factory = session_factory(engine)
    build_map_world(factory)
    config = uvicorn.Config(
        create_app(factory, secret="browser-map"),
        host="127.0.0.1",
        port=_free_port(),
        log_level="warning",
        lifespan="off",
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the Saylau server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture
def map_visit(browser: Browser, map_server: str) -> Iterator[Visit]:
    context = browser.new_context(locale="kk-KZ")
    opened = Visit(context.new_page(), None)  # type: ignore[arg-type]
    _record(opened)
    opened.go = lambda path: opened.page.goto(map_server + path)  # type: ignore[method-assign]
    yield opened
    context.close()
    outside = [
        url
        for url in opened.requests
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "about:"))
    ]
    assert not outside, f"requests left the server: {outside}"


def test_the_map_links_every_region_and_passes_axe(map_visit: Visit) -> None:
    page = map_visit.page
    map_visit.go("/kk/elections/1/")
    page.click("main a[href='/kk/elections/1/map/turnout/']")
    expect(page).to_have_url(re.compile(r"/kk/elections/1/map/turnout/$"))
    tiles = page.locator("svg.tile-map a.tile")
    expect(tiles).to_have_count(20)
    codes = tiles.evaluate_all("links => links.map(a => a.dataset.region)")
    hrefs = tiles.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(set(codes)) == 20
    assert hrefs == [f"/kk/elections/1/regions/{code}/" for code in codes]
    expect(page.locator("#region-map-title")).to_have_count(1)
    expect(page.locator("ul.legend li").first).to_be_visible()
    map_visit.screen("public-map-turnout")
    page.click("main nav a[href='/kk/elections/1/map/party/']")
    expect(page.locator("svg.tile-map a.tile")).to_have_count(20)
    map_visit.screen("public-map-party")
    page.locator("svg.tile-map a.tile[data-region='KZ-35']").click()
    expect(page).to_have_url(re.compile(r"/kk/elections/1/regions/KZ-35/$"))
    expect(page.locator("h1")).to_have_text("Тестоблыс")
    map_visit.screen("public-region-from-map")
