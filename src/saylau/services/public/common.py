"""The building blocks every public view shares (issue #5 §1).

The election and its summary, the drill-down breadcrumbs, the territory of an election (its regions
and bodies), the count's progress ("X of Y precincts counted"), the final turnout and the reports
of polling day, the synthetic flag, whether the figures are official and when they last changed,
and the enumerators of the instances the static publication writes.

Everything reads without a context: the results are public, nothing is changed or audited. Only
DEFINITIVE protocols count (CL art. 43; ``services/protocols.py``). Every figure is one SQL
aggregation per call, never a query per precinct or contest.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from saylau.domain.states import ProtocolState
from saylau.law.bodies import ContestKind
from saylau.services.errors import NotFound
from saylau.services.tabulation import TotalsLine, election_totals
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    ContestResult,
    DistrictPrecinct,
    Election,
    Precinct,
    Protocol,
    Region,
    TurnoutReport,
)
from saylau.storage.models.audit import AuditHead
from saylau.storage.models.election import ElectionBody
from saylau.storage.types import UtcDateTime

DEFINITIVE = ProtocolState.DEFINITIVE
"""The only protocols the public figures count (CL art. 43)."""

TURNOUT_KINDS: tuple[ContestKind, ...] = (
    ContestKind.MAZHILIS_LIST,
    ContestKind.FIRST_LEVEL_LIST,
    ContestKind.FIRST_LEVEL_SMD,
    ContestKind.SECOND_LEVEL_LIST,
    ContestKind.SECOND_LEVEL_SMD,
    ContestKind.MAZHILIS_SMD,
)
"""Whose protocols give the final turnout: the first kind the election has, in this order. Every
voter of a precinct receives each ballot, so one kind with the widest territory is the turnout
(ballots in the boxes / voters on the list, CL art. 43 para 4-1(1)) without counting a voter twice."""


# --- one snapshot's shared data ----------------------------------------------------------------

MEMO = "saylau.public.memo"
"""The key of a session's memo in ``Session.info`` (see :func:`remember`)."""

T = typing.TypeVar("T")


def remember(session: Session) -> None:
    """Keep the data many views share (an election's ballots, calendars, progress per contest)
    for the life of ``session``, which must read one unchanging version of the data: the static
    publication's session (one snapshot per worker, nothing written meanwhile) turns it on. A
    request's session does not: it lives for one response anyway, and a session that writes
    must never read a remembered value."""
    session.info[MEMO] = {}


def remembering(session: Session) -> bool:
    """Whether ``session`` keeps shared data (:func:`remember`)."""
    return MEMO in session.info


