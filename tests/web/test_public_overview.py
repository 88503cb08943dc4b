"""The public overview views (issue #5 §1, second part) on SQLite and PostgreSQL: turnout through
polling day with the evening increment and the change from the previous election, the map of the
regions by turnout, leading party and competitiveness, the seat charts, a maslikhat's candidates
and lists with their status, and its elected deputies. Every view's page agrees with its JSON and
CSV twins in every language (the generic comparison of ``test_public_results``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState, ProtocolState
from saylau.law.bodies import ContestKind
from saylau.law.calendar import ElectionKind
from saylau.law.iin import Sex
from saylau.law.nomination import RefusalReason
from saylau.services.context import Actor
from saylau.services.mandates import assign_list_mandates, register_deputy
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.services.turnout import report_turnout
from saylau.storage.models import (
    Contest,
    Election,
    ListEntry,
    Mandate,
    MandateState,
    Nomination,
    PartyList,
    Person,
    Protocol,
)
from saylau.web import charts
from saylau.web.app import create_app
from saylau.web.pages.public.overview import VIEWS
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, actor, run, setup, typist
from tests.web.test_commission_pages import assert_clean
from tests.web.test_public_results import CAPITAL, IN_TIME, LANGUAGES, assert_agree, count

Factory = sessionmaker[Session]
AT_10_05 = datetime(2023, 3, 19, 4, 5, tzinfo=UTC)  # 10:05 in Asia/Almaty (UTC+6)
AT_16_05 = datetime(2023, 3, 19, 10, 5, tzinfo=UTC)  # 16:05
ASSIGNING = datetime(2023, 3, 23, 6, 0, tzinfo=UTC)  # within the party branch's 5 days
REGISTERING = datetime(2023, 3, 28, 6, 0, tzinfo=UTC)


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


@pytest.fixture
def client(factory: Factory) -> Iterator[TestClient]:
    with TestClient(create_app(factory, secret="test-secret")) as test_client:
        yield test_client


def election_id(cw: CountWorld) -> int:
    assert cw.world.election is not None
    return cw.world.election


def report(factory: Factory, cw: CountWorld, at: str, voted: dict[str, int]) -> None:
    """Turnout reports of some precincts at 10:00 or 16:00 (``services/turnout.py``)."""
    moment = AT_10_05 if at == "10:00" else AT_16_05
    for precinct, n in voted.items():
        who = typist(factory, cw, precinct, "a")
        run(factory, who, report_turnout, election_id(cw), cw.precinct(precinct), at, n, at=moment)


def earlier_election(factory: Factory, cw: CountWorld, figures: dict[str, tuple[int, int]]) -> int:
    """An earlier general election with the Mazhilis list's definitive protocols of some
    precincts: precinct → (voters on the list, ballots in the boxes). Inserted directly."""
    with factory() as session, session.begin():
        earlier = Election(
            name="Earlier elections 2021",
            kind=ElectionKind.REGULAR,
            rules="2023",
            called_on=date(2020, 11, 10),
            polling_day=date(2021, 1, 10),
        )
        session.add(earlier)
        session.flush()
        contest = Contest(
            election_id=earlier.id,
            body_id=cw.world.bodies["mazhilis"],
            kind=ContestKind.MAZHILIS_LIST,
            seats=69,
        )
        session.add(contest)
        session.flush()
        for precinct, (voters, boxes) in figures.items():
            session.add(
                Protocol(
                    contest_id=contest.id,
                    precinct_id=cw.precinct(precinct),
                    state=ProtocolState.DEFINITIVE,
                    voters_on_list=voters,
                    ballots_in_boxes=boxes,
                    against_all=0,
                    invalid=0,
                    definitive_at=datetime(2021, 1, 10, 18, 0, tzinfo=UTC),
                )
            )
        return earlier.id


def list_members(factory: Factory, cw: CountWorld, contest: str, party: str) -> list[int]:
    """Three persons on ``party``'s list in ``contest`` (the third withdrawn); their ids."""
    ids = []
    with factory() as session, session.begin():
        party_list = session.scalars(
            select(PartyList).where(
                PartyList.contest_id == cw.contest(contest),
                PartyList.party_id == cw.world.parties[party],
            )
        ).one()
        for position in (1, 2, 3):
            person = Person(
                iin=f"{900101400000 + 10 * cw.contest(contest) + position:012d}",
                surname=f"Тізімов{position}",
                name=party.capitalize(),
                surname_ru=f"Тизимов{position}",
                name_ru=party.capitalize(),
                birth_date=date(1970 + position, 5, 1),
                sex=Sex.FEMALE if position == 2 else Sex.MALE,
                party_id=cw.world.parties[party],
            )
            session.add(person)
            session.flush()
            session.add(
                ListEntry(
                    party_list_id=party_list.id,
                    position=position,
                    person_id=person.id,
                    withdrawn=position == 3,
                )
            )
            ids.append(person.id)
    return ids


