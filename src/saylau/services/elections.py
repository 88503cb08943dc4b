"""Calling an election, the bodies it elects, and the ballots of each precinct.

:func:`call_election` records the call (regular or early, decision #13), the bodies elected, any
calendar stage set by the calling decision instead of the offsets (with its reason, decision #13)
and one party-list contest per body with list seats (``saylau.law.bodies.seat_split``, CL art. 9
paras 3–4; ``mazhilis_seats``, CL art. 9 para 2). Single-member contests are created with their
districts (:mod:`saylau.services.districts`).

The calendar of a called election and the deadlines it sets are in :mod:`saylau.services.deadlines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.law.bodies import ContestKind, mazhilis_seats, seat_split
from saylau.law.bodies import contests_for_precinct as law_contests_for_precinct
from saylau.law.calendar import CalendarProblem, ElectionKind, StageOverride
from saylau.law.rules import Body as LawBody
from saylau.law.rules import ElectoralSystem, MaslikhatKind, RuleSet
from saylau.services.audit import snapshot
from saylau.services.context import Context, Scope, fetch, scope_for
from saylau.services.deadlines import capital_zone, election_rules, law_calendar
from saylau.services.errors import Conflict, InvalidInput
from saylau.services.territory import load_rules
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    ElectionStatus,
    Precinct,
    Region,
    StageOverrideRecord,
)
from saylau.storage.models.election import ElectionBody

PURPOSES = ("general", "by_election", "runoff", "repeat", "recall")
CONTEST_ORDER = tuple(ContestKind)
"""Ballots in the order of the law's contest kinds: Mazhilis, first level, second level."""


@dataclass(frozen=True)
class OverrideInput:
    """A calendar stage fixed by the calling decision (decision #13): aware times, a reason."""

    stage: str
    at: datetime
    reason: str
    until: datetime | None = None


@dataclass(frozen=True)
class CallElection:
    polling_day: date
    called_on: date
    kind: ElectionKind = ElectionKind.REGULAR
    rules: str = "2023"
    name: str | None = None
    body_ids: tuple[int, ...] | None = None
    """None: every maslikhat and the Mazhilis."""
    overrides: tuple[OverrideInput, ...] = ()
    purpose: str = "general"
    parent_id: int | None = None
    """The election a by-election, runoff or repeat election follows."""


@dataclass(frozen=True)
class CalledElection:
    election: Election
    body_ids: tuple[int, ...]
    contests: tuple[Contest, ...]
    problems: tuple[CalendarProblem, ...]
    """Breaches of the calling rules by the dates (monograph [L212]): legal outcomes reported,
    not refusals."""


# --- bodies and scopes -------------------------------------------------------------------------


def body_scope(session: Session, body: Body, party_id: int | None = None) -> Scope:
    """Where a body lies (the Mazhilis is national, a maslikhat lies in its region or unit),
    optionally for one party acting in it."""
    if body.kind is BodyKind.MAZHILIS:
        return Scope(party_id=party_id)
    return scope_for(session, region_id=body.region_id, unit_id=body.unit_id, party_id=party_id)


def law_body(body: Body) -> LawBody:
    return LawBody.MAZHILIS if body.kind is BodyKind.MAZHILIS else LawBody.MASLIKHAT


def body_split(body: Body, rules: RuleSet) -> tuple[int, int]:
    """(list seats, single-member seats) of a body under ``rules`` (CL art. 9 paras 2–4)."""
    if body.kind is BodyKind.MAZHILIS:
        split = mazhilis_seats(rules)
    else:
        split = seat_split(MaslikhatKind(body.kind.value), body.seats, rules)
    return split.list_seats, split.smd_seats


def contest_kind(body: Body, system: ElectoralSystem) -> ContestKind:
    """The contest kind of a body's list or single-member part."""
    if body.kind is BodyKind.MAZHILIS:
        return ContestKind.of(LawBody.MAZHILIS, None, system)
    return ContestKind.of(LawBody.MASLIKHAT, MaslikhatKind(body.kind.value).level, system)


