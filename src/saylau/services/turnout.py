"""Turnout reports on polling day: voters who have voted at 10:00, 16:00 and at the close.

Each precinct commission reports how many voters have received ballots by each reporting hour of the
rule set (``CalendarRules.turnout_report_hours``; 2023: 10:00 and 16:00, monograph [L750–L756]) and
the final figure after polling closes. Figures only grow during the day and never exceed the voters
on the precinct's list (CL art. 23). Regional and national turnout are exact fractions, summed in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.services.audit import snapshot
from saylau.services.context import Context, fetch, scope_for
from saylau.services.deadlines import election_calendar_for, election_rules
from saylau.services.errors import Conflict, InvalidInput
from saylau.storage.models import Election, Precinct, Region, TurnoutReport

FINAL = "final"


def report_times(election: Election) -> tuple[str, ...]:
    """The reporting marks of the election's rule set in order: ``"10:00"``, ``"16:00"``, ``"final"``."""
    hours = sorted(election_rules(election).calendar.turnout_report_hours)
    return (*(f"{h:02d}:00" for h in hours), FINAL)


@dataclass(frozen=True)
class TurnoutFigure:
    """One precinct's report and its share of the voters on the list (exact)."""

    election_id: int
    precinct_id: int
    at: str
    voted: int
    voters: int
    changed: bool

    @property
    def share(self) -> Fraction:
        return Fraction(self.voted, self.voters) if self.voters else Fraction(0)


@dataclass(frozen=True)
class TurnoutLine:
    """Turnout of a region (or the country) at one mark.

    ``share`` is voted / voters on the lists *of the precincts that reported*, so that partial
    reporting does not depress it; ``reported`` of ``precincts`` says how complete it is.
    """

    region_id: int | None
    name: str
    reported: int
    precincts: int
    voted: int
    voters: int

    @property
    def share(self) -> Fraction:
        return Fraction(self.voted, self.voters) if self.voters else Fraction(0)


@dataclass(frozen=True)
class TurnoutSummary:
    election_id: int
    at: str
    regions: tuple[TurnoutLine, ...]
    national: TurnoutLine


def report_turnout(
    ctx: Context, election_id: int, precinct_id: int, at: str, voted: int
) -> TurnoutFigure:
    """Record the voters who have voted at ``precinct_id`` by ``at`` (REPORT_TURNOUT).

    ``at`` is a reporting hour of the rule set or ``"final"``. The figure is refused when it
    exceeds the voters on the list (CL art. 23) or breaks the day's order (it never decreases);
    it is accepted only once its hour has come (the final one after polling closes, calendar).
    Reporting the same figure again changes nothing; a different one corrects it (audited).
    """
    election = ctx.get(Election, election_id, "election")
    precinct = ctx.get(Precinct, precinct_id, "precinct")
    ctx.authorize(Action.REPORT_TURNOUT, scope_for(ctx.session, precinct_id=precinct.id))
    marks = report_times(election)
    if at not in marks:
        raise InvalidInput(
            "unknown_report_time",
            f"at={at!r}: turnout is reported at {', '.join(marks)} (monograph [L750–L756])",
            field="at",
        )
    if isinstance(voted, bool) or not isinstance(voted, int) or voted < 0:
        raise InvalidInput(
            "invalid_count", f"voted={voted!r}: a whole number ≥ 0", field="voted", value=voted
        )
    if voted > precinct.voters:
        raise InvalidInput(
            "more_than_voters",
            f"voted={voted}: more than the {precinct.voters} voters on precinct "
            f"{precinct.number}'s list (CL art. 23)",
            field="voted",
            value=voted,
        )
    _require_time_has_come(ctx, election, precinct, at)
    existing = {
        r.at: r
        for r in ctx.session.scalars(
            select(TurnoutReport).where(
                TurnoutReport.election_id == election.id,
                TurnoutReport.precinct_id == precinct.id,
            )
        )
    }
    position = marks.index(at)
    for other, report in existing.items():
        earlier = marks.index(other) < position
        if (earlier and report.voted > voted) or (
            not earlier and other != at and report.voted < voted
        ):
            raise InvalidInput(
                "turnout_not_monotone",
                f"voted={voted} at {at}: turnout never decreases during the day, but {other} "
                f"reported {report.voted}",
                field="voted",
                value=voted,
            )
    current = existing.get(at)
    if current is not None and current.voted == voted:
        return TurnoutFigure(election.id, precinct.id, at, voted, precinct.voters, changed=False)
    before = snapshot(current) if current is not None else None
    if current is None:
        current = TurnoutReport(
            election_id=election.id, precinct_id=precinct.id, at=at, voted=voted
        )
        ctx.session.add(current)
    current.voted = voted
    current.reported_at = ctx.now
    ctx.session.flush()
    ctx.audit("report_turnout", "turnout_report", current.id, before, snapshot(current))
    return TurnoutFigure(election.id, precinct.id, at, voted, precinct.voters, changed=True)


def _require_time_has_come(ctx: Context, election: Election, precinct: Precinct, at: str) -> None:
    calendar = election_calendar_for(ctx.session, election, precinct.region_id)
    if at == FINAL:
        stage = calendar.stage("polling_closes")
        moment, source = stage.at, stage.article
    else:
        opens = calendar.stage("polling_opens").at
        moment = datetime.combine(election.polling_day, time(int(at[:2])), tzinfo=opens.tzinfo)
        source = calendar.stage("turnout_reports").article
    if ctx.now < moment:
        raise Conflict(
            "turnout_too_early",
            f"the {at} turnout can be reported from {moment.isoformat()} local time ({source})",
            field="at",
            deadline=moment.isoformat(),
        )


def turnout_summary(session: Session, election_id: int, at: str) -> TurnoutSummary:
    """Turnout per region and nationally at mark ``at``, as exact fractions (one SQL aggregation)."""
    election = fetch(session, Election, election_id, "election")
    if at not in report_times(election):
        raise InvalidInput(
            "unknown_report_time",
            f"at={at!r}: turnout is reported at {', '.join(report_times(election))}",
            field="at",
        )
    reported = {
        region: (n, voted, voters)
        for region, n, voted, voters in session.execute(
            select(
                Precinct.region_id,
                func.count(TurnoutReport.id),
                func.coalesce(func.sum(TurnoutReport.voted), 0),
                func.coalesce(func.sum(Precinct.voters), 0),
            )
            .join(Precinct, Precinct.id == TurnoutReport.precinct_id)
            .where(TurnoutReport.election_id == election.id, TurnoutReport.at == at)
            .group_by(Precinct.region_id)
        )
    }
    lines = []
    for region_id, name, precincts in session.execute(
        select(Region.id, Region.name_en, func.count(Precinct.id))
        .join(Precinct, Precinct.region_id == Region.id)
        .group_by(Region.id, Region.name_en)
        .order_by(Region.id)
    ):
        n, voted, voters = reported.get(region_id, (0, 0, 0))
        lines.append(TurnoutLine(region_id, name, n, precincts, int(voted), int(voters)))
    national = TurnoutLine(
        None,
        "national",
        sum(line.reported for line in lines),
        sum(line.precincts for line in lines),
        sum(line.voted for line in lines),
        sum(line.voters for line in lines),
    )
    return TurnoutSummary(election.id, at, tuple(lines), national)
