"""Ballots and print-run sheets as PDFs (issue #6 §1; CL art. 37 paras 1–3, art. 42 para 2), read
back through the text layer, the page size and a rendering of the page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.documents.ballots import (
    BALLOT_HEIGHT_MM,
    EXTENSION_PER_EXTRA_LINE_MM,
    PRINT_RUN_TEMPLATE,
    ballot_data,
    ballot_pdf,
    print_run_data,
    print_run_parts,
    print_run_pdf,
)
from saylau.documents.engine import render_pdf
from saylau.law.ballots import AGAINST_ALL_KK, AGAINST_ALL_RU, BALLOT_COLOURS_2023
from saylau.law.bodies import ContestKind
from saylau.services.errors import Conflict
from saylau.storage.models import BallotDefinition, Contest, LotRecord, Party
from tests.documents.ballot_world import FIVE_KINDS, O1_ORDER, build_ballot_world
from tests.documents.conftest import close, page_sizes_mm, pdf_text, render_page

Factory = sessionmaker[Session]
MOMENT = datetime(2023, 3, 1, 9, 0, tzinfo=UTC)
BAND_SAMPLE_MM = 5
"""A point inside the 11 mm band at the top of the sheet (and below any anti-aliased edge)."""


def _flat(text: str) -> str:
    return " ".join(text.split())


def _band_colour(pdf: bytes) -> tuple[int, int, int]:
    image = render_page(pdf, resolution=50)
    return image.pixel(image.width // 2, round(BAND_SAMPLE_MM / 25.4 * 50))


def test_ballot_order_against_all_last_both_languages_on_a5(factory: Factory) -> None:
    s = build_ballot_world(factory)
    with factory() as session:
        pdf = ballot_pdf(session, s.contest("oblast_o1"), generated_at=MOMENT)
        list_pdf = ballot_pdf(session, s.contest("mazhilis_list"), generated_at=MOMENT)
        lot = session.scalars(select(LotRecord)).one()
        names = {code: name for code, name in session.execute(select(Party.code, Party.name_kk))}
    text = _flat(pdf_text(pdf, layout=False))
    # Candidates in Kazakh alphabetical order, then "against all" (CL art. 37 para 1).
    positions = [text.index(surname) for surname in O1_ORDER]
    assert positions == sorted(positions)
    assert text.index(AGAINST_ALL_KK) > positions[-1]
    assert text.index(AGAINST_ALL_RU) > positions[-1]
    # Kazakh and Russian: the title, the election, the district, the date (art. 37 para 2).
    for phrase in (
        "САЙЛАУ БЮЛЛЕТЕНІ",
        "ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ",
        "Мәслихат депутаттарын бір мандатты аумақтық сайлау округтері бойынша сайлау",
        "Выборы депутатов маслихата по одномандатным территориальным избирательным округам",
        "№ 1 бір мандатты аумақтық сайлау округі",
        "Одномандатный территориальный избирательный округ № 1",
        "2023 жылғы 19 наурыз",
        "19 марта 2023 года",
        "Облыстық мәслихат",
        # Surname, name, year of birth and who nominated (art. 37 para 1).
        "Ахметов Данияр",
        "1971 ж. т. / г. р.",
        "Ұсынған: Бета / Выдвинут: Бета",
        "Өзін-өзі ұсынған / Самовыдвижение",
        # The issuing member's signature and the stamp (art. 41 para 5).
        "Подпись члена участковой избирательной комиссии, выдавшего бюллетень",
        "Учаскелік сайлау комиссиясының мөрі",
    ):
        assert phrase in text, phrase
    assert page_sizes_mm(pdf) == [(148.0, 210.0)]  # A5 portrait, one sheet
    # A party ballot: the parties in the order of the recorded lot, "against all" last.
    listed = _flat(pdf_text(list_pdf, layout=False))
    order = [listed.index(names[code]) for code in lot.order]
    assert order == sorted(order) and len(order) == 3
    assert listed.index(AGAINST_ALL_KK) > order[-1]
    assert (
        "Выборы депутатов Мажилиса Парламента Республики Казахстан по партийным спискам" in listed
    )


def test_band_colour_of_each_of_the_five_kinds(factory: Factory) -> None:
    """The colour of the contest's kind (CEC decision of 27.02.2023; law-2023.md §11), sampled
    from the rendered page."""
    s = build_ballot_world(factory)
    sampled: dict[ContestKind, tuple[int, int, int]] = {}
    with factory() as session:
        for name, kind in FIVE_KINDS.items():
            pdf = ballot_pdf(session, s.contest(name), generated_at=MOMENT)
            sampled[kind] = _band_colour(pdf)
    for kind, colour in sampled.items():
        assert close(colour, BALLOT_COLOURS_2023[kind].rgb_hex), (kind, colour)
    assert len(set(sampled.values())) == 5


def test_more_than_sixteen_lines_make_a_longer_sheet_and_unfrozen_is_refused(
    factory: Factory,
) -> None:
    s = build_ballot_world(factory, many=20)
    with factory() as session:
        pdf = ballot_pdf(session, s.contest("capital_c1"), generated_at=MOMENT)
        with pytest.raises(Conflict) as refused:
            ballot_pdf(session, s.contest("oblast_o2"))
        with pytest.raises(Conflict) as no_sheet:
            print_run_pdf(session, s.contest("oblast_o2"))
        definition = session.scalars(
            select(BallotDefinition).where(BallotDefinition.contest_id == s.contest("capital_c1"))
        ).one()
    longer = BALLOT_HEIGHT_MM + 4 * EXTENSION_PER_EXTRA_LINE_MM
    assert definition.extended
    assert page_sizes_mm(pdf) == [(148.0, float(longer))]  # still one sheet, longer than A5
    text = _flat(pdf_text(pdf, layout=False))
    assert text.count("ланов Ер") == 20 and AGAINST_ALL_KK in text
    assert refused.value.code == no_sheet.value.code == "not_frozen"
    assert refused.value.field == "contest_id"


def test_print_run_sheet_figures(factory: Factory) -> None:
    """p1 and p2 with 1,250 voters each: each gets ceil(1,262.5) = 1,263; the district figure is
    ceil(2,500 × 1.01) = 2,525, less than the deliveries, so 2,526 are printed (CL art. 37
    paras 2–3, as ``saylau.law.ballots.print_run`` computes them)."""
    s = build_ballot_world(factory)
    with factory() as session:
        pdf = print_run_pdf(session, s.contest("oblast_o1"), generated_at=MOMENT)
    lines = pdf_text(pdf).splitlines()

    def row(label: str) -> list[str]:
        found = [line.split() for line in lines if label in line]
        assert found, label
        return found[0]

    assert row("Избирателей в округе")[-1] == "2500"
    assert row("Тираж: избиратели + 1% резерв")[-1] == "2525"
    assert row("Передаётся участкам, всего")[-1] == "2526"
    assert row("Подлежит печати")[-1] == "2526"
    assert row("p1 street")[-2:] == ["1250", "1263"]
    assert row("p2 street")[-2:] == ["1250", "1263"]
    assert row("Барлығы / Итого")[-2:] == ["2500", "2526"]
    titles = _flat(pdf_text(pdf, layout=False))
    assert "Сайлау бюллетендерінің таралымы" in titles
    assert "Тираж избирательных бюллетеней" in titles


def test_a_sheet_over_several_regions_is_a_summary_and_an_annex_per_region(
    factory: Factory,
) -> None:
    """The national list's print run (CL art. 37 paras 2–3) is issued as the regions' subtotals
    and one annex per region listing its precincts; the annexes add up to the summary."""
    s = build_ballot_world(factory)
    with factory() as session:
        data = print_run_data(session, s.contest("mazhilis_list"))
    parts = print_run_parts(data)
    summary, annexes = parts[0][1], parts[1:]
    assert parts[0][0] is None and len(annexes) == len(data["regions"]) > 1
    assert sum(r["ballots"] for r in summary["regions"]) == data["delivered_total"]
    summary_lines = pdf_text(render_pdf(PRINT_RUN_TEMPLATE, summary, generated_at=MOMENT))
    total = [x.split() for x in summary_lines.splitlines() if "Барлығы / Итого" in x]
    assert total and total[0][-2:] == [str(data["district_voters"]), str(data["delivered_total"])]
    for code, annex in annexes:
        (region,) = annex["regions"]
        assert region["code"] == code and region["rows"]
        assert sum(row["ballots"] for row in region["rows"]) == region["ballots"]
        line = next(x for x in summary_lines.splitlines() if x.split()[:1] == [code])
        assert line.split()[-2:] == [str(region["voters"]), str(region["ballots"])]
        assert f"{code}: барлығы / итого" not in summary_lines
        text = pdf_text(render_pdf(PRINT_RUN_TEMPLATE, annex, generated_at=MOMENT))
        assert "Приложение" in text
        assert all(row["address"] in text for row in region["rows"])
        assert f"{code}: барлығы / итого" in text


def check_ballots(factory: Factory, election_id: int) -> None:
    """For the demo election: one ballot and one print-run sheet of every kind render, with the
    kind's colour, "against all" last and the print run the ballot was frozen with."""
    with factory() as session:
        contests = session.execute(
            select(Contest.kind, Contest.id)
            .join(BallotDefinition, BallotDefinition.contest_id == Contest.id)
            .where(Contest.election_id == election_id, BallotDefinition.frozen_at.is_not(None))
            .order_by(Contest.id)
        ).all()
        first: Mapping[ContestKind, int] = {}
        for kind, contest_id in contests:
            first = {**first, kind: first.get(kind, contest_id)}
        assert set(first) == set(FIVE_KINDS.values())
        for kind, contest_id in first.items():
            data = ballot_data(session, contest_id)
            pdf = ballot_pdf(session, contest_id, generated_at=MOMENT)
            assert close(_band_colour(pdf), BALLOT_COLOURS_2023[kind].rgb_hex), kind
            text = _flat(pdf_text(pdf, layout=False))
            assert text.rindex(data["lines"][-1]["title"]) < text.index(AGAINST_ALL_KK)
            definition = session.scalars(
                select(BallotDefinition).where(BallotDefinition.contest_id == contest_id)
            ).one()
            sheet = pdf_text(print_run_pdf(session, contest_id, generated_at=MOMENT))
            total = [line.split() for line in sheet.splitlines() if "Подлежит печати" in line]
            assert total and total[0][-1] == str(definition.print_run), kind
