"""The monograph's indicators on the public site (issue #7 §3, issue #5) on SQLite and PostgreSQL:
the page shows the report of the stored election inside the public layout in three languages, its
JSON twin is the report model and its CSV twin every table cell, the three agree cell by cell, a
figure equals the indicator computed directly from the protocols, and the static publication
writes the same bytes.

The report's cells are not all percentages (candidates per seat, mean age, KB are plain ratios), so
the generic comparison of ``test_public_results.py`` (which reads an exact fraction as a share) does
not fit; :func:`assert_indicators_agree` reads the same page markup (``data-row``/``data-column``,
with :func:`tests.web.test_public_results.marked_rows`) and compares each shown cell with the exact
value formatted by the report's own renderer, and with the printed value of the JSON and the CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.analytics import indicators as ind
from saylau.analytics.render import Texts, cell_text, rounded
from saylau.analytics.report import REPORT_TITLE, Cell, Column, Kind
from saylau.domain.states import ProtocolState
from saylau.law.bodies import ContestKind
from saylau.storage.models import Contest, Protocol
from saylau.web.app import create_app
from saylau.web.pages.public import all_views
from saylau.web.pages.public.indicators import CSV_HEADER, INDICATORS
from tests.analytics.test_report import count_world_election
from tests.web.test_commission_pages import assert_clean
from tests.web.test_public_results import marked_rows

Factory = sessionmaker[Session]
LANGUAGES = ("kk", "ru", "en")


# --- the comparison of the page with its twins ----------------------------------------------------


def _exact(value: Any) -> Cell:
    """A JSON cell back as the report's typed cell (``"n/d"`` → Fraction)."""
    if isinstance(value, str) and "/" in value:
        return Fraction(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return Fraction(int(value))
    return value  # type: ignore[no-any-return]


def assert_indicators_agree(
    html: str, document: dict[str, Any], csv_text: str, language: str, where: str
) -> int:
    """The page, its JSON and its CSV show the same cells; returns how many were compared.

    JSON: each printed value is the exact value rounded as its column prints it. Page: each marked
    cell is the exact value formatted in ``language`` by the report's renderer, each row label the
    JSON label in ``language``, and every JSON cell is on the page. CSV: one line per JSON cell, the
    same labels, printed and exact values.
    """
    texts = Texts(language)
    cells: dict[tuple[str, str, str], tuple[Any, Any, dict[str, str]]] = {}
    for section in document["sections"]:
        for table in section["tables"]:
            for row in table["rows"]:
                for c in table["columns"]:
                    column = Column(c["key"], "", Kind(c["kind"]), c["places"])
                    exact, printed = row["values"][c["key"]], row["printed"][c["key"]]
                    shown = rounded(_exact(exact), column)
                    assert printed == (None if shown is None else str(shown)), (where, row, c)
                    cells[(table["id"], row["key"], c["key"])] = (exact, printed, row["label"])
    assert cells, f"{where}: no cells in the JSON"
    page: dict[tuple[str, str, str], str] = {}
    for spec, shown_cells in marked_rows(html):
        table_id, _, row_key = spec.partition("/")
        label = shown_cells.pop("label")
        for column_key, text in shown_cells.items():
            key = (table_id, row_key, column_key)
            assert key in cells, f"{where}: {key} is on the page, not in the JSON"
            exact, _printed, labels = cells[key]
            assert label == labels[language], (where, key, label)
            table = next(
                t for s in document["sections"] for t in s["tables"] if t["id"] == table_id
            )
            c = next(c for c in table["columns"] if c["key"] == column_key)
            column = Column(c["key"], "", Kind(c["kind"]), c["places"])
            assert text == cell_text(texts, _exact(exact), column), (where, key, text, exact)
            page[key] = text
    assert set(page) == set(cells), f"{where}: cells missing on the page"
    lines = list(csv.DictReader(io.StringIO(csv_text)))
    assert lines and list(lines[0]) == list(CSV_HEADER)
    seen = set()
    for line in lines:
        key = (line["table"], line["row"], line["column"])
        assert key in cells and key not in seen, (where, key)
        seen.add(key)
        exact, printed, labels = cells[key]
        assert line["value"] == ("" if printed is None else printed), (where, key)
        assert line["exact"] == ("" if exact is None else str(exact)), (where, key)
        assert [line["label_kk"], line["label_ru"], line["label_en"]] == [
            labels["kk"],
            labels["ru"],
            labels["en"],
        ], (where, key)
    assert seen == set(cells), f"{where}: cells missing in the CSV"
    return len(cells)


# --- the tests ---------------------------------------------------------------------------------------


@pytest.fixture
def election(factory: Factory) -> int:
    cw = count_world_election(factory)
    assert cw.world.election is not None
    return cw.world.election


@pytest.fixture
def client(factory: Factory) -> Iterator[TestClient]:
    with TestClient(create_app(factory, secret="test-secret")) as test_client:
        yield test_client


def test_the_indicators_page_agrees_with_its_twins_in_every_language(
    factory: Factory, election: int, client: TestClient
) -> None:
    params = {"election_id": election}
    document = client.get(INDICATORS.data_path(params, "json"))
    table = client.get(INDICATORS.data_path(params, "csv"))
    assert document.status_code == table.status_code == 200
    assert table.headers["content-type"].startswith("text/csv")
    data = document.json()
    assert data["election_id"] == election and data["source"] == "stored"
    assert [s["id"] for s in data["sections"]] == [
        "electorate",
        "turnout",
        "nomination",
        "results",
        "competitiveness",
        "observation",
    ]
    for language in LANGUAGES:
        path = INDICATORS.page_path(language, params)
        page = client.get(path)
        assert page.status_code == 200, page.text[:300]
        html = page.text
        assert f'<html lang="{language}">' in html
        assert_clean(html)
        assert Texts(language)(REPORT_TITLE) in html
        assert f'href="{INDICATORS.data_path(params, "json")}"' in html
        assert f'href="{INDICATORS.data_path(params, "csv")}"' in html
        # Accessible charts: an SVG per figure, named, each followed by its data table.
        figures = [f for s in data["sections"] for f in s["figures"]]
        assert html.count('<svg class="chart') == len(figures) > 0
        assert (
            html.count("<table")
            == html.count("<caption>")
            == len([t for s in data["sections"] for t in s["tables"]])
        )
        compared = assert_indicators_agree(html, data, table.text, language, path)
        assert compared > 100
    # The election's overview links to its indicators.
    overview = client.get(f"/ru/elections/{election}/").text
    assert f'href="/ru/elections/{election}/indicators/"' in overview
    # What `saylau publish` writes is what is served.
    assert INDICATORS in all_views()
    with factory() as session:
        files = INDICATORS.render(session, params)
    assert len(files) == 5
    for path, body in files.items():
        assert client.get(path.removesuffix("index.html")).content == body, path


def test_the_national_turnout_is_the_one_of_the_protocols(
    factory: Factory, election: int, client: TestClient
) -> None:
    """Final turnout = ballots in the boxes / voters on the lists of the definitive Mazhilis-list
    protocols (CL art. 43), computed here straight from the protocols."""
    with factory() as session:
        rows = session.execute(
            select(Protocol.voters_on_list, Protocol.ballots_in_boxes)
            .join(Contest, Contest.id == Protocol.contest_id)
            .where(
                Contest.election_id == election,
                Contest.kind == ContestKind.MAZHILIS_LIST,
                Protocol.state == ProtocolState.DEFINITIVE,
            )
        ).all()
    voters = sum(r.voters_on_list for r in rows)
    boxes = sum(r.ballots_in_boxes for r in rows)
    direct = ind.ratio(boxes, voters)
    assert direct == Fraction(1024 + 308, 3800 + 1000)  # the count world's three precincts
    data = client.get(f"/data/elections/{election}/indicators/index.json").json()
    turnout = next(t for s in data["sections"] for t in s["tables"] if t["id"] == "turnout")
    total = next(r for r in turnout["rows"] if r["key"] == "total")
    assert Fraction(total["values"]["final"]) == direct
    assert total["printed"]["final"] == str(ind.round_half_up(direct * 100, 2)) == "27.75"
    lines = client.get(f"/data/elections/{election}/indicators/index.csv").text.splitlines()
    assert "turnout,total,Барлығы,Всего,Total,final,27.75,111/400" in lines
    shown = {"kk": "27,75", "ru": "27,75", "en": "27.75"}
    for language in LANGUAGES:
        html = client.get(f"/{language}/elections/{election}/indicators/").text
        rows_shown = dict(marked_rows(html))
        assert rows_shown["turnout/total"]["final"] == shown[language]
    # Candidates per seat (a ratio, not a share): 7 nominated for the capital's 2 seats.
    competition = next(
        t for s in data["sections"] for t in s["tables"] if t["id"] == "competition-first"
    )
    capital = next(r for r in competition["rows"] if r["key"] == "KZ-71")
    assert Fraction(capital["values"]["per_seat"]) == ind.candidates_per_seat(7, 2)
    assert Decimal(capital["printed"]["per_seat"]) == Decimal("3.5")


def test_an_unknown_election_gives_404(factory: Factory, client: TestClient) -> None:
    for path in (
        "/kk/elections/987654/indicators/",
        "/data/elections/987654/indicators/index.json",
        "/data/elections/987654/indicators/index.csv",
    ):
        assert client.get(path).status_code == 404, path
