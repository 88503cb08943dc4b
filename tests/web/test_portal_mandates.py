"""The portal's list seats and successors (CL art. 111-1 paras 5-6), through the pages, on SQLite
and PostgreSQL.

The test election is on 19 March 2023 in Asia/Almaty; the oblast list contest's results are
published and Alpha's list won two seats. The branch decides by 31 March 18:00 local = 12:00 UTC
(the stage ``party_branch_seat_decision``), so the application's clock starts just before it.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.services.context import Actor, execute
from saylau.services.mandates import assign_list_mandates
from saylau.services.users import RoleGrant, assign_role, set_password
from saylau.services.vacancies import terminate_mandate
from saylau.storage.models import (
    AuditEvent,
    ContestResult,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    PartyList,
    Person,
    User,
    Vacancy,
    VacancyOutcome,
)
from saylau.web.app import create_app
from tests.world import World, build_election, build_world

PASSWORD = "portal password 1"
BEFORE_DEADLINE = datetime(2023, 3, 31, 11, 59, tzinfo=UTC)
AFTER_DEADLINE = datetime(2023, 3, 31, 12, 1, tzinfo=UTC)
LATER = datetime(2023, 6, 12, 6, tzinfo=UTC)
IIN = itertools.count(1)
LIST = ("aman", "bota", "dana", "erlan", "gani", "farida")
"""Alpha's list in order: erlan withdrew, gani won district o1 (holds a mandate already)."""


@dataclass
class Seats:
    client: TestClient
    world: World
    factory: sessionmaker[Session]
    now: list[datetime]
    persons: dict[str, int]
    seats: list[int]

    @property
    def contest(self) -> int:
        return self.world.contests["oblast_list"]

    def sign_in(self, username: str) -> None:
        self.client.cookies.clear()
        token = csrf(self.client.get("/login").text)
        response = self.client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text

    def token(self) -> str:
        return csrf(self.client.get("/portal/mandates").text)

    def assign(self, *names: str, **extra: Any) -> Response:
        data: dict[str, Any] = {
            "csrf_token": self.token(),
            "party_id": str(self.world.parties["alpha"]),
            "person_ids": [str(self.persons[n]) for n in names],
            **extra,
        }
        response: Response = self.client.post(
            f"/portal/mandates/{self.contest}/seats", data=data, follow_redirects=False
        )
        return response

    def holders(self) -> list[int | None]:
        with self.factory() as session:
            return [
                m.person_id for m in (session.get(Mandate, i) for i in self.seats) if m is not None
            ]


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def assert_clean_page(response: Response) -> None:
    """Served by Saylau only, no inline script or style."""
    page = response.text
    assert "http://" not in page and "https://" not in page
    assert "style=" not in page
    for script in re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S):
        assert not script.strip()


