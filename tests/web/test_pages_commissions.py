"""The commissions page (find a commission a page at a time, its members, appoint and release with
CSRF-protected forms) and the by-elections on the mandates page, on SQLite and PostgreSQL, in
Kazakh, Russian and English (CL arts. 10–19; art. 101 para 3-1, art. 113)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import CommissionLevel
from saylau.storage.models import AuditEvent, Commission, CommissionMember, Contest, Vacancy
from saylau.web.app import create_app
from tests.services.test_vacancies import mandate, person
from tests.web.test_commission_pages import assert_clean, csrf, passwords, sign_in
from tests.world import World, build_election, build_world

MOMENT = datetime(2023, 6, 12, 6, tzinfo=UTC)
"""12 June 2023, noon in Almaty: after the election, when a deputy may leave."""
EXTRA_PECS = 60


@dataclass
class Site:
    client: TestClient
    world: World
    smd_mandate: int


@pytest.fixture
def site(factory: sessionmaker[Session]) -> Iterator[Site]:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
        deputy = person(session, "deputy")
        smd = mandate(session, world, "oblast_o1", "oblast", deputy)
        for number in range(1, EXTRA_PECS + 1):  # enough to need a second page
            session.add(
                Commission(
                    level=CommissionLevel.PEC,
                    parent_id=world.commissions["tec_district"],
                    region_id=world.regions["oblast"],
                    unit_id=world.units["district"],
                    name=f"Extra PEC {number:03d}",
                )
            )
    passwords(factory, world.users, "oblast_admin", "capital_admin", "typist_p1_a", "cec_admin")
    app = create_app(factory, secret="test-secret", clock=lambda: MOMENT)
    with TestClient(app) as client:
        yield Site(client, world, smd)


def rows(html: str) -> list[str]:
    """The names of the commissions listed (the row headers of the list)."""
    return re.findall(r'commission=\d+#members"[^>]*>([^<]+)</a>', html)


def test_commissions_of_the_territory_filtered_and_paged_in_three_languages(
    site: Site,
) -> None:
    for language, title in (("kk", "Комиссиялар"), ("ru", "Комиссии"), ("en", "Commissions")):
        admin = sign_in(site.client.app, "oblast_admin", language)
        response = admin.get("/commissions")
        assert response.status_code == 200 and f'lang="{language}"' in response.text
        assert f'<h2 id="list-title">{title}</h2>' in response.text
        assert_clean(response.text)
    admin = sign_in(site.client.app, "oblast_admin")
    first = admin.get("/commissions").text
    # The region is chosen (the actor has one); another region's commissions are not listed.
    listed = rows(first)
    assert len(listed) == 50 and "Testcapital TEC" not in listed and "CEC" not in listed
    assert "Testoblast TEC" in listed
    assert "Commissions found: 67" in first  # 1 + 2 TECs, 4 PECs, 60 extra PECs
    assert 'rel="next"' in first
    second = rows(admin.get(f"/commissions?region={site.world.regions['oblast']}&page_no=2").text)
    assert len(second) == 17 and not set(second) & set(listed)
    pecs = admin.get("/commissions?level=tec_unit").text
    assert rows(pecs) == ["Raion TEC", "Town TEC"]
    found = admin.get("/commissions?q=PEC+p").text
    assert rows(found) == ["PEC p1", "PEC p2", "PEC p3", "PEC p4"]
    # The CEC sees every region; without one, precinct commissions are not listed at all.
    cec = sign_in(site.client.app, "cec_admin").get("/commissions").text
    assert "CEC" in rows(cec) and "Testcapital TEC" in rows(cec)
    assert not [name for name in rows(cec) if "PEC" in name]


def test_appoint_and_release_through_the_forms(site: Site, factory: sessionmaker[Session]) -> None:
    tec = site.world.commissions["tec_oblast"]
    admin = sign_in(site.client.app, "oblast_admin")
    page = admin.get(f"/commissions?commission={tec}")
    assert "No member recorded yet." in page.text and 'action="/commissions/members"' in page.text
    token = csrf(page.text)
    form = {"commission_id": str(tec), "csrf_token": token, "form_id": "appoint"}
    done = admin.post(
        "/commissions/members",
        data={**form, "full_name": " Ахметова Гүлнар ", "position": "chair", "nominated_by": "X"},
    )
    assert done.status_code == 200 and "The member is appointed." in done.text
    assert "Ахметова Гүлнар" in done.text and "Chair" in done.text
    # A second chair: refused next to the position field, in the page's language.
    admin_kk = sign_in(site.client.app, "oblast_admin", "kk")
    token_kk = csrf(admin_kk.get("/commissions").text)
    refused = admin_kk.post(
        "/commissions/members",
        data={**form, "csrf_token": token_kk, "full_name": "Басқа", "position": "chair"},
    )
    assert 'id="f-appoint-position-error"' in refused.text
    assert "лауазымды комиссияның басқа мүшесі атқарады" in refused.text
    assert 'value="Басқа"' in refused.text  # the typed name is kept
    # Release the chair with a reason: listed as released, the office free again.
    with factory() as session:
        chair = session.scalars(select(CommissionMember)).one()
    released = admin.post(
        "/commissions/members/release",
        data={
            "commission_id": str(tec),
            "member_id": str(chair.id),
            "reason": "resigned",
            "csrf_token": token,
            "form_id": "release",
        },
    )
    assert "The member is released." in released.text and "resigned" in released.text
    with factory() as session:
        found = session.get(CommissionMember, chair.id)
        assert found is not None and found.released_on is not None
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "commission_member")
        ).all()
        assert list(actions) == ["appoint_member", "release_member"]
    # Without the token nothing is written; a typist gets 403; another region sees a refusal.
    forged = admin.post(
        "/commissions/members", data={"commission_id": str(tec), "full_name": "Intruder"}
    )
    assert forged.status_code == 403
    typist = sign_in(site.client.app, "typist_p1_a")
    assert typist.get("/commissions").status_code == 403
    assert (
        typist.post(
            "/commissions/members",
            data={"commission_id": str(tec), "full_name": "T", "csrf_token": csrf(page.text)},
        ).status_code
        == 403
    )
    nav = typist.get("/dashboard").text
    assert 'href="/commissions"' not in nav
    other = sign_in(site.client.app, "capital_admin").get(f"/commissions?commission={tec}").text
    assert "Ахметова Гүлнар" not in other and 'role="alert"' in other
    with factory() as session:
        assert len(session.scalars(select(CommissionMember)).all()) == 1


def test_a_by_election_is_listed_on_the_mandates_page_with_its_result_page(
    site: Site, factory: sessionmaker[Session]
) -> None:
    admin = sign_in(site.client.app, "oblast_admin")
    page = admin.get("/mandates")
    assert "Ending a single-member district mandate calls a by-election" in page.text
    assert "No by-election has been called." in page.text
    ended = admin.post(
        "/mandates/terminate",
        data={
            "mandate_id": str(site.smd_mandate),
            "on": "2023-06-10",
            "reason": "resigned",
            "csrf_token": csrf(page.text),
            "form_id": "terminate",
        },
    )
    assert "The mandate is terminated; the vacancy is recorded." in ended.text
    with factory() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        follow_up = session.get(Contest, vacancy.by_election_contest_id)
        assert follow_up is not None and follow_up.district is not None
        number = follow_up.district.number
    link = f'href="/results/contest/{follow_up.id}"'
    for language, state in (("kk", "Ашық: әлі шешілмеген"), ("ru", "Открыто"), ("en", "Open")):
        shown = sign_in(site.client.app, "oblast_admin", language).get("/mandates").text
        section = shown.split('id="by-elections"')[1]
        assert link in section and f"№ {number}" in section and state in section
        assert_clean(shown)
    assert "Oct 29, 2023" in ended.text.split('id="by-elections"')[1]
    assert admin.get(f"/results/contest/{follow_up.id}").status_code == 200
    # Another region's administrator does not see it.
    other = sign_in(site.client.app, "capital_admin").get("/mandates").text
    assert link not in other
