"""Open data (issue #5 §4): the NIST SP 1500-100 export validates against the published schema and
agrees with the protocols, the whole-election protocol table sums to the contest totals, the
results document is the service's export, and the data dictionary describes every dataset.

Only definitive protocols are published (CL art. 43): a protocol entered once is left out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft4Validator, FormatChecker
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.opendata import protocols
from saylau.services.protocols import enter_protocol
from saylau.services.results import export_results, publish_results
from saylau.services.tabulation import tabulate_election
from saylau.storage.models import Contest, ContestResult
from saylau.web.app import create_app
from saylau.web.pages.public import home
from saylau.web.pages.public.opendata import DATASETS
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, actor, figures, run, setup, typist
from tests.services.test_results import count_everything
from tests.web.test_commission_pages import assert_clean
from tests.world import CONTESTS

SCHEMA = (
    Path(__file__).parents[1]
    / "data"
    / "standards"
    / "nist-1500-100-v2-election-results-reporting.schema.json"
)
IN_TIME = datetime(2023, 3, 22, 6, 0, tzinfo=UTC)
UNCOUNTED = "city_t2"
"""Left with one entry only: not definitive, so in no dataset."""


# --- checks shared with the CLI and the national demo tests -----------------------------------------


def validate_nist(document: dict[str, Any]) -> None:
    """Valid against the NIST SP 1500-100 v2 JSON schema (draft-04, formats checked), and every
    reference (``…Id`` / ``…Ids``) names an object of the document."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    errors = sorted(
        Draft4Validator(schema, format_checker=FormatChecker()).iter_errors(document),
        key=lambda e: list(e.path),
    )
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
    # The schema marks references with ``refTypes`` (not checked by the validator itself).
    ref_keys = {
        name
        for definition in schema["definitions"].values()
        for name, spec in definition.get("properties", {}).items()
        if "refTypes" in spec or "refTypes" in spec.get("items", {})
    }
    ids: Counter[str] = Counter()
    refs: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@id":
                    ids[item] += 1
                elif key in ref_keys:
                    refs.update([item] if isinstance(item, str) else item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    assert not [i for i, n in ids.items() if n > 1], "duplicate @id"
    assert refs <= set(ids), sorted(refs - set(ids))[:5]


def contests_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["@id"]: c for c in document["Election"][0]["Contest"]}


def results_of(session: Session, election_id: int) -> list[ContestResult]:
    return list(
        session.scalars(
            select(ContestResult)
            .join(Contest, Contest.id == ContestResult.contest_id)
            .where(Contest.election_id == election_id)
        )
    )


def assert_nist_agrees_with_results(session: Session, document: dict[str, Any]) -> int:
    """Each selection's precinct VoteCounts sum to the contest's tabulated total (CL art. 43), the
    "against all" line too; returns how many contests were compared."""
    contests = contests_of(document)
    election_id = int(document["Election"][0]["ExternalIdentifier"][0]["Value"])
    compared = 0
    for result in results_of(session, election_id):
        contest = contests[f"cnt-{result.contest_id}"]
        assert contest["SubUnitsReported"] == result.precincts_counted
        sums = {
            s["@id"]: sum(v["Count"] for v in s.get("VoteCounts", []))
            for s in contest["ContestSelection"]
        }
        for choice, votes in result.totals["votes"].items():
            assert sums[f"sel-{choice}"] == votes, (result.contest_id, choice)
        assert sums[f"sel-cnt-{result.contest_id}-against-all"] == result.totals["against_all"]
        compared += 1
    return compared


