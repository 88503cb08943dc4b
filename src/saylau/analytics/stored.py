"""An election stored in Saylau as report inputs (issue #7 §2, the stored source).

Reads one election's own records into :class:`saylau.analytics.figures.ElectionFigures`, the same
inputs the monograph's tables are read into, so that one report serves both sources:

* voters and final turnout from the DEFINITIVE protocols only (CL art. 43), of the contest kind that
  gives the turnout (:data:`saylau.services.public.common.TURNOUT_KINDS`): ballots in the boxes /
  voters on the list; the day-time turnout (10:00, 16:00) from the precincts' reports
  (``services/turnout.py``) over the voters of the precincts that reported;
* single-member candidacies of the maslikhats (Mazhilis contests are left out: the monograph is
  about maslikhats) with their states and refusal reasons (CL art. 104 paras 6, 6-1; art. 105);
* every person's sex and age from the IIN (``saylau.law.iin``; the recorded sex and date of birth
  only where the stored IIN does not parse), age at polling day;
* mandates won (CL arts. 9, 111-1), and each district's competitiveness from its definitive votes
  (``saylau.law.competitiveness``, decision #18), averaged per maslikhat;
* observers assigned to the election's precincts (CL art. 20-1), by organisation kind.

Reads only, without a context, like the public read models (``services/public/``): the
report shows aggregates, never a person.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from fractions import Fraction

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from saylau.analytics.figures import (
    ElectionFigures,
    Level,
    LevelFigures,
    MaslikhatCompetitiveness,
    Names,
    PartySeats,
    RegionFigures,
    Source,
)
from saylau.domain.states import CandidacyState, ProtocolState
from saylau.law.bodies import ContestKind
from saylau.law.competitiveness import district_competitiveness, mean_competitiveness
from saylau.law.errors import LawInputError
from saylau.law.iin import Sex, parse_iin
from saylau.services.errors import NotFound
from saylau.services.public.common import TURNOUT_KINDS
from saylau.services.turnout import FINAL
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    Mandate,
    MandateSource,
    MandateState,
    Nomination,
    Observer,
    ObserverAssignment,
    ObserverOrganisation,
    Party,
    PartyList,
    Person,
    Precinct,
    Protocol,
    ProtocolVote,
    Region,
    TurnoutReport,
)

LEVELS: dict[BodyKind, Level] = {
    BodyKind.OBLAST: Level.FIRST,
    BodyKind.REPUBLICAN_CITY: Level.FIRST,
    BodyKind.CAPITAL: Level.FIRST,
    BodyKind.CITY: Level.SECOND,
    BodyKind.DISTRICT: Level.SECOND,
}
"""The maslikhat level of each body kind (LSA art. 5; the Mazhilis has none)."""

SMD_KINDS = (ContestKind.FIRST_LEVEL_SMD, ContestKind.SECOND_LEVEL_SMD)
_HELD = (MandateState.WON, MandateState.ASSIGNED, MandateState.REGISTERED)
"""Mandates that count as won at the election (a later termination does not undo the result)."""


def sex_and_birth(person: Person) -> tuple[Sex, date]:
    """A person's sex and date of birth from the IIN; the recorded ones if the IIN does not parse."""
    try:
        parsed = parse_iin(person.iin)
    except LawInputError:
        return person.sex, person.birth_date
    return parsed.sex, parsed.birth_date


