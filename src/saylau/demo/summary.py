"""What the demo election holds, read back from the database: counts, results, timings.

Read-only. Results come from the stored, tabulated and published contest results (never from the
generator's own figures), so the summary shows what the services decided.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState, ProtocolState
from saylau.law.bodies import ContestKind
from saylau.services.turnout import turnout_summary
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    ContestResult,
    ContestStatus,
    Election,
    ListEntry,
    Mandate,
    MandateState,
    Nomination,
    Party,
    PartyList,
    Precinct,
    Protocol,
    Region,
    User,
)

SYNTHETIC_NOTE = (
    "SYNTHETIC: the 2023 structure (regions, maslikhats, seats, parties) is real; the precincts, "
    "people, accounts and votes are invented by the demo generator, calibrated on the 2023 figures"
)
NON_PARTY = "non-party"


def note(scale: float) -> str:
    """The summary's SYNTHETIC note; above scale 1 it also says the country itself is invented."""
    if scale <= 1:
        return SYNTHETIC_NOTE
    return (
        f"{SYNTHETIC_NOTE}; at scale {scale:g} it is a SYNTHETIC LARGER COUNTRY: {scale:g} times "
        "Kazakhstan's voters and precincts in every region, under the real 2023 bodies and seats"
    )


@dataclass(frozen=True)
class DemoSummary:
    """The demo election in figures (:meth:`as_dict` gives the JSON document)."""

    election_id: int
    seed: int
    scale: float
    counts: dict[str, int]
    results: dict[str, Any]
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per phase of the build (``total``: the whole build)."""
    synthetic: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "synthetic": self.synthetic,
            "note": note(self.scale),
            "election_id": self.election_id,
            "seed": self.seed,
            "scale": self.scale,
            "counts": dict(self.counts),
            "results": self.results,
            "elapsed_seconds": dict(self.phases),
        }

    def comparable(self) -> dict[str, Any]:
        """The document without timings: equal for equal seeds and scales."""
        document = self.as_dict()
        del document["elapsed_seconds"]
        return document


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _percent(value: Fraction) -> str:
    return f"{float(value * 100):.2f}"


def _counts(session: Session, election_id: int) -> dict[str, int]:
    contests = select(Contest.id).where(Contest.election_id == election_id)
    bodies = list(session.scalars(select(Body)))
    maslikhats = [b for b in bodies if b.kind is not BodyKind.MAZHILIS]
    first = [b for b in maslikhats if b.unit_id is None]
    second = [b for b in maslikhats if b.unit_id is not None]
    nominations = Counter(
        state
        for state in session.scalars(
            select(Nomination.state).where(Nomination.contest_id.in_(contests))
        )
    )
    lists = Counter(
        session.scalars(select(PartyList.state).where(PartyList.contest_id.in_(contests)))
    )
    listed = {
        state: int(n)
        for state, n in session.execute(
            select(PartyList.state, func.count())
            .join(ListEntry, ListEntry.party_list_id == PartyList.id)
            .where(PartyList.contest_id.in_(contests))
            .group_by(PartyList.state)
        )
    }
    protocols = Counter(
        session.scalars(select(Protocol.state).where(Protocol.contest_id.in_(contests)))
    )
    mandates = Counter(
        session.scalars(select(Mandate.state).where(Mandate.contest_id.in_(contests)))
    )
    statuses = Counter(session.scalars(select(Contest.status).where(Contest.id.in_(contests))))
    kinds = Counter(session.scalars(select(Contest.kind).where(Contest.id.in_(contests))))
    return {
        "regions": _count(session, select(func.count(Region.id))),
        "first_level_maslikhats": len(first),
        "second_level_maslikhats": len(second),
        "first_level_seats": sum(b.seats for b in first),
        "second_level_seats": sum(b.seats for b in second),
        "mazhilis_seats": sum(b.seats for b in bodies if b.kind is BodyKind.MAZHILIS),
        "precincts": _count(session, select(func.count(Precinct.id))),
        "synthetic_precincts": _count(
            session, select(func.count(Precinct.id)).where(Precinct.synthetic.is_(True))
        ),
        "voters": _count(session, select(func.sum(Precinct.voters))),
        "users": _count(session, select(func.count(User.id))),
        "contests": sum(kinds.values()),
        "list_contests": sum(n for k, n in kinds.items() if k.is_list),
        "district_contests": sum(n for k, n in kinds.items() if not k.is_list),
        "district_candidates_nominated": sum(nominations.values()),
        "district_candidates_registered": nominations[CandidacyState.REGISTERED],
        "district_candidates_refused": nominations[CandidacyState.REFUSED],
        "party_lists_submitted": sum(lists.values()),
        "party_lists_registered": lists[CandidacyState.REGISTERED],
        "list_candidates_nominated": sum(listed.values()),
        "list_candidates_registered": int(listed.get(CandidacyState.REGISTERED, 0)),
        "protocols": sum(protocols.values()),
        "definitive_protocols": protocols[ProtocolState.DEFINITIVE],
        "mandates": sum(mandates.values()),
        "deputies_registered": mandates[MandateState.REGISTERED],
        "runoffs": statuses[ContestStatus.RUNOFF],
        "repeat_elections": statuses[ContestStatus.REPEAT_ELECTION],
    }


def _results(session: Session, election_id: int) -> dict[str, Any]:
    codes = {p.id: p.code for p in session.scalars(select(Party))}
    rows = session.execute(
        select(Contest.kind, ContestResult.outcome, ContestResult.totals)
        .join(ContestResult, ContestResult.contest_id == Contest.id)
        .where(Contest.election_id == election_id)
        .order_by(Contest.id)
    ).all()
    mazhilis: dict[str, Any] = {}
    first_level_list: Counter[str] = Counter()
    winners: dict[str, Counter[str]] = {
        "mazhilis": Counter(),
        "first_level": Counter(),
        "second_level": Counter(),
    }
    level = {
        ContestKind.MAZHILIS_SMD: "mazhilis",
        ContestKind.FIRST_LEVEL_SMD: "first_level",
        ContestKind.SECOND_LEVEL_SMD: "second_level",
    }
    for kind, outcome, totals in rows:
        if kind is ContestKind.MAZHILIS_LIST:
            valid = int(totals["valid"])
            mazhilis = {
                "valid": valid,
                "against_all": int(totals["against_all"]),
                "against_all_percent": _percent(Fraction(int(totals["against_all"]), valid))
                if valid
                else None,
                "status": outcome.get("status"),
                "parties": [
                    {
                        "party": line["party"],
                        "votes": int(line["votes"]),
                        "percent": _percent(Fraction(int(line["votes"]), valid)) if valid else None,
                        "seats": int(line["seats"]),
                    }
                    for line in sorted(
                        outcome.get("lists", []),
                        key=lambda line: (-int(line["votes"]), line["party"]),
                    )
                ],
            }
        elif kind is ContestKind.FIRST_LEVEL_LIST:
            for line in outcome.get("lists", []):
                first_level_list[line["party"]] += int(line["seats"])
        elif outcome.get("status") == "elected":
            party_id = outcome["winner"].get("party_id")
            winners[level[kind]][codes.get(party_id, NON_PARTY) if party_id else NON_PARTY] += 1
    first_level_total = Counter(first_level_list)
    first_level_total.update(winners["first_level"])
    turnout = {}
    for mark in ("10:00", "16:00", "final"):
        line = turnout_summary(session, election_id, mark).national
        turnout[mark] = {
            "voted": line.voted,
            "voters": line.voters,
            "percent": _percent(line.share),
            "precincts_reported": line.reported,
        }
    election = session.get(Election, election_id)
    return {
        "election": election.name if election else None,
        "status": election.status.value if election else None,
        "turnout": turnout,
        "mazhilis_list": mazhilis,
        "first_level_list_seats": dict(sorted(first_level_list.items())),
        "first_level_seats_by_party": dict(sorted(first_level_total.items())),
        "district_winners": {k: dict(sorted(v.items())) for k, v in winners.items()},
    }


def summarise(
    factory: sessionmaker[Session],
    election_id: int,
    *,
    seed: int,
    scale: float,
    phases: dict[str, float] | None = None,
    lots: int = 0,
) -> DemoSummary:
    """Read the demo election back: counts, national results and turnout (all synthetic)."""
    with factory() as session:
        counts = _counts(session, election_id)
        counts["lots_drawn"] = lots
        results = _results(session, election_id)
    return DemoSummary(election_id, seed, scale, counts, results, dict(phases or {}))