def refuse(factory: Factory, cw: CountWorld, contest: str, surname: str) -> None:
    """A nomination refused registration for incomplete documents (set up directly; the
    registration service has its own tests)."""
    with factory() as session, session.begin():
        nomination = session.get(Nomination, cw.nominations[contest][surname])
        assert nomination is not None
        nomination.state = CandidacyState.REFUSED
        nomination.refusal_reason = RefusalReason.INCOMPLETE_DOCUMENTS


def elect_capital(factory: Factory, cw: CountWorld) -> dict[str, int]:
    """The capital counted, tabulated and published; alpha gives its list seats; the winner of
    district c1 is registered as a deputy. Returns the capital list members' ids."""
    members = list_members(factory, cw, "capital_list", "alpha")
    count(factory, cw, CAPITAL)
    admin = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run(factory, admin, tabulate_election, election_id(cw))
    run_approved(factory, admin, publish_results, election_id(cw), at=IN_TIME)
    with factory() as session:
        won = session.scalars(
            select(Mandate).where(
                Mandate.contest_id == cw.contest("capital_list"),
                Mandate.party_id == cw.world.parties["alpha"],
            )
        ).all()
        smd = session.scalars(
            select(Mandate).where(Mandate.contest_id == cw.contest("capital_c1"))
        ).one()
    agent = actor(factory, "alpha_agent", Role.PARTY_AGENT, None)
    run(
        factory,
        agent,
        assign_list_mandates,
        cw.contest("capital_list"),
        cw.world.parties["alpha"],
        members[: len(won)],
        at=ASSIGNING,
    )
    run(factory, admin, register_deputy, smd.id, date(2023, 3, 27), at=REGISTERING)
    return {"alpha_seats": len(won), "first": members[0], "withdrawn": members[2]}


# --- every view against its twins ------------------------------------------------------------------