def person(session: Session, key: str, sex: Sex, born: date) -> int:
    row = Person(
        iin=f"{next(IIN):012d}", surname=key.title(), name="Test", birth_date=born, sex=sex
    )
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def seats(factory: sessionmaker[Session]) -> Iterator[Seats]:
    now = [BEFORE_DEADLINE]
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
        born = {"aman": 1970, "bota": 1980, "dana": 1990, "erlan": 1975, "gani": 1965}
        p = {
            name: person(
                session,
                name,
                Sex.FEMALE if name in ("bota", "dana", "farida") else Sex.MALE,
                date(born.get(name, 1985), 1, 1),
            )
            for name in LIST
        }
        plist = PartyList(
            contest_id=world.contests["oblast_list"],
            party_id=world.parties["alpha"],
            registration_order=1,
            state=CandidacyState.REGISTERED,
        )
        session.add(plist)
        session.flush()
        for position, name in enumerate(LIST, start=1):
            session.add(
                ListEntry(
                    party_list_id=plist.id,
                    position=position,
                    person_id=p[name],
                    withdrawn=name == "erlan",
                )
            )
        session.add(
            ContestResult(
                contest_id=world.contests["oblast_list"],
                status="final",
                precincts_counted=4,
                precincts_total=4,
                totals={},
                outcome={"status": "allocated"},
                published_at=datetime(2023, 3, 26, 6, tzinfo=UTC),
            )
        )
        won = []
        for _ in range(2):
            seat = Mandate(
                body_id=world.bodies["oblast"],
                contest_id=world.contests["oblast_list"],
                source=MandateSource.PARTY_LIST,
                party_id=world.parties["alpha"],
                state=MandateState.WON,
            )
            session.add(seat)
            session.flush()
            won.append(seat.id)
        session.add(
            Mandate(
                body_id=world.bodies["oblast"],
                contest_id=world.contests["oblast_o1"],
                source=MandateSource.SINGLE_MEMBER,
                person_id=p["gani"],
                state=MandateState.WON,
            )
        )
        beta = User(username="beta_agent", full_name="beta_agent")
        session.add(beta)
        session.flush()
        world.users["beta_agent"] = beta.id
    execute(
        factory,
        Actor.operator(),
        assign_role,
        RoleGrant(world.users["beta_agent"], Role.PARTY_AGENT, party_id=world.parties["beta"]),
    )
    for username in ("alpha_agent", "beta_agent"):
        execute(factory, Actor.operator(), set_password, world.users[username], PASSWORD)
    with TestClient(create_app(factory, secret="seats-test", clock=lambda: now[0])) as client:
        yield Seats(client, world, factory, now, p, won)


def refusals(factory: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with factory() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "refused").order_by(AuditEvent.id)
        )
        return [(e.username or "", e.action, e.entity_id) for e in rows]


def awaiting_vacancy(s: Seats) -> int:
    """Dana and Aman take the seats; Dana's mandate ends early with no successor named."""
    with s.factory() as session:
        agent = Actor.load(session, "alpha_agent", Role.PARTY_AGENT, None)
    mandates = execute(
        s.factory,
        agent,
        assign_list_mandates,
        s.contest,
        s.world.parties["alpha"],
        [s.persons["dana"], s.persons["aman"]],
        clock=lambda: BEFORE_DEADLINE,
    )
    vacancy = execute(
        s.factory,
        Actor.operator(),
        terminate_mandate,
        mandates[0].id,
        date(2023, 6, 10),
        "resigned",
        clock=lambda: LATER,
    )
    assert vacancy.outcome is VacancyOutcome.AWAITING_PARTY_DECISION
    s.now[0] = LATER
    return vacancy.id


# --- the seats -----------------------------------------------------------------------------------


def test_agent_gives_the_seats_through_the_form(seats: Seats) -> None:
    seats.sign_in("alpha_agent")
    seats.client.cookies.set("lang", "en")
    shown = seats.client.get("/portal/mandates")
    assert shown.status_code == 200
    text = text_of(shown.text)
    assert "Seats won 2" in text and "Seats still to give 2" in text
    assert "Decision due by Mar 31, 2023, 6:00:00 PM (Asia/Almaty)" in text  # local time
    assert "2023-03-31T18:00:00+06:00" in shown.text
    order = [text.index(f"{n.title()} Test") for n in LIST]
    assert order == sorted(order)  # the list in its order
    assert "Erlan Test Withdrew from the list" in text
    assert "Gani Test Holds another mandate" in text
    offered = re.findall(r'name="person_ids" type="checkbox" value="(\d+)"', shown.text)
    assert "erlan" not in [n for n in LIST if str(seats.persons[n]) in offered]
    assert len(offered) == 5
    done = seats.assign("dana", "aman")
    assert done.status_code == 303, text_of(done.text)[:2000]
    assert done.headers["location"] == f"/portal/mandates#contest-{seats.contest}"
    assert seats.holders() == [seats.persons["dana"], seats.persons["aman"]]
    with seats.factory() as session:
        states = [session.get(Mandate, i) for i in seats.seats]
        assert all(m is not None and m.state is MandateState.ASSIGNED for m in states)
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "assign_mandate")
        ).all()
        assert [e.username for e in events] == ["alpha_agent", "alpha_agent"]
    after = text_of(seats.client.get("/portal/mandates").text)
    assert "The seats are given." in after
    assert "Every seat the list won is given." in after
    assert "Dana Test Holds a seat from this list" in after
    assert "Seats given 2" in after and "Seats still to give 0" in after


