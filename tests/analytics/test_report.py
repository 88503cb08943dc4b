"""The analytical report (issue #7 §§2-3): one report model over both sources, in three languages,
as HTML, PDF, XLSX and CSV.

The stored source is the count world (tests/services/count_world.py) counted through the real
workflows (double-entered protocols, turnout reports, tabulation, publication) on SQLite and
PostgreSQL; its indicators are checked against values computed by hand below. The seed source is the
monograph's tables; its cells are checked against the indicator library on the printed figures.
"""

from __future__ import annotations

import ast
import io
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.analytics import indicators as ind
from saylau.analytics import report as report_module
from saylau.analytics.figures import ElectionFigures, Level, from_seed
from saylau.analytics.render import (
    LANGUAGES,
    Texts,
    render_csv,
    render_html,
    render_pdf,
    render_xlsx,
)
from saylau.analytics.report import Report, build_report
from saylau.analytics.stored import load_election
from saylau.cli.main import app
from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, RefusalReason
from saylau.services.errors import NotFound
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.services.turnout import report_turnout
from saylau.storage.models import (
    Nomination,
    Observer,
    ObserverAssignment,
    ObserverOrganisation,
    Person,
)
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup, typist

Factory = sessionmaker[Session]
AT_10_05 = datetime(2023, 3, 19, 4, 5, tzinfo=UTC)  # Asia/Almaty, UTC+6 in March 2023
AT_16_05 = datetime(2023, 3, 19, 10, 5, tzinfo=UTC)
IN_TIME = datetime(2023, 3, 22, 6, 0, tzinfo=UTC)
FIXED = datetime(2024, 1, 1, tzinfo=UTC)
ANALYTICS = Path(report_module.__file__).parent
PDFTOTEXT = shutil.which("pdftotext")

LIST_VOTES = {"alpha": 300, "beta": 150, "gamma": 50}
PRECINCT_VOTERS = {"p1": 1000, "p5": 2000, "p6": 1800}


# --- the stored world ----------------------------------------------------------------------------


def _votes(cw: CountWorld, contest: str, votes: dict[str, int]) -> dict[int, int]:
    return {cw.choices[contest][k]: v for k, v in votes.items()}


def count_world_election(factory: Factory) -> CountWorld:
    """The count world with the capital counted and published, one oblast precinct counted, the
    day-time turnout reported, a refused self-nominee and three observers."""
    cw = setup(factory)
    for precinct in ("p5", "p6"):
        voters = PRECINCT_VOTERS[precinct]
        for contest in ("mazhilis_list", "capital_list"):
            data = figures(
                _votes(cw, contest, LIST_VOTES), voters=voters, against_all=10, invalid=2
            )
            double_entry(factory, cw, contest, precinct, data)
    smd = {
        "capital_c1": {"Абаев": 200, "Бекова": 120, "Жұмабаев": 30},  # KB 120/200 = 3/5
        "capital_c2": {"Абаев": 90, "Бекова": 100, "Жұмабаев": 10},  # KB 90/100 = 9/10
    }
    for contest, precinct in (("capital_c1", "p5"), ("capital_c2", "p6")):
        data = figures(_votes(cw, contest, smd[contest]), voters=PRECINCT_VOTERS[precinct])
        double_entry(factory, cw, contest, precinct, data)
    # One oblast precinct: the Mazhilis list (turnout) and a second-level district (KB 10/50).
    list_p1 = figures(
        _votes(cw, "mazhilis_list", {"alpha": 200, "beta": 100, "gamma": 0}),
        voters=1000,
        against_all=5,
        invalid=3,
    )
    double_entry(factory, cw, "mazhilis_list", "p1", list_p1)
    district = figures(_votes(cw, "district_d1", {"Абаев": 50, "Бекова": 10, "Жұмабаев": 0}))
    double_entry(factory, cw, "district_d1", "p1", district)
    # Day-time turnout reports (10:00 at both capital precincts, 16:00 at one).
    assert cw.world.election is not None
    for precinct, at, voted, when in (
        ("p5", "10:00", 300, AT_10_05),
        ("p6", "10:00", 250, AT_10_05),
        ("p5", "16:00", 1000, AT_16_05),
    ):
        run(
            factory,
            typist(factory, cw, precinct, "a"),
            report_turnout,
            cw.world.election,
            cw.precinct(precinct),
            at,
            voted,
            at=when,
        )
    admin = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run(factory, admin, tabulate_election, cw.world.election, at=IN_TIME)
    run_approved(factory, admin, publish_results, cw.world.election, at=IN_TIME)
    with factory() as session, session.begin():
        # A self-nominee refused for incomplete documents: recorded as male, but her IIN
        # (digit 7 = 4) says a woman born in 1985, and the IIN decides.
        person = Person(
            iin="850315400005",
            surname="Серікова",
            name="Айгүл",
            birth_date=date(1985, 3, 15),
            sex=Sex.MALE,
        )
        session.add(person)
        session.flush()
        session.add(
            Nomination(
                contest_id=cw.contest("capital_c1"),
                person_id=person.id,
                route=NominationRoute.SELF_NOMINATED_SMD,
                state=CandidacyState.REFUSED,
                refusal_reason=RefusalReason.INCOMPLETE_DOCUMENTS,
            )
        )
        party_org = ObserverOrganisation(
            name="Alpha observers", kind="party", party_id=cw.world.parties["alpha"]
        )
        ngo = ObserverOrganisation(name="Civic watch", kind="ngo")
        session.add_all([party_org, ngo])
        session.flush()
        people = [
            Observer(organisation_id=party_org.id, full_name="A", credential="A-1"),
            Observer(organisation_id=party_org.id, full_name="B", credential="A-2"),
            Observer(organisation_id=ngo.id, full_name="C", credential="N-1"),
        ]
        session.add_all(people)
        session.flush()
        for observer, precinct in (
            (people[0], "p5"),
            (people[1], "p6"),
            (people[2], "p5"),
            (people[2], "p6"),
        ):
            session.add(
                ObserverAssignment(
                    observer_id=observer.id,
                    election_id=cw.world.election,
                    precinct_id=cw.precinct(precinct),
                )
            )
    return cw


