"""The public results views (issue #5 §1) on SQLite and PostgreSQL: the drill-down from the
election to a precinct by following links, every view's page agreeing with its JSON and CSV twins
(one generic comparison for all views), preliminary → official on publication, the count and the
ETag moving with a new definitive protocol, every page in three languages, and 404 for unknown ids.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from fractions import Fraction
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor
from saylau.services.public import contest as public_results
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.services.turnout import report_turnout
from saylau.web.app import create_app
from saylau.web.pages.public.results import VIEWS
from tests.security.dual import run_approved
from tests.services.count_world import (
    CountWorld,
    actor,
    double_entry,
    figures,
    run,
    setup,
    typist,
)
from tests.web.test_commission_pages import assert_clean
from tests.world import CONTESTS

Factory = sessionmaker[Session]
IN_TIME = datetime(2023, 3, 22, 6, 0, tzinfo=UTC)  # before the results deadline (E+7)
AT_10_05 = datetime(2023, 3, 19, 4, 5, tzinfo=UTC)  # 10:05 in Asia/Almaty
LANGUAGES = ("kk", "ru", "en")
LIST_PRECINCTS = {
    "mazhilis_list": ("p1", "p2", "p3", "p4", "p5", "p6"),
    "oblast_list": ("p1", "p2", "p3", "p4"),
    "capital_list": ("p5", "p6"),
}
CAPITAL = ("capital_list", "capital_c1", "capital_c2")
OFFICIAL = {"kk": "Ресми", "ru": "Официальные", "en": "Official"}
PRELIMINARY = {"kk": "Алдын ала", "ru": "Предварительные", "en": "Preliminary"}


# --- set-up -----------------------------------------------------------------------------------------


def count(
    factory: Factory, cw: CountWorld, names: tuple[str, ...], skip: tuple[str, ...] = ()
) -> None:
    """Definitive protocols (double entry) of every precinct of the contests ``names``, with
    figures that differ per precinct so that a wrong join would show."""
    for name in names:
        precincts = CONTESTS[name][4] or LIST_PRECINCTS[name]
        ids = cw.choices[name]
        for i, precinct in enumerate(precincts):
            if precinct in skip:
                continue
            if name.endswith("_list"):
                votes = {ids["alpha"]: 300 + i, ids["beta"]: 150 + 7 * i, ids["gamma"]: 40 - i}
            else:
                votes = {ids["Абаев"]: 200 + 3 * i, ids["Бекова"]: 170 - i, ids["Жұмабаев"]: 30}
            data = figures(votes, voters=900 + 10 * i, against_all=10 + i, invalid=2 + i)
            double_entry(factory, cw, name, precinct, data)


def report_10(factory: Factory, cw: CountWorld, voted: dict[str, int]) -> None:
    """The 10:00 turnout reports of some precincts (``services/turnout.py``)."""
    for precinct, n in voted.items():
        who = typist(factory, cw, precinct, "a")
        e = cw.world.election
        run(factory, who, report_turnout, e, cw.precinct(precinct), "10:00", n, at=AT_10_05)


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


# --- the generic comparison of a page with its JSON and CSV twins ---------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
_FRACTION = re.compile(r"^-?\d+/\d+$")


class _Cells(HTMLParser):
    """The cells a page marks for comparison: rows (``data-row``) of cells (``data-column``)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None, str | None]] = []
        self.rows: list[tuple[str, dict[str, str]]] = []
        self.open_rows: list[tuple[str, dict[str, str]]] = []
        self.capturing: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        found = dict(attrs)
        row, column = found.get("data-row"), found.get("data-column")
        self.stack.append((tag, row, column))
        if row is not None:
            self.open_rows.append((row, {}))
        if column is not None:
            self.capturing.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        while self.stack:
            open_tag, row, column = self.stack.pop()
            if column is not None:
                text = "".join(self.capturing.pop())
                assert self.open_rows, f"cell {column!r} outside a data-row"
                self.open_rows[-1][1][column] = text.strip()
            if row is not None:
                self.rows.append(self.open_rows.pop())
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for capture in self.capturing:
            capture.append(data)