def election_body_ids(session: Session, election_id: int) -> set[int]:
    """The bodies an election elects: those named in the call, and any with a contest in it."""
    named = session.execute(
        select(ElectionBody.body_id).where(ElectionBody.election_id == election_id)
    ).scalars()
    contested = session.execute(
        select(Contest.body_id).where(Contest.election_id == election_id)
    ).scalars()
    return set(named) | set(contested)


# --- calling -----------------------------------------------------------------------------------


def _overrides(items: Sequence[OverrideInput]) -> dict[str, StageOverride]:
    found: dict[str, StageOverride] = {}
    for item in items:
        if item.stage in found:
            raise InvalidInput(
                "duplicate_override",
                f"overrides: stage {item.stage!r} is given twice",
                field="overrides",
            )
        found[item.stage] = StageOverride(at=item.at, reason=item.reason, until=item.until)
    return found


def _bodies(ctx: Context, body_ids: tuple[int, ...] | None) -> list[Body]:
    if body_ids is None:
        bodies = list(ctx.session.execute(select(Body).order_by(Body.id)).scalars())
        if not bodies:
            raise InvalidInput(
                "no_bodies", "no bodies to elect: import the territory first", field="body_ids"
            )
        return bodies
    if not body_ids:
        raise InvalidInput("no_bodies", "body_ids: name at least one body", field="body_ids")
    if len(set(body_ids)) != len(body_ids):
        raise InvalidInput("duplicate_body", f"body_ids={list(body_ids)}: a body is named twice")
    return [ctx.get(Body, body_id, "body") for body_id in body_ids]


def call_election(ctx: Context, call: CallElection) -> CalledElection:
    """Record the call of an election with its bodies, calendar overrides and list contests.

    Refused if the polling day is not after the call, an override names no stage or has no reason
    (decision #13), or the rule set is unknown. CALL_ELECTION over every body's territory: an
    election including the Mazhilis or several regions is national. Calendar problems (a regular
    election called off schedule, an early one polled too late; monograph [L212]) are returned.
    """
    rules = load_rules(call.rules)
    if call.purpose not in PURPOSES:
        raise InvalidInput(
            "invalid_purpose",
            f"purpose={call.purpose!r}: one of {', '.join(PURPOSES)}",
            field="purpose",
        )
    if call.called_on >= call.polling_day:
        raise InvalidInput(
            "polling_before_call",
            f"polling_day={call.polling_day.isoformat()}: must come after the call "
            f"({call.called_on.isoformat()})",
            field="polling_day",
        )
    name = (call.name or f"Elections of {call.polling_day.isoformat()}").strip()
    if not 1 <= len(name) <= 300:
        raise InvalidInput("invalid_name", "name: 1–300 characters", field="name")
    overrides = _overrides(call.overrides)
    bodies = _bodies(ctx, call.body_ids)
    calendar = law_calendar(
        call.polling_day,
        capital_zone(),
        rules,
        call.kind,
        call.called_on,
        overrides,
        LawBody.MAZHILIS if any(b.kind is BodyKind.MAZHILIS for b in bodies) else LawBody.MASLIKHAT,
    )
    if call.parent_id is not None:
        ctx.get(Election, call.parent_id, "election")
    for scope in dict.fromkeys(body_scope(ctx.session, b) for b in bodies):
        ctx.authorize(Action.CALL_ELECTION, scope)

    election = Election(
        name=name,
        kind=call.kind,
        purpose=call.purpose,
        rules=rules.name,
        called_on=call.called_on,
        polling_day=call.polling_day,
        status=ElectionStatus.CALLED,
        parent_id=call.parent_id,
        created_at=ctx.now,
    )
    ctx.session.add(election)
    ctx.session.flush()
    ctx.session.add_all(ElectionBody(election_id=election.id, body_id=b.id) for b in bodies)
    after = snapshot(election)
    after["body_ids"] = [b.id for b in bodies]
    ctx.audit("call_election", "election", election.id, None, after)
    for stage, override in overrides.items():
        record = StageOverrideRecord(
            election_id=election.id,
            stage=stage,
            at=override.at,
            until=override.until,
            reason=override.reason.strip(),
        )
        ctx.session.add(record)
        ctx.session.flush()
        ctx.audit("call_election", "stage_override", record.id, None, snapshot(record))
    contests = []
    for body in bodies:
        list_seats, _ = body_split(body, rules)
        if list_seats == 0:
            continue
        contest = Contest(
            election_id=election.id,
            body_id=body.id,
            kind=contest_kind(body, ElectoralSystem.PARTY_LIST),
            seats=list_seats,
        )
        ctx.session.add(contest)
        ctx.session.flush()
        ctx.audit("call_election", "contest", contest.id, None, snapshot(contest))
        contests.append(contest)
    return CalledElection(
        election=election,
        body_ids=tuple(b.id for b in bodies),
        contests=tuple(contests),
        problems=calendar.problems,
    )