@pytest.fixture
def stored(factory: Factory) -> ElectionFigures:
    cw = count_world_election(factory)
    assert cw.world.election is not None
    with factory() as session:
        return load_election(session, cw.world.election)


def test_stored_election_indicators_equal_hand_computed_values(stored: ElectionFigures) -> None:
    """Every figure of the count world, computed by hand from what the test entered."""
    regions = {r.code: r for r in stored.regions}
    assert sorted(regions) == ["KZ-35", "KZ-71"]
    capital, oblast = regions["KZ-71"], regions["KZ-35"]
    # Voters and final turnout from the definitive Mazhilis-list protocols (CL art. 43):
    # capital 2 × (500 votes + 10 against all + 2 invalid) = 1,024 of 2,000 + 1,800 voters.
    assert (capital.voters, capital.turnout_final) == (3800, Fraction(1024, 3800))
    assert (oblast.voters, oblast.turnout_final) == (1000, Fraction(308, 1000))
    # Day-time reports over the voters of the reporting precincts.
    assert capital.turnout_1000 == Fraction(550, 3800)
    assert capital.turnout_1600 == Fraction(1000, 2000)
    assert oblast.turnout_1000 is None or oblast.turnout_1000 == 0
    # Stations: the precincts of the election (the Mazhilis district covers all six).
    assert (capital.stations, oblast.stations) == (2, 4)
    # First level, capital: 2 seats; 7 nominated (6 party, 1 self-nominee), 6 registered;
    # women: Бекова twice and the refused self-nominee (by her IIN).
    first = capital.first
    assert first is not None
    assert (first.seats, first.nominated, first.nominated_party, first.nominated_nonparty) == (
        2,
        7,
        6,
        1,
    )
    assert (first.registered, first.women_nominated, first.women_registered) == (6, 3, 2)
    # Winners (published): Абаев (alpha) in c1, Бекова (beta) in c2, both born 1 Jan 1980: 43.
    assert (first.winners_party, first.winners_nonparty, first.women_elected) == (2, 0, 1)
    assert first.mean_age == 43
    assert oblast.first is not None and oblast.second is not None
    assert (oblast.first.seats, oblast.first.nominated, oblast.first.registered) == (3, 9, 9)
    # Second level: a Бекова in each of 4 districts, but the city_t1 one has the valid IIN
    # 800101300026 (serial 26 of the count world), whose digit 7 = 3 says a man: 3 women.
    assert (oblast.second.seats, oblast.second.nominated, oblast.second.women_nominated) == (
        4,
        12,
        3,
    )
    assert oblast.second.winners_party == 0 and oblast.second.mean_age is None
    assert capital.second is None  # the capital has no second level
    # List seats: capital 2 seats, alpha 600 / beta 300 / gamma 100 votes → 1 + 1 (Hare).
    assert capital.list_seats == 2 and oblast.list_seats == 3
    assert capital.list_seats_won == (("alpha", 1), ("beta", 1))
    assert [(p.party, p.list_seats, p.smd_seats) for p in stored.seats_by_party] == [
        ("alpha", 1, 1),
        ("beta", 1, 1),
    ]
    assert stored.refusals == (("incomplete_documents", 1),)
    # Competitiveness: capital mean of 3/5 and 9/10 = 3/4; the oblast's district maslikhat 1/5.
    kb = {(m.region, m.level): (m.index, m.districts) for m in stored.maslikhats}
    assert kb == {
        ("KZ-71", Level.FIRST): (Fraction(3, 4), 2),
        ("KZ-35", Level.SECOND): (Fraction(1, 5), 1),
    }
    # Observers: C observes at both capital precincts and counts once.
    assert (capital.observers, oblast.observers) == (3, 0)
    assert stored.observer_categories == (("ngo", 1), ("party", 2))
    assert stored.synthetic is False