@pytest.mark.parametrize(
    ("names", "status", "message"),
    [
        (("aman", "outsider"), 422, "is not on the list"),
        (("aman", "erlan"), 422, "has withdrawn from the list"),
        (("aman", "bota", "dana"), 409, "No list seats are left to assign"),
        (("aman", "gani"), 409, "A person holds one mandate only"),
    ],
)
def test_a_wrong_choice_is_refused_next_to_the_field(
    seats: Seats, names: tuple[str, ...], status: int, message: str
) -> None:
    with seats.factory() as session, session.begin():
        seats.persons["outsider"] = person(session, "outsider", Sex.MALE, date(1980, 5, 5))
    seats.sign_in("alpha_agent")
    seats.client.cookies.set("lang", "en")
    refused = seats.assign(*names)
    assert refused.status_code == status
    field = f"seats-{seats.contest}-person_ids"
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', refused.text)
    assert error is not None and message in html.unescape(error.group(1))
    assert "Persons chosen for the seats" in html.unescape(error.group(1))  # the field named
    assert f'href="#{field}"' in refused.text  # the summary leads to the field
    # The choices made are kept on the form shown again.
    checked = re.findall(r'value="(\d+)" checked', refused.text)
    assert str(seats.persons["aman"]) in checked
    assert seats.holders() == [None, None]  # nothing stored, not even the valid first choice
    with seats.factory() as session:
        assert (
            session.scalars(select(AuditEvent).where(AuditEvent.action == "assign_mandate")).all()
            == []
        )


def test_refusals_are_translated(seats: Seats) -> None:
    seats.sign_in("alpha_agent")
    seats.client.cookies.set("lang", "ru")
    refused = seats.assign("aman", "bota", "dana")
    assert refused.status_code == 409
    assert "Не осталось мест по списку для распределения" in html.unescape(refused.text)
    seats.client.cookies.set("lang", "kk")
    seats.now[0] = AFTER_DEADLINE
    late = seats.assign("aman")
    assert late.status_code == 409
    page = html.unescape(late.text)
    assert "Шешім қабылдау мерзімі өтті" in page  # the page's own note on the deadline
    error = re.search(rf'id="seats-{seats.contest}-person_ids-error">([^<]*)<', page)
    assert error is not None and "Партия филиалының тізім бойынша орындар туралы шешімі" in (
        error.group(1)
    )
    assert seats.holders() == [None, None]


def test_another_partys_agent_is_refused(seats: Seats) -> None:
    seats.sign_in("beta_agent")
    seats.client.cookies.set("lang", "en")
    page = seats.client.get("/portal/mandates")
    assert page.status_code == 200
    assert "No list of your party is in a contest whose results are published." in page.text
    assert "Aman Test" not in page.text
    refused = seats.assign("aman")  # names Alpha as the party
    assert refused.status_code == 403
    assert seats.holders() == [None, None]
    assert refusals(seats.factory) == [("beta_agent", "assign_list_mandates", "outside_territory")]
    # Without naming a party the agent acts for its own, which has no list there.
    own = seats.assign("aman", party_id="")
    assert own.status_code == 422 and seats.holders() == [None, None]
    # The public is sent to sign in; a forged form (no token) is refused.
    seats.client.cookies.clear()
    assert seats.client.get("/portal/mandates", follow_redirects=False).status_code == 303
    seats.sign_in("alpha_agent")
    forged = seats.client.post(
        f"/portal/mandates/{seats.contest}/seats",
        data={"person_ids": [str(seats.persons["aman"])]},
    )
    assert forged.status_code == 403 and seats.holders() == [None, None]


# --- successors ----------------------------------------------------------------------------------


