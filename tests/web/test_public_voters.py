"""Voter services of the public site on SQLite and PostgreSQL: where do I vote (by street, by
number), the ballots of a precinct, the registration check (never storing or echoing the IIN, no
session cookie, throttled) and the election calendar as iCalendar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.context import Actor, execute
from saylau.services.elections import contests_for_precinct
from saylau.services.imports import rows_of
from saylau.services.voters import import_areas, import_register
from saylau.storage.models import AuditEvent
from saylau.storage.models.territory import VoterRegisterEntry
from saylau.web.app import create_app
from saylau.web.pages.public.voters import CHECKS_PER_WINDOW, PRECINCT_VIEW, calendar_files
from tests.services.count_world import CountWorld, setup
from tests.services.test_voters import AREAS, KEY, iin
from tests.web.test_commission_pages import assert_clean

WORDS = {"kk": "Қай жерде дауыс беремін", "ru": "Где я голосую", "en": "Where do I vote"}


def _world(factory: sessionmaker[Session], *, register: bool = False) -> CountWorld:
    cw = setup(factory)
    execute(factory, Actor.operator(), import_areas, rows_of(AREAS))
    if register:
        rows = rows_of([{"iin": iin(10), "region": "KZ-35", "precinct": 3}])
        execute(factory, Actor.operator(), import_register, rows, KEY)
    return cw


def _client(factory: sessionmaker[Session]) -> TestClient:
    app = create_app(factory, secret="test-secret")
    app.state.register_key = KEY
    return TestClient(app)


def test_search_by_street_or_number_finds_the_precinct(factory: sessionmaker[Session]) -> None:
    _world(factory)
    client = _client(factory)
    for language, title in WORDS.items():
        page = client.get(f"/{language}/vote/")
        assert page.status_code == 200 and f"<h1>{title}</h1>" in page.text
        assert "set-cookie" not in page.headers
        assert 'action="/' + language + '/vote/check"' not in page.text  # no register loaded
        assert_clean(page.text)
    found = client.get("/kk/vote/", params={"region": "KZ-35", "place": "абай"})
    assert found.status_code == 200
    assert 'href="/kk/vote/KZ-35/1/"' in found.text and 'href="/kk/vote/KZ-35/2/"' in found.text
    assert "41–99" in found.text
    assert_clean(found.text)
    narrow = client.get("/ru/vote/", params={"region": "KZ-35", "place": "ЖАМБЫЛ"})
    assert 'href="/ru/vote/KZ-35/1/"' in narrow.text and "/ru/vote/KZ-35/2/" not in narrow.text
    other_region = client.get("/en/vote/", params={"region": "KZ-71", "place": "абай"})
    assert "No precinct found" in other_region.text
    by_number = client.get("/en/vote/", params={"region": "KZ-71", "number": "2"})
    assert 'href="/en/vote/KZ-71/2/"' in by_number.text and "p6 street" in by_number.text
    assert (
        "No precinct found"
        in client.get("/en/vote/", params={"region": "KZ-71", "number": "9"}).text
    )
    assert (
        "Choose a region from the list."
        in client.get("/en/vote/", params={"region": "XX", "place": "a"}).text
    )


def test_the_precinct_page_lists_its_ballots_in_ballot_order(
    factory: sessionmaker[Session],
) -> None:
    cw = _world(factory)
    client = _client(factory)
    data = client.get("/data/vote/KZ-35/1/index.json").json()
    with factory() as session:
        expected = contests_for_precinct(session, cw.world.election or 0, cw.precinct("p1"))
        rendered = PRECINCT_VIEW.render(session, {"region_code": "KZ-35", "number": 1})
    [election] = data["elections"]
    assert [b["contest_id"] for b in election["ballots"]] == [c.id for c in expected]
    assert len(election["ballots"]) == 5  # an oblast voter: 5 ballots in 2023 (law-2023 §11)
    assert [b["colour"]["id"] for b in election["ballots"]] == [
        "blue",
        "green",
        "purple",
        "orange",
        "grey",
    ]
    mazhilis = election["ballots"][0]
    assert [line["party_code"] for line in mazhilis["lines"]] == ["alpha", "beta", "gamma"]
    assert [line["position"] for line in mazhilis["lines"]] == [1, 2, 3]
    assert election["polling_opens"] == "2023-03-19T07:00:00+06:00"
    assert election["polling_closes"] == "2023-03-19T20:00:00+06:00"
    assert [a["street"] for a in data["areas"]] == ["Абай көшесі", "Жамбыл көшесі"]
    rows = client.get("/data/vote/KZ-35/1/index.csv").text.splitlines()
    assert rows[0].startswith("election_id,contest_id,contest_kind,colour,position")
    assert len(rows) - 1 == sum(len(b["lines"]) for b in election["ballots"])
    smd = next(b for b in election["ballots"] if b["kind"] == "first_level_smd")
    names = [line["name_en"] for line in smd["lines"]]
    for language in ("kk", "ru", "en"):
        page = client.get(f"/{language}/vote/KZ-35/1/")
        assert page.status_code == 200 and "set-cookie" not in page.headers
        assert_clean(page.text)
        assert page.content == rendered[f"/{language}/vote/KZ-35/1/index.html"]
        assert names[0] in page.text and "Абай көшесі" in page.text
        assert f'href="/{language}/elections/{cw.world.election}/calendar.ics?region=KZ-35"' in (
            page.text
        )
        results = f"/{language}/elections/{cw.world.election}/contests/{mazhilis['contest_id']}/"
        assert f'href="{results}"' in page.text
        positions = [page.text.index(line["name_" + language]) for line in mazhilis["lines"]]
        assert positions == sorted(positions)
    assert (
        rendered["/data/vote/KZ-35/1/index.json"]
        == client.get("/data/vote/KZ-35/1/index.json").content
    )
    assert "20:00" in client.get("/en/vote/KZ-35/1/").text
    capital = client.get("/data/vote/KZ-71/1/index.json").json()
    assert len(capital["elections"][0]["ballots"]) == 4  # a capital voter: 4 ballots
    assert client.get("/en/vote/KZ-35/99/").status_code == 404


def test_the_registration_check_answers_without_storing_or_echoing_the_iin(
    factory: sessionmaker[Session],
) -> None:
    _world(factory, register=True)
    client = _client(factory)
    voter, stranger = iin(10), iin(30)
    form = client.get("/en/vote/")
    assert 'action="/en/vote/check"' in form.text and 'method="post"' in form.text
    assert 'action="/en/vote/check"' in client.get("/en/vote/KZ-35/3/").text
    found = client.post("/en/vote/check", data={"iin": voter})
    assert found.status_code == 200
    assert "You are registered at precinct No. 3." in found.text and "p3 street" in found.text
    assert voter not in found.text and "set-cookie" not in found.headers
    assert found.headers["cache-control"] == "no-store"
    assert_clean(found.text)
    missing = client.post("/ru/vote/check", data={"iin": stranger})
    assert missing.status_code == 200 and "Не найден" in missing.text
    assert stranger not in missing.text
    invalid = client.post("/kk/vote/check", data={"iin": "123"})
    assert invalid.status_code == 422 and "123" not in invalid.text.split("<main")[1]
    assert not client.cookies
    with factory() as session:
        digests = " ".join(session.scalars(select(VoterRegisterEntry.digest)))
        audit = json.dumps(
            [[e.before, e.after] for e in session.scalars(select(AuditEvent))], default=str
        )
    for text in (digests, audit):
        assert voter not in text and stranger not in text


def test_checks_are_throttled_per_client_address(factory: sessionmaker[Session]) -> None:
    _world(factory, register=True)
    client = _client(factory)
    for _ in range(CHECKS_PER_WINDOW - 1):
        assert client.post("/en/vote/check", data={"iin": iin(30)}).status_code == 200
    assert client.post("/en/vote/check", data={"iin": iin(10)}).status_code == 200
    refused = client.post("/en/vote/check", data={"iin": iin(10)})
    assert refused.status_code == 429 and "Too many checks" in refused.text
    assert "registered at precinct" not in refused.text
    assert refused.headers["retry-after"] == "60"


def test_the_check_is_not_offered_without_a_register(factory: sessionmaker[Session]) -> None:
    _world(factory)
    client = _client(factory)
    refused = client.post("/en/vote/check", data={"iin": iin(10)})
    assert refused.status_code == 404 and "not loaded" in refused.text


def test_the_calendar_feed_parses_and_reminds_of_polling_day(
    factory: sessionmaker[Session],
) -> None:
    cw = _world(factory)
    client = _client(factory)
    election = cw.world.election
    for language in ("kk", "ru", "en"):
        feed = client.get(f"/{language}/elections/{election}/calendar.ics?region=KZ-35")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(feed.content)
        events = list(calendar.walk("VEVENT"))
        assert len(events) >= 10
        polling = [e for e in events if str(e["uid"]).endswith("-polling_opens")]
        assert len(polling) == 1
        start = polling[0].decoded("dtstart")
        end = polling[0].decoded("dtend")
        assert start == datetime(2023, 3, 19, 1, 0, tzinfo=UTC)  # 07:00 in Asia/Almaty (UTC+6)
        assert end - start == timedelta(hours=13)
        triggers = sorted(a.decoded("trigger") for a in polling[0].walk("VALARM"))
        assert triggers == [timedelta(days=-1), timedelta(hours=-1)]
    english = icalendar.Calendar.from_ical(
        client.get(f"/en/elections/{election}/calendar.ics").content
    )
    summaries = [str(e["summary"]) for e in english.walk("VEVENT")]
    assert any(s.startswith("Registration closes") for s in summaries)
    with factory() as session:
        published = calendar_files(session)
    path = f"/en/elections/{election}/calendar.ics"
    assert published[path] == client.get(path).content  # the static copy is the served one
    assert client.get("/en/elections/9999/calendar.ics").status_code == 404
    assert client.get(f"/en/elections/{election}/calendar.ics?region=XX").status_code == 404