def test_stored_report_cells_are_the_indicators(stored: ElectionFigures) -> None:
    report = build_report(stored)
    competition = report.table("competition-first")
    assert competition.cell("KZ-71", "per_seat") == ind.candidates_per_seat(7, 2)
    assert competition.cell("KZ-71", "refused") == ind.refusal_rate(7, 6) == Fraction(1, 7)
    assert competition.cell("total", "nominated") == 7 + 9
    women = report.table("women-first")
    assert women.cell("KZ-71", "women_refused") == Fraction(1, 3)
    assert women.cell("KZ-71", "women_deputies_share") == Fraction(1, 2)
    turnout = report.table("turnout")
    assert turnout.cell("total", "final") == Fraction(1024 + 308, 3800 + 1000)
    assert turnout.cell("KZ-71", "evening") == Fraction(1024, 3800) - Fraction(1, 2)
    bands = report.table("competitiveness-bands")
    assert [bands.cell(b, "all") for b in ("low", "medium", "high")] == [1, 0, 1]
    assert [bands.cell(b, "first") for b in ("low", "medium", "high")] == [0, 0, 1]
    means = report.table("competitiveness-regions")
    assert means.cell("KZ-71", "first_kb") == Fraction(3, 4)
    assert means.cell("KZ-35", "second_kb") == Fraction(1, 5)
    observation = report.table("observation")
    assert observation.cell("KZ-71", "per_station") == Fraction(3, 2)
    assert observation.cell("total", "observers") == 3
    reasons = report.table("refusal-reasons")
    assert reasons.cell("incomplete_documents", "candidacies") == 1
    seats = report.table("party-seats")
    assert seats.cell("alpha", "list_share") == Fraction(1, 2)


def test_unknown_election_is_not_found(factory: Factory) -> None:
    with factory() as session, pytest.raises(NotFound):
        load_election(session, 987654)


@pytest.mark.parametrize("language", LANGUAGES)
def test_stored_report_renders_in_every_format(stored: ElectionFigures, language: str) -> None:
    report = build_report(stored)
    html = render_html(report, language)
    assert f'<html lang="{language}">' in html and "Test elections 2023" in html
    assert_accessible(html)
    book = load_workbook(io.BytesIO(render_xlsx(report, language)))
    sheet = book["competition-first"]
    assert sheet.cell(row=3, column=2).value == 3  # the oblast (KZ-35, first by code): 3 seats
    rows = {sheet.cell(row=r, column=1).value: r for r in range(3, sheet.max_row + 1)}
    capital = Texts(language).label(next(r for r in stored.regions if r.code == "KZ-71").names)
    column = report.table("competition-first").column("refused") + 2
    assert Decimal(str(sheet.cell(row=rows[capital], column=column).value)) == Decimal("14.3")
    pdf = render_pdf(report, language, generated_at=FIXED)
    assert pdf.startswith(b"%PDF")
    if PDFTOTEXT:
        text = pdf_text(pdf)
        assert Texts(language)(report_module.REPORT_TITLE) in text
        assert "Test elections 2023" in text


# --- the seed source -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_report() -> Report:
    return build_report(from_seed())


def test_seed_report_cells_are_the_indicators(seed_report: Report) -> None:
    """Seed cells from the indicator library over the monograph's source figures."""
    competition = seed_report.table("competition-first")
    assert competition.cell("total", "per_seat") == ind.candidates_per_seat(1712, 334)
    assert competition.cell("KZ-10", "refused") == ind.refusal_rate(57, 50)
    turnout = seed_report.table("turnout")
    assert turnout.cell("KZ-75", "final") == Fraction("25.86") / 100
    assert turnout.cell("KZ-75", "evening") == ind.evening_increment(
        Fraction("19.14") / 100, Fraction("25.86") / 100
    )
    electorate = seed_report.table("electorate")
    assert electorate.cell("total", "voters") == 12_027_454
    assert electorate.cell("total", "stations") == 10_146
    bands = seed_report.table("competitiveness-bands")
    assert bands.cell("total", "all") == 223  # 20 first-level + 203 second-level maslikhats
    assert bands.cell("total", "first") == 20
    seats = seed_report.table("party-seats")
    assert seats.cell("amanat", "list_seats") == 231
    assert seats.cell("amanat", "list_share") == ind.seat_share(231, 332)
    reasons = seed_report.table("refusal-reasons")
    assert reasons.rows == () and reasons.note is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_seed_report_as_html(seed_report: Report, language: str) -> None:
    html = render_html(seed_report, language)
    assert f'<html lang="{language}">' in html
    assert_accessible(html)
    texts = Texts(language)
    assert texts(report_module.REPORT_TITLE) in html
    # A map tile per region and the turnout chart with its three series.
    assert html.count('class="tile"') == 20
    assert html.count('data-series="2"') == 20