def assert_csv_agrees_with_results(session: Session, election_id: int, text: str) -> int:
    """The protocol table's votes per line and "against all" per protocol sum to the totals."""
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == list(protocols.HEADER)
    votes: Counter[tuple[int, int]] = Counter()
    against: dict[int, dict[str, int]] = {}
    for row in rows:
        contest = int(row["contest_id"])
        votes[(contest, int(row["choice_id"]))] += int(row["votes"])
        against.setdefault(contest, {})[row["protocol_id"]] = int(row["against_all"])
    assert {int(row["election_id"]) for row in rows} == {election_id}
    compared = 0
    for result in results_of(session, election_id):
        for choice, total in result.totals["votes"].items():
            assert votes[(result.contest_id, int(choice))] == total
        counted = against.get(result.contest_id, {})
        assert sum(counted.values()) == result.totals["against_all"]
        assert len(counted) == result.precincts_counted
        compared += 1
    return compared


def check_open_data(factory: sessionmaker[Session], election_id: int) -> None:
    """The national demo's datasets as served: the NIST export is valid, marked synthetic and
    agrees with every contest's total; the protocol table sums to the same totals (used by
    ``tests/demo/test_generator.py``, which builds the demo once)."""
    client = TestClient(create_app(factory, secret="test-secret"))
    response = client.get(f"/data/elections/{election_id}/nist-1500-100.json")
    assert response.status_code == 200
    document = response.json()
    validate_nist(document)
    assert document["IsTest"] is True and document["TestType"] == "synthetic"
    assert document["Status"] == "certified"  # the demo's results are published
    units = Counter(u["Type"] for u in document["GpUnit"])
    assert units["country"] == 1 and units["precinct"] >= 2746
    table = client.get(f"/data/elections/{election_id}/protocols.csv").text
    with factory() as session:
        contests = assert_nist_agrees_with_results(session, document)
        assert contests == len(document["Election"][0]["Contest"]) > 3000
        assert assert_csv_agrees_with_results(session, election_id, table) == contests


# --- the count world ----------------------------------------------------------------------------------


@pytest.fixture
def counted(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, CountWorld]]:
    """Every contest counted but one (entered once only); tabulated; the capital published."""
    cw = setup(factory)
    count_everything(factory, cw, [name for name in CONTESTS if name != UNCOUNTED])
    ids = cw.choices[UNCOUNTED]
    run(
        factory,
        typist(factory, cw, "p4", "a"),
        enter_protocol,
        cw.contest(UNCOUNTED),
        cw.precinct("p4"),
        figures({ids["Абаев"]: 500, ids["Бекова"]: 0, ids["Жұмабаев"]: 0}),
    )
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    run(factory, cec, tabulate_election, cw.world.election, at=IN_TIME)
    capital = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run_approved(factory, capital, publish_results, cw.world.election, at=IN_TIME)
    with TestClient(create_app(factory, secret="test-secret")) as client:
        yield client, cw