def test_every_overview_view_agrees_with_its_json_and_csv_twins_in_every_language(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    report(factory, cw, "10:00", {"p1": 120, "p5": 333})
    report(factory, cw, "16:00", {"p1": 400, "p5": 900, "p3": 500})
    earlier_election(factory, cw, {"p1": (1000, 700), "p5": (2000, 1000)})
    list_members(factory, cw, "oblast_list", "beta")
    refuse(factory, cw, "city_t2", "Жұмабаев")
    count(factory, cw, ("mazhilis_list", "oblast_list", "oblast_o1", "oblast_o2", "district_d1"))
    elect_capital(factory, cw)
    seen: dict[str, int] = {}
    with factory() as session:
        instances = [(view, params) for view in VIEWS for params in view.instances(session)]
        rendered = [view.render(session, params) for view, params in instances[::7]]
    for view, params in instances:
        seen[view.path] = seen.get(view.path, 0) + 1
        document = client.get(view.data_path(params, "json"))
        table = client.get(view.data_path(params, "csv"))
        assert document.status_code == table.status_code == 200, view.data_path(params, "json")
        assert table.headers["content-type"].startswith("text/csv")
        for language in LANGUAGES:
            path = view.page_path(language, params)
            page = client.get(path)
            assert page.status_code == 200, (path, page.text[:300])
            assert f'<html lang="{language}">' in page.text
            assert f'href="{view.data_path(params, "json")}"' in page.text
            assert 'class="breadcrumbs"' in page.text
            assert_clean(page.text)
            assert_agree(page.text, document.json(), table.text, language, path)
    # Two elections (the earlier one has only the Mazhilis list), three maps each.
    assert seen == {
        "elections/{election_id}/turnout/": 2,
        "elections/{election_id}/map/{measure}/": 6,
        "elections/{election_id}/bodies/{body_id}/candidates/": 6,
        "elections/{election_id}/bodies/{body_id}/deputies/": 6,
    }
    # What `saylau publish` will write is what is served.
    for files in rendered:
        for path, body in files.items():
            assert client.get(path.removesuffix("index.html")).content == body, path


# --- turnout ------------------------------------------------------------------------------------------


def test_turnout_through_the_day_with_the_evening_increment_and_the_change(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    page = client.get(f"/en/elections/{e}/turnout/").text
    assert "No earlier election of the same kind" in page
    assert client.get(f"/data/elections/{e}/turnout/index.json").json()["previous"] is None
    report(factory, cw, "10:00", {"p1": 120, "p5": 333})
    report(factory, cw, "16:00", {"p1": 400, "p2": 300, "p5": 900})
    count(factory, cw, ("mazhilis_list",), skip=("p3", "p4", "p6"))
    earlier = earlier_election(factory, cw, {"p1": (1000, 700), "p5": (2000, 1000)})
    data = client.get(f"/data/elections/{e}/turnout/index.json").json()
    assert data["marks"] == ["10:00", "16:00"] and data["kind"] == "mazhilis_list"
    assert data["previous"]["election_id"] == earlier
    regions = {r["region_code"]: r for r in data["regions"]}
    oblast, capital, national = regions["KZ-35"], regions["KZ-71"], data["national"]
    # 10:00 and 16:00: voted / voters on the lists of the precincts that reported.
    assert oblast["share"] == {"10:00": str(Fraction(120, 1000)), "16:00": str(Fraction(700, 2200))}
    assert (oblast["reported"]["16:00"], oblast["precincts"]) == (2, 4)
    assert national["share"]["10:00"] == str(Fraction(453, 3000))
    assert national["voted"]["16:00"] == 1600 and national["voters"]["16:00"] == 4200
    # Final: the Mazhilis list protocols of p1, p2 (oblast) and p5 (capital), as `count` fills
    # them: ballots in the boxes = 490 + 7i + (10 + i) + (2 + i), voters = 900 + 10i.
    boxes = {i: 490 + 7 * i + 10 + i + 2 + i for i in (0, 1, 4)}
    voters = {i: 900 + 10 * i for i in (0, 1, 4)}
    assert oblast["final"] == str(Fraction(boxes[0] + boxes[1], voters[0] + voters[1]))
    assert capital["final"] == str(Fraction(boxes[4], voters[4]))
    final = Fraction(sum(boxes.values()), sum(voters.values()))
    assert national["final"] == str(final)
    assert national["evening"] == str(final - Fraction(1600, 4200))
    # The earlier election: 1,700 of 3,000 nationally; 700 of 1,000 in the oblast.
    assert national["previous"] == str(Fraction(1700, 3000))
    assert national["change"] == str(final - Fraction(1700, 3000))
    assert oblast["change"] == str(Fraction(boxes[0] + boxes[1], 1810) - Fraction(7, 10))
    page = client.get(f"/en/elections/{e}/turnout/").text
    assert "Earlier elections 2021" in page and "No earlier election" not in page
    assert 'role="img"' in page and 'id="turnout-chart-title"' in page
    # Three bars per row (10:00, 16:00, final) where figures exist: the capital has all three.
    assert page.count('data-series="2"') == 3  # national, oblast and capital have a final
    ru = client.get(f"/ru/elections/{e}/turnout/").text
    assert "п. п." in ru or "п.п." in ru
    # The overview links to the turnout and the map.
    overview = client.get(f"/kk/elections/{e}/").text
    assert f'href="/kk/elections/{e}/turnout/"' in overview
    assert f'href="/kk/elections/{e}/map/turnout/"' in overview


# --- the map ----------------------------------------------------------------------------------------


def test_the_map_has_a_tile_per_region_coloured_by_each_measure(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    count(factory, cw, ("mazhilis_list", "oblast_list", "oblast_o1", "oblast_o2"))
    count(factory, cw, ("capital_list",))
    maps = {
        m: client.get(f"/data/elections/{e}/map/{m}/index.json").json()
        for m in ("turnout", "party", "competitiveness")
    }
    regions = {r["region_code"]: r for r in maps["turnout"]["regions"]}
    assert len(regions) == 20 and {r["in_election"] for r in regions.values()} == {True, False}
    assert [c for c, r in regions.items() if r["in_election"]] == ["KZ-71", "KZ-35"]
    oblast = regions["KZ-35"]
    turnout = Fraction(oblast["turnout"])
    # Alpha leads both list contests (300 + i votes a precinct against 150 + 7i and 40 − i).
    assert (oblast["leader"], regions["KZ-71"]["leader"]) == ("alpha", "alpha")
    assert oblast["leader_votes"] == 300 + 301 + 302 + 303
    # Competitiveness: districts o1 (p1, p2) and o2 (p3) of the oblast are counted.
    kb_o1 = Fraction(170 + 169, 200 + 203)
    kb_o2 = Fraction(168, 206)
    assert oblast["districts"] == 2
    assert oblast["competitiveness"] == "0.8" and oblast["band"] == "high"
    assert (kb_o1 + kb_o2) / 2 > Fraction(3, 4)
    for measure, fill in (
        ("turnout", charts.turnout_colour(turnout)),
        ("party", charts.party_colours(["alpha"])["alpha"]),
        ("competitiveness", charts.BAND_COLOURS["high"]),
    ):
        page = client.get(f"/en/elections/{e}/map/{measure}/").text
        tiles = re.findall(r'<(a|g) class="tile" data-region="([^"]+)"', page)
        assert len(tiles) == 20 and len({code for _, code in tiles}) == 20
        linked = [code for tag, code in tiles if tag == "a"]
        assert linked == ["KZ-71", "KZ-35"]
        tile = re.search(r'data-region="KZ-35" href="([^"]+)">(.*?)</a>', page)
        assert tile and tile.group(1) == f"/en/elections/{e}/regions/KZ-35/"
        assert f'fill="{fill}"' in tile.group(2)
        assert f'fill="{charts.text_colour(fill)}"' in tile.group(2)
        assert 'role="img" aria-label="Testoblast: ' in tile.group(2)
        assert '<title id="region-map-title">' in page and '<desc id="region-map-desc">' in page
        assert 'class="legend"' in page and "No data" in page
        absent = re.search(r'<g class="tile" data-region="KZ-10">(.*?)</g></g>', page)
        assert absent and f'fill="{charts.NO_DATA}"' in absent.group(1)
    assert client.get(f"/en/elections/{e}/map/weather/").status_code == 404
    assert client.get(f"/data/elections/{e}/map/weather/index.json").status_code == 404


# --- seat charts --------------------------------------------------------------------------------------


def test_seat_charts_have_one_dot_per_seat_won(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    count(factory, cw, ("mazhilis_list", "oblast_list"))
    run(factory, Actor.operator(), tabulate_election, e)
    body = f"elections/{e}/bodies/{cw.world.bodies['oblast']}/"
    data = client.get(f"/data/{body}index.json").json()
    seats = {c["party"]: c["seats"] for c in data["list_result"]["choices"]}
    assert sum(seats.values()) == 3
    for language in LANGUAGES:
        page = client.get(f"/{language}/{body}").text
        chart = re.search(r'<svg[^>]*class="chart hemicycle".*?</svg>', page, re.S)
        assert chart, language
        for party, n in seats.items():
            assert chart.group(0).count(f'data-group="{party}"') == n
        assert chart.group(0).count("<circle") == 3
        assert 'role="img"' in chart.group(0)
    overview = client.get(f"/data/elections/{e}/index.json").json()
    mazhilis = sum(c["seats"] for c in overview["mazhilis"]["choices"])
    assert mazhilis == 69
    page = client.get(f"/en/elections/{e}/").text
    chart = re.search(r'<svg[^>]*class="chart hemicycle".*?</svg>', page, re.S)
    assert chart and chart.group(0).count("<circle") == 69


# --- candidates and deputies ------------------------------------------------------------------------


def test_candidates_and_lists_with_their_status_and_no_personal_data(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    refuse(factory, cw, "capital_c2", "Жұмабаев")
    elected = elect_capital(factory, cw)
    path = f"elections/{e}/bodies/{cw.world.bodies['capital']}/candidates/"
    data = client.get(f"/data/{path}index.json").json()
    contests = {c["kind"] + str(c["district_number"] or ""): c for c in data["contests"]}
    assert list(contests) == ["first_level_list", "first_level_smd1", "first_level_smd2"]
    c1 = {row["name"].split()[0]: row for row in contests["first_level_smd1"]["candidates"]}
    assert c1["Абаев"]["status"] == "elected" and c1["Бекова"]["status"] == "registered"
    assert c1["Абаев"]["nominated_by"] == "party" and c1["Абаев"]["nominator"] == "alpha"
    assert c1["Абаев"]["birth_year"] == 1980
    c2 = {row["name"].split()[0]: row for row in contests["first_level_smd2"]["candidates"]}
    refused = c2["Жұмабаев"]
    assert (refused["status"], refused["reason"]) == ("refused", "incomplete_documents")
    assert refused["reason_ru"] == RefusalReason.INCOMPLETE_DOCUMENTS.label.ru
    alpha = next(lst for lst in contests["first_level_list"]["lists"] if lst["party"] == "alpha")
    assert [m["position"] for m in alpha["members"]] == [1, 2, 3]
    statuses = [m["status"] for m in alpha["members"]]
    assert statuses[2] == "withdrawn"
    assert statuses[: elected["alpha_seats"]] == ["elected"] * elected["alpha_seats"]
    others = next(lst for lst in contests["first_level_list"]["lists"] if lst["party"] == "beta")
    assert others["members"] == [] and others["status"] == "registered"
    ru = client.get(f"/ru/{path}").text
    assert RefusalReason.INCOMPLETE_DOCUMENTS.label.ru in ru and "Тизимов1" in ru
    kk = client.get(f"/kk/{path}").text
    assert "Тізімов1" in kk and RefusalReason.INCOMPLETE_DOCUMENTS.label.kk in kk
    # Public data only: no IIN anywhere, no document.
    with factory() as session:
        iins = [p.iin for p in session.scalars(select(Person))]
    texts = [client.get(f"/{lang}/{path}").text for lang in LANGUAGES]
    texts += [client.get(f"/data/{path}index.json").text, client.get(f"/data/{path}index.csv").text]
    for text in texts:
        assert not [iin for iin in iins if iin in text]
        assert "iin" not in text.lower().replace("iink", "")
    body = client.get(f"/en/elections/{e}/bodies/{cw.world.bodies['capital']}/").text
    assert f'href="/en/{path}"' in body


def test_deputies_are_the_holders_of_mandates_with_their_source(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    path = f"elections/{e}/bodies/{cw.world.bodies['capital']}/deputies/"
    before = client.get(f"/data/{path}index.json").json()
    assert (before["seats_won"], before["deputies"]) == (0, [])
    assert "No deputy yet" in client.get(f"/en/{path}").text
    elected = elect_capital(factory, cw)
    data = client.get(f"/data/{path}index.json").json()
    assert data["seats_won"] == 2 + 2  # the list's two seats and the two districts
    with factory() as session:
        c2 = session.scalars(
            select(Mandate).where(Mandate.contest_id == cw.contest("capital_c2"))
        ).one()
        assert c2.state is MandateState.WON
    rows = {(d["source"], d["district_number"]): d for d in data["deputies"]}
    registered = rows[("single_member", 1)]
    assert registered["state"] == "registered" and registered["name"].startswith("Абаев")
    assert registered["party"] == "alpha" and registered["registered_at"] is not None
    assert rows[("single_member", 2)]["state"] == "won"
    listed = [d for d in data["deputies"] if d["source"] == "party_list"]
    assert len(listed) == elected["alpha_seats"]
    assert all(d["state"] == "assigned" and d["party"] == "alpha" for d in listed)
    assert data["unassigned"] == 2 - elected["alpha_seats"]
    assert data["registered"] == 1
    assert sum(c["seats"] for c in data["composition"]) == 4
    page = client.get(f"/en/{path}").text
    chart = re.search(r'<svg[^>]*class="chart hemicycle".*?</svg>', page, re.S)
    assert chart and chart.group(0).count("<circle") == 4
    assert "Registered deputy" in page


def test_unknown_ids_give_404(factory: Factory, cw: CountWorld, client: TestClient) -> None:
    e = election_id(cw)
    wrong = [
        "elections/999/turnout/",
        "elections/999/map/turnout/",
        f"elections/{e}/bodies/999/candidates/",
        f"elections/{e}/bodies/999/deputies/",
        "elections/999/bodies/1/deputies/",
    ]
    for path in wrong:
        for url in (f"/kk/{path}", f"/data/{path}index.json", f"/data/{path}index.csv"):
            assert client.get(url).status_code == 404, url
