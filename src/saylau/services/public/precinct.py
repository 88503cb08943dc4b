"""A precinct on the results site (issue #5 §1): ``elections/{election_id}/precincts/{precinct_id}/``
— the definitive protocol of every contest on its ballots, line by line (CL art. 43)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session, joinedload

from saylau.services.errors import NotFound
from saylau.services.protocols import COUNT_FIELDS
from saylau.services.public.common import (
    DEFINITIVE,
    Crumb,
    ElectionInfo,
    Progress,
    body_crumb,
    election_crumb,
    election_ids,
    election_info,
    expected_protocols,
    find_election,
    memo,
    names,
    region_crumb,
    remembering,
    updated_at,
    view_path,
)
from saylau.services.public.tally import ballot_lines, election_tallies
from saylau.storage.models import Body, Contest, ContestResult, Precinct, Protocol, ProtocolVote
from saylau.storage.types import UtcDateTime


@dataclass(frozen=True)
class ProtocolLine:
    """One figure of a precinct's definitive protocol (``None`` until definitive)."""

    line_id: str
    """``<contest id>/<line>``: ``12/voters_on_list`` or ``12/choice/55``."""
    contest_id: int
    line: str
    """A protocol line (CL art. 43) or ``choice``."""
    label: str
    """The ballot line's label for ``choice``; empty otherwise (translated on the page)."""
    value: int | None


@dataclass(frozen=True)
class PrecinctProtocol:
    """The protocol of one contest at the precinct."""

    contest_id: int
    kind: str
    body_id: int
    body_kk: str
    body_ru: str
    body_en: str
    district_number: int | None
    definitive: bool
    definitive_at: datetime | None
    version: int
    lines: tuple[ProtocolLine, ...]


@dataclass(frozen=True)
class PrecinctInfo:
    """The precinct: its number, address, voters and unit."""

    precinct_id: int
    region_code: str
    number: int
    address: str
    voters: int
    unit_kk: str | None
    unit_ru: str | None
    unit_en: str | None


@dataclass(frozen=True)
class PrecinctResults:
    """``elections/{election_id}/precincts/{precinct_id}/``: every protocol of its ballots."""

    election: ElectionInfo
    precinct: PrecinctInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    protocols: tuple[PrecinctProtocol, ...]
    breadcrumbs: tuple[Crumb, ...]


def precinct_results(session: Session, *, election_id: int, precinct_id: int) -> PrecinctResults:
    """A precinct and the definitive protocol of every contest on its ballots, line by line."""
    election = find_election(session, election_id)
    precinct = session.get(Precinct, precinct_id)
    if remembering(session):  # the publication: every precinct's contests from one read
        contest_ids = memo(
            session,
            ("precinct.contests", election.id),
            lambda: _contests_by_precinct(session, election.id),
        ).get(precinct_id, [])
    else:
        pairs = expected_protocols(election.id)
        contest_ids = [
            int(cid)
            for (cid,) in session.execute(
                select(pairs.c.contest_id)
                .where(pairs.c.precinct_id == precinct_id)
                .order_by(pairs.c.contest_id)
            )
        ]
    if precinct is None or not contest_ids:
        raise NotFound(
            "not_found", f"no precinct {precinct_id} in election {election_id}", field="precinct_id"
        )
    contests = {
        c.id: c
        for c in session.scalars(
            select(Contest)
            .where(Contest.id.in_(contest_ids))
            .options(joinedload(Contest.body), joinedload(Contest.district))
        )
    }
    protocols = {
        p.contest_id: p
        for p in session.scalars(
            select(Protocol).where(
                Protocol.precinct_id == precinct.id, Protocol.contest_id.in_(contest_ids)
            )
        )
    }
    definitive_ids = [p.id for p in protocols.values() if p.state is DEFINITIVE]
    votes: dict[int, int] = {}
    if definitive_ids:
        votes = {
            choice: int(n)
            for choice, n in session.execute(
                select(ProtocolVote.choice_id, ProtocolVote.votes).where(
                    ProtocolVote.protocol_id.in_(definitive_ids)
                )
            )
        }
    if remembering(session):  # the publication: every contest's lines from one read
        ballots = memo(
            session,
            ("contest.tallies", election.id),
            lambda: election_tallies(session, election.id),
        ).lines
    else:
        ballots = ballot_lines(session, contest_ids)
    documents = []
    for cid in contest_ids:
        contest = contests[cid]
        protocol = protocols.get(cid)
        definitive = protocol is not None and protocol.state is DEFINITIVE
        lines = [
            ProtocolLine(
                f"{cid}/{name}",
                cid,
                name,
                "",
                getattr(protocol, name) if definitive and protocol is not None else None,
            )
            for name in COUNT_FIELDS
        ]
        lines += [
            ProtocolLine(
                f"{cid}/choice/{ln.choice_id}",
                cid,
                "choice",
                ln.label,
                votes.get(ln.choice_id, 0) if definitive else None,
            )
            for ln in ballots.get(cid, [])
        ]
        body = contest.body
        documents.append(
            PrecinctProtocol(
                cid,
                contest.kind.value,
                body.id,
                *names(body),
                district_number=contest.district.number if contest.district else None,
                definitive=definitive,
                definitive_at=protocol.definitive_at if definitive and protocol else None,
                version=protocol.version if protocol is not None else 0,
                lines=tuple(lines),
            )
        )
    counted = len(definitive_ids)
    region = precinct.region
    unit = precinct.unit
    crumbs = [election_crumb(election), region_crumb(election, region)]
    home_body = _home_body(precinct, [contests[c] for c in contest_ids])
    if home_body is not None:
        crumbs.append(body_crumb(election, home_body))
    crumbs.append(
        Crumb(
            "precinct",
            view_path(election.id, f"precincts/{precinct.id}/"),
            "",
            "",
            "",
            number=precinct.number,
        )
    )
    if remembering(session):
        official = memo(
            session, ("precinct.published", election.id), lambda: _published(session, election.id)
        )
        published: int | None = sum(1 for c in contest_ids if c in official)
        updated = memo(
            session,
            ("precinct.updated", election.id),
            lambda: precinct_updates(session, election.id),
        ).get(precinct.id)
    else:
        published = session.scalar(
            select(func.count(ContestResult.id)).where(
                ContestResult.contest_id.in_(contest_ids), ContestResult.published_at.is_not(None)
            )
        )
        updated = updated_at(session, election.id, precinct_id=precinct.id)
    unit_names = names(unit) if unit else (None, None, None)
    return PrecinctResults(
        election=election_info(election),
        precinct=PrecinctInfo(
            precinct.id,
            region.code,
            precinct.number,
            precinct.address,
            precinct.voters,
            *unit_names,
        ),
        synthetic=precinct.synthetic,
        updated_at=updated,
        official=published == len(contest_ids),
        progress=Progress(1 if counted == len(contest_ids) else 0, 1, counted, len(contest_ids)),
        protocols=tuple(documents),
        breadcrumbs=tuple(crumbs),
    )


