"""Where a contest lies and what it is called: its region, its territory for permission checks and
a human name for messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services.context import NATIONAL, Scope
from saylau.storage.models import Contest, DistrictPrecinct, Precinct


def contest_region_id(session: Session, contest: Contest) -> int | None:
    """The region a contest lies in; None for a national contest (the Mazhilis list, or a
    Mazhilis district spanning regions)."""
    if contest.body.region_id is not None:
        return contest.body.region_id
    if contest.district_id is None:
        return None
    regions = (
        session.execute(
            select(Precinct.region_id)
            .join(DistrictPrecinct, DistrictPrecinct.precinct_id == Precinct.id)
            .where(DistrictPrecinct.district_id == contest.district_id)
            .distinct()
        )
        .scalars()
        .all()
    )
    return regions[0] if len(regions) == 1 else None


def contest_scope(session: Session, contest: Contest, party_id: int | None = None) -> Scope:
    """The territory of a contest (and the party acting in it) for permission checks."""
    region_id = contest_region_id(session, contest)
    if region_id is None:
        return Scope(party_id=party_id) if party_id is not None else NATIONAL
    return Scope(region_id=region_id, unit_id=contest.body.unit_id, party_id=party_id)


def describe_contest(contest: Contest) -> str:
    """A human name of the contest for messages: body, kind and district."""
    if contest.district is not None:
        return f"{contest.body.name_en} district {contest.district.number} (contest {contest.id})"
    return f"{contest.body.name_en} {contest.kind.value} (contest {contest.id})"