def age_on(birth: date, day: date) -> int:
    """Full years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class _Level:
    """Running counts of one level in one region."""

    def __init__(self) -> None:
        self.seats = 0
        self.nominated = 0
        self.party = 0
        self.registered = 0
        self.women_nominated = 0
        self.women_registered = 0
        self.winners_party = 0
        self.winners_nonparty = 0
        self.women_elected = 0
        self.ages: list[int] = []

    def figures(self) -> LevelFigures:
        return LevelFigures(
            seats=self.seats,
            nominated=self.nominated,
            nominated_party=self.party,
            nominated_nonparty=self.nominated - self.party,
            registered=self.registered,
            women_nominated=self.women_nominated,
            women_registered=self.women_registered,
            winners_party=self.winners_party,
            winners_nonparty=self.winners_nonparty,
            women_elected=self.women_elected,
            mean_age=Fraction(sum(self.ages), len(self.ages)) if self.ages else None,
        )


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole > 0 else None


def load_election(session: Session, election_id: int) -> ElectionFigures:
    """The report inputs of a stored election (raises NotFound for an unknown id)."""
    election = session.get(Election, election_id)
    if election is None:
        raise NotFound("not_found", f"no election {election_id}", field="election_id")
    day = election.polling_day
    in_election = Contest.election_id == election_id

    precinct_ids = union(
        select(DistrictPrecinct.precinct_id)
        .join(District, District.id == DistrictPrecinct.district_id)
        .where(District.election_id == election_id),
        select(Protocol.precinct_id)
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(in_election),
        select(TurnoutReport.precinct_id).where(TurnoutReport.election_id == election_id),
    ).subquery()
    precincts = list(
        session.scalars(select(Precinct).where(Precinct.id.in_(select(precinct_ids.c[0]))))
    )
    region_rows = {
        r.id: r
        for r in session.scalars(
            select(Region).where(Region.id.in_({p.region_id for p in precincts}))
        )
    }
    stations: Counter[int] = Counter(p.region_id for p in precincts)
    precinct_region = {p.id: p.region_id for p in precincts}
    precinct_voters = {p.id: p.voters for p in precincts}

    # Final turnout: definitive protocols of the turnout kind (CL art. 43).
    kinds = set(session.scalars(select(Contest.kind).where(in_election).distinct()))
    turnout_kind = next((k for k in TURNOUT_KINDS if k in kinds), None)
    voters_on_list: Counter[int] = Counter()
    in_boxes: Counter[int] = Counter()
    counted_precincts: set[int] = set()
    if turnout_kind is not None:
        rows = session.execute(
            select(Protocol.precinct_id, Protocol.voters_on_list, Protocol.ballots_in_boxes)
            .join(Contest, Contest.id == Protocol.contest_id)
            .where(
                in_election,
                Contest.kind == turnout_kind,
                Contest.follows_contest_id.is_(None),
                Protocol.state == ProtocolState.DEFINITIVE,
            )
        )
        for precinct_id, listed, boxes in rows:
            if precinct_id in counted_precincts:
                continue  # one protocol per precinct gives its turnout (several Mazhilis SMDs)
            counted_precincts.add(precinct_id)
            voters_on_list[precinct_region[precinct_id]] += listed or 0
            in_boxes[precinct_region[precinct_id]] += boxes or 0

    # Day-time turnout reports: voted by the mark / voters of the reporting precincts.
    marks: dict[str, tuple[Counter[int], Counter[int]]] = {}
    for precinct_id, at, voted in session.execute(
        select(TurnoutReport.precinct_id, TurnoutReport.at, TurnoutReport.voted).where(
            TurnoutReport.election_id == election_id, TurnoutReport.at != FINAL
        )
    ):
        voted_by, listed_by = marks.setdefault(at, (Counter(), Counter()))
        voted_by[precinct_region[precinct_id]] += voted
        listed_by[precinct_region[precinct_id]] += precinct_voters[precinct_id]

    # Candidacies, seats and winners of the maslikhats' single-member contests.
    levels: dict[tuple[int, Level], _Level] = defaultdict(_Level)
    persons: dict[int, tuple[Sex, date]] = {}

    def person_facts(person: Person) -> tuple[Sex, date]:
        if person.id not in persons:
            persons[person.id] = sex_and_birth(person)
        return persons[person.id]

    smd = session.execute(
        select(Contest, Body)
        .join(Body, Body.id == Contest.body_id)
        .where(in_election, Contest.kind.in_(SMD_KINDS), Contest.follows_contest_id.is_(None))
    ).all()
    for contest, body in smd:
        if body.kind in LEVELS and body.region_id is not None:
            levels[(body.region_id, LEVELS[body.kind])].seats += contest.seats
    refusals: Counter[str] = Counter()
    nominations = session.execute(
        select(Nomination, Person, Body)
        .join(Person, Person.id == Nomination.person_id)
        .join(Contest, Contest.id == Nomination.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .where(in_election, Contest.kind.in_(SMD_KINDS), Contest.follows_contest_id.is_(None))
    ).all()
    nominated_by: dict[tuple[int, int], int | None] = {}
    for nomination, person, body in nominations:
        nominated_by[(nomination.contest_id, person.id)] = nomination.party_id
        if body.kind not in LEVELS or body.region_id is None:
            continue
        level = levels[(body.region_id, LEVELS[body.kind])]
        woman = person_facts(person)[0] is Sex.FEMALE
        level.nominated += 1
        level.party += nomination.party_id is not None
        level.women_nominated += woman
        if nomination.state is CandidacyState.REGISTERED:
            level.registered += 1
            level.women_registered += woman
        if nomination.refusal_reason is not None:
            refusals[nomination.refusal_reason.value] += 1

    # Mandates won: list seats by party and region; single-member winners.
    list_won: dict[int, Counter[str]] = defaultdict(Counter)
    list_seats: Counter[int] = Counter()
    party_list_seats: Counter[str] = Counter()
    party_smd_seats: Counter[str] = Counter()
    party_codes = {p.id: p.code for p in session.scalars(select(Party))}
    for contest, body in session.execute(
        select(Contest, Body)
        .join(Body, Body.id == Contest.body_id)
        .where(in_election, Contest.kind == ContestKind.FIRST_LEVEL_LIST)
    ).all():
        if body.region_id is not None:
            list_seats[body.region_id] += contest.seats
    mandates = session.execute(
        select(Mandate, Body, Person)
        .join(Contest, Contest.id == Mandate.contest_id)
        .join(Body, Body.id == Mandate.body_id)
        .outerjoin(Person, Person.id == Mandate.person_id)
        .where(in_election, Mandate.state.in_(_HELD))
    ).all()
    for mandate, body, person in mandates:
        if body.kind not in LEVELS or body.region_id is None:
            continue
        if mandate.source is MandateSource.PARTY_LIST:
            if mandate.party_id is not None:
                code = party_codes[mandate.party_id]
                party_list_seats[code] += 1
                if LEVELS[body.kind] is Level.FIRST:
                    list_won[body.region_id][code] += 1
            continue
        if person is None:
            continue
        party_id = nominated_by.get((mandate.contest_id, person.id), mandate.party_id)
        level = levels[(body.region_id, LEVELS[body.kind])]
        sex, birth = person_facts(person)
        if party_id is None:
            level.winners_nonparty += 1
        else:
            level.winners_party += 1
            party_smd_seats[party_codes[party_id]] += 1
        level.women_elected += sex is Sex.FEMALE
        level.ages.append(age_on(birth, day))

    observers_by_region, categories = _observers(session, election_id, precinct_region)
    regions = []
    for region_id, region in sorted(region_rows.items(), key=lambda item: item[1].code):
        first, second = levels.get((region_id, Level.FIRST)), levels.get((region_id, Level.SECOND))
        at_1000, at_1600 = marks.get("10:00"), marks.get("16:00")
        voters = voters_on_list[region_id] or sum(
            v for p, v in precinct_voters.items() if precinct_region[p] == region_id
        )
        regions.append(
            RegionFigures(
                code=region.code,
                names=Names(region.name_kk, region.name_ru, region.name_en),
                voters=voters,
                turnout_1000=_share(at_1000[0][region_id], at_1000[1][region_id])
                if at_1000
                else None,
                turnout_1600=_share(at_1600[0][region_id], at_1600[1][region_id])
                if at_1600
                else None,
                turnout_final=_share(in_boxes[region_id], voters_on_list[region_id]),
                first=first.figures() if first else None,
                second=second.figures() if second else None,
                list_seats=list_seats.get(region_id),
                list_seats_won=tuple(sorted(list_won[region_id].items())),
                stations=stations[region_id],
                observers=observers_by_region[region_id],
            )
        )
    parties = _parties(session, election_id)
    seats = tuple(
        PartySeats(code, party_list_seats[code], party_smd_seats[code])
        for code, _ in parties
        if party_list_seats[code] or party_smd_seats[code]
    )
    return ElectionFigures(
        source=Source.STORED,
        name=Names(election.name, election.name, election.name),
        polling_day=day,
        synthetic=any(p.synthetic for p in precincts),
        regions=tuple(regions),
        parties=parties,
        refusals=tuple(sorted(refusals.items(), key=lambda item: (-item[1], item[0]))),
        maslikhats=_competitiveness(session, election_id),
        observer_categories=categories,
        seats_by_party=seats,
    )


def _observers(
    session: Session, election_id: int, precinct_region: dict[int, int]
) -> tuple[Counter[int], tuple[tuple[str, int], ...]]:
    """Observers per region (each observer once per region) and per organisation kind."""
    by_region: dict[int, set[int]] = defaultdict(set)
    by_kind: dict[str, set[int]] = defaultdict(set)
    for observer_id, precinct_id, kind in session.execute(
        select(
            ObserverAssignment.observer_id,
            ObserverAssignment.precinct_id,
            ObserverOrganisation.kind,
        )
        .join(Observer, Observer.id == ObserverAssignment.observer_id)
        .join(ObserverOrganisation, ObserverOrganisation.id == Observer.organisation_id)
        .where(ObserverAssignment.election_id == election_id)
    ):
        region = precinct_region.get(precinct_id)
        if region is not None:
            by_region[region].add(observer_id)
        by_kind[kind].add(observer_id)
    counts = Counter({region: len(ids) for region, ids in by_region.items()})
    return counts, tuple(sorted((kind, len(ids)) for kind, ids in by_kind.items()))


def _parties(session: Session, election_id: int) -> tuple[tuple[str, Names], ...]:
    """The parties with a list or a nominee in the election, by code."""
    with_list = (
        select(PartyList.party_id)
        .join(Contest, Contest.id == PartyList.contest_id)
        .where(Contest.election_id == election_id)
    )
    with_nominee = (
        select(Nomination.party_id)
        .join(Contest, Contest.id == Nomination.contest_id)
        .where(Contest.election_id == election_id, Nomination.party_id.is_not(None))
    )
    rows = session.scalars(
        select(Party)
        .where(Party.id.in_(with_list) | Party.id.in_(with_nominee))
        .order_by(Party.code)
    )
    return tuple((p.code, Names(p.name_kk, p.name_ru, p.name_en)) for p in rows)


def _competitiveness(session: Session, election_id: int) -> tuple[MaslikhatCompetitiveness, ...]:
    """Each maslikhat's mean KB over its districts with definitive votes (decision #18)."""
    votes: dict[int, dict[int, int]] = defaultdict(dict)
    for contest_id, choice_id, total in session.execute(
        select(ProtocolVote.contest_id, ProtocolVote.choice_id, func.sum(ProtocolVote.votes))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == ProtocolVote.contest_id)
        .where(
            Contest.election_id == election_id,
            Contest.kind.in_(SMD_KINDS),
            Contest.follows_contest_id.is_(None),
            Protocol.state == ProtocolState.DEFINITIVE,
        )
        .group_by(ProtocolVote.contest_id, ProtocolVote.choice_id)
    ):
        votes[contest_id][choice_id] = int(total)
    # Ballot lines without any definitive vote still count as candidates with 0 votes.
    for contest_id, choice_id in session.execute(
        select(BallotChoice.contest_id, BallotChoice.id).where(
            BallotChoice.contest_id.in_(list(votes)), BallotChoice.nomination_id.is_not(None)
        )
    ):
        votes[contest_id].setdefault(choice_id, 0)
    bodies: dict[int, Body] = {}
    per_body: dict[int, list[Fraction]] = defaultdict(list)
    for contest, body in session.execute(
        select(Contest, Body)
        .join(Body, Body.id == Contest.body_id)
        .where(Contest.id.in_(list(votes)))
    ).all():
        if body.kind not in LEVELS or body.region_id is None:
            continue
        kb = district_competitiveness(list(votes[contest.id].values()))
        if kb is not None:
            bodies[body.id] = body
            per_body[body.id].append(kb.index)
    codes = {r.id: r.code for r in session.scalars(select(Region))}
    out = []
    for body_id, values in per_body.items():
        body = bodies[body_id]
        assert body.region_id is not None
        out.append(
            MaslikhatCompetitiveness(
                names=Names(body.name_kk, body.name_ru, body.name_en),
                region=codes[body.region_id],
                level=LEVELS[body.kind],
                districts=len(values),
                index=mean_competitiveness(values).index,
            )
        )
    return tuple(sorted(out, key=lambda m: (m.region, m.level.value, m.names.en)))


def stored_elections(session: Session) -> Iterable[tuple[int, str, date]]:
    """The stored elections (id, name, polling day), newest first, for the command line."""
    return session.execute(
        select(Election.id, Election.name, Election.polling_day).order_by(
            Election.polling_day.desc(), Election.id.desc()
        )
    ).tuples()