def _contests_by_precinct(session: Session, election_id: int) -> dict[int, list[int]]:
    """Precinct id → the contests on its ballots, by id: every expected protocol of the
    election in one read (what each precinct page would ask for its own precinct)."""
    pairs = expected_protocols(election_id)
    out: dict[int, list[int]] = {}
    for contest_id, precinct_id in session.execute(
        select(pairs.c.contest_id, pairs.c.precinct_id).order_by(
            pairs.c.precinct_id, pairs.c.contest_id
        )
    ):
        out.setdefault(int(precinct_id), []).append(int(contest_id))
    return out


def _published(session: Session, election_id: int) -> frozenset[int]:
    """The election's contests with a published result."""
    return frozenset(
        int(c)
        for c in session.scalars(
            select(ContestResult.contest_id)
            .join(Contest, Contest.id == ContestResult.contest_id)
            .where(Contest.election_id == election_id, ContestResult.published_at.is_not(None))
        )
    )


def precinct_updates(session: Session, election_id: int) -> dict[int, datetime]:
    """Precinct id → :func:`~saylau.services.public.common.updated_at` of the precinct, for every
    precinct of the election at once (two aggregations grouped by precinct instead of two
    statements per precinct): its latest definitive protocol and the latest publication of a
    result of a contest with a protocol at the precinct."""
    moments: dict[int, list[datetime]] = {}
    protocols = session.execute(
        select(
            Protocol.precinct_id,
            type_coerce(func.max(Protocol.definitive_at), UtcDateTime()),
        )
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(Contest.election_id == election_id, Protocol.state == DEFINITIVE)
        .group_by(Protocol.precinct_id)
    )
    published = session.execute(
        select(
            Protocol.precinct_id,
            type_coerce(func.max(ContestResult.published_at), UtcDateTime()),
        )
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(ContestResult, ContestResult.contest_id == Contest.id)
        .where(Contest.election_id == election_id)
        .group_by(Protocol.precinct_id)
    )
    for precinct_id, moment in [*protocols, *published]:
        if moment is not None:
            moments.setdefault(int(precinct_id), []).append(moment)
    return {p: max(found) for p, found in moments.items()}


def _home_body(precinct: Precinct, contests: Sequence[Contest]) -> Body | None:
    """The maslikhat a precinct's breadcrumb passes through: its district's or city's, else its
    region's (a city of republican significance has one level)."""
    bodies = {c.body_id: c.body for c in contests}
    for body in bodies.values():
        if precinct.unit_id is not None and body.unit_id == precinct.unit_id:
            return body
    for body in bodies.values():
        if body.unit_id is None and body.region_id == precinct.region_id:
            return body
    return next(iter(bodies.values()), None)


def precinct_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Every precinct of every election."""
    for election_id in election_ids(session):
        pairs = expected_protocols(election_id)
        for (precinct_id,) in session.execute(
            select(pairs.c.precinct_id).distinct().order_by(pairs.c.precinct_id)
        ):
            yield {"election_id": election_id, "precinct_id": int(precinct_id)}