def test_the_nist_export_validates_and_agrees_with_the_definitive_protocols(
    factory: sessionmaker[Session], counted: tuple[TestClient, CountWorld]
) -> None:
    client, cw = counted
    election = cw.world.election
    path = f"/data/elections/{election}/nist-1500-100.json"
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document = response.json()
    validate_nist(document)
    with factory() as session:
        assert assert_nist_agrees_with_results(session, document) == len(CONTESTS)
    assert document["Format"] == "precinct-level" and document["Status"] == "unofficial-partial"
    assert document["IsTest"] is False and "TestType" not in document
    contests = contests_of(document)
    kinds = Counter(c["@type"] for c in contests.values())
    assert kinds == {"ElectionResults.CandidateContest": 10, "ElectionResults.PartyContest": 3}
    # A list contest: parties in ballot order, then "against all"; 300 votes at each precinct.
    capital = contests[f"cnt-{cw.contest('capital_list')}"]
    assert capital["ElectionDistrictId"] == f"gpu-region-{cw.world.regions['capital']}"
    lines = capital["ContestSelection"]
    assert [s["@type"].split(".")[1] for s in lines] == ["PartySelection"] * 3 + [
        "BallotMeasureSelection"
    ]
    alpha = lines[0]
    assert alpha["PartyIds"] == [f"party-{cw.world.parties['alpha']}"]
    assert alpha["VoteCounts"] == [
        {
            "@type": "ElectionResults.VoteCounts",
            "GpUnitId": f"gpu-precinct-{cw.precinct(p)}",
            "Type": "total",
            "Count": 300,
        }
        for p in ("p5", "p6")
    ]
    against = lines[-1]
    assert [t["Content"] for t in against["Selection"]["Text"]] == [
        "Барлығына қарсы",
        "Против всех",
        "Against all",
    ]
    assert [v["Count"] for v in against["VoteCounts"]] == [10, 10]
    # A district: its precincts compose it; counted status; the entered-once contest has none.
    o1 = contests[f"cnt-{cw.contest('oblast_o1')}"]
    assert o1["ElectionDistrictId"] == f"gpu-district-{cw.world.districts['oblast_o1']}"
    assert (o1["SubUnitsReported"], o1["TotalSubUnits"]) == (2, 2)
    assert o1["CountStatus"][0]["Status"] == "completed"
    units = {u["@id"]: u for u in document["GpUnit"]}
    district = units[o1["ElectionDistrictId"]]
    assert district["ComposingGpUnitIds"] == [
        f"gpu-precinct-{cw.precinct('p1')}",
        f"gpu-precinct-{cw.precinct('p2')}",
    ]
    uncounted = contests[f"cnt-{cw.contest(UNCOUNTED)}"]
    assert (uncounted["SubUnitsReported"], uncounted["TotalSubUnits"]) == (0, 1)
    assert uncounted["CountStatus"][0]["Status"] == "not-processed"
    assert all(not s["VoteCounts"] for s in uncounted["ContestSelection"])
    # Ballot figures per contest and precinct: 500 votes + 10 against all + 2 invalid.
    ballots = [
        b
        for b in document["Election"][0]["BallotCounts"]
        if b["OtherType"] == f"cnt-{cw.contest('capital_c1')}"
    ]
    assert ballots == [
        {
            "@type": "ElectionResults.BallotCounts",
            "GpUnitId": f"gpu-precinct-{cw.precinct('p5')}",
            "Type": "other",
            "OtherType": f"cnt-{cw.contest('capital_c1')}",
            "BallotsCast": 362,
            "BallotsRejected": 2,
        }
    ]
    # Candidates: the capital's winners are official (published), the others projected.
    statuses = {c["@id"]: c.get("PostElectionStatus") for c in document["Election"][0]["Candidate"]}
    assert statuses[f"cand-{cw.nominations['capital_c1']['Абаев']}"] == "winner"
    assert statuses[f"cand-{cw.nominations['capital_c1']['Бекова']}"] == "defeated"
    assert statuses[f"cand-{cw.nominations['oblast_o1']['Абаев']}"] == "projected-winner"
    assert statuses[f"cand-{cw.nominations[UNCOUNTED]['Абаев']}"] is None
    precinct = units[f"gpu-precinct-{cw.precinct('p5')}"]
    assert (precinct["Type"], precinct["Number"], precinct["VotersRegistered"]) == (
        "precinct",
        "1",
        2000,
    )
    # Stable: the same data give the same bytes (and a poller gets 304).
    again = client.get(path)
    assert again.content == response.content
    etag = response.headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/data/elections/999999/nist-1500-100.json").status_code == 404


def test_the_election_becomes_certified_when_published(factory: sessionmaker[Session]) -> None:
    cw = setup(factory)
    count_everything(factory, cw, list(CONTESTS))
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    run(factory, cec, tabulate_election, cw.world.election, at=IN_TIME)
    client = TestClient(create_app(factory, secret="test-secret"))
    path = f"/data/elections/{cw.world.election}/nist-1500-100.json"
    before = client.get(path)
    assert before.json()["Status"] == "unofficial-complete"
    run_approved(factory, cec, publish_results, cw.world.election, at=IN_TIME)
    after = client.get(path)
    assert after.headers["etag"] != before.headers["etag"]
    document = after.json()
    validate_nist(document)
    assert document["Status"] == "certified"
    winners = [
        c for c in document["Election"][0]["Candidate"] if c["PostElectionStatus"] == "winner"
    ]
    assert len(winners) == 10  # every single-member district has its winner (CL art. 9 para 3)


