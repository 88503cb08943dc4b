"""Turnout on polling day: a precinct's reports at 10:00, 16:00 and the close (REPORT_TURNOUT) and
the public summary per region and nationally, as exact fractions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field
from sqlalchemy.orm import Session

from saylau.services.context import fetch
from saylau.services.turnout import (
    TurnoutFigure,
    TurnoutLine,
    report_times,
    report_turnout,
    turnout_summary,
)
from saylau.storage.models import Election
from saylau.web.api.models import Count, FractionText, Id, IdPath, In, Out, fraction
from saylau.web.api.pagination import Page, Paging, page_of
from saylau.web.api.routing import api_router
from saylau.web.deps import Services

router = api_router("turnout")

Mark = Annotated[str, Field(pattern=r"^(\d{2}:00|final)$", examples=["10:00", "final"])]


class TurnoutIn(In):
    precinct_id: Id
    at: Mark
    """A reporting hour of the rule set (``10:00``, ``16:00``) or ``final``."""
    voted: Count


class TurnoutFigureOut(Out):
    election_id: int
    precinct_id: int
    at: str
    voted: int
    voters: int
    share: FractionText
    changed: bool


class TurnoutLineOut(Out):
    """Turnout of a region (or the country): ``share`` is over the precincts that reported."""

    region_id: int | None
    name: str
    reported: int
    precincts: int
    voted: int
    voters: int
    share: FractionText


class TurnoutSummaryOut(Out):
    election_id: int
    at: str
    national: TurnoutLineOut
    regions: Page[TurnoutLineOut]


class MarksOut(Out):
    election_id: int
    marks: list[str]


def _line(line: TurnoutLine) -> TurnoutLineOut:
    return TurnoutLineOut(
        region_id=line.region_id,
        name=line.name,
        reported=line.reported,
        precincts=line.precincts,
        voted=line.voted,
        voters=line.voters,
        share=fraction(line.share),
    )


def _figure(figure: TurnoutFigure) -> TurnoutFigureOut:
    return TurnoutFigureOut(
        election_id=figure.election_id,
        precinct_id=figure.precinct_id,
        at=figure.at,
        voted=figure.voted,
        voters=figure.voters,
        share=fraction(figure.share),
        changed=figure.changed,
    )


@router.post("/elections/{election_id}/turnout", response_model=TurnoutFigureOut)
def post_turnout(election_id: IdPath, body: TurnoutIn, services: Services) -> TurnoutFigureOut:
    """Report the voters who have voted at a precinct by a mark; it never decreases during the
    day and never exceeds the voters on the list (CL art. 23)."""
    return _figure(services(report_turnout, election_id, body.precinct_id, body.at, body.voted))


@router.get("/elections/{election_id}/turnout", response_model=TurnoutSummaryOut)
def get_turnout(
    election_id: IdPath,
    services: Services,
    paging: Paging,
    at: Annotated[str, Query(pattern=r"^(\d{2}:00|final)$")] = "final",
) -> TurnoutSummaryOut:
    """Turnout per region and nationally at a mark (exact fractions)."""

    def query(session: Session) -> TurnoutSummaryOut:
        summary = turnout_summary(session, election_id, at)
        return TurnoutSummaryOut(
            election_id=summary.election_id,
            at=summary.at,
            national=_line(summary.national),
            regions=page_of([_line(line) for line in summary.regions], paging),
        )

    return services.read(query)


@router.get("/elections/{election_id}/turnout/marks", response_model=MarksOut)
def get_marks(election_id: IdPath, services: Services) -> MarksOut:
    """The reporting marks of the election's rule set, in order."""

    def query(session: Session) -> MarksOut:
        election = fetch(session, Election, election_id, "election")
        return MarksOut(election_id=election.id, marks=list(report_times(election)))

    return services.read(query)