@pytest.mark.parametrize("language", LANGUAGES)
def test_seed_report_as_xlsx_equals_the_indicators(seed_report: Report, language: str) -> None:
    book = load_workbook(io.BytesIO(render_xlsx(seed_report, language)))
    assert len(book.sheetnames) == 1 + len(seed_report.tables())
    sheet = book["turnout"]
    texts = Texts(language)
    header = [c.value for c in sheet[2]]
    assert header[0] == texts("Region") and header[3] == texts("Final turnout, %")
    labels = {sheet.cell(row=r, column=1).value: r for r in range(3, sheet.max_row + 1)}
    total = labels[texts("Total")]
    national = ind.national_turnout(
        [(Fraction(r.turnout_final or 0), r.voters) for r in from_seed().regions]
    )
    expected = ind.round_half_up(national * 100, 2)
    assert Decimal(str(sheet.cell(row=total, column=4).value)) == expected == Decimal("54.19")
    competition = book["competition-first"]
    row = {competition.cell(row=r, column=1).value: r for r in range(3, competition.max_row + 1)}
    per_seat = competition.cell(row=row[texts("Total")], column=4).value
    assert Decimal(str(per_seat)) == ind.round_half_up(ind.candidates_per_seat(1712, 334), 1)


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_seed_report_as_pdf(seed_report: Report, language: str) -> None:
    text = pdf_text(render_pdf(seed_report, language, generated_at=FIXED))
    texts = Texts(language)
    for message in (report_module.REPORT_TITLE, "Turnout by time of day", "Seats by party"):
        assert texts(message) in text
    assert texts.number(12_027_454).replace("\xa0", " ").replace("\u202f", " ") in text
    assert texts.number(Decimal("54.19"), 2) in text


def test_seed_tables_as_csv(seed_report: Report) -> None:
    archive = zipfile.ZipFile(io.BytesIO(render_csv(seed_report, "en")))
    assert sorted(archive.namelist()) == sorted(f"{t.id}.csv" for t in seed_report.tables())
    lines = archive.read("turnout.csv").decode("utf-8").splitlines()
    assert lines[0] == "key,label,at_1000,at_1600,final,evening"
    assert "total,Total,14.22,51.98,54.19,2.21" in lines  # 14.21 printed: T13-1000-rounding


def test_report_build_command(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        app,
        ["report", "build", "--seed", "--format", "html", "--language", "ru", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="ru">' in out.read_text("utf-8")
    both = CliRunner().invoke(app, ["report", "build", "--out", str(out)])
    assert both.exit_code == 2


# --- translations --------------------------------------------------------------------------------


def report_messages() -> set[str]:
    """Every msgid the report uses: N_() and texts() in the modules, _() in the template."""
    found: set[str] = set()
    for name in ("report.py", "render.py"):
        tree = ast.parse((ANALYTICS / name).read_text("utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"N_", "texts", "_"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    template = (ANALYTICS / "templates" / "report.html").read_text("utf-8")
    found.update(m.group(1) for m in re.finditer(r'_\("([^"]+)"\)', template))
    return found


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_report_message_is_translated(language: str) -> None:
    folder = resources.files("saylau.analytics") / "locale" / language / "LC_MESSAGES"
    with (folder / "analytics.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    messages = report_messages()
    assert len(messages) > 80
    missing = sorted(m for m in messages if m not in translated)
    assert not missing, f"{language}: no translation for {missing}"


# --- helpers -------------------------------------------------------------------------------------


def assert_accessible(html: str) -> None:
    """Nothing loaded from elsewhere; every table captioned with scoped headers; charts named."""
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html
    tables = html.count("<table")
    assert tables == html.count("<caption>") > 0
    assert html.count('<th scope="col">') >= tables
    for svg in re.findall(r"<svg class=\"chart[^>]*>", html):
        assert "aria-labelledby" in svg


def pdf_text(pdf: bytes) -> str:
    assert PDFTOTEXT is not None
    done = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    text = done.stdout.decode("utf-8")
    return re.sub(r"[\xa0\u202f]", " ", text)
