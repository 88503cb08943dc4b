"""Parties in an election: the CEC's admission and the regional branch a party nominates through.

A party takes part in an election only once the CEC has admitted it, and in a region's contests
only through its branch there (monograph [L224]: "the party must have branches in the regions";
CL art. 103 para 1 — lists are nominated by parties, through their branches for maslikhats).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.services.audit import snapshot
from saylau.services.context import NATIONAL, Context
from saylau.services.errors import Conflict, InvalidInput, NotFound
from saylau.storage.models import (
    Election,
    ElectionStatus,
    Party,
    PartyAdmission,
    PartyBranch,
    Region,
)


@dataclass(frozen=True)
class Admission:
    """A party admitted to an election; ``created`` is False when it already was (idempotent)."""

    election_id: int
    party_id: int
    party_code: str
    admitted_at: datetime
    created: bool


@dataclass(frozen=True)
class PartyInfo:
    id: int
    code: str
    name_kk: str
    name_ru: str
    name_en: str


def admit_party(ctx: Context, election_id: int, party_id: int) -> Admission:
    """Record the CEC's decision admitting a party to an election (monograph [L224]).

    Only the CEC decides (national scope). Admitting a party twice returns the first admission and
    writes nothing. An election whose results are published admits no one.
    """
    election = ctx.get(Election, election_id, "election")
    party = ctx.get(Party, party_id, "party")
    ctx.authorize(Action.ADMIT_PARTY, NATIONAL)
    if election.status is not ElectionStatus.CALLED:
        raise Conflict(
            "election_not_open",
            f"election {election.id} is {election.status.value}: parties are admitted only "
            "while it is called",
            field="election_id",
        )
    existing = ctx.session.execute(
        select(PartyAdmission).where(
            PartyAdmission.election_id == election.id, PartyAdmission.party_id == party.id
        )
    ).scalar_one_or_none()
    if existing is not None:
        return Admission(election.id, party.id, party.code, existing.admitted_at, created=False)
    admission = PartyAdmission(election_id=election.id, party_id=party.id, admitted_at=ctx.now)
    ctx.session.add(admission)
    ctx.session.flush()
    ctx.audit("admit_party", "party_admission", admission.id, None, snapshot(admission))
    return Admission(election.id, party.id, party.code, admission.admitted_at, created=True)


def find_party(ctx: Context, ref: str) -> PartyInfo:
    """A party by its id or its code (public data: no permission needed)."""
    text = ref.strip()
    party: Party | None
    if text.isdigit():
        party = ctx.session.get(Party, int(text))
    else:
        party = ctx.session.execute(select(Party).where(Party.code == text)).scalar_one_or_none()
    if party is None:
        raise NotFound("not_found", f"no party with id or code {ref!r}", field="party", ref=ref)
    return PartyInfo(party.id, party.code, party.name_kk, party.name_ru, party.name_en)


def require_may_nominate(
    session: Session, election_id: int, party_id: int, region_id: int | None
) -> Party:
    """Refuse unless the party is admitted to the election and has a branch in ``region_id``.

    ``region_id`` is None for a national contest (the Mazhilis list), which needs no branch.
    Monograph [L224]; CL art. 103 para 1.
    """
    party = session.get(Party, party_id)
    if party is None:
        raise InvalidInput("unknown_party", f"party_id={party_id}: no such party", field="party_id")
    admitted = session.execute(
        select(PartyAdmission.id).where(
            PartyAdmission.election_id == election_id, PartyAdmission.party_id == party_id
        )
    ).first()
    if admitted is None:
        raise Conflict(
            "party_not_admitted",
            f"party {party.code} is not admitted to election {election_id}: the CEC must admit "
            "it first (monograph [L224])",
            field="party_id",
        )
    if region_id is not None:
        branch = session.execute(
            select(PartyBranch.id).where(
                PartyBranch.party_id == party_id, PartyBranch.region_id == region_id
            )
        ).first()
        if branch is None:
            region = session.get(Region, region_id)
            name = region.name_en if region is not None else str(region_id)
            raise Conflict(
                "no_branch",
                f"party {party.code} has no branch in {name}: a party nominates in a region "
                "through its branch there (monograph [L224])",
                field="party_id",
            )
    return party


@dataclass(frozen=True)
class PartyRecord:
    """A party as registered by the Ministry of Justice, recorded for elections."""

    code: str
    name_kk: str
    name_en: str
    name_ru: str = ""


def record_party(ctx: Context, record: PartyRecord) -> PartyInfo:
    """Record a registered political party (idempotent by ``code``; a changed name is updated).

    The CEC keeps the list of parties that may be admitted to elections (monograph [L92–L96]).
    """
    code = record.code.strip()
    if not code or not record.name_kk.strip() or not record.name_en.strip():
        raise InvalidInput(
            "party_incomplete",
            f"party code={code!r}: a code and the Kazakh and English names are required",
            field="code" if not code else "name_kk",
        )
    ctx.authorize(Action.ADMIT_PARTY, NATIONAL)
    party = ctx.session.execute(select(Party).where(Party.code == code)).scalar_one_or_none()
    values = {"name_kk": record.name_kk, "name_ru": record.name_ru, "name_en": record.name_en}
    if party is None:
        party = Party(code=code, **values)
        ctx.session.add(party)
        ctx.session.flush()
        ctx.audit("record_party", "party", party.id, None, snapshot(party))
    elif any(getattr(party, key) != value for key, value in values.items()):
        before = snapshot(party)
        for key, value in values.items():
            setattr(party, key, value)
        ctx.session.flush()
        ctx.audit("record_party", "party", party.id, before, snapshot(party))
    return PartyInfo(party.id, party.code, party.name_kk, party.name_ru, party.name_en)


def record_branch(ctx: Context, party_id: int, region_id: int) -> bool:
    """Record a party's branch in a region (monograph [L224]); returns False if it existed."""
    party = ctx.get(Party, party_id, "party")
    region = ctx.get(Region, region_id, "region")
    ctx.authorize(Action.ADMIT_PARTY, NATIONAL)
    exists = ctx.session.execute(
        select(PartyBranch).where(
            PartyBranch.party_id == party.id, PartyBranch.region_id == region.id
        )
    ).scalar_one_or_none()
    if exists is not None:
        return False
    branch = PartyBranch(party_id=party.id, region_id=region.id)
    ctx.session.add(branch)
    ctx.session.flush()
    ctx.audit("record_branch", "party_branch", branch.id, None, snapshot(branch))
    return True
