"""Turnout through polling day (issue #5 §1, second part): ``elections/{election_id}/turnout/`` —
the national and regional turnout at each reporting mark (10:00, 16:00: the precincts' reports,
``services/turnout.py``) and final (the definitive protocols, CL art. 43 para 4-1(1)), with the
evening increment and the change from the previous election of the same purpose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
    final_turnout,
    find_election,
    names,
    official,
    overall,
    share,
    synthetic,
    turnout_kind,
    updated_at,
)
from saylau.services.turnout import FINAL as TURNOUT_FINAL
from saylau.services.turnout import report_times
from saylau.storage.models import Election, Precinct

NATIONAL = "KZ"
"""The national row's code (ISO 3166-1 alpha-2 of Kazakhstan) in the turnout table."""


@dataclass(frozen=True)
class TurnoutRow:
    """Turnout of a region (or of the country, code ``KZ``) through polling day.

    The day-time marks (``10:00``, ``16:00``) are the precincts' reports: voted / voters on the
    lists of the precincts that reported. The final figure is ballots in the boxes / voters on the
    lists of the definitive protocols (CL art. 43 para 4-1(1)). ``evening`` is final − the last
    day-time share; ``change`` is final − the previous election's final (both in share units,
    shown as percentage points).
    """

    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    precincts: int
    reported: Mapping[str, int]
    voted: Mapping[str, int]
    voters: Mapping[str, int]
    share: Mapping[str, Fraction | None]
    precincts_counted: int
    voters_on_list: int
    ballots_in_boxes: int
    final: Fraction | None
    evening: Fraction | None
    previous: Fraction | None
    change: Fraction | None


@dataclass(frozen=True)
class PreviousElection:
    """The election the turnout is compared with."""

    election_id: int
    name: str
    polling_day: date


@dataclass(frozen=True)
class TurnoutOverview:
    """``elections/{election_id}/turnout/``."""

    election: ElectionInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    marks: tuple[str, ...]
    """The day-time reporting marks of the election's rule set, e.g. ``("10:00", "16:00")``."""
    kind: str | None
    """The contest kind whose protocols give the final turnout."""
    previous: PreviousElection | None
    """The latest earlier election with the same purpose, if any is in the database."""
    national: TurnoutRow
    regions: tuple[TurnoutRow, ...]
    breadcrumbs: tuple[Crumb, ...]


def turnout_overview(session: Session, *, election_id: int) -> TurnoutOverview:
    """National and regional turnout at each reporting mark and final, with the evening increment
    and the change from the previous election of the same purpose."""
    election = find_election(session, election_id)
    marks = tuple(m for m in report_times(election) if m != TURNOUT_FINAL)
    regions = election_regions(session, election.id)
    precincts = _precinct_counts(session)
    reports = day_reports(session, election.id, marks, per_region=True)
    finals = final_turnout(session, election.id)
    previous = _previous(session, election)
    before = final_turnout(session, previous.id) if previous is not None else {}
    progress = coverage(session, election.id, "region")
    rows = []
    for region in regions:
        rows.append(
            _turnout_row(
                region.code,
                names(region),
                precincts.get(region.id, 0),
                {m: reports.get((region.id, m), (0, 0, 0)) for m in marks},
                progress.get(region.id, NO_PROGRESS).precincts_counted,
                finals.get(region.id, (0, 0)),
                before.get(region.id) if previous is not None else None,
                marks,
            )
        )
    ids = {r.id for r in regions}

    def total(mark: str) -> tuple[int, int, int]:
        found = [reports.get((i, mark), (0, 0, 0)) for i in ids]
        return (sum(f[0] for f in found), sum(f[1] for f in found), sum(f[2] for f in found))

    final_sum = [finals.get(i, (0, 0)) for i in ids]
    previous_sum = list(before.values())
    national = _turnout_row(
        NATIONAL,
        ("Қазақстан Республикасы", "Республика Казахстан", "Republic of Kazakhstan"),
        sum(precincts.get(i, 0) for i in ids),
        {m: total(m) for m in marks},
        sum(progress.get(i, NO_PROGRESS).precincts_counted for i in ids),
        (sum(v for v, _ in final_sum), sum(b for _, b in final_sum)),
        (sum(v for v, _ in previous_sum), sum(b for _, b in previous_sum))
        if previous is not None
        else None,
        marks,
    )
    kind = turnout_kind(session, election.id)
    return TurnoutOverview(
        election=election_info(election),
        synthetic=synthetic(session, None),
        updated_at=updated_at(session, election.id),
        official=official(session, election.id),
        progress=overall(session, election.id),
        marks=marks,
        kind=kind.value if kind else None,
        previous=None
        if previous is None
        else PreviousElection(previous.id, previous.name, previous.polling_day),
        national=national,
        regions=tuple(rows),
        breadcrumbs=(election_crumb(election),),
    )


def _turnout_row(
    code: str,
    region_names: tuple[str, str, str],
    precincts: int,
    marks: Mapping[str, tuple[int, int, int]],
    counted: int,
    final: tuple[int, int],
    previous: tuple[int, int] | None,
    order: Sequence[str],
) -> TurnoutRow:
    """A row from the reports at each mark and the final and previous (voters, ballots)."""
    voters, boxes = final
    final_share = share(boxes, voters)
    shares = {m: share(marks[m][1], marks[m][2]) for m in order}
    last = shares[order[-1]] if order else None
    before = share(previous[1], previous[0]) if previous is not None else None
    return TurnoutRow(
        region_code=code,
        name_kk=region_names[0],
        name_ru=region_names[1],
        name_en=region_names[2],
        precincts=precincts,
        reported={m: marks[m][0] for m in order},
        voted={m: marks[m][1] for m in order},
        voters={m: marks[m][2] for m in order},
        share=shares,
        precincts_counted=counted,
        voters_on_list=voters,
        ballots_in_boxes=boxes,
        final=final_share,
        evening=None if final_share is None or last is None else final_share - last,
        previous=before,
        change=None if final_share is None or before is None else final_share - before,
    )


def _precinct_counts(session: Session) -> dict[int, int]:
    """Region id → its precincts."""
    rows = session.execute(
        select(Precinct.region_id, func.count(Precinct.id)).group_by(Precinct.region_id)
    )
    return {int(region): int(n) for region, n in rows}


def _previous(session: Session, election: Election) -> Election | None:
    """The latest election with the same purpose held before this one."""
    return session.scalars(
        select(Election)
        .where(
            Election.purpose == election.purpose,
            Election.polling_day < election.polling_day,
            Election.id != election.id,
        )
        .order_by(Election.polling_day.desc(), Election.id.desc())
    ).first()