def marked_rows(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Cells()
    parser.feed(html)
    parser.close()
    return [(spec, cells) for spec, cells in parser.rows if cells]


def objects(document: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the document, depth first."""
    if isinstance(document, dict):
        yield document
        for value in document.values():
            yield from objects(value)
    elif isinstance(document, list):
        for value in document:
            yield from objects(value)


_MISSING = object()


def resolve(item: Any, dotted: str) -> Any:
    for part in [p for p in dotted.split(".") if p]:
        if not isinstance(item, dict) or part not in item:
            return _MISSING
        item = item[part]
    return item


def shown_as(text: str, value: Any, language: str) -> bool:
    """Whether a page's text shows the JSON value (formatted with Babel in ``language``)."""
    if value is None:
        return text in ("—", "")
    if isinstance(value, bool):
        return False  # flags are shown as words, never marked for comparison
    if isinstance(value, int):
        digits = re.sub(r"\D", "", text)
        return digits != "" and int(digits) == value
    if isinstance(value, str) and _FRACTION.match(value):
        number = text.replace("%", "").replace("\xa0", "").replace("\u202f", "").replace(" ", "")
        number = number.replace(",", "") if language == "en" else number.replace(",", ".")
        return abs(Fraction(number) - Fraction(value) * 100) <= Fraction(1, 200)
    return text == str(value)


def candidates(document: Any, spec: str, columns: list[str]) -> list[Any]:
    """The JSON objects a marked row or CSV row stands for (``key:value`` or ``@path``)."""
    if spec.startswith("@"):
        found = resolve(document, spec[1:].replace("/", "."))
        return [] if found is _MISSING else [found]
    key, _, value = spec.partition(":")
    return [
        item
        for item in objects(document)
        if key in item
        and str(item[key]) == value
        and all(resolve(item, c) is not _MISSING for c in columns)
    ]


def assert_agree(html: str, document: Any, csv_text: str, language: str, where: str) -> None:
    """The page, its JSON and its CSV show the same figures (used for every view)."""
    rows = marked_rows(html)
    assert rows, f"{where}: no marked figures on the page"
    for spec, cells in rows:
        found = candidates(document, spec, list(cells))
        assert found, f"{where}: row {spec} {cells} is not in the JSON"
        assert any(
            all(shown_as(text, resolve(item, column), language) for column, text in cells.items())
            for item in found
        ), (where, spec, cells, found[:2])
    table = list(csv.reader(io.StringIO(csv_text)))
    header, body = table[0], table[1:]
    shown = {spec: cells for spec, cells in rows}
    for line in body:
        spec = f"{header[0]}:{line[0]}"
        found = candidates(document, spec, header)
        assert found, f"{where}: CSV row {spec} is not in the JSON"
        assert any(
            all(
                cell == ("" if resolve(item, column) is None else str(resolve(item, column)))
                for column, cell in zip(header, line, strict=True)
            )
            for item in found
        ), (where, spec, line)
        assert spec in shown, f"{where}: CSV row {spec} is not on the page"
        for column, text in shown[spec].items():
            if column in header:
                value = resolve(found[0], column)
                assert shown_as(text, value, language), (where, spec, column, text, value)


# --- the tests ---------------------------------------------------------------------------------------


def test_the_drill_down_from_the_election_to_a_precinct_follows_links(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    count(factory, cw, ("oblast_list", "oblast_o1", "district_d1"))
    run(factory, Actor.operator(), tabulate_election, election_id(cw))
    e = election_id(cw)

    def follow(page: str, pattern: str) -> str:
        html = client.get(page).text
        match = re.search(f'href="({pattern})"', html)
        assert match, (page, pattern)
        assert client.get(match.group(1)).status_code == 200
        return match.group(1)

    region = follow(f"/kk/elections/{e}/", rf"/kk/elections/{e}/regions/KZ-35/")
    body = follow(region, rf"/kk/elections/{e}/bodies/{cw.world.bodies['oblast']}/")
    contest = follow(body, rf"/kk/elections/{e}/contests/{cw.contest('oblast_o1')}/")
    precinct = follow(contest, rf"/kk/elections/{e}/precincts/{cw.precinct('p2')}/")
    page = client.get(precinct).text
    # The breadcrumbs lead back up: national → region → maslikhat → precinct.
    for up in (f"/kk/elections/{e}/", region, f"/kk/elections/{e}/bodies/"):
        assert f'href="{up}' in page
    assert 'aria-current="page"' in page and "№ 2" in page
    data = client.get(f"/data/elections/{e}/precincts/{cw.precinct('p2')}/index.json").json()
    by_contest = {p["contest_id"]: p for p in data["protocols"]}
    o1 = by_contest[cw.contest("oblast_o1")]
    assert o1["definitive"] is True
    votes = {ln["label"].split()[0]: ln["value"] for ln in o1["lines"] if ln["line"] == "choice"}
    assert votes == {"Абаев": 203, "Бекова": 169, "Жұмабаев": 30}
    mazhilis = by_contest[cw.contest("mazhilis_list")]
    assert mazhilis["definitive"] is False and {ln["value"] for ln in mazhilis["lines"]} == {None}
    assert [c["level"] for c in data["breadcrumbs"]] == ["election", "region", "body", "precinct"]


def test_every_view_agrees_with_its_json_and_csv_twins_in_every_language(
    factory: Factory, cw: CountWorld, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_results, "PAGE_SIZE", 4)  # the Mazhilis list gets a second page
    report_10(factory, cw, {"p1": 120, "p5": 333})
    count(factory, cw, ("mazhilis_list", "oblast_list", "oblast_o1", "oblast_o2", "district_d1"))
    count(factory, cw, CAPITAL, skip=("p6",))
    run(factory, Actor.operator(), tabulate_election, election_id(cw))
    seen: dict[str, int] = {}
    with factory() as session:
        instances = [(view, params) for view in VIEWS for params in view.instances(session)]
        rendered: dict[str, dict[str, bytes]] = {}
        for view, params in instances:  # the first instance of each view, as published
            rendered.setdefault(view.path, view.render(session, params))
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
            assert f'href="{view.data_path(params, "csv")}"' in page.text
            assert 'class="breadcrumbs"' in page.text and 'class="counted"' in page.text
            assert_clean(page.text)
            assert_agree(page.text, document.json(), table.text, language, path)
    # Every view has instances; the two Mazhilis contests (6 precincts) have a second page.
    assert seen == {
        "elections/{election_id}/": 1,
        "elections/{election_id}/regions/{region_code}/": 2,
        "elections/{election_id}/bodies/{body_id}/": 5,
        "elections/{election_id}/contests/{contest_id}/": len(CONTESTS),
        "elections/{election_id}/contests/{contest_id}/precincts/{number}/": 2,
        "elections/{election_id}/precincts/{precinct_id}/": 6,
    }
    # What `saylau publish` will write is what is served.
    for files in rendered.values():
        for path, body in files.items():
            served = client.get(path.removesuffix("index.html"))
            assert served.content == body, path


def test_the_overview_counts_precincts_and_turnout_from_definitive_protocols(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    count(factory, cw, (*CAPITAL, "mazhilis_list", "mazhilis_m1"), skip=("p1", "p2", "p3", "p4"))
    data = client.get(f"/data/elections/{e}/index.json").json()
    # Only the capital's precincts have every protocol of their ballots definitive.
    assert data["progress"]["precincts_counted"] == 2 and data["progress"]["precincts_total"] == 6
    regions = {r["region_code"]: r for r in data["regions"]}
    assert (regions["KZ-71"]["precincts_counted"], regions["KZ-71"]["precincts_total"]) == (2, 2)
    assert (regions["KZ-35"]["precincts_counted"], regions["KZ-35"]["precincts_total"]) == (0, 4)
    # Turnout from the Mazhilis list protocols of p5 and p6 (the 5th and 6th of its precincts):
    # ballots in the boxes / voters on the lists.
    boxes = sum(490 + 7 * i + (10 + i) + (2 + i) for i in (4, 5))
    assert data["turnout"]["ballots_in_boxes"] == boxes == 1085
    assert data["turnout"]["share"] == str(Fraction(boxes, 940 + 950))
    mazhilis = data["mazhilis"]
    assert {c["party"]: c["votes"] for c in mazhilis["choices"]} == {
        "alpha": 609,
        "beta": 363,
        "gamma": 71,
    }
    assert mazhilis["precincts_counted"] == 2 and mazhilis["status"] == "not_tabulated"
    assert data["turnout_marks"] == []  # nothing reported at 10:00 yet
    report_10(factory, cw, {"p1": 120, "p5": 333, "p6": 200})
    data = client.get(f"/data/elections/{e}/index.json").json()
    assert data["turnout_marks"] == [
        {
            "at": "10:00",
            "reported": 3,
            "precincts": 6,
            "voted": 653,
            "voters": 1000 + 2000 + 1800,
            "share": str(Fraction(653, 4800)),
        }
    ]
    capital = client.get(f"/data/elections/{e}/regions/KZ-71/index.json").json()
    assert [(m["reported"], m["precincts"], m["voted"]) for m in capital["turnout_marks"]] == [
        (2, 2, 533)
    ]
    page = client.get(f"/en/elections/{e}/").text
    assert "2 of 6 precincts counted" in page and "13.60%" in page  # 653 / 4,800 at 10:00


def test_preliminary_results_become_official_when_published(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    count(factory, cw, CAPITAL)
    admin = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run(factory, admin, tabulate_election, e)
    body = f"elections/{e}/bodies/{cw.world.bodies['capital']}/"
    contest = f"elections/{e}/contests/{cw.contest('capital_c1')}/"
    before = client.get(f"/data/{body}index.json").json()
    assert before["official"] is False
    assert [d["official"] for d in before["districts"]] == [False, False]
    assert before["districts"][0]["status"] == "elected"
    assert before["list_result"]["official"] is False
    for language in LANGUAGES:
        page = client.get(f"/{language}/{body}").text
        assert PRELIMINARY[language] in page and OFFICIAL[language] not in page
    run_approved(factory, admin, publish_results, e, at=IN_TIME)
    after = client.get(f"/data/{body}index.json").json()
    assert after["official"] is True and after["list_result"]["official"] is True
    assert [d["official"] for d in after["districts"]] == [True, True]
    result = client.get(f"/data/{contest}index.json").json()
    assert result["official"] is True and result["outcome"]["published_at"] is not None
    assert result["outcome"]["document"]["winner"]["name"].startswith("Абаев")
    for language in LANGUAGES:
        page = client.get(f"/{language}/{body}").text
        assert OFFICIAL[language] in page and PRELIMINARY[language] not in page
    # The oblast is not published: the election as a whole stays preliminary.
    assert client.get(f"/data/elections/{e}/index.json").json()["official"] is False


def test_a_second_definitive_protocol_changes_the_count_and_the_etag(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    contest = f"elections/{e}/contests/{cw.contest('oblast_list')}/"
    ids = cw.choices["oblast_list"]
    votes = {ids["alpha"]: 300, ids["beta"]: 200, ids["gamma"]: 30}
    double_entry(factory, cw, "oblast_list", "p1", figures(votes, against_all=5, invalid=1))
    paths = (f"/data/{contest}index.json", f"/data/{contest}index.csv", f"/ru/{contest}")
    first = {path: client.get(path) for path in paths}
    data = first[paths[0]].json()
    assert (data["progress"]["precincts_counted"], data["progress"]["precincts_total"]) == (1, 4)
    assert data["totals"]["valid"] == 535 and data["updated_at"] is not None
    for path, response in first.items():
        again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
    double_entry(factory, cw, "oblast_list", "p3", figures(votes, against_all=5, invalid=1))
    data = client.get(paths[0]).json()
    assert data["progress"]["precincts_counted"] == 2 and data["totals"]["valid"] == 1070
    assert {c["label"]: c["votes"] for c in data["choices"]} == {
        "Alpha": 600,
        "Beta": 400,
        "Gamma": 60,
    }
    for path, response in first.items():
        changed = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert changed.status_code == 200 and changed.headers["etag"] != response.headers["etag"]
    assert "2 из 4" in client.get(paths[2]).text


def test_unknown_ids_give_404(factory: Factory, cw: CountWorld, client: TestClient) -> None:
    e = election_id(cw)
    wrong = [
        "elections/999/",
        f"elections/{e}/regions/KZ-99/",
        "elections/999/regions/KZ-35/",
        f"elections/{e}/bodies/999/",
        f"elections/{e}/contests/999/",
        f"elections/{e}/contests/{cw.contest('oblast_o1')}/precincts/9/",
        f"elections/{e}/precincts/999/",
    ]
    for path in wrong:
        for url in (f"/kk/{path}", f"/data/{path}index.json", f"/data/{path}index.csv"):
            assert client.get(url).status_code == 404, url
    assert client.get(f"/de/elections/{e}/").status_code == 404