def require_called(election: Election) -> None:
    """Refuse changes to an election whose results are published or which is closed."""
    if election.status is not ElectionStatus.CALLED:
        raise Conflict(
            "election_not_open",
            f"election {election.id} is {election.status.value}; its setup can no longer change",
            field="election_id",
        )


# --- ballots of a precinct ---------------------------------------------------------------------


def _covering_bodies(precinct: Precinct) -> ColumnElement[bool]:
    conditions = [
        Body.kind == BodyKind.MAZHILIS,
        (Body.region_id == precinct.region_id) & Body.unit_id.is_(None),
    ]
    if precinct.unit_id is not None:
        conditions.append(Body.unit_id == precinct.unit_id)
    return or_(*conditions)


def contests_for_precinct(session: Session, election_id: int, precinct_id: int) -> list[Contest]:
    """The contests (ballots) a voter of this precinct receives in this election.

    The list contests of the bodies whose territory covers the precinct (the Mazhilis, its region's
    maslikhat, its unit's maslikhat) and the single-member contests whose district contains it
    (CL art. 9; law-2023 §11), in the order of the law's contest kinds.
    """
    precinct = fetch(session, Precinct, precinct_id, "precinct")
    fetch(session, Election, election_id, "election")
    listed = session.execute(
        select(Contest)
        .join(Body, Body.id == Contest.body_id)
        .where(
            Contest.election_id == election_id,
            Contest.district_id.is_(None),
            _covering_bodies(precinct),
        )
    ).scalars()
    districted = session.execute(
        select(Contest)
        .join(District, District.id == Contest.district_id)
        .join(DistrictPrecinct, DistrictPrecinct.district_id == District.id)
        .where(Contest.election_id == election_id, DistrictPrecinct.precinct_id == precinct_id)
    ).scalars()
    found = {c.id: c for c in [*listed, *districted]}
    return sorted(found.values(), key=lambda c: (CONTEST_ORDER.index(c.kind), c.body_id, c.id))


@dataclass(frozen=True)
class BallotCheck:
    """The contests found for a precinct against those the law gives its region (5 / 4 in 2023)."""

    precinct_id: int
    found: tuple[ContestKind, ...]
    expected: tuple[ContestKind, ...]

    @property
    def missing(self) -> tuple[ContestKind, ...]:
        return tuple(k for k in self.expected if k not in self.found)

    @property
    def unexpected(self) -> tuple[ContestKind, ...]:
        return tuple(k for k in self.found if k not in self.expected)

    @property
    def agrees(self) -> bool:
        return sorted(self.found) == sorted(self.expected)


def check_ballots(session: Session, election_id: int, precinct_id: int) -> BallotCheck:
    """Compare :func:`contests_for_precinct` with ``saylau.law.bodies.contests_for_precinct``.

    Meaningful for a general election of every body; a missing single-member kind usually means
    the precinct is in no district yet.
    """
    contests = contests_for_precinct(session, election_id, precinct_id)
    election = fetch(session, Election, election_id, "election")
    precinct = fetch(session, Precinct, precinct_id, "precinct")
    region = fetch(session, Region, precinct.region_id, "region")
    expected = law_contests_for_precinct(region.kind, election_rules(election))
    return BallotCheck(precinct_id, tuple(c.kind for c in contests), expected)
