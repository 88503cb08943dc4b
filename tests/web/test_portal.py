"""The party and candidate portal through its pages (SQLite and PostgreSQL).

The 2023 test election is used with the services' clock set to a moment of its calendar
(:meth:`Portal.at`, the application's clock), so the nomination window, registration and deadlines are those of the nomination
tests (``tests/services/nomination_world.py``).
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import Nominator, RefusalReason
from saylau.services.candidacy import CandidacyRef
from saylau.services.context import Actor, execute
from saylau.services.errors import PermissionDenied
from saylau.services.nomination import SmdNominationInput, submit_nomination
from saylau.services.parties import admit_party
from saylau.services.registration import record_deposit, refuse, register
from saylau.services.users import set_password
from saylau.storage.models import (
    AuditEvent,
    CandidateApplication,
    DocumentFile,
    Nomination,
    PartyList,
    User,
)
from saylau.web.app import create_app
from tests.services.nomination_world import (
    NOMINATING,
    REGISTERING,
    SELF_DOCUMENTS,
    make_iin,
    person,
)
from tests.world import World, build_election, build_world

WEB = Path(__file__).resolve().parents[2] / "src" / "saylau" / "web"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PASSWORD = "portal password 1"
T = TypeVar("T")


@dataclass
class Portal:
    client: TestClient
    world: World
    factory: sessionmaker[Session]
    now: list[datetime]

    def at(self, moment: datetime) -> None:
        self.now[0] = moment

    def run(self, actor: Actor, operation: Callable[..., T], *args: Any) -> T:
        """A service call outside the pages, at the application's moment."""
        return execute(self.factory, actor, operation, *args, clock=lambda: self.now[0])

    def token(self, path: str = "/login") -> str:
        return csrf(self.client.get(path).text)

    def sign_in(self, username: str) -> None:
        self.client.cookies.clear()
        response = self.client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": self.token()},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def portal(factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> Iterator[Portal]:
    now = [NOMINATING]
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    assert world.election is not None
    for party in ("alpha", "beta"):
        execute(factory, Actor.operator(), admit_party, world.election, world.parties[party])
    for username in ("alpha_agent", "oblast_admin"):
        execute(factory, Actor.operator(), set_password, world.users[username], PASSWORD)
    with factory() as session, session.begin():
        beta = User(username="beta_agent", full_name="beta_agent")
        session.add(beta)
        session.flush()
        world.users["beta_agent"] = beta.id
    from saylau.services.users import RoleGrant, assign_role

    execute(
        factory,
        Actor.operator(),
        assign_role,
        RoleGrant(world.users["beta_agent"], Role.PARTY_AGENT, party_id=world.parties["beta"]),
    )
    execute(factory, Actor.operator(), set_password, world.users["beta_agent"], PASSWORD)
    with TestClient(create_app(factory, secret="portal-test", clock=lambda: now[0])) as client:
        yield Portal(client, world, factory, now)


def assert_clean_page(response: Response) -> None:
    """Served by Saylau only, no inline script or style (the CSP forbids them anyway)."""
    page = response.text
    assert "http://" not in page and "https://" not in page
    assert "style=" not in page
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S):
        assert not script.strip()


