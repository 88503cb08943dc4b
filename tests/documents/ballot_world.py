"""A test world whose ballots are prepared and frozen through the real services: the five 2023
ballot kinds, each with registered candidacies, for the documents tests.

Frozen: ``mazhilis_list`` (blue), ``mazhilis_m1`` (green), ``oblast_list`` (purple),
``oblast_o1`` (orange; p1 and p2 with 1,250 voters each), ``district_d1`` (grey) and, with
``many``, ``capital_c1`` with that many candidates. ``oblast_o2`` is prepared but left unfrozen.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState
from saylau.law.bodies import ContestKind
from saylau.law.iin import Sex
from saylau.services.ballots import freeze_ballot, prepare_ballots
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Precinct
from tests.services.nomination_world import (
    AFTER_REGISTRATION,
    Setup,
    pay_and_register,
    person,
    quota_list,
    registered_list,
    setup,
    smd,
)

SEED = "CEC sitting 19.02.2023, seed 7341"

FIVE_KINDS = {
    "mazhilis_list": ContestKind.MAZHILIS_LIST,
    "mazhilis_m1": ContestKind.MAZHILIS_SMD,
    "oblast_list": ContestKind.FIRST_LEVEL_LIST,
    "oblast_o1": ContestKind.FIRST_LEVEL_SMD,
    "district_d1": ContestKind.SECOND_LEVEL_SMD,
}
# Given out of order; the Kazakh alphabet puts them А Ә Б Ғ Қ Ө Ү Іргебаев (CL art. 37 para 1).
O1_NAMES = [
    ("Іргебаев", "Руслан"),
    ("Ахметов", "Данияр"),
    ("Өмірбеков", "Серік"),
    ("Қасымов", "Ерлан"),
    ("Әбенов", "Нұрлан"),
    ("Үсенов", "Асқар"),
    ("Ғалымов", "Бауыржан"),
    ("Бекова", "Айгерім"),
]
O1_ORDER = [
    "Ахметов",
    "Әбенов",
    "Бекова",
    "Ғалымов",
    "Қасымов",
    "Өмірбеков",
    "Үсенов",
    "Іргебаев",
]
ROUTES = ("alpha", "beta", "gamma", None)
MAZHILIS_SMD_DEPOSIT = 1_050_000
"""The Mazhilis single-member deposit the registration service asks for in 2023."""


def _candidates(
    s: Setup, contest: str, names: list[tuple[str, str]], deposit: int = 350_000, **facts: object
) -> None:
    for i, (surname, name) in enumerate(names):
        sex = Sex.FEMALE if surname.endswith("ова") else Sex.MALE
        candidate = person(surname, name, date(1970 + i, 1, 1 + i), sex, **facts)
        submitted = smd(s, contest, candidate, ROUTES[i % len(ROUTES)])
        ref = CandidacyRef(CandidacyKind.SMD, submitted.nomination_id)
        assert pay_and_register(s, ref, deposit).state is CandidacyState.REGISTERED


def build_ballot_world(factory: sessionmaker[Session], *, many: int = 0) -> Setup:
    s = setup(factory, "alpha", "beta", "gamma")
    with factory() as session, session.begin():
        for name in ("p1", "p2"):
            precinct = session.get(Precinct, s.world.precincts[name])
            assert precinct is not None
            precinct.voters = 1250
    for party in ("alpha", "beta", "gamma"):
        people = [replace(p, residence_years=30) for p in quota_list(f"{party[:3].title()}Мәж")]
        registered_list(s, "mazhilis_list", party, people)
    for party in ("gamma", "alpha"):
        registered_list(s, "oblast_list", party, quota_list(f"{party[:3].title()}Обл"))
    _candidates(s, "oblast_o1", O1_NAMES)
    _candidates(
        s,
        "mazhilis_m1",
        [("Жақыпов", "Арман"), ("Сейітова", "Дана")],
        MAZHILIS_SMD_DEPOSIT,
        residence_years=30,
    )
    _candidates(s, "district_d1", [("Теміров", "Бақыт"), ("Оспанова", "Әлия")])
    _candidates(s, "oblast_o2", [("Тасов", "Нұр"), ("Ерова", "Гүл")])
    if many:
        letters = "АӘБВГҒДЕЖЗИКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЫІЭЮЯ"
        _candidates(s, "capital_c1", [(f"{letters[i]}ланов", "Ер") for i in range(many)])
    assert s.world.election is not None
    s.run(s.cec, prepare_ballots, s.world.election, SEED, at=AFTER_REGISTRATION)
    frozen = [*FIVE_KINDS, *(["capital_c1"] if many else [])]
    for contest in frozen:
        s.run(s.cec, freeze_ballot, s.contest(contest), at=AFTER_REGISTRATION)
    return s


SAMPLE_MOMENT = datetime(2023, 3, 1, 9, 0, tzinfo=UTC)


def render_samples(out: Path) -> list[Path]:
    """The committed samples ``docs/samples/ballot-*.png``: the ballot of each of the five kinds
    and a print-run sheet, first page at 60 dpi, from this world in a fresh SQLite database and a
    fixed generation time. Run: ``.venv/bin/python -c "from pathlib import Path; from
    tests.documents.ballot_world import render_samples; render_samples(Path('docs/samples'))"``.
    """
    from saylau.documents.ballots import ballot_pdf, print_run_pdf

    written: list[Path] = []
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'samples.sqlite3'}")
        try:
            migrate(engine)
            factory = session_factory(engine)
            s = build_ballot_world(factory)
            with factory() as session:
                pdfs = {
                    f"ballot-{kind.value.replace('_', '-')}": ballot_pdf(
                        session, s.contest(name), generated_at=SAMPLE_MOMENT
                    )
                    for name, kind in FIVE_KINDS.items()
                }
                pdfs["ballot-print-run"] = print_run_pdf(
                    session, s.contest("oblast_o1"), generated_at=SAMPLE_MOMENT
                )
        finally:
            engine.dispose()
    out.mkdir(parents=True, exist_ok=True)
    for stem, pdf in pdfs.items():
        png = subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout
        (out / f"{stem}.png").write_bytes(png)
        written.append(out / f"{stem}.png")
    return written
