"""The regional map (issue #5 §1, second part): ``elections/{election_id}/map/{measure}/`` — each
region's final turnout, leading party and mean competitiveness (decision #18), for the tile map of
``saylau.reference.region_grid``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.law.bodies import ContestKind
from saylau.law.competitiveness import district_competitiveness, mean_competitiveness
from saylau.reference.region_grid import GRID
from saylau.services.errors import NotFound
from saylau.services.public.common import (
    DEFINITIVE,
    Crumb,
    ElectionInfo,
    MapParty,
    Progress,
    election_crumb,
    election_ids,
    election_info,
    election_regions,
    final_turnout,
    find_election,
    names,
    official,
    overall,
    share,
    synthetic,
    updated_at,
)
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
    Contest,
    Party,
    PartyList,
    Protocol,
    ProtocolVote,
    Region,
)

MEASURES = ("turnout", "party", "competitiveness")
"""What the map is coloured by."""
FIRST_LEVEL = (BodyKind.OBLAST, BodyKind.REPUBLICAN_CITY, BodyKind.CAPITAL)
"""The bodies of a region's first level, whose list contest gives the region's leading party."""


@dataclass(frozen=True)
class MapRegion:
    """One region of the map with the three values it can be coloured by."""

    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    column: int
    row: int
    in_election: bool
    turnout: Fraction | None
    """Final turnout of the definitive protocols (as in the turnout view)."""
    leader: str | None
    """The party code leading the region's maslikhat list contest (votes of the definitive
    protocols); ``None`` before any vote or on a tie for first place."""
    leader_kk: str | None
    leader_ru: str | None
    leader_en: str | None
    leader_votes: int | None
    leader_share: Fraction | None
    """Of the party-list votes of the contest."""
    competitiveness: str | None
    """The mean KB of the region's single-member districts with definitive protocols, rounded to
    one decimal (decision #18)."""
    band: str | None
    districts: int
    """Districts in that mean."""


@dataclass(frozen=True)
class RegionMap:
    """``elections/{election_id}/map/{measure}/``."""

    election: ElectionInfo
    measure: str
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    parties: tuple[MapParty, ...]
    """Every party leading somewhere, for the legend (by code)."""
    regions: tuple[MapRegion, ...]
    """The 20 regions of the grid (``saylau.reference.region_grid``), then any other region of
    the election."""
    breadcrumbs: tuple[Crumb, ...]


def region_map(session: Session, *, election_id: int, measure: str) -> RegionMap:
    """The regions' final turnout, leading party and mean competitiveness, for the tile map."""
    election = find_election(session, election_id)
    if measure not in MEASURES:
        raise NotFound(
            "not_found", f"no map of {measure!r}; one of {', '.join(MEASURES)}", field="measure"
        )
    regions = {r.code: r for r in election_regions(session, election.id)}
    everywhere = {r.code: r for r in session.scalars(select(Region))}
    finals = final_turnout(session, election.id)
    leaders = _leaders(session, election.id)
    kb = _competitiveness(session, election.id)
    parties: dict[str, MapParty] = {}
    out = []
    codes = [c.code for c in GRID] + sorted(set(regions) - {c.code for c in GRID})
    positions = {c.code: (c.column, c.row) for c in GRID}
    for code in codes:
        region = regions.get(code) or everywhere.get(code)
        column, row = positions.get(code, (-1, -1))
        absent = _absent(code, names(region) if region else (code, code, code), column, row)
        if code not in regions or region is None:
            out.append(absent)
            continue
        voters, boxes = finals.get(region.id, (0, 0))
        lead = leaders.get(region.id)
        if lead is not None:
            parties[lead.code] = lead
        mean = kb.get(region.id)
        out.append(
            replace(
                absent,
                in_election=True,
                turnout=share(boxes, voters),
                leader=lead.code if lead else None,
                leader_kk=lead.name_kk if lead else None,
                leader_ru=lead.name_ru if lead else None,
                leader_en=lead.name_en if lead else None,
                leader_votes=lead.votes if lead else None,
                leader_share=lead.share if lead else None,
                competitiveness=mean[0] if mean else None,
                band=mean[1] if mean else None,
                districts=mean[2] if mean else 0,
            )
        )
    return RegionMap(
        election=election_info(election),
        measure=measure,
        synthetic=synthetic(session, None),
        updated_at=updated_at(session, election.id),
        official=official(session, election.id),
        progress=overall(session, election.id),
        parties=tuple(sorted(parties.values(), key=lambda p: p.code)),
        regions=tuple(out),
        breadcrumbs=(election_crumb(election),),
    )


def _absent(code: str, region_names: tuple[str, str, str], column: int, row: int) -> MapRegion:
    """A region of the grid without precincts in this election (shown, not linked)."""
    return MapRegion(
        code,
        *region_names,
        column=column,
        row=row,
        in_election=False,
        turnout=None,
        leader=None,
        leader_kk=None,
        leader_ru=None,
        leader_en=None,
        leader_votes=None,
        leader_share=None,
        competitiveness=None,
        band=None,
        districts=0,
    )


@dataclass(frozen=True)
class _Leader(MapParty):
    votes: int
    share: Fraction | None


def _leaders(session: Session, election_id: int) -> dict[int, _Leader]:
    """Region id → the party with the most votes in the region's first-level maslikhat list
    contest (definitive protocols); no entry before any vote or on a tie for first place."""
    rows = session.execute(
        select(
            Body.region_id,
            Party.code,
            Party.name_kk,
            Party.name_ru,
            Party.name_en,
            func.sum(ProtocolVote.votes),
        )
        .select_from(ProtocolVote)
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == ProtocolVote.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .join(BallotChoice, BallotChoice.id == ProtocolVote.choice_id)
        .join(PartyList, PartyList.id == BallotChoice.party_list_id)
        .join(Party, Party.id == PartyList.party_id)
        .where(
            Contest.election_id == election_id,
            Contest.kind == ContestKind.FIRST_LEVEL_LIST,
            Body.kind.in_(FIRST_LEVEL),
            Body.unit_id.is_(None),
            Protocol.state == DEFINITIVE,
        )
        .group_by(Body.region_id, Party.code, Party.name_kk, Party.name_ru, Party.name_en)
    )
    by_region: dict[int, list[tuple[str, str, str, str, int]]] = {}
    for region_id, code, kk, ru, en, votes in rows:
        if region_id is None:
            continue
        by_region.setdefault(int(region_id), []).append((code, kk, ru or kk, en, int(votes or 0)))
    out = {}
    for region_id, found in by_region.items():
        found.sort(key=lambda f: (-f[4], f[0]))
        total = sum(f[4] for f in found)
        top = found[0]
        if top[4] == 0 or (len(found) > 1 and found[1][4] == top[4]):
            continue
        out[region_id] = _Leader(top[0], top[1], top[2], top[3], top[4], share(top[4], total))
    return out


def _competitiveness(session: Session, election_id: int) -> dict[int, tuple[str, str, int]]:
    """Region id → (mean KB rounded, band, districts) over the maslikhat single-member districts
    of the region with at least one definitive protocol (decision #18: the mean of the districts'
    unrounded KB). Two queries for the whole election."""
    smd = (ContestKind.FIRST_LEVEL_SMD, ContestKind.SECOND_LEVEL_SMD)
    in_smd = (Contest.election_id == election_id, Contest.kind.in_(smd))
    counted = {
        int(c)
        for (c,) in session.execute(
            select(Protocol.contest_id)
            .join(Contest, Contest.id == Protocol.contest_id)
            .where(*in_smd, Protocol.state == DEFINITIVE)
            .distinct()
        )
    }
    if not counted:
        return {}
    votes = (
        select(ProtocolVote.choice_id, func.sum(ProtocolVote.votes).label("votes"))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == ProtocolVote.contest_id)
        .where(*in_smd, Protocol.state == DEFINITIVE)
        .group_by(ProtocolVote.choice_id)
        .subquery()
    )
    rows = session.execute(
        select(Body.region_id, BallotChoice.contest_id, func.coalesce(votes.c.votes, 0))
        .select_from(BallotChoice)
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .outerjoin(votes, votes.c.choice_id == BallotChoice.id)
        .where(*in_smd)
    )
    per_contest: dict[tuple[int, int], list[int]] = {}
    for region_id, contest_id, n in rows:
        if region_id is not None and int(contest_id) in counted:
            per_contest.setdefault((int(region_id), int(contest_id)), []).append(int(n))
    per_region: dict[int, list[Fraction]] = {}
    for (region_id, _), values in per_contest.items():
        kb = district_competitiveness(values)
        if kb is not None:
            per_region.setdefault(region_id, []).append(kb.index)
    out = {}
    for region_id, indices in per_region.items():
        mean = mean_competitiveness(indices)
        out[region_id] = (mean.display, mean.band.value, len(indices))
    return out


def map_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Every measure's map of every election."""
    for election_id in election_ids(session):
        for measure in MEASURES:
            yield {"election_id": election_id, "measure": measure}
