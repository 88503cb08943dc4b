"""The portal in a real browser: a self-nominee's incomplete application is stopped with the list
of missing documents; a party agent nominates and uploads; the language switch."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import FilePayload, expect
from sqlalchemy import func, select

from saylau.law.iin import Sex
from saylau.storage.models import CandidateApplication
from tests.browser.conftest import Visit
from tests.services.nomination_world import make_iin

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


def pdf(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def iin(born: date, sex: Sex) -> str:
    return make_iin(born, sex, 701)


def fill_person(visit: Visit, iin: str, surname: str, name: str, born: str, sex: str) -> None:
    page = visit.page
    page.fill("#person-iin", iin)
    page.fill("#person-surname", surname)
    page.fill("#person-name", name)
    page.fill("#person-birth_date", born)
    page.select_option("#person-sex", sex)


def test_language_switch_changes_the_page(visit: Visit) -> None:
    visit.go("/portal")
    heading = visit.page.locator("h1")
    expect(heading).to_have_text("Партиялар мен кандидаттар порталы")
    expect(visit.page.locator("html")).to_have_attribute("lang", "kk")
    visit.screen("portal-public-kk")
    visit.language("ru")
    expect(heading).to_have_text("Портал партий и кандидатов")
    expect(visit.page.locator("html")).to_have_attribute("lang", "ru")
    assert visit.page.url.endswith("/portal")
    visit.screen("portal-public-ru")
    visit.language("en")
    expect(heading).to_have_text("Party and candidate portal")
    expect(visit.page.locator("html")).to_have_attribute("lang", "en")
    visit.screen("portal-public-en")


def test_self_nominee_incomplete_application_is_stopped(visit: Visit) -> None:
    page, world = visit.page, visit.server.world
    visit.go("/portal")
    page.click("main a[href='/portal/signup']")
    visit.screen("portal-signup")
    page.fill("#full_name", "Айгерім Сейітова")
    page.fill("#username", "aigerim.browser")
    page.fill("#password", "self nominee 1")
    page.fill("#password_again", "self nominee 1")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/portal/apply$"))
    expect(page.locator("p.notice")).to_be_visible()
    visit.screen("portal-apply")
    page.select_option("#contest_id", str(world.contest("oblast_o2")))
    fill_person(
        visit, iin(date(1985, 3, 8), Sex.FEMALE), "Сейітова", "Айгерім", "1985-03-08", "female"
    )
    page.set_input_files("#files-biography", files=[pdf("biography.pdf")])
    # Told what is missing while choosing the files (the live check), before submitting …
    live = page.locator("#documents-check li")
    expect(live).to_have_count(3)
    # … and stopped when submitting anyway, with every missing document named.
    page.click("button[name=action][value=apply]")
    stopped = page.locator("#stopped")
    expect(stopped).to_be_visible()
    shown = stopped.locator("li").evaluate_all("items => items.map(i => i.dataset.document)")
    assert shown == ["intent_application", "deposit_payment", "asset_declaration_certificate"]
    expect(page.locator("#files-biography-hint")).to_contain_text("biography.pdf")
    visit.screen("portal-apply-stopped")
    with visit.server.factory() as session:
        assert session.scalar(select(func.count()).select_from(CandidateApplication)) == 0


def test_party_agent_nominates_and_uploads(visit: Visit) -> None:
    page, world = visit.page, visit.server.world
    visit.sign_in("alpha_agent")
    visit.go("/portal")
    visit.screen("portal-agent-home")
    page.click("main a[href='/portal/nominations/new']")
    visit.screen("portal-agent-nomination")
    page.select_option("#contest_id", str(world.contest("oblast_o1")))
    fill_person(visit, iin(date(1980, 5, 17), Sex.MALE), "Абаев", "Болат", "1980-05-17", "male")
    page.set_input_files("#files-biography", files=[pdf("bio.pdf")])
    page.set_input_files("#files-consent", files=[pdf("consent.pdf")])
    expect(page.locator("#documents-check li")).to_have_count(3)
    page.click("button[name=action][value=submit]")
    expect(page).to_have_url(re.compile(r"/portal/candidacies/smd:\d+$"))
    expect(page.locator("table.checklist .missing-mark")).to_have_count(3)
    visit.screen("portal-agent-candidacy")
    page.select_option("#document", "deposit_payment")
    page.set_input_files("#file", files=[pdf("receipt.pdf")])
    page.click("form[action$='/documents'] button[type=submit]")
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("table.checklist .missing-mark")).to_have_count(2)
    visit.go("/portal/lists/new")
    visit.screen("portal-agent-list")