def test_a_vacancy_awaiting_the_party_is_filled_through_the_form(seats: Seats) -> None:
    vacancy_id = awaiting_vacancy(seats)
    p = seats.persons
    seats.sign_in("alpha_agent")
    seats.client.cookies.set("lang", "en")
    page = seats.client.get("/portal/mandates")
    assert page.status_code == 200
    assert "Seats awaiting a successor 1" in text_of(page.text)
    assert "Every seat the list won is given." not in page.text
    section = page.text.split(f'id="vacancy-{vacancy_id}"')[1]
    assert "The mandate of Dana Test ended on June 10, 2023." in text_of(section)
    offered = re.findall(r'<option value="(\d+)"', section)
    # Remaining on the list: not withdrawn (erlan), not seated (aman, dana), no other mandate (gani)
    assert offered == [str(p["bota"]), str(p["farida"])]
    token = csrf(page.text)
    wrong = seats.client.post(
        f"/portal/vacancies/{vacancy_id}/successor",
        data={"csrf_token": token, "person_id": str(p["gani"])},
    )
    assert wrong.status_code == 422
    assert f'id="vacancies-{vacancy_id}-person_id-error"' in wrong.text
    assert f'value="{p["gani"]}"' not in wrong.text.split(f'id="vacancy-{vacancy_id}"')[1]
    empty = seats.client.post(
        f"/portal/vacancies/{vacancy_id}/successor", data={"csrf_token": token, "person_id": ""}
    )
    assert empty.status_code == 422 and "choose the successor" in empty.text
    with seats.factory() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None and vacancy.outcome is VacancyOutcome.AWAITING_PARTY_DECISION
    # Another party's agent may not choose for Alpha.
    seats.sign_in("beta_agent")
    other = seats.client.post(
        f"/portal/vacancies/{vacancy_id}/successor",
        data={"csrf_token": seats.token(), "person_id": str(p["bota"])},
    )
    assert other.status_code == 403
    seats.sign_in("alpha_agent")
    seats.client.cookies.set("lang", "en")
    chosen = seats.client.post(
        f"/portal/vacancies/{vacancy_id}/successor",
        data={"csrf_token": seats.token(), "person_id": str(p["farida"])},
        follow_redirects=False,
    )
    assert chosen.status_code == 303, text_of(chosen.text)[:2000]
    with seats.factory() as session:
        vacancy = session.get(Vacancy, vacancy_id)
        assert vacancy is not None and vacancy.outcome is VacancyOutcome.FILLED_FROM_LIST
        successor = session.get(Mandate, vacancy.successor_mandate_id)
        assert successor is not None
        assert (successor.person_id, successor.state) == (p["farida"], MandateState.ASSIGNED)
    after = text_of(seats.client.get("/portal/mandates").text)
    assert "The successor is chosen." in after and "No seat awaits the party's choice." in after
    assert "Dana Test Mandate ended early" in after and "Farida Test Holds a seat" in after
    assert "Every seat the list won is given." in after and "awaiting a successor" not in after
    again = seats.client.post(
        f"/portal/vacancies/{vacancy_id}/successor",
        data={"csrf_token": seats.token(), "person_id": str(p["bota"])},
    )
    assert again.status_code == 409  # nothing awaits any more


# --- languages, markup ---------------------------------------------------------------------------


def test_pages_render_in_three_languages(seats: Seats) -> None:
    awaiting_vacancy(seats)
    seats.sign_in("alpha_agent")
    titles = {"kk": "Орындар және мирасқорлар", "ru": "Места и преемники"}
    titles["en"] = "Seats and successors"
    for language, title in titles.items():
        seats.client.cookies.set("lang", language)
        page = seats.client.get("/portal/mandates")
        assert page.status_code == 200, language
        assert f'lang="{language}"' in page.text
        assert f"<h1>{title}</h1>" in page.text
        assert_clean_page(page)
        for caption in re.findall(r"<table[^>]*>\s*<caption>([^<]+)</caption>", page.text):
            assert caption.strip()
        assert 'scope="col"' in page.text and 'scope="row"' in page.text
        for found in re.findall(r'<input id="([^"]+)"', page.text):
            assert f'for="{found}"' in page.text  # every input has its label
        home = seats.client.get("/portal")
        assert 'href="/portal/mandates"' in home.text and title in home.text
