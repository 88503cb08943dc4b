"""From ballots to deputies through the API: the party order and a frozen ballot, turnout, counting
the capital's contests, publication with its mandates, a deputy's registration, an early end of
the mandate with its by-election, and a recall that the law does not allow yet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.services.count_world import NEXT_DAY, CountWorld, build_count_world, figures
from tests.services.nomination_world import AFTER_REGISTRATION
from tests.web.test_api_helpers import Api, acted, make_api, ok

CAPITAL_VOTES = {
    "capital_list": {"alpha": 600, "beta": 300, "gamma": 100},
    "capital_c1": {"Абаев": 500, "Бекова": 300, "Жұмабаев": 100},
    "capital_c2": {"Абаев": 100, "Бекова": 450, "Жұмабаев": 300},
}


@pytest.fixture
def counted(factory: sessionmaker[Session]) -> Iterator[tuple[Api, CountWorld]]:
    with factory() as session, session.begin():
        cw = build_count_world(session)
    yield from ((api, cw) for api in make_api(factory, cw.world))


def entry(cw: CountWorld, contest: str, precinct: str) -> dict[str, Any]:
    votes = {cw.choices[contest][name]: n for name, n in CAPITAL_VOTES[contest].items()}
    data = {k: v for k, v in asdict(figures(votes, voters=2000)).items() if k != "extra"}
    data["votes"] = {str(k): v for k, v in votes.items()}
    return {"contest_id": cw.contest(contest), "precinct_id": cw.precinct(precinct), "data": data}


def test_party_order_and_a_frozen_ballot(counted: tuple[Api, CountWorld]) -> None:
    api, cw = counted
    election = cw.world.election
    api.clock.now = AFTER_REGISTRATION
    missing = api.get(f"/api/elections/{election}/party-order")
    assert missing.status_code == 404 and missing.json()["code"] == "party_order_not_drawn"
    order = ok(
        api.post(f"/api/elections/{election}/party-order", {"seed": "2023-02-25"}, "cec_admin")
    )
    assert sorted(order["parties"]) == ["alpha", "beta", "gamma"] and order["created"]
    assert ok(api.get(f"/api/elections/{election}/party-order"))["parties"] == order["parties"]
    other = api.post(f"/api/elections/{election}/party-order", {"seed": "other"}, "cec_admin")
    assert other.status_code == 409 and other.json()["code"] == "lot_drawn"

    contest = cw.contest("capital_c1")
    prepared = ok(api.post(f"/api/contests/{contest}/ballot", {}, "capital_admin"))
    assert prepared["status"] == "prepared" and prepared["against_all"]
    assert [line["label"].split()[0] for line in prepared["lines"]] == [
        "Абаев",
        "Бекова",
        "Жұмабаев",
    ]
    assert all(line["choice_id"] for line in prepared["lines"])
    assert prepared["print_run"] == 2020  # 2,000 voters + 1% (CL art. 37)
    frozen = ok(api.post(f"/api/contests/{contest}/ballot/freeze", {}, "capital_admin"))
    assert frozen["status"] == "frozen" and frozen["frozen_at"]
    changed = api.post(f"/api/contests/{contest}/ballot", {"decision": " "}, "capital_admin")
    assert changed.status_code == 422 and changed.json()["code"] == "empty_decision"
    listed = ok(api.get(f"/api/elections/{election}/ballots?limit=20"))
    assert listed["total"] == len(cw.world.contests)
    statuses = {b["contest_id"]: b["status"] for b in listed["items"]}
    assert statuses[contest] == "frozen"


def test_turnout_is_reported_through_the_day(counted: tuple[Api, CountWorld]) -> None:
    api, cw = counted
    election, p5 = cw.world.election, cw.precinct("p5")
    api.clock.now = datetime(2023, 3, 19, 3, 30, tzinfo=UTC)  # 09:30 local
    early = api.post(
        f"/api/elections/{election}/turnout",
        {"precinct_id": p5, "at": "10:00", "voted": 300},
        "typist_p5_a",
    )
    assert early.status_code == 409 and early.json()["code"] == "turnout_too_early"
    api.clock.now = datetime(2023, 3, 19, 4, 5, tzinfo=UTC)  # 10:05 local
    figure = ok(
        api.post(
            f"/api/elections/{election}/turnout",
            {"precinct_id": p5, "at": "10:00", "voted": 300},
            "typist_p5_a",
        )
    )
    assert figure["share"] == "3/20" and figure["changed"]
    summary = ok(api.get(f"/api/elections/{election}/turnout?at=10:00"))
    assert summary["national"]["reported"] == 1 and summary["national"]["voted"] == 300
    capital = next(
        r for r in summary["regions"]["items"] if r["region_id"] == cw.world.regions["capital"]
    )
    assert capital["share"] == "3/20" and capital["precincts"] == 2
    marks = ok(api.get(f"/api/elections/{election}/turnout/marks"))
    assert marks["marks"] == ["10:00", "16:00", "final"]
    too_many = api.post(
        f"/api/elections/{election}/turnout",
        {"precinct_id": p5, "at": "10:00", "voted": 5000},
        "typist_p5_a",
    )
    assert too_many.status_code == 422 and too_many.json()["code"] == "more_than_voters"


def test_counting_publication_mandates_and_vacancies(counted: tuple[Api, CountWorld]) -> None:
    api, cw = counted
    election = cw.world.election
    api.clock.now = NEXT_DAY
    for contest, precincts in (
        ("capital_list", ("p5", "p6")),
        ("capital_c1", ("p5",)),
        ("capital_c2", ("p6",)),
    ):
        for precinct in precincts:
            ok(api.post("/api/protocols", entry(cw, contest, precinct), f"typist_{precinct}_a"))
            done = ok(
                api.post("/api/protocols", entry(cw, contest, precinct), f"typist_{precinct}_b")
            )
            assert done["state"] == "definitive"
    early = api.post(f"/api/elections/{election}/publish", {}, "capital_admin")
    assert early.status_code == 409 and early.json()["code"] == "results_not_final"
    tallies = ok(api.post(f"/api/elections/{election}/tabulate", {}, "capital_coordinator"))
    assert {t["contest_id"] for t in tallies} == {cw.contest(c) for c in CAPITAL_VOTES}
    assert all(t["final"] for t in tallies)
    listed = ok(api.get(f"/api/contests/{cw.contest('capital_list')}/result"))
    seats = {line["party"]: line["seats"] for line in listed["outcome"]["lists"]}
    assert seats == {"alpha": 1, "beta": 1, "gamma": 0}
    totals = ok(api.get(f"/api/elections/{election}/totals"))
    assert any(
        t["scope"] == "region" and t["key"] == cw.world.regions["capital"] for t in totals["items"]
    )

    asked = api.post(f"/api/elections/{election}/publish", {}, "capital_admin")
    published = acted(api, asked, "capital_admin")
    assert published["mandates"] == 4 and not published["late"]
    assert published["election_status"] == "called"  # the oblast and the Mazhilis still count
    mandates = ok(api.get(f"/api/mandates?election_id={election}&source=single_member"))
    winners = {m["contest_id"]: m for m in mandates["items"]}
    c1 = winners[cw.contest("capital_c1")]
    assert c1["person_id"] == cw.persons["capital_c1"]["Абаев"] and c1["state"] == "won"
    export = ok(api.get(f"/api/elections/{election}/export"))
    assert len(export["mandates"]) == 4 and export["election"]["id"] == election

    deputy = ok(
        api.post(
            f"/api/mandates/{c1['id']}/registration",
            {"application_received_on": "2023-03-20"},
            "capital_admin",
        )
    )
    assert deputy["state"] == "registered" and deputy["term_start"] == "2023-03-20"
    recall = api.post(
        f"/api/mandates/{c1['id']}/recall-cases", {"initiator": "A voter"}, "capital_admin"
    )
    assert recall.status_code == 409 and recall.json()["code"] == "recall_barred"
    api.clock.now = datetime(2023, 5, 2, 6, 0, tzinfo=UTC)
    vacancy = ok(
        api.post(
            f"/api/mandates/{c1['id']}/termination",
            {"on": "2023-05-01", "reason": "resigned"},
            "capital_admin",
        )
    )
    assert vacancy["outcome"] == "by_election" and vacancy["by_election_day"] == "2023-10-29"
    by_election = ok(api.get(f"/api/contests/{vacancy['by_election_contest_id']}"))
    assert by_election["follows_contest_id"] == cw.contest("capital_c1")
    assert ok(api.get("/api/vacancies?outcome=by_election"))["total"] == 1
    ended = ok(api.get(f"/api/mandates/{c1['id']}"))
    assert ended["state"] == "terminated" and ended["termination_reason"] == "resigned"
    again = api.post(
        f"/api/mandates/{c1['id']}/termination",
        {"on": "2023-05-01", "reason": "x"},
        "capital_admin",
    )
    assert again.status_code == 409 and again.json()["code"] == "already_terminated"
