"""Browser tests: the system's Chromium, driven by Playwright, against a real Saylau server.

The server is uvicorn on a free loopback port, over a migrated SQLite file holding the browser
world (``tests/browser/world.py``). The application's clock is the tests' (:class:`Clock`), so each
test puts the server at the moment of the 2023 calendar its workflow needs (nominating,
registering, counting). No browser is ever downloaded: Chromium comes from the system's packages
(``shutil.which("chromium")``). Without it the tests are skipped locally and FAIL in CI
(``CI=true``), where ``.ci/run`` installs it.

Every page records the requests it makes; each test then checks that none left 127.0.0.1. Screens
are saved under ``test-artifacts/screenshots/`` and checked with axe-core (the copy bundled with
axe-playwright-python) for WCAG 2.1 A/AA violations.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Browser, Page, Playwright, Request, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from saylau.storage.db import make_engine, migrate, session_factory
from saylau.web.app import create_app
from tests.browser.world import PASSWORD, BrowserWorld, build_browser_world
from tests.conftest import ShiftedClock, totp_secret
from tests.services.nomination_world import NOMINATING

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str:
    """The system's Chromium; skipped locally without it, a failure in CI."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed: CI must run the browser tests (.ci/run)")
        pytest.skip("Chromium not installed (install Debian's 'chromium' to run browser tests)")
    return found


class Clock:
    """The services' clock while the browser tests run; each test sets its moment."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class Server:
    url: str
    world: BrowserWorld
    clock: Clock
    factory: sessionmaker[Session]
    auth_clock: ShiftedClock = field(default_factory=ShiftedClock)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def chromium() -> str:
    return chromium_path()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port while the block runs; yields its URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the Saylau server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'saylau.sqlite3'}")
    migrate(engine)
    factory = session_factory(engine)
    world = build_browser_world(factory)
    clock = Clock(NOMINATING)
    auth_clock = ShiftedClock()
    app = create_app(factory, secret="browser-tests", clock=clock, auth_clock=auth_clock)
    try:
        with serve(app) as url:
            yield Server(url, world, clock, factory, auth_clock)
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def server_clock(server: Server) -> Clock:
    """The server's clock, set back to the nomination period before each test."""
    server.clock.moment = NOMINATING
    return server.clock


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright, chromium: str) -> Iterator[Browser]:
    launched = playwright_instance.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Visit:
    """One browser context (its own cookies) on the server, recording every request."""

    page: Page
    server: Server
    requests: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.press("#password", "Enter")
        self.page.wait_for_load_state()
        self.second_factor(username)

    def second_factor(self, username: str) -> None:
        """A commission account's one-time code: set up the authenticator from the key the page
        shows at the first sign-in, else the code of the authenticator set up before."""
        path = urlsplit(self.page.url).path
        if path == "/account/totp":
            secret = self.page.get_attribute("#totp-secret", "data-secret")
            assert secret
        elif path == "/login/code":
            secret = totp_secret(self.server.factory, username)
        else:
            return
        code = pyotp.TOTP(secret).at(self.server.auth_clock.next_step())
        self.page.fill("#code", code)
        self.page.press("#code", "Enter")
        self.page.wait_for_load_state()

    def language(self, code: str) -> None:
        """The language switch on every page: choose, then the form's button."""
        self.page.select_option("#language-select", code)
        self.page.click("form.languages button[type=submit]")
        self.page.wait_for_load_state()

    def screen(self, name: str) -> None:
        """Save a screenshot of the whole page and check it with axe-core (WCAG 2.1 A/AA)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        results = (
            Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG}}).response
        )
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in results["violations"]
        ]
        assert not problems, f"{name}: axe-core finds WCAG 2.1 A/AA violations:\n" + "\n".join(
            problems
        )


def _record(visit: Visit) -> None:
    def on_request(request: Request) -> None:
        visit.requests.append(request.url)

    visit.page.on("request", on_request)


@pytest.fixture
def visit(browser: Browser, server: Server) -> Iterator[Visit]:
    context = browser.new_context(locale="kk-KZ")
    page = context.new_page()
    opened = Visit(page, server)
    _record(opened)
    yield opened
    context.close()
    outside = [
        url
        for url in opened.requests
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "about:"))
    ]
    assert not outside, f"requests left the server: {outside}"
    assert opened.requests, "no request was recorded"


@pytest.fixture
def second_visit(browser: Browser, server: Server) -> Iterator[Visit]:
    """Another person at another computer (separate cookies)."""
    context = browser.new_context(locale="kk-KZ")
    opened = Visit(context.new_page(), server)
    _record(opened)
    yield opened
    context.close()
    assert all(
        urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "about:"))
        for url in opened.requests
    )
