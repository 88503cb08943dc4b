"""A commission account sets up its authenticator at its first sign-in, then signs in again with
a code, in the system's Chromium (issue #9 §3)."""

from __future__ import annotations

import pyotp
from playwright.sync_api import expect

from saylau.services.context import Actor, execute
from saylau.services.users import reset_totp
from tests.browser.conftest import Visit
from tests.browser.world import PASSWORD


def test_enrolment_then_sign_in_with_a_code(visit: Visit) -> None:
    username = "oblast_coordinator"
    # Whatever an earlier test did, an administrator's reset makes the next sign-in enrol.
    user_id = visit.server.world.count.world.users[username]
    execute(visit.server.factory, Actor.operator(), reset_totp, user_id)
    visit.go("/login")
    visit.page.fill("#username", username)
    visit.page.fill("#password", PASSWORD)
    visit.page.press("#password", "Enter")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/account/totp")
    qr = visit.page.locator("#totp-qr")
    expect(qr).to_be_visible()
    assert (qr.get_attribute("src") or "").startswith("data:image/svg+xml")
    visit.screen("totp-enrolment")
    secret = visit.page.get_attribute("#totp-secret", "data-secret")
    assert secret
    visit.page.fill("#code", pyotp.TOTP(secret).at(visit.server.auth_clock.next_step()))
    visit.page.press("#code", "Enter")
    visit.page.wait_for_load_state()
    assert "/login" not in visit.page.url and "/account/totp" not in visit.page.url
    # Sign out, then in again: the password, then the code page.
    visit.page.context.clear_cookies()
    visit.go("/login")
    visit.page.fill("#username", username)
    visit.page.fill("#password", PASSWORD)
    visit.page.press("#password", "Enter")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith("/login/code")
    visit.screen("totp-code")
    visit.page.fill("#code", pyotp.TOTP(secret).at(visit.server.auth_clock.next_step()))
    visit.page.press("#code", "Enter")
    visit.page.wait_for_load_state()
    assert visit.page.url.endswith(("/dashboard", "/role"))
