"""The top of the results site (issue #5 §1): the national overview ``elections/{election_id}/``
and a first-level region ``elections/{election_id}/regions/{region_code}/``, each with progress,
turnout (final and through polling day) and its maslikhats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from saylau.law.bodies import ContestKind
from saylau.services.errors import NotFound
from saylau.services.public.body import BodyRow, body_rows
from saylau.services.public.common import (
    NO_PROGRESS,
    Crumb,
    ElectionInfo,
    Progress,
    coverage,
    day_reports,
    election_crumb,
    election_info,
    election_regions,
    find_election,
    names,
    official,
    overall,
    region_crumb,
    share,
    synthetic,
    turnout_kind,
    turnout_lines,
    updated_at,
)
from saylau.services.public.tally import ListResult, list_results
from saylau.services.tabulation import TotalsLine, election_totals
from saylau.services.turnout import FINAL as TURNOUT_FINAL
from saylau.services.turnout import report_times
from saylau.storage.models import Contest, Election, Precinct, Region


@dataclass(frozen=True)
class Turnout:
    """Final turnout from the definitive protocols of the precincts counted so far."""

    voters_on_list: int
    ballots_in_boxes: int
    share: Fraction | None
    kind: str | None
    """The contest kind whose protocols gave it (see :data:`~.common.TURNOUT_KINDS`)."""


@dataclass(frozen=True)
class TurnoutMark:
    """Turnout reported during polling day (10:00, 16:00) by the precincts that reported."""

    at: str
    reported: int
    precincts: int
    voted: int
    voters: int
    share: Fraction | None


@dataclass(frozen=True)
class RegionRow:
    """A region in the national table: progress and final turnout."""

    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    precincts_counted: int
    precincts_total: int
    voters_on_list: int
    ballots_in_boxes: int
    turnout: Fraction | None


@dataclass(frozen=True)
class ElectionResults:
    """``elections/{election_id}/``: the national overview."""

    election: ElectionInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    turnout: Turnout
    turnout_marks: tuple[TurnoutMark, ...]
    mazhilis: ListResult | None
    regions: tuple[RegionRow, ...]
    bodies: tuple[BodyRow, ...]
    breadcrumbs: tuple[Crumb, ...]


@dataclass(frozen=True)
class RegionResults:
    """``elections/{election_id}/regions/{region_code}/``: a first-level region."""

    election: ElectionInfo
    region: RegionRow
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    turnout_marks: tuple[TurnoutMark, ...]
    bodies: tuple[BodyRow, ...]
    breadcrumbs: tuple[Crumb, ...]


def election_results(session: Session, *, election_id: int) -> ElectionResults:
    """The national overview: progress, turnout, the Mazhilis list, every region and body."""
    election = find_election(session, election_id)
    totals = election_totals(session, election.id)
    kind = turnout_kind(session, election.id)
    region_progress = coverage(session, election.id, "region")
    region_turnout = turnout_lines(totals, kind, "region")
    regions = tuple(
        region_row(region, region_progress.get(region.id), region_turnout.get(region.id))
        for region in election_regions(session, election.id)
    )
    bodies = body_rows(session, election.id, totals, None)
    mazhilis_list = session.scalars(
        select(Contest).where(
            Contest.election_id == election.id, Contest.kind == ContestKind.MAZHILIS_LIST
        )
    ).first()
    return ElectionResults(
        election=election_info(election),
        synthetic=synthetic(session, None),
        updated_at=updated_at(session, election.id),
        official=official(session, election.id),
        progress=overall(session, election.id),
        turnout=_turnout(turnout_lines(totals, kind, "national").get(None), kind),
        turnout_marks=_marks(session, election, None),
        mazhilis=None
        if mazhilis_list is None
        else list_results(session, election, [mazhilis_list])[mazhilis_list.id],
        regions=regions,
        bodies=bodies,
        breadcrumbs=(election_crumb(election),),
    )


def region_results(session: Session, *, election_id: int, region_code: str) -> RegionResults:
    """A region: its maslikhats (oblast or city, and its districts' and cities'), progress and
    turnout."""
    election = find_election(session, election_id)
    region = session.scalars(select(Region).where(Region.code == region_code)).first()
    if region is None or region.id not in {r.id for r in election_regions(session, election.id)}:
        raise NotFound(
            "not_found", f"no region {region_code!r} in election {election_id}", field="region_code"
        )
    totals = election_totals(session, election.id)
    line = turnout_lines(totals, turnout_kind(session, election.id), "region").get(region.id)
    progress = overall(session, election.id, region_id=region.id)
    bodies = body_rows(session, election.id, totals, region.id)
    return RegionResults(
        election=election_info(election),
        region=region_row(region, progress, line),
        synthetic=synthetic(session, Precinct.region_id == region.id),
        updated_at=updated_at(session, election.id, region_id=region.id),
        official=all(b.official for b in bodies),
        progress=progress,
        turnout_marks=_marks(session, election, region.id),
        bodies=bodies,
        breadcrumbs=(election_crumb(election), region_crumb(election, region)),
    )


def region_row(region: Region, progress: Progress | None, line: TotalsLine | None) -> RegionRow:
    """A region's row from its progress and its totals line of the turnout kind."""
    p = progress or NO_PROGRESS
    voters = line.voters_on_list if line else 0
    boxes = line.ballots_in_boxes if line else 0
    return RegionRow(
        region.code,
        *names(region),
        p.precincts_counted,
        p.precincts_total,
        voters,
        boxes,
        share(boxes, voters),
    )


def _turnout(line: TotalsLine | None, kind: ContestKind | None) -> Turnout:
    """The final turnout of a totals line (zero before any definitive protocol)."""
    if line is None:
        return Turnout(0, 0, None, kind.value if kind else None)
    return Turnout(
        line.voters_on_list,
        line.ballots_in_boxes,
        share(line.ballots_in_boxes, line.voters_on_list),
        line.kind.value,
    )


def _marks(session: Session, election: Election, region_id: int | None) -> tuple[TurnoutMark, ...]:
    """The day's turnout reports (10:00, 16:00; ``services/turnout.py``), where reported, of the
    country or of one region."""
    marks = [m for m in report_times(election) if m != TURNOUT_FINAL]
    if not marks:
        return ()
    scope = Precinct.region_id == region_id if region_id is not None else literal(True)
    precincts = session.scalar(select(func.count(Precinct.id)).where(scope)) or 0
    found = day_reports(session, election.id, marks, region_id=region_id)
    return tuple(
        TurnoutMark(at, n, int(precincts), voted, voters, share(voted, voters))
        for at in marks
        if (None, at) in found
        for n, voted, voters in [found[(None, at)]]
    )