def memo(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, computed once per ``key`` while ``session`` remembers (else every time).
    The value must be plain data (no ORM object: the publisher empties the identity map after
    each unit) and is shared: callers never change it."""
    store: dict[Hashable, Any] | None = session.info.get(MEMO)
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    value: T = store[key]
    return value


def data_version(session: Session) -> tuple[Any, ...]:
    """A fingerprint of everything the public views show, which changes whenever it does: the
    audit chain's head (every workflow — a protocol made definitive, a result computed or
    published, a candidate registered — appends an event, issue #3), and, for what a writer
    might change without one (the bookkeeping of an unchanged result), the count and latest
    moments of the definitive protocols and of the results. Three indexed or small reads, so
    that a running Saylau serves a public view from memory until the data changes (issue #8,
    B4; :mod:`saylau.web.pages.public.cache`)."""
    head = session.execute(select(AuditHead.last_event_id, AuditHead.last_hash)).first()
    protocols = session.execute(
        select(func.count(), func.max(Protocol.definitive_at)).where(Protocol.state == DEFINITIVE)
    ).one()
    results = session.execute(
        select(
            func.count(),
            func.max(ContestResult.computed_at),
            func.max(ContestResult.published_at),
        )
    ).one()
    return (None if head is None else tuple(head), tuple(protocols), tuple(results))


# --- the shared documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class Crumb:
    """One step of the drill-down path national → region → maslikhat → contest → precinct."""

    level: str
    """``election``, ``region``, ``body``, ``contest`` or ``precinct``."""
    path: str
    """The view's path below the language or ``/data`` prefix, e.g. ``elections/1/``."""
    name_kk: str
    name_ru: str
    name_en: str
    kind: str | None = None
    """A contest's kind (translated on the page)."""
    number: int | None = None
    """A district's or a precinct's number."""


@dataclass(frozen=True)
class ElectionInfo:
    """The election a view belongs to, as every view's header shows it."""

    election_id: int
    name: str
    polling_day: date
    status: str
    purpose: str
    rules: str


@dataclass(frozen=True)
class Progress:
    """How complete the count is: a precinct is counted when the protocol of every contest on
    its ballots (within the view) is definitive."""

    precincts_counted: int
    precincts_total: int
    protocols_counted: int
    protocols_total: int


NO_PROGRESS = Progress(0, 0, 0, 0)
"""The progress of a view without any precinct."""


@dataclass(frozen=True)
class MapParty:
    """A party with its names, for a legend or a list of the parties a page names."""

    code: str
    name_kk: str
    name_ru: str
    name_en: str


class Named(typing.Protocol):
    """A record named in the three languages (a region, a body, a unit, a party)."""

    @property
    def name_kk(self) -> str: ...

    @property
    def name_ru(self) -> str: ...

    @property
    def name_en(self) -> str: ...


def names(item: Named) -> tuple[str, str, str]:
    """The Kazakh, Russian and English names; the Kazakh stands where no Russian is recorded."""
    return item.name_kk, item.name_ru or item.name_kk, item.name_en


def share(part: int, whole: int) -> Fraction | None:
    """The exact share ``part / whole``; ``None`` when there is no whole (nothing counted yet)."""
    return Fraction(part, whole) if whole else None


# --- the election and its breadcrumbs -----------------------------------------------------------


def find_election(session: Session, election_id: int) -> Election:
    """The election, or ``not_found`` on ``election_id``."""
    election = session.get(Election, election_id)
    if election is None:
        raise NotFound(
            "not_found", f"no election with id {election_id}", field="election_id", id=election_id
        )
    return election


def election_info(election: Election) -> ElectionInfo:
    """The election's summary for a view's header."""
    return ElectionInfo(
        election.id,
        election.name,
        election.polling_day,
        election.status.value,
        election.purpose,
        election.rules,
    )


def view_path(election_id: int, rest: str = "") -> str:
    """A view's path below the language or ``/data`` prefix."""
    return f"elections/{election_id}/{rest}"


def election_crumb(election: Election) -> Crumb:
    """The first step of every breadcrumb: the national overview."""
    return Crumb("election", view_path(election.id), election.name, election.name, election.name)


def region_crumb(election: Election, region: Region) -> Crumb:
    """A region's step of the breadcrumb."""
    return Crumb("region", view_path(election.id, f"regions/{region.code}/"), *names(region))


def body_crumb(election: Election, body: Body) -> Crumb:
    """A maslikhat's (or the Mazhilis's) step of the breadcrumb."""
    return Crumb("body", view_path(election.id, f"bodies/{body.id}/"), *names(body))


def contest_crumb(election: Election, contest: Contest) -> Crumb:
    """A contest's step of the breadcrumb: its body's names, kind and district number."""
    return Crumb(
        "contest",
        view_path(election.id, f"contests/{contest.id}/"),
        *names(contest.body),
        kind=contest.kind.value,
        number=contest.district.number if contest.district else None,
    )


def body_crumbs(session: Session, election: Election, body: Body) -> list[Crumb]:
    """The path down to a body: the election, the body's region (if it has one), the body."""
    crumbs = [election_crumb(election)]
    region = session.get(Region, body.region_id) if body.region_id is not None else None
    if region is not None:
        crumbs.append(region_crumb(election, region))
    crumbs.append(body_crumb(election, body))
    return crumbs


# --- the territory of an election ---------------------------------------------------------------


def election_regions(session: Session, election_id: int) -> list[Region]:
    """The regions whose precincts vote in the election, by code."""
    pairs = expected_protocols(election_id)
    return list(
        session.scalars(
            select(Region)
            .where(
                Region.id.in_(
                    select(Precinct.region_id).join(pairs, pairs.c.precinct_id == Precinct.id)
                )
            )
            .order_by(Region.code)
        )
    )


def election_body_ids(session: Session, election_id: int) -> set[int]:
    """The bodies the call names (CL art. 9) and those with a contest in the election."""
    named = session.scalars(
        select(ElectionBody.body_id).where(ElectionBody.election_id == election_id)
    )
    contested = session.scalars(
        select(Contest.body_id).where(Contest.election_id == election_id).distinct()
    )
    return {int(b) for b in named} | {int(b) for b in contested}


def election_body(session: Session, election_id: int, body_id: int) -> tuple[Election, Body]:
    """The election and one of its bodies, or ``not_found`` on the missing one."""
    election = find_election(session, election_id)
    body = session.get(Body, body_id)
    if body is None or body.id not in election_body_ids(session, election.id):
        raise NotFound("not_found", f"no body {body_id} in election {election_id}", field="body_id")
    return election, body


def expected_protocols(election_id: int) -> Any:
    """Every (contest, body, precinct) whose voters receive the contest's ballot — the protocols
    the election expects: a district's precincts (CL art. 22); a list contest's body territory
    (its unit, or its region); every precinct for the Mazhilis list (CL art. 9)."""
    in_election = Contest.election_id == election_id
    district = (
        select(
            Contest.id.label("contest_id"),
            Contest.body_id.label("body_id"),
            DistrictPrecinct.precinct_id.label("precinct_id"),
        )
        .join(DistrictPrecinct, DistrictPrecinct.district_id == Contest.district_id)
        .where(in_election)
    )
    national = (
        select(Contest.id, Contest.body_id, Precinct.id)
        .join(Body, Body.id == Contest.body_id)
        .join(Precinct, literal(True))
        .where(in_election, Contest.district_id.is_(None), Body.kind == BodyKind.MAZHILIS)
    )
    unit = (
        select(Contest.id, Contest.body_id, Precinct.id)
        .join(Body, Body.id == Contest.body_id)
        .join(Precinct, Precinct.unit_id == Body.unit_id)
        .where(in_election, Contest.district_id.is_(None), Body.unit_id.is_not(None))
    )
    region = (
        select(Contest.id, Contest.body_id, Precinct.id)
        .join(Body, Body.id == Contest.body_id)
        .join(Precinct, Precinct.region_id == Body.region_id)
        .where(
            in_election,
            Contest.district_id.is_(None),
            Body.unit_id.is_(None),
            Body.kind != BodyKind.MAZHILIS,
        )
    )
    return union_all(district, national, unit, region).subquery("pairs")


def definitive_protocol(pairs: Any) -> ColumnElement[bool]:
    """Joins an expected protocol (a row of :func:`expected_protocols`) to the definitive one."""
    return and_(
        Protocol.contest_id == pairs.c.contest_id,
        Protocol.precinct_id == pairs.c.precinct_id,
        Protocol.state == DEFINITIVE,
    )


# --- what every view's header says --------------------------------------------------------------


def synthetic(session: Session, where: ColumnElement[bool] | None) -> bool:
    """Whether the data shown is invented by the demo generator (flagged on every page)."""
    condition: ColumnElement[bool] = Precinct.synthetic.is_(True)
    if where is not None:
        condition = and_(condition, where)
    return bool(session.scalar(select(exists().where(condition))))


def published(result: ContestResult | None) -> bool:
    """A contest's result is official once published (CL art. 111-1 para 5); preliminary before."""
    return result is not None and result.published_at is not None


def official(session: Session, election_id: int, *where: ColumnElement[bool]) -> bool:
    """Every contest (within ``where``) has a published result."""
    unpublished = session.scalar(
        select(
            exists().where(
                Contest.election_id == election_id,
                *where,
                ~exists().where(
                    ContestResult.contest_id == Contest.id,
                    ContestResult.published_at.is_not(None),
                ),
            )
        )
    )
    any_contest = session.scalar(select(exists().where(Contest.election_id == election_id, *where)))
    return bool(any_contest) and not unpublished


def updated_at(
    session: Session,
    election_id: int,
    *,
    region_id: int | None = None,
    body_id: int | None = None,
    contest_id: int | None = None,
    precinct_id: int | None = None,
) -> datetime | None:
    """The last moment a protocol in scope became definitive or a result was computed or
    published.

    A precinct's page shows its own protocols and whether its contests' results are official,
    not the computed results: its moment leaves out ``computed_at``, so that a protocol at another
    precinct of the same contest (the national Mazhilis list reaches every precinct) does not
    change this page (issue #8, B3: only the precincts of new protocols are republished)."""
    protocols = (
        select(type_coerce(func.max(Protocol.definitive_at), UtcDateTime()))
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .where(Contest.election_id == election_id, Protocol.state == DEFINITIVE)
    )
    results = (
        select(
            type_coerce(func.max(ContestResult.computed_at), UtcDateTime()),
            type_coerce(func.max(ContestResult.published_at), UtcDateTime()),
        )
        .join(Contest, Contest.id == ContestResult.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .where(Contest.election_id == election_id)
    )
    if region_id is not None:
        protocols = protocols.where(Precinct.region_id == region_id)
        results = results.where(Body.region_id == region_id)
    if body_id is not None:
        protocols = protocols.where(Contest.body_id == body_id)
        results = results.where(Contest.body_id == body_id)
    if contest_id is not None:
        protocols = protocols.where(Contest.id == contest_id)
        results = results.where(Contest.id == contest_id)
    if precinct_id is not None:
        protocols = protocols.where(Protocol.precinct_id == precinct_id)
        results = results.where(
            Contest.id.in_(select(Protocol.contest_id).where(Protocol.precinct_id == precinct_id))
        )
    computed, published = session.execute(results).one()
    moments = [session.scalar(protocols), published]
    if precinct_id is None:
        moments.append(computed)
    present = [m for m in moments if m is not None]
    return max(present) if present else None


def contest_updates(session: Session, election_id: int) -> dict[int, datetime]:
    """Contest id → :func:`updated_at` of the contest, for every contest of the election at once
    (two aggregations grouped by contest instead of three statements per contest)."""
    moments: dict[int, list[datetime]] = {}
    protocols = session.execute(
        select(Protocol.contest_id, type_coerce(func.max(Protocol.definitive_at), UtcDateTime()))
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .where(Contest.election_id == election_id, Protocol.state == DEFINITIVE)
        .group_by(Protocol.contest_id)
    )
    results = session.execute(
        select(
            ContestResult.contest_id,
            type_coerce(func.max(ContestResult.computed_at), UtcDateTime()),
            type_coerce(func.max(ContestResult.published_at), UtcDateTime()),
        )
        .join(Contest, Contest.id == ContestResult.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .where(Contest.election_id == election_id)
        .group_by(ContestResult.contest_id)
    )
    for contest_id, *found in [*protocols, *results]:
        moments.setdefault(int(contest_id), []).extend(m for m in found if m is not None)
    return {c: max(found) for c, found in moments.items() if found}


# --- progress ("X of Y precincts counted") ------------------------------------------------------


def coverage(
    session: Session,
    election_id: int,
    by: str | None,
    *,
    region_id: int | None = None,
    body_id: int | None = None,
    contest_id: int | None = None,
) -> dict[Any, Progress]:
    """Progress per region (``by="region"``), per body (``"body"``), per contest (``"contest"``)
    or overall (``None``).

    One aggregation: the expected protocols (:func:`expected_protocols`) left-joined to the
    definitive ones, counted per precinct, then per group.
    """
    pairs = expected_protocols(election_id)
    conditions: list[ColumnElement[bool]] = []
    if region_id is not None:
        conditions.append(Precinct.region_id == region_id)
    if body_id is not None:
        conditions.append(pairs.c.body_id == body_id)
    if contest_id is not None:
        conditions.append(pairs.c.contest_id == contest_id)
    keys: list[Any] = []
    if by == "region":
        keys = [Precinct.region_id.label("key")]
    elif by == "body":
        keys = [pairs.c.body_id.label("key")]
    elif by == "contest":
        keys = [pairs.c.contest_id.label("key")]
    per_precinct = (
        select(
            *keys,
            pairs.c.precinct_id,
            func.count().label("expected"),
            func.count(Protocol.id).label("done"),
        )
        .select_from(pairs)
        .join(Precinct, Precinct.id == pairs.c.precinct_id)
        .outerjoin(Protocol, definitive_protocol(pairs))
        .where(*conditions)
        .group_by(*keys, pairs.c.precinct_id)
        .subquery()
    )
    group = [per_precinct.c.key] if keys else []
    rows = session.execute(
        select(
            *group,
            func.count(),
            func.coalesce(
                func.sum(case((per_precinct.c.expected == per_precinct.c.done, 1), else_=0)), 0
            ),
            func.coalesce(func.sum(per_precinct.c.expected), 0),
            func.coalesce(func.sum(per_precinct.c.done), 0),
        ).group_by(*group)
    ).all()
    out: dict[Any, Progress] = {}
    for row in rows:
        key = row[0] if keys else None
        total, counted, expected, done = (int(x or 0) for x in row[len(group) :])
        if total:
            out[key] = Progress(counted, total, done, expected)
    return out


def overall(session: Session, election_id: int, **scope: int) -> Progress:
    """The progress of the whole election or of one ``region_id``, ``body_id`` or ``contest_id``."""
    return coverage(session, election_id, None, **scope).get(None, NO_PROGRESS)


# --- turnout --------------------------------------------------------------------------------------


def turnout_kind(session: Session, election_id: int) -> ContestKind | None:
    """The contest kind whose protocols give the election's final turnout (:data:`TURNOUT_KINDS`)."""
    kinds = set(
        session.scalars(select(Contest.kind).where(Contest.election_id == election_id).distinct())
    )
    return next((k for k in TURNOUT_KINDS if k in kinds), None)


def turnout_lines(
    totals: Sequence[TotalsLine], kind: ContestKind | None, scope: str
) -> dict[int | None, TotalsLine]:
    """Key → the totals line of the turnout kind in ``scope`` (``national`` has the key ``None``)."""
    return {line.key: line for line in totals if line.scope == scope and line.kind is kind}


def final_turnout(session: Session, election_id: int) -> dict[int, tuple[int, int]]:
    """Region id → (voters on the lists, ballots in the boxes) of the definitive protocols of the
    election's turnout kind (CL art. 43 para 4-1(1))."""
    lines = turnout_lines(
        election_totals(session, election_id), turnout_kind(session, election_id), "region"
    )
    return {
        int(key): (line.voters_on_list, line.ballots_in_boxes)
        for key, line in lines.items()
        if key is not None
    }


def day_reports(
    session: Session,
    election_id: int,
    marks: Sequence[str],
    *,
    region_id: int | None = None,
    per_region: bool = False,
) -> dict[tuple[int | None, str], tuple[int, int, int]]:
    """(region id or ``None``, mark) → (precincts reporting, voted, voters on their lists): the
    turnout the precincts reported during polling day (``services/turnout.py``), in one query,
    per region or summed (over one region when ``region_id`` is given)."""
    if not marks:
        return {}
    keys = [Precinct.region_id] if per_region else []
    query = (
        select(
            *keys,
            TurnoutReport.at,
            func.count(TurnoutReport.id),
            func.coalesce(func.sum(TurnoutReport.voted), 0),
            func.coalesce(func.sum(Precinct.voters), 0),
        )
        .join(Precinct, Precinct.id == TurnoutReport.precinct_id)
        .where(TurnoutReport.election_id == election_id, TurnoutReport.at.in_(marks))
        .group_by(*keys, TurnoutReport.at)
    )
    if region_id is not None:
        query = query.where(Precinct.region_id == region_id)
    out: dict[tuple[int | None, str], tuple[int, int, int]] = {}
    for row in session.execute(query):
        region = int(row[0]) if per_region else None
        at, n, voted, voters = row[len(keys) :]
        out[(region, str(at))] = (int(n), int(voted), int(voters))
    return out


# --- instances (what the static publication writes) ---------------------------------------------


def election_ids(session: Session) -> list[int]:
    """Every election, by id."""
    return [int(i) for i in session.scalars(select(Election.id).order_by(Election.id))]


def region_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Every region of every election."""
    for election_id in election_ids(session):
        for region in election_regions(session, election_id):
            yield {"election_id": election_id, "region_code": region.code}


def body_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Every body of every election."""
    for election_id in election_ids(session):
        for body_id in sorted(election_body_ids(session, election_id)):
            yield {"election_id": election_id, "body_id": body_id}