def test_the_protocol_table_sums_to_the_contest_totals(
    factory: sessionmaker[Session], counted: tuple[TestClient, CountWorld]
) -> None:
    client, cw = counted
    path = f"/data/elections/{cw.world.election}/protocols.csv"
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    with factory() as session:
        assert assert_csv_agrees_with_results(session, cw.world.election, response.text) == len(
            CONTESTS
        )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert str(cw.contest(UNCOUNTED)) not in {r["contest_id"] for r in rows}
    # 3 list contests × their precincts × 3 parties + 9 districts' precincts × 3 candidates.
    list_lines = (6 + 4 + 2) * 3
    district_lines = sum(len(v[4]) for n, v in CONTESTS.items() if not n.endswith("_list")) * 3 - 3
    assert len(rows) == list_lines + district_lines
    first = rows[0]
    assert (first["region_code"], first["precinct_number"]) == ("KZ-35", "1")
    assert first["against_all"] == "10" and first["invalid"] == "2"
    etag = response.headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/data/elections/999999/protocols.csv").status_code == 404


def test_the_results_document_is_the_services_export(
    factory: sessionmaker[Session], counted: tuple[TestClient, CountWorld]
) -> None:
    client, cw = counted
    path = f"/data/elections/{cw.world.election}/results.json"
    document = client.get(path).json()
    with factory() as session:
        expected = json.loads(json.dumps(export_results(session, cw.world.election)))
        published = session.scalars(
            select(Contest.id).join(ContestResult).where(ContestResult.published_at.is_not(None))
        ).all()
    assert document == expected
    official = [
        c["contest_id"] for c in document["contests"] if (c["result"] or {}).get("published_at")
    ]
    assert sorted(official) == sorted(published) and published
    etag = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/data/elections/999999/results.json").status_code == 404


def test_the_data_dictionary_describes_every_dataset_in_three_languages(
    counted: tuple[TestClient, CountWorld],
) -> None:
    client, cw = counted
    fields = {d.key: [f.name for f in d.fields] for d in DATASETS}
    assert fields["elections"] == ["synthetic", *home.HEADER]
    assert fields["protocols"] == list(protocols.HEADER)
    election = cw.world.election
    for language, heading, licence in (
        ("kk", "Деректер сөздігі", "Лицензия және дереккөз"),
        ("ru", "Словарь данных", "Лицензия и происхождение данных"),
        ("en", "Data dictionary", "Licence and provenance"),
    ):
        page = client.get(f"/{language}/open-data/")
        assert page.status_code == 200 and "set-cookie" not in page.headers
        text = page.text
        assert f'lang="{language}"' in text and heading in text and licence in text
        assert_clean(text)
        for dataset in DATASETS:
            for path in dataset.paths:
                assert f"<code>{escape(path)}</code>" in text
        for name in [*protocols.HEADER, *home.HEADER]:
            assert f"<code>{name}</code>" in text
        for dataset_path in ("results.json", "protocols.csv", "nist-1500-100.json"):
            href = f'href="/data/elections/{election}/{dataset_path}"'
            assert href in text
            assert client.get(href[6:-1]).status_code == 200
        assert "SYNTHETIC" in text  # the note on demo data is always there
        assert 'class="notice"' not in text  # …but this world is not synthetic
    russian = client.get("/ru/open-data/").text
    assert "Голоса «против всех»" in russian and "целое число" in russian
    assert client.get("/de/open-data/").status_code in (404, 422)
