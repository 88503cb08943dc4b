"""The analytical report of the national demo election (issue #7 §3 acceptance), checked on the
demo that ``tests/demo/test_generator.py`` builds once: it builds in Kazakh, Russian and English as
HTML and PDF, the PDF carries a known heading, and the report's national final turnout is the one
computed here straight from the definitive protocols (CL art. 43)."""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.analytics import indicators as ind
from saylau.analytics import report as report_module
from saylau.analytics.render import LANGUAGES, Texts, render_html, render_pdf
from saylau.analytics.report import build_report
from saylau.analytics.stored import load_election
from saylau.domain.states import ProtocolState
from saylau.law.bodies import ContestKind
from saylau.storage.models import Contest, Protocol
from tests.analytics.test_report import FIXED, PDFTOTEXT, assert_accessible, pdf_text


def national_turnout(session: Session, election_id: int) -> Fraction:
    """Ballots in the boxes / voters on the lists of the definitive Mazhilis-list protocols: the
    ballot every voter of the demo receives, one protocol per precinct."""
    voters, boxes = session.execute(
        select(func.sum(Protocol.voters_on_list), func.sum(Protocol.ballots_in_boxes))
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(
            Contest.election_id == election_id,
            Contest.kind == ContestKind.MAZHILIS_LIST,
            Contest.follows_contest_id.is_(None),
            Protocol.state == ProtocolState.DEFINITIVE,
        )
    ).one()
    assert voters and boxes
    return ind.ratio(int(boxes), int(voters))


def check_report(factory: sessionmaker[Session], election_id: int) -> None:
    """The demo election's report in every language as HTML and PDF."""
    with factory() as session:
        figures = load_election(session, election_id)
        direct = national_turnout(session, election_id)
    report = build_report(figures)
    assert figures.synthetic and len(figures.regions) == 20
    assert report.table("turnout").cell("total", "final") == direct
    assert report.table("electorate").cell("total", "voters") == sum(
        r.voters for r in figures.regions
    )
    shown = ind.round_half_up(direct * 100, 2)
    for language in LANGUAGES:
        texts = Texts(language)
        html = render_html(report, language)
        assert f'<html lang="{language}">' in html
        assert_accessible(html)
        assert texts(report_module.SYNTHETIC_NOTE) in html
        assert f">{texts.number(shown, 2)}</td>" in html  # the national final turnout
        pdf = render_pdf(report, language, generated_at=FIXED)
        assert pdf.startswith(b"%PDF")
        if PDFTOTEXT:
            text = pdf_text(pdf)
            assert texts(report_module.REPORT_TITLE) in text
            assert texts("Turnout by time of day") in text
            assert texts.number(shown, 2) in text