def sign_up(p: Portal, username: str = "aigerim.s") -> None:
    p.client.cookies.clear()
    token = p.token("/portal/signup")
    response = p.client.post(
        "/portal/signup",
        data={
            "csrf_token": token,
            "full_name": "Айгерім Сейітова",
            "username": username,
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/portal/apply"


def application(p: Portal, iin: str, **extra: str) -> dict[str, str]:
    return {
        "csrf_token": p.token("/portal/apply"),
        "contest_id": str(p.world.contests["oblast_o2"]),
        "person.iin": iin,
        "person.surname": "Сейітова",
        "person.name": "Айгерім",
        "person.surname_ru": "Сеитова",
        "person.name_ru": "Айгерим",
        "person.birth_date": "1985-03-08",
        "person.sex": "female",
        "person.citizen": "on",
        "action": "apply",
        **extra,
    }


# --- pages, languages, markup --------------------------------------------------------------------


def test_public_pages_in_three_languages(portal: Portal) -> None:
    expected = {"kk": "Партиялар мен кандидаттар порталы", "ru": "Портал партий и кандидатов"}
    expected["en"] = "Party and candidate portal"
    for language, title in expected.items():
        portal.client.cookies.set("lang", language)
        for path in ("/portal", "/portal/signup"):
            response = portal.client.get(path)
            assert response.status_code == 200
            assert f'lang="{language}"' in response.text
            assert_clean_page(response)
        assert title in portal.client.get("/portal").text
    # Pages of a role redirect the public to sign in / sign up.
    assert portal.client.get("/portal/apply", follow_redirects=False).status_code == 303
    assert portal.client.get("/portal/lists/new", follow_redirects=False).status_code == 303


def test_agent_pages_render_in_each_language(portal: Portal) -> None:
    portal.sign_in("alpha_agent")
    for language in ("kk", "ru", "en"):
        portal.client.cookies.set("lang", language)
        for path in ("/portal", "/portal/nominations/new", "/portal/lists/new"):
            response = portal.client.get(path)
            assert response.status_code == 200, (path, language)
            assert_clean_page(response)
    page = portal.client.get("/portal/lists/new?rows=4").text
    assert page.count('class="person"') == 4
    assert 'for="persons-4-iin"' in page and 'id="persons-4-iin"' in page


def test_catalogues_cover_every_portal_message() -> None:
    used: set[str] = set()
    for path in (WEB / "templates" / "portal").glob("*.html"):
        used |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8")))
    for path in (WEB / "pages" / "portal").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "N_"
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(str(node.args[0].value))
    assert len(used) > 100
    for language in ("kk", "ru", "en"):
        entries: dict[str, str] = {}
        for catalogue in sorted((WEB / "locale" / language / "LC_MESSAGES").glob("portal*.po")):
            po = catalogue.read_text(encoding="utf-8")
            entries |= dict(re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', po, flags=re.M))
        missing = sorted(m for m in used if not entries.get(m.replace('"', '\\"')))
        assert not missing, (language, missing)


# --- the self-nominee ----------------------------------------------------------------------------


def test_sign_up_refusals_are_shown_next_to_their_field(portal: Portal) -> None:
    client = portal.client
    forged = client.post(
        "/portal/signup", data={"username": "x", "password": "y", "password_again": "y"}
    )
    assert forged.status_code == 403
    client.cookies.set("lang", "ru")
    weak = client.post(
        "/portal/signup",
        data={
            "csrf_token": portal.token("/portal/signup"),
            "username": "new.one",
            "password": "short",
            "password_again": "short",
        },
    )
    assert weak.status_code == 422
    assert 'id="password-error"' in weak.text and 'aria-invalid="true"' in weak.text
    assert 'value="new.one"' in weak.text  # the typed name is kept, never the password
    differ = client.post(
        "/portal/signup",
        data={
            "csrf_token": portal.token("/portal/signup"),
            "username": "new.one",
            "password": PASSWORD,
            "password_again": PASSWORD + "x",
        },
    )
    assert differ.status_code == 422 and "пароли не совпадают" in differ.text


def test_incomplete_application_is_stopped_with_the_missing_documents(portal: Portal) -> None:
    sign_up(portal)
    iin = make_iin(date(1985, 3, 8), Sex.FEMALE, 11)
    portal.client.cookies.set("lang", "en")
    stopped = portal.client.post(
        "/portal/apply",
        data=application(portal, iin),
        files={"files.biography": ("biography.pdf", PDF, "application/pdf")},
    )
    assert stopped.status_code == 422
    assert "Your application was not submitted: documents are missing" in stopped.text
    shown = re.findall(r'<li data-document="([a-z_]+)"', stopped.text.split('id="stopped"')[1])
    assert shown[:3] == ["intent_application", "deposit_payment", "asset_declaration_certificate"]
    assert "biography" not in shown[:3]
    assert "Uploaded: biography.pdf" in stopped.text  # the file was kept as a draft
    with portal.factory() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 0
        assert session.scalar(select(func.count()).select_from(DocumentFile)) == 1
    # The rest of the documents, then the application goes through.
    files = {
        "files.intent_application": ("intent.pdf", PDF, "application/pdf"),
        "files.deposit_payment": ("receipt.jpg", JPEG, "image/jpeg"),
        "files.asset_declaration_certificate": ("assets.png", PNG, "image/png"),
    }
    done = portal.client.post(
        "/portal/apply", data=application(portal, iin), files=files, follow_redirects=False
    )
    assert done.status_code == 303, text_of(done.text)[:2000]
    case = portal.client.get(done.headers["location"])
    assert case.status_code == 200
    assert "Documents complete, deposit due" in case.text
    assert "Nothing is missing: the file is complete." in case.text
    assert "Registration closes" in case.text  # the next deadline
    with portal.factory() as session:
        nomination = session.execute(select(Nomination)).scalar_one()
        assert nomination.state is CandidacyState.DOCUMENTS_COMPLETE
        assert nomination.route.nominator is Nominator.CITIZEN
        linked = session.scalars(
            select(DocumentFile.document).where(DocumentFile.submitted_document_id.is_not(None))
        ).all()
        assert sorted(linked) == sorted(SELF_DOCUMENTS)
        assert session.scalar(select(func.count()).select_from(CandidateApplication)) == 1
        actions = session.scalars(
            select(AuditEvent.role).where(AuditEvent.action == "submit_nomination")
        ).all()
        assert actions == ["candidate"]  # the audit log names the account's own role
    # A second application from the same account in the same election is refused.
    again = portal.client.post("/portal/apply", data=application(portal, iin))
    assert again.status_code == 409


def test_a_candidate_sees_only_its_own_application(portal: Portal) -> None:
    sign_up(portal, "first.one")
    iin = make_iin(date(1985, 3, 8), Sex.FEMALE, 21)
    files = {f"files.{d}": (f"{d}.pdf", PDF, "application/pdf") for d in SELF_DOCUMENTS}
    done = portal.client.post(
        "/portal/apply", data=application(portal, iin), files=files, follow_redirects=False
    )
    case_path = done.headers["location"]
    file_id = re.findall(r'href="/portal/files/(\d+)"', portal.client.get(case_path).text)[0]
    download = portal.client.get(f"/portal/files/{file_id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    sign_up(portal, "second.one")
    assert portal.client.get(case_path).status_code == 403
    assert portal.client.get(f"/portal/files/{file_id}").status_code == 403
    portal.sign_in("alpha_agent")  # another party's agent: not its candidacy either
    assert portal.client.get(case_path).status_code == 403


def test_a_candidate_account_covers_no_one_elses_candidacy(portal: Portal) -> None:
    sign_up(portal, "lonely.one")
    with portal.factory() as session:
        user = session.execute(select(User).where(User.username == "lonely.one")).scalar_one()
        candidate = Actor.of_assignment(user.roles[0])
    data = SmdNominationInput(
        contest_id=portal.world.contests["oblast_o1"],
        nominator=Nominator.CITIZEN,
        person=person("Бөтен", "Адам"),
    )
    with pytest.raises(PermissionDenied) as refused:
        portal.run(candidate, submit_nomination, data)
    assert refused.value.code == "outside_territory"


# --- uploads -------------------------------------------------------------------------------------


def test_uploads_are_checked_by_their_content(portal: Portal) -> None:
    sign_up(portal)
    portal.client.cookies.set("lang", "en")
    cases = {
        "renamed.pdf": (PNG, "the file's name does not match its content"),
        "notes.pdf": (b"just some text", "is not a PDF, JPEG or PNG"),
        "empty.pdf": (b"", "the file is empty"),
        "big.pdf": (PDF + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
        "script.exe": (PDF, "the file's name does not match its content"),
    }
    for name, (content, message) in cases.items():
        response = portal.client.post(
            "/portal/apply",
            data={"csrf_token": portal.token("/portal/apply"), "action": "save"},
            files={"files.biography": (name, content, "application/pdf")},
        )
        assert response.status_code == 422, name
        assert message in html.unescape(response.text), name
        assert 'id="files-biography-error"' in response.text
    with portal.factory() as session:
        assert session.scalar(select(func.count()).select_from(DocumentFile)) == 0


# --- the party agent -----------------------------------------------------------------------------


def nomination_data(p: Portal, iin: str, action: str = "submit") -> dict[str, str]:
    return {
        "csrf_token": p.token("/portal/nominations/new"),
        "contest_id": str(p.world.contests["oblast_o1"]),
        "person.iin": iin,
        "person.surname": "Абаев",
        "person.name": "Болат",
        "person.birth_date": "1980-05-17",
        "person.sex": "male",
        "person.citizen": "on",
        "person.member": "on",
        "action": action,
    }


def test_agent_is_told_what_is_missing_before_submitting(portal: Portal) -> None:
    portal.sign_in("alpha_agent")
    iin = make_iin(date(1980, 5, 17), Sex.MALE, 31)
    checked = portal.client.post(
        "/portal/nominations",
        data=nomination_data(portal, iin, action="check"),
        files={"files.biography": ("bio.pdf", PDF, "application/pdf")},
    )
    assert checked.status_code == 200
    missing = re.findall(r'<li data-document="([a-z_]+)"', checked.text)
    assert missing == [
        "nomination_minutes",
        "deposit_payment",
        "asset_declaration_certificate",
        "consent",
    ]
    with portal.factory() as session:
        assert session.scalar(select(func.count()).select_from(Nomination)) == 0
    live = portal.client.get(
        "/portal/check", params={"route": "party_smd", "have": ["biography", "consent"]}
    )
    assert live.status_code == 200 and not live.json()["complete"]
    assert [m["document"] for m in live.json()["missing"]] == missing[:3]


def test_agent_nominates_uploads_and_follows_the_decision(portal: Portal) -> None:
    portal.sign_in("alpha_agent")
    portal.client.cookies.set("lang", "en")
    iin = make_iin(date(1980, 5, 17), Sex.MALE, 41)
    submitted = portal.client.post(
        "/portal/nominations",
        data=nomination_data(portal, iin),
        files={
            "files.biography": ("bio.pdf", PDF, "application/pdf"),
            "files.consent": ("consent.png", PNG, "image/png"),
        },
        follow_redirects=False,
    )
    assert submitted.status_code == 303, text_of(submitted.text)[:2000]
    path = submitted.headers["location"]
    ref = CandidacyRef.parse(path.rsplit("/", 1)[1])
    case = portal.client.get(path).text
    assert "The nomination was submitted." in text_of(case)
    assert "Registration closes" in case  # the next deadline of a pending candidacy
    for document in ("nomination_minutes", "deposit_payment", "asset_declaration_certificate"):
        uploaded = portal.client.post(
            f"{path}/documents",
            data={"csrf_token": csrf(case), "document": document},
            files={"file": (f"{document}.pdf", PDF, "application/pdf")},
            follow_redirects=False,
        )
        assert uploaded.status_code == 303, text_of(uploaded.text)[:1500]
    bad = portal.client.post(
        f"{path}/documents",
        data={"csrf_token": csrf(case), "document": "biography"},
        files={"file": ("bio.png", b"GIF89a....", "image/png")},
    )
    assert bad.status_code == 422 and 'id="file-error"' in bad.text
    # Another party's agent cannot see it.
    portal.sign_in("beta_agent")
    assert portal.client.get(path).status_code == 403
    # The commission refuses it with a reason of the law; the agent reads the reason.
    with portal.factory() as session:
        tec = Actor.load(
            session, "oblast_admin", Role.TEC_ADMIN, portal.world.commissions["tec_oblast"]
        )
    portal.at(REGISTERING)
    portal.run(tec, refuse, ref, RefusalReason.EARLY_CAMPAIGNING, "leaflets")
    portal.sign_in("alpha_agent")
    for language, reason in (
        ("kk", RefusalReason.EARLY_CAMPAIGNING.label.kk),
        ("ru", RefusalReason.EARLY_CAMPAIGNING.label.ru),
        ("en", RefusalReason.EARLY_CAMPAIGNING.label.en),
    ):
        portal.client.cookies.set("lang", language)
        page = portal.client.get(path)
        assert reason in page.text
        assert RefusalReason.EARLY_CAMPAIGNING.article in page.text
    assert "Documents are no longer taken" in page.text


def test_agent_registered_candidate_shows_the_registration(portal: Portal) -> None:
    portal.sign_in("alpha_agent")
    iin = make_iin(date(1980, 5, 17), Sex.MALE, 51)
    files = {
        f"files.{d}": (f"{d}.pdf", PDF, "application/pdf")
        for d in (
            "nomination_minutes",
            "biography",
            "deposit_payment",
            "asset_declaration_certificate",
            "consent",
        )
    }
    submitted = portal.client.post(
        "/portal/nominations",
        data=nomination_data(portal, iin),
        files=files,
        follow_redirects=False,
    )
    path = submitted.headers["location"]
    ref = CandidacyRef.parse(path.rsplit("/", 1)[1])
    with portal.factory() as session:
        tec = Actor.load(
            session, "oblast_admin", Role.TEC_ADMIN, portal.world.commissions["tec_oblast"]
        )
    portal.at(REGISTERING)
    portal.run(tec, record_deposit, ref, 350_000)
    portal.run(tec, register, ref)
    portal.client.cookies.set("lang", "en")
    page = text_of(portal.client.get(path).text)
    assert "Registered on" in page and "Polling opens" in page


def test_agent_submits_a_party_list(portal: Portal) -> None:
    portal.sign_in("alpha_agent")
    people = [
        ("Әлиев", "Арман", date(1975, 1, 2), Sex.MALE),
        ("Нұрова", "Дана", date(1990, 6, 7), Sex.FEMALE),
        ("Серіков", "Ерлан", date(1982, 9, 10), Sex.MALE),
    ]
    data = {
        "csrf_token": portal.token("/portal/lists/new"),
        "contest_id": str(portal.world.contests["oblast_list"]),
        "rows": "4",
        "action": "submit",
    }
    for number, (surname, name, born, sex) in enumerate(people, start=1):
        prefix = f"persons[{number}]"
        data |= {
            f"{prefix}.iin": make_iin(born, sex, 60 + number),
            f"{prefix}.surname": surname,
            f"{prefix}.name": name,
            f"{prefix}.birth_date": born.isoformat(),
            f"{prefix}.sex": sex.value,
            f"{prefix}.citizen": "on",
            f"{prefix}.member": "on",
        }
    submitted = portal.client.post(
        "/portal/lists",
        data=data,
        files={"files.nomination_minutes": ("minutes.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert submitted.status_code == 303, text_of(submitted.text)[:2000]
    path = submitted.headers["location"]
    portal.client.cookies.set("lang", "en")
    page = portal.client.get(path)
    assert "Persons on the list" in page.text and "Нұрова" in page.text
    assert "The 30% quota is met" in page.text
    person_iin = data["persons[2].iin"]
    uploaded = portal.client.post(
        f"{path}/documents",
        data={"csrf_token": csrf(page.text), "document": "consent", "iin": person_iin},
        files={"file": ("consent.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    with portal.factory() as session:
        party_list = session.execute(select(PartyList)).scalar_one()
        assert [e.person.surname for e in party_list.entries] == ["Әлиев", "Нұрова", "Серіков"]
        assert session.scalar(select(func.count()).select_from(DocumentFile)) == 2
    # An error about a person lands on that person's row.
    data["persons[3].iin"] = "123"
    data["csrf_token"] = portal.token("/portal/lists/new")
    data["contest_id"] = str(portal.world.contests["capital_list"])
    refused = portal.client.post("/portal/lists", data=data)
    assert refused.status_code == 422
    assert 'id="persons-3-iin-error"' in refused.text
