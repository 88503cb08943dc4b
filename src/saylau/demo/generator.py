"""The national demo election of 19 March 2023, run through the real workflows.

:func:`build_demo` takes an empty, migrated database and holds the whole 2023 election in it, from
the reference structure to registered deputies. Everything goes through the public services via
:func:`saylau.services.context.execute`, each call a transaction with its permission checks and
audit events, at a clock set to the right moment of the calendar (nominations in February,
registration before E−25 18:00 local, protocols after 20:00 local on polling day …). Nothing is
written directly; this module only reads the database to learn the ids the services gave.

What is invented (precincts, people, users, votes) is synthetic and marked so: precincts and persons
by their ``synthetic`` flag, users by their full name, the election by its name. Counts follow the
2023 figures (:mod:`saylau.demo.calibration`, :mod:`saylau.demo.plan`); the same seed and scale
always give the same election.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.demo import operations, plan
from saylau.demo.areas import area_rows
from saylau.demo.calibration import PARTIES_2023, calibration
from saylau.demo.summary import DemoSummary, summarise
from saylau.demo.synthetic import (
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAMES,
    PersonMaker,
    SyntheticPerson,
)
from saylau.demo.votes import (
    MAZHILIS_2023_SHARES,
    PrecinctTurnout,
    party_strengths,
    precinct_turnout,
    protocol_figures,
)
from saylau.domain.roles import CommissionLevel, Role
from saylau.domain.states import ProtocolState
from saylau.law.bodies import seat_split
from saylau.law.calendar import ElectionKind
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, Nominator, RefusalReason
from saylau.law.rules import RULES_2023, MaslikhatKind
from saylau.reference.regions import regions
from saylau.reference.structure import RegionStructure, structure_2023
from saylau.services import approvals
from saylau.services.ballots import prepare_ballots
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.context import Actor, execute
from saylau.services.districts import DistrictPlan, import_districts
from saylau.services.elections import CallElection, OverrideInput, call_election
from saylau.services.imports import rows_of
from saylau.services.nomination import (
    PartyListInput,
    SmdNominationInput,
    required_ids,
    submit_nominations,
)
from saylau.services.observers import AccreditationApplication, ObserverKind
from saylau.services.persons import PersonInput
from saylau.services.protocols import (
    ProtocolData,
    ProtocolStatus,
    Submission,
    enter_protocols,
)
from saylau.services.reference_load import load_reference_2023
from saylau.services.tabulation import record_lot, tabulate_election
from saylau.services.territory import TerritoryImport, ensure_commissions, import_territory
from saylau.services.voters import import_areas
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
    Commission,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    Party,
    PartyList,
    Precinct,
    Unit,
)
from saylau.storage.models import Region as RegionRow

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called as each phase advances."""

T = TypeVar("T")

POLLING_DAY = date(2023, 3, 19)
CALLED_ON = date(2023, 1, 19)
CAPITAL_ZONE = ZoneInfo("Asia/Almaty")
ELECTION_NAME = (
    "SYNTHETIC DEMO — elections of the Mazhilis and maslikhat deputies, 19 March 2023 "
    "(invented precincts, people and votes calibrated on the 2023 figures)"
)
NOMINATION_OPENS = datetime(2023, 1, 20, 0, 0, tzinfo=CAPITAL_ZONE)
NOMINATION_OVERRIDE_REASON = (
    "The early election was called on 19 January 2023, after the E−60 day the offsets give "
    "(18 January); the demo lets nomination open the day after the call, as the calling decision "
    "fixes (decision #13). SYNTHETIC demo assumption, not a date from the sources."
)
DEVIATION_REASON = (
    "SYNTHETIC demo: districts are made of whole synthetic precincts, whose sizes are random, so "
    "their deviations from the mean follow those sizes"
)
AGAINST_ALL = (0.02, 0.06)
"""Range of a contest's "against all" share, around the 3.9% of the 2023 Mazhilis list vote
(248,291 votes; ``saylau.cli.law_showcase``)."""
TYPO_SHARE = 0.01
"""Share of precincts whose first entry has a typing error that the coordinator resolves."""
LATE_DOCUMENT_SHARE = 0.1
"""Share of district candidates who hand in their biography after the nomination."""
NON_PARTY_STRENGTH = 0.08
"""Typical strength of a non-party candidate against a party's (its list strength, AMANAT ~0.6)."""
ASSOCIATION_SHARE = 0.05
"""Share of non-party district nominations made by a public association (the rest: self)."""
REFUSAL_REASONS = (
    (RefusalReason.INCOMPLETE_DOCUMENTS, 0.4),
    (RefusalReason.REQUIREMENTS_NOT_MET, 0.25),
    (RefusalReason.CONCEALED_ASSETS, 0.2),
    (RefusalReason.NOMINATION_PROCEDURE_BROKEN, 0.15),
)
REFUSAL_NOTES = {
    RefusalReason.REQUIREMENTS_NOT_MET: "SYNTHETIC: the candidate does not meet a requirement "
    "of the law (CL art. 104 para 6)",
    RefusalReason.CONCEALED_ASSETS: "SYNTHETIC: the asset declaration omits property found by "
    "the tax authority",
    RefusalReason.NOMINATION_PROCEDURE_BROKEN: "SYNTHETIC: the nominating meeting lacked a quorum",
}
ADULT = (date(1955, 1, 1), date(1987, 12, 31))
YOUTH = (date(1988, 1, 1), date(2000, 12, 31))
"""Birth dates of candidates; YOUTH are at most 35 on polling day (quota, decision #7)."""


def _moment(day: date, hour: int, minute: int = 0, zone: ZoneInfo = CAPITAL_ZONE) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


# The calendar of the demo: every step at a lawful moment (capital time unless local).
AT_REFERENCE = _moment(date(2023, 1, 10), 9)
AT_PRECINCTS = _moment(date(2023, 1, 11), 9)
AT_USERS = _moment(date(2023, 1, 12), 9)
AT_CALL = _moment(CALLED_ON, 12)
AT_ADMISSION = _moment(date(2023, 1, 20), 10)
AT_DISTRICTS = _moment(date(2023, 1, 24), 10)
AT_DISTRICTS_PUBLISHED = _moment(date(2023, 1, 26), 10)
AT_LISTS = _moment(date(2023, 2, 6), 10)
AT_NOMINATIONS = _moment(date(2023, 2, 8), 10)
AT_LATE_DOCUMENTS = _moment(date(2023, 2, 14), 10)
AT_DEPOSITS = _moment(date(2023, 2, 16), 10)
AT_REGISTRATION = _moment(date(2023, 2, 20), 10)
AT_BALLOTS = _moment(date(2023, 2, 23), 10)
AT_FROZEN = _moment(date(2023, 2, 24), 10)
AT_OBSERVERS = _moment(date(2023, 3, 1), 10)
TURNOUT_MARKS = (("10:00", 10, 5), ("16:00", 16, 5), ("final", 20, 10))
"""Turnout reports, local time (after each reporting hour; the final one after polling closes)."""
PROTOCOLS_LOCAL = (21, 30)
RESOLUTION_LOCAL = (23, 30)
AT_TABULATION = _moment(date(2023, 3, 20), 12)
AT_PUBLICATION = _moment(date(2023, 3, 21), 12)
AT_SEAT_DECISIONS = _moment(date(2023, 3, 24), 10)
APPLICATIONS_ON = date(2023, 3, 27)
AT_DEPUTIES = _moment(date(2023, 3, 28), 10)


# --- plan objects --------------------------------------------------------------------------------


@dataclass
class _Candidate:
    """A planned district candidacy and what will happen to it."""

    person: SyntheticPerson
    nominator: Nominator
    party: str | None
    association: str
    strength: float
    refusal: RefusalReason | None = None
    late: bool = False
    nomination_id: int = 0

    @property
    def route(self) -> NominationRoute:
        return {
            Nominator.POLITICAL_PARTY: NominationRoute.PARTY_SMD,
            Nominator.PUBLIC_ASSOCIATION: NominationRoute.PUBLIC_ASSOCIATION_SMD,
            Nominator.CITIZEN: NominationRoute.SELF_NOMINATED_SMD,
        }[self.nominator]

    @property
    def withheld(self) -> str | None:
        """The document left out of the nomination: handed in later, or never (refused)."""
        if self.refusal is RefusalReason.INCOMPLETE_DOCUMENTS:
            return "asset_declaration_certificate"
        return "biography" if self.late else None


@dataclass
class _DistrictContest:
    contest_id: int
    key: str
    """A name independent of database ids: ``smd:KZ-35/<unit>#3``, ``smd:mazhilis#12``."""
    body_id: int
    region: str
    precincts: list[plan.PlannedPrecinct]
    candidates: list[_Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class _Ballot:
    contest_id: int
    key: str
    choices: tuple[int, ...]
    """Ballot choice ids in ballot order."""
    strengths: tuple[float, ...]
    against: float


@dataclass(frozen=True)
class _Staff:
    """A TEC's or PEC's demo accounts, as actors of the services."""

    admin: Actor | None
    coordinator: Actor | None
    typists: tuple[Actor, ...] = ()


@dataclass
class _Ids:
    regions: dict[str, int] = field(default_factory=dict)
    region_codes: dict[int, str] = field(default_factory=dict)
    units: dict[tuple[int, str], int] = field(default_factory=dict)
    parties: dict[str, int] = field(default_factory=dict)
    first_level_bodies: dict[str, int] = field(default_factory=dict)
    unit_bodies: dict[tuple[str, str], int] = field(default_factory=dict)
    mazhilis: int = 0
    precincts: dict[str, int] = field(default_factory=dict)
    """``KZ-35:12`` → precinct id."""
    precinct_numbers: dict[int, int] = field(default_factory=dict)
    tec_of_region: dict[int, int] = field(default_factory=dict)
    tec_of_unit: dict[int, int] = field(default_factory=dict)
    pec_of_precinct: dict[int, int] = field(default_factory=dict)
    parent_of_pec: dict[int, int] = field(default_factory=dict)
    commissions: dict[int, Commission] = field(default_factory=dict)


# --- the run -------------------------------------------------------------------------------------


class _Demo:
    def __init__(
        self, factory: sessionmaker[Session], seed: int, scale: float, progress: Progress | None
    ) -> None:
        self.factory = factory
        self.seed = seed
        self.scale = scale
        self.progress = progress
        self.phases: dict[str, float] = {}
        self.operator = Actor.operator()
        self.cec_admin = self.operator
        """The demo CEC administrator (set when its account is made): approves what the console
        requests."""
        self.ids = _Ids()
        self.staff: dict[int, _Staff] = {}
        """Commission id → its demo accounts."""
        self.agents: dict[str, Actor] = {}
        self.structure = {item.region.code: item for item in structure_2023()}
        self.calibration = calibration()
        self.zones = {r.code: ZoneInfo(r.iana_zone) for r in regions()}
        self.precincts: dict[str, tuple[plan.PlannedPrecinct, ...]] = {}
        self.election_id = 0
        self.districts: list[_DistrictContest] = []
        self.list_contests: dict[str, int] = {}
        """Region code (or ``mazhilis``) → the list contest's id."""
        self.contest_keys: dict[int, str] = {}
        """Contest id → a name independent of database ids (random streams are keyed by it)."""
        self.lists: dict[int, dict[str, list[SyntheticPerson]]] = {}
        """List contest id → party code → its persons in list order."""
        self.list_ids: dict[tuple[int, str], int] = {}
        self.deposits: dict[CandidacyRef, int] = {}
        """The deposit each candidacy owes (CL art. 104 paras 1, 1-1), as nomination stated."""
        self.persons = PersonMaker(self._rng("persons"))

    # plumbing

    def _rng(self, *what: object) -> random.Random:
        return random.Random(":".join(["saylau-demo", str(self.seed), *map(str, what)]))

    def call(
        self, actor: Actor, moment: datetime, operation: Callable[..., T], *args: Any, **kw: Any
    ) -> T:
        return execute(self.factory, actor, operation, *args, clock=lambda: moment, **kw)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        self.tick(name, 0, 1)
        yield
        self.phases[name] = round(time.perf_counter() - started, 3)

    def tick(self, name: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(name, done, total)

    def read(self) -> Session:
        return self.factory()

    # 1. reference

    def reference(self) -> None:
        with self.phase("reference"):
            self.call(self.operator, AT_REFERENCE, load_reference_2023)
            with self.read() as session:
                for region in session.scalars(select(RegionRow)):
                    self.ids.regions[region.code] = region.id
                    self.ids.region_codes[region.id] = region.code
                for unit in session.scalars(select(Unit)):
                    self.ids.units[(unit.region_id, unit.name_en)] = unit.id
                self.ids.parties = {p.code: p.id for p in session.scalars(select(Party))}
                unit_names = {uid: name for (_, name), uid in self.ids.units.items()}
                for body in session.scalars(select(Body)):
                    if body.kind is BodyKind.MAZHILIS:
                        self.ids.mazhilis = body.id
                    elif body.unit_id is None:
                        code = self.ids.region_codes[body.region_id or 0]
                        self.ids.first_level_bodies[code] = body.id
                    else:
                        code = self.ids.region_codes[body.region_id or 0]
                        self.ids.unit_bodies[(code, unit_names[body.unit_id])] = body.id

    # 2. precincts and their commissions

    def territory(self) -> None:
        with self.phase("precincts"):
            codes = list(self.structure)
            for done, code in enumerate(codes, start=1):
                planned = plan.plan_precincts(self.structure[code], self.scale, self.seed)
                self.precincts[code] = planned
                rows = [
                    {
                        "region": p.region,
                        "unit": p.unit,
                        "number": p.number,
                        "address": f"SYNTHETIC demo precinct No. {p.number}, "
                        f"{p.unit or self.structure[code].region.name_en}",
                        "voters": p.voters,
                        "synthetic": True,
                    }
                    for p in planned
                ]
                region_id = self.ids.regions[code]
                self.call(
                    self.operator,
                    AT_PRECINCTS,
                    import_territory,
                    TerritoryImport.of(precincts=rows),
                )
                self.call(self.operator, AT_PRECINCTS, ensure_commissions, region_id)
                areas = area_rows(self.structure[code], planned)
                self.call(self.operator, AT_PRECINCTS, import_areas, rows_of(areas, "areas"))
                self.tick("precincts", done, len(codes))
            with self.read() as session:
                for precinct in session.scalars(select(Precinct)):
                    code = self.ids.region_codes[precinct.region_id]
                    self.ids.precincts[f"{code}:{precinct.number}"] = precinct.id
                    self.ids.precinct_numbers[precinct.id] = precinct.number
                for commission in session.scalars(select(Commission)):
                    session.expunge(commission)
                    self.ids.commissions[commission.id] = commission
                    if commission.level is CommissionLevel.TEC_REGION:
                        self.ids.tec_of_region[commission.region_id or 0] = commission.id
                    elif commission.level is CommissionLevel.TEC_UNIT:
                        self.ids.tec_of_unit[commission.unit_id or 0] = commission.id
                    elif commission.level is CommissionLevel.PEC:
                        self.ids.pec_of_precinct[commission.precinct_id or 0] = commission.id
                        self.ids.parent_of_pec[commission.id] = commission.parent_id or 0

    # 3. users

    def users(self) -> None:
        with self.phase("users"):
            by_region: dict[int, list[Commission]] = defaultdict(list)
            for commission in self.ids.commissions.values():
                if commission.level is not CommissionLevel.CEC:
                    by_region[commission.region_id or 0].append(commission)
            codes = list(self.structure)
            for done, code in enumerate(codes, start=1):
                region_id = self.ids.regions[code]
                commissions = sorted(by_region[region_id], key=lambda c: c.id)
                accounts = [self._accounts(code, c) for c in commissions]
                created = self.call(
                    self.operator, AT_USERS, operations.create_accounts, [a for a, _ in accounts]
                )
                for (_, commission), users in zip(accounts, created, strict=True):
                    self.staff[commission.id] = _staff_of(commission, users)
                self.tick("users", done, len(codes))
            agents = [
                operations.Account(
                    f"demo-party-{code}",
                    f"SYNTHETIC demo agent of the party {code}",
                    ((Role.PARTY_AGENT, None, self.ids.parties[code]),),
                )
                for code in sorted(self.ids.parties)
            ]
            for account, users in zip(
                agents,
                self.call(self.operator, AT_USERS, operations.create_accounts, agents),
                strict=True,
            ):
                user_id, username = users[0]
                party_id = account.roles[0][2]
                code = next(c for c, i in self.ids.parties.items() if i == party_id)
                self.agents[code] = Actor(user_id, username, Role.PARTY_AGENT, party_id=party_id)
            # Two CEC administrators, so that the national screens can be opened in the demo and
            # a critical action requested by one is approved by the other (dual control,
            # issue #9 §2); the second approves what the console requests.
            cec = next(c for c in self.ids.commissions.values() if c.level is CommissionLevel.CEC)
            cec_admins = [
                operations.Account(
                    username,
                    f"SYNTHETIC demo administrator{suffix}, Central Election Commission",
                    ((Role.CEC_ADMIN, cec.id, None),),
                )
                for username, suffix in (("demo-cec", ""), ("demo-cec-2", " (second member)"))
            ]
            made = self.call(self.operator, AT_USERS, operations.create_accounts, cec_admins)
            user_id, username = made[1][0]
            self.cec_admin = Actor(user_id, username, Role.CEC_ADMIN, cec.id, CommissionLevel.CEC)

    def _accounts(self, code: str, commission: Commission) -> tuple[operations.Account, Commission]:
        slug = code.lower().replace("-", "")
        region_name = self.structure[code].region.name_en
        if commission.level is CommissionLevel.PEC:
            number = self.ids.precinct_numbers[commission.precinct_id or 0]
            return (
                operations.Account(
                    f"demo-{slug}-pec{number:04d}",
                    f"SYNTHETIC demo typist, PEC No. {number} ({region_name})",
                    ((Role.PEC_TYPIST, commission.id, None),),
                    copies=("a", "b"),
                ),
                commission,
            )
        place = "tec" if commission.unit_id is None else f"tec-u{commission.unit_id:03d}"
        return (
            operations.Account(
                f"demo-{slug}-{place}",
                f"SYNTHETIC demo administrator and coordinator, {commission.name}",
                (
                    (Role.TEC_ADMIN, commission.id, None),
                    (Role.TEC_COORDINATOR, commission.id, None),
                ),
            ),
            commission,
        )

    def tec_for(self, region: str, unit: str | None = None) -> _Staff:
        region_id = self.ids.regions[region]
        if unit is None:
            return self.staff[self.ids.tec_of_region[region_id]]
        return self.staff[self.ids.tec_of_unit[self.ids.units[(region_id, unit)]]]

    def pec_for(self, precinct_id: int) -> tuple[_Staff, _Staff]:
        """The PEC's typists and its parent TEC's accounts."""
        pec = self.ids.pec_of_precinct[precinct_id]
        return self.staff[pec], self.staff[self.ids.parent_of_pec[pec]]

    # 4. the election

    def call_election(self) -> None:
        with self.phase("election"):
            called = self.call(
                self.operator,
                AT_CALL,
                call_election,
                CallElection(
                    polling_day=POLLING_DAY,
                    called_on=CALLED_ON,
                    kind=ElectionKind.EARLY,
                    rules=RULES_2023.name,
                    name=ELECTION_NAME,
                    overrides=(
                        OverrideInput(
                            "nomination_opens", NOMINATION_OPENS, NOMINATION_OVERRIDE_REASON
                        ),
                    ),
                ),
            )
            self.election_id = called.election.id
            self.call(
                self.operator,
                AT_ADMISSION,
                operations.admit_all,
                self.election_id,
                [self.ids.parties[code] for code in PARTIES_2023],
            )

    # 5. districts

    def form_districts(self) -> None:
        with self.phase("districts"):
            voters = {code: sum(p.voters for p in ps) for code, ps in self.precincts.items()}
            mazhilis = plan.mazhilis_districts_per_region(voters)
            mazhilis_rows: list[dict[str, Any]] = []
            codes = list(self.structure)
            for done, code in enumerate(codes, start=1):
                item = self.structure[code]
                rows, body_ids = self._district_rows(item)
                tec = self.tec_for(code)
                assert tec.admin is not None
                self.call(
                    tec.admin,
                    AT_DISTRICTS,
                    import_districts,
                    self.election_id,
                    DistrictPlan.of(rows),
                )
                self.call(
                    tec.admin,
                    AT_DISTRICTS_PUBLISHED,
                    operations.publish_all,
                    self.election_id,
                    body_ids,
                    DEVIATION_REASON,
                )
                for group in plan.districts_of(self.precincts[code], mazhilis[code]):
                    number = len(mazhilis_rows) + 1
                    mazhilis_rows.append(
                        _district_row(
                            self.ids.mazhilis, number, f"Mazhilis district {number}", group
                        )
                    )
                self.tick("districts", done, len(codes))
            self.call(
                self.operator,
                AT_DISTRICTS,
                import_districts,
                self.election_id,
                DistrictPlan.of(mazhilis_rows),
            )
            self.call(
                self.operator,
                AT_DISTRICTS_PUBLISHED,
                operations.publish_all,
                self.election_id,
                [self.ids.mazhilis],
                DEVIATION_REASON,
            )
            self._load_contests()

    def _district_rows(self, item: RegionStructure) -> tuple[list[dict[str, Any]], list[int]]:
        code = item.region.code
        precincts = self.precincts[code]
        rows: list[dict[str, Any]] = []
        bodies: list[int] = []
        first_smd = seat_split(item.region.kind, item.first_level_seats, RULES_2023).smd_seats
        first = self.ids.first_level_bodies[code]
        for number, group in enumerate(plan.districts_of(precincts, first_smd), start=1):
            rows.append(_district_row(first, number, f"{item.region.name_en} {number}", group))
        bodies.append(first)
        for body in item.second_level:
            unit = body.name_en.removesuffix(" maslikhat")
            body_id = self.ids.unit_bodies[(code, unit)]
            inside = [p for p in precincts if p.unit == unit]
            for number, group in enumerate(plan.districts_of(inside, body.seats), start=1):
                rows.append(_district_row(body_id, number, f"{unit} {number}", group))
            bodies.append(body_id)
        return rows, bodies

    def _load_contests(self) -> None:
        by_ref = {p.ref: p for planned in self.precincts.values() for p in planned}
        ref_of = {pid: ref for ref, pid in self.ids.precincts.items()}
        with self.read() as session:
            contests = session.scalars(
                select(Contest).where(Contest.election_id == self.election_id).order_by(Contest.id)
            ).all()
            links = _district_members(session, self.election_id)
            unit_names = {uid: name for (_, name), uid in self.ids.units.items()}
            for contest in contests:
                body = session.get(Body, contest.body_id)
                assert body is not None
                place = (
                    "mazhilis"
                    if body.kind is BodyKind.MAZHILIS
                    else self.ids.region_codes[body.region_id or 0]
                )
                if contest.district_id is None:
                    self.list_contests[place] = contest.id
                    self.contest_keys[contest.id] = f"list:{place}"
                    continue
                district = session.get(District, contest.district_id)
                assert district is not None
                if body.unit_id is not None:
                    place += f"/{unit_names[body.unit_id]}"
                key = f"smd:{place}#{district.number:03d}"
                self.contest_keys[contest.id] = key
                precincts = sorted(
                    (by_ref[ref_of[pid]] for pid in links[contest.district_id]),
                    key=lambda p: (p.region, p.number),
                )
                self.districts.append(
                    _DistrictContest(contest.id, key, body.id, precincts[0].region, precincts)
                )

    # 6. nomination and registration

    def nominate(self) -> None:
        with self.phase("nomination"):
            self._plan_lists()
            for done, code in enumerate(sorted(self.agents), start=1):
                inputs = [
                    self._list_input(contest_id, code, persons[code])
                    for contest_id, persons in self.lists.items()
                    if code in persons
                ]
                if inputs:
                    submitted = self.call(
                        self.agents[code], AT_LISTS, operations.submit_lists, inputs
                    )
                    for item in submitted:
                        self.list_ids[(item.contest_id, code)] = item.party_list_id
                        self.deposits[CandidacyRef(CandidacyKind.LIST, item.party_list_id)] = (
                            item.deposit.amount
                        )
                self.tick("party lists", done, len(self.agents))
            self._plan_candidates()
            groups = self._by_tec(self.districts)
            for done, (tec, contests) in enumerate(groups, start=1):
                items = [
                    self._nomination_input(contest, candidate)
                    for contest in contests
                    for candidate in contest.candidates
                ]
                results = self.call(tec, AT_NOMINATIONS, submit_nominations, items)
                candidates = [c for contest in contests for c in contest.candidates]
                for candidate, result in zip(candidates, results, strict=True):
                    candidate.nomination_id = result.nomination_id
                    self.deposits[CandidacyRef(CandidacyKind.SMD, result.nomination_id)] = (
                        result.deposit.amount
                    )
                self.tick("nominations", done, len(groups))
            for done, (tec, contests) in enumerate(groups, start=1):
                late = [
                    CandidacyRef(CandidacyKind.SMD, c.nomination_id)
                    for contest in contests
                    for c in contest.candidates
                    if c.late and c.refusal is None
                ]
                if late:
                    self.call(tec, AT_LATE_DOCUMENTS, operations.late_biographies, late)
                self.tick("late documents", done, len(groups))

    def register(self) -> None:
        with self.phase("registration"):
            groups = self._by_tec(self.districts)
            list_groups = self._list_groups()
            work: list[tuple[Actor, list[CandidacyRef], list[operations.Refusal]]] = []
            for tec, contests in groups:
                standing = [
                    CandidacyRef(CandidacyKind.SMD, c.nomination_id)
                    for contest in contests
                    for c in contest.candidates
                    if c.refusal is None
                ]
                refused = [
                    (
                        CandidacyRef(CandidacyKind.SMD, c.nomination_id),
                        c.refusal,
                        REFUSAL_NOTES.get(c.refusal, ""),
                    )
                    for contest in contests
                    for c in contest.candidates
                    if c.refusal is not None
                ]
                work.append((tec, standing, refused))
            for actor, refs in list_groups:
                work.append((actor, refs, []))
            for done, (actor, standing, refused) in enumerate(work, start=1):
                payments = [(ref, self.deposits[ref]) for ref in standing]
                self.call(actor, AT_DEPOSITS, operations.pay_deposits, payments)
                self.call(
                    actor, AT_REGISTRATION, operations.decide_registrations, standing, refused
                )
                self.tick("registration", done, len(work))

    def _list_groups(self) -> list[tuple[Actor, list[CandidacyRef]]]:
        """Lists by the commission that registers them: the region's TEC, the CEC for the
        Mazhilis; in an order drawn by lot (the registration order breaks equal remainders)."""
        rng = self._rng("list-registration")
        groups: list[tuple[Actor, list[CandidacyRef]]] = []
        for key, contest_id in self.list_contests.items():
            parties = sorted(self.lists.get(contest_id, {}))
            rng.shuffle(parties)
            refs = [
                CandidacyRef(CandidacyKind.LIST, self.list_ids[(contest_id, party)])
                for party in parties
            ]
            if key == "mazhilis":
                groups.append((self.operator, refs))
            else:
                admin = self.tec_for(key).admin
                assert admin is not None
                groups.append((admin, refs))
        return groups

    def _by_tec(
        self, contests: Sequence[_DistrictContest]
    ) -> list[tuple[Actor, list[_DistrictContest]]]:
        """District contests grouped by the TEC of the body's territory (the region's TEC for the
        first level and the Mazhilis districts)."""
        unit_of_body = {bid: unit for (_, unit), bid in self.ids.unit_bodies.items()}
        grouped: dict[tuple[str, str | None], list[_DistrictContest]] = defaultdict(list)
        for contest in contests:
            grouped[(contest.region, unit_of_body.get(contest.body_id))].append(contest)
        result = []
        for (region, unit), items in grouped.items():
            admin = self.tec_for(region, unit).admin
            assert admin is not None
            result.append((admin, items))
        return result

    def _plan_lists(self) -> None:
        rng = self._rng("lists")
        for code, item in self.structure.items():
            figures = self.calibration[code]
            contest_id = self.list_contests[code]
            persons: dict[str, list[SyntheticPerson]] = {}
            for party in PARTIES_2023:
                size = plan.list_size(figures, party)
                if size:
                    persons[party] = self._list_persons(rng, size, figures.women_share, False)
            self.lists[contest_id] = persons
            del item
        mazhilis: dict[str, list[SyntheticPerson]] = {}
        women = plan.national_women_share()
        for party in PARTIES_2023:
            expected = round(MAZHILIS_2023_SHARES.get(party, 0.02) * RULES_2023.mazhilis_list_seats)
            mazhilis[party] = self._list_persons(rng, max(10, expected + 10), women, True)
        self.lists[self.list_contests["mazhilis"]] = mazhilis

    def _list_persons(
        self, rng: random.Random, size: int, women: Any, mazhilis: bool
    ) -> list[SyntheticPerson]:
        """A list whose every third person, from the first, is a woman or young: every prefix
        meets the 30% quota (CL art. 104 para 4; art. 97-1 para 5 for Mazhilis mandates)."""
        persons = []
        for position in range(size):
            if position % 3 == 0:
                sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
                born = ADULT if sex is Sex.FEMALE and rng.random() < 0.7 else YOUTH
            else:
                sex = Sex.FEMALE if rng.random() < float(women) else Sex.MALE
                born = YOUTH if rng.random() < 0.15 else ADULT
            if mazhilis and born is YOUTH:
                born = (YOUTH[0], date(1996, 12, 31))  # at least 25 (Const. art. 51)
            persons.append(self.persons.person(sex, born))
        return persons

    def _list_input(
        self, contest_id: int, party: str, persons: list[SyntheticPerson]
    ) -> PartyListInput:
        route = NominationRoute.PARTY_LIST
        own = tuple(d for d in required_ids(route) if d in _LIST_OWN)
        per_person = tuple(d for d in required_ids(route) if d not in _LIST_OWN)
        mazhilis = contest_id == self.list_contests["mazhilis"]
        return PartyListInput(
            contest_id=contest_id,
            party_id=self.ids.parties[party],
            persons=tuple(
                _person_input(p, self.ids.parties[party], per_person, mazhilis) for p in persons
            ),
            documents=own,
        )

    def _plan_candidates(self) -> None:
        """District candidates per region and level: the level's 2023 candidates per seat,
        party share, women and refusals (the Mazhilis districts: national first-level figures)."""
        kinds: dict[int, MaslikhatKind | None] = {self.ids.mazhilis: None}
        for code, item in self.structure.items():
            kinds[self.ids.first_level_bodies[code]] = item.region.kind
            for body in item.second_level:
                unit = body.name_en.removesuffix(" maslikhat")
                kinds[self.ids.unit_bodies[(code, unit)]] = body.kind
        by_level: dict[tuple[str, str], list[_DistrictContest]] = defaultdict(list)
        for contest in self.districts:
            kind = kinds[contest.body_id]
            by_level[(contest.region, kind.value if kind else "mazhilis")].append(contest)
        women_national = float(plan.national_women_share())
        for (code, level), contests in sorted(by_level.items()):
            kind = None if level == "mazhilis" else MaslikhatKind(level)
            rng = self._rng("candidates", code, level)
            figures = plan.level_figures(code, kind)
            region = self.calibration[code]
            counts = plan.candidates_per_district(figures, len(contests), rng)
            slots = plan.party_slots(counts, figures.party_share, rng, len(PARTIES_2023))
            refused = plan.refusals(counts, figures.registered_share, rng)
            strengths = party_strengths(PARTIES_2023, region.list_seats_won, MAZHILIS_2023_SHARES)
            women = women_national if kind is None else float(region.women_share)
            for contest, count, party, out in zip(contests, counts, slots, refused, strict=True):
                parties = dict(strengths)
                for index in range(count):
                    candidate = self._candidate(
                        rng, parties if index < party else None, women, kind is None, index in out
                    )
                    contest.candidates.append(candidate)

    def _candidate(
        self,
        rng: random.Random,
        parties: dict[str, float] | None,
        women: float,
        mazhilis: bool,
        refused: bool,
    ) -> _Candidate:
        """A district candidate: nominated by one of ``parties`` (each at most once per district:
        the strongest party first, as AMANAT contested nearly every district in 2023, then drawn
        by strength) or, when None, by a public association or by themselves."""
        sex = Sex.FEMALE if rng.random() < women else Sex.MALE
        born = YOUTH if rng.random() < 0.15 else ADULT
        if mazhilis and born is YOUTH:
            born = (YOUTH[0], date(1996, 12, 31))
        person = self.persons.person(sex, born)
        party: str | None = None
        association = ""
        if parties:
            names = sorted(parties)
            if len(parties) == len(PARTIES_2023):  # the district's first party nominee
                party = max(names, key=lambda n: parties[n])
            else:
                party = rng.choices(names, weights=[parties[n] for n in names])[0]
            strength = parties.pop(party) * rng.lognormvariate(0, 0.35)
            nominator = Nominator.POLITICAL_PARTY
        elif rng.random() < ASSOCIATION_SHARE:
            nominator = Nominator.PUBLIC_ASSOCIATION
            association = f"SYNTHETIC public association No. {rng.randint(1, 40)}"
            strength = NON_PARTY_STRENGTH * rng.lognormvariate(0, 0.6)
        else:
            nominator = Nominator.CITIZEN
            strength = NON_PARTY_STRENGTH * rng.lognormvariate(0, 0.6)
        refusal = None
        if refused:
            reasons = [reason for reason, _ in REFUSAL_REASONS]
            refusal = rng.choices(reasons, weights=[w for _, w in REFUSAL_REASONS])[0]
        late = refusal is None and rng.random() < LATE_DOCUMENT_SHARE
        return _Candidate(person, nominator, party, association, strength, refusal, late)

    def _nomination_input(
        self, contest: _DistrictContest, candidate: _Candidate
    ) -> SmdNominationInput:
        documents = tuple(d for d in required_ids(candidate.route) if d != candidate.withheld)
        party_id = self.ids.parties[candidate.party] if candidate.party else None
        return SmdNominationInput(
            contest_id=contest.contest_id,
            nominator=candidate.nominator,
            person=_person_input(
                candidate.person, party_id, (), contest.body_id == self.ids.mazhilis
            ),
            party_id=party_id,
            association=candidate.association,
            documents=documents,
        )

    # 7. ballots

    def ballots(self) -> None:
        with self.phase("ballots"):
            self.call(
                self.operator,
                AT_BALLOTS,
                prepare_ballots,
                self.election_id,
                f"saylau-demo-{self.seed}",
            )
            by_actor: dict[int | None, tuple[Actor, list[int]]] = {}
            for tec, contests in self._by_tec(self.districts):
                by_actor.setdefault(tec.user_id, (tec, []))[1].extend(
                    c.contest_id for c in contests
                )
            for key, contest_id in self.list_contests.items():
                actor = self.operator if key == "mazhilis" else self.tec_for(key).admin
                assert actor is not None
                by_actor.setdefault(actor.user_id, (actor, []))[1].append(contest_id)
            for done, (actor, ids) in enumerate(by_actor.values(), start=1):
                self.call(actor, AT_FROZEN, operations.freeze_all, sorted(ids))
                self.tick("ballots", done, len(by_actor))

    # 7a. observers

    def observe(self) -> None:
        """Each region's observers as Tables 56 and 58 count them (× scale, at least one of each
        kind): one non-governmental organisation and one organisation per party, accredited by
        the regional commission (CL art. 20-1), each observer assigned to one precinct in turn."""
        with self.phase("observers"):
            makers = PersonMaker(self._rng("observers"))
            parties = sorted(self.ids.parties)
            for done, (code, figures) in enumerate(sorted(self.calibration.items()), start=1):
                tec = self.tec_for(code).admin
                assert tec is not None
                region = self.structure[code].region.name_en
                commission_id = self.ids.tec_of_region[self.ids.regions[code]]
                senders: list[tuple[AccreditationApplication, int]] = [
                    (
                        AccreditationApplication(
                            f"SYNTHETIC civic observers of {region}",
                            ObserverKind.NGO,
                            commission_id,
                        ),
                        max(1, round(figures.ngo_observers * self.scale)),
                    )
                ]
                party_total = max(len(parties), round(figures.party_observers * self.scale))
                senders += [
                    (
                        AccreditationApplication(
                            f"SYNTHETIC observers of the party {party} in {region}",
                            ObserverKind.PARTY,
                            commission_id,
                            self.ids.parties[party],
                        ),
                        party_total // len(parties) + (i < party_total % len(parties)),
                    )
                    for i, party in enumerate(parties)
                ]
                senders = [
                    (
                        replace(application, name=f"{application.name} ({n})")
                        if n > 1
                        else application,
                        part,
                    )
                    for application, count in senders
                    for n, part in enumerate(_groups(count), start=1)
                ]
                precincts = [self.ids.precincts[p.ref] for p in self.precincts[code]]
                assignments: list[tuple[int, Sequence[int]]] = []
                for application, count in senders:
                    names = _distinct_names(makers, count)
                    observers = self.call(
                        tec, AT_OBSERVERS, operations.accredit_observers, application, names
                    )
                    assignments += [
                        (observer, [precincts[(len(assignments) + i) % len(precincts)]])
                        for i, observer in enumerate(observers)
                    ]
                self.call(
                    tec, AT_OBSERVERS, operations.assign_observers, self.election_id, assignments
                )
                self.tick("observers", done, len(self.calibration))

    # 8. polling day

    def polling_day(self) -> None:
        planned = [p for ps in self.precincts.values() for p in ps]
        turnouts: dict[str, PrecinctTurnout] = {}
        for p in planned:
            region = self.calibration[p.region]
            turnouts[p.ref] = precinct_turnout(
                self._rng("turnout", p.ref),
                p.voters,
                region.turnout_1000,
                region.turnout_1600,
                region.turnout_final,
            )
        with self.phase("turnout"):
            self._report_turnout(planned, turnouts)
        with self.phase("protocols"):
            self._enter_protocols(planned, turnouts)

    def _report_turnout(
        self, planned: Sequence[plan.PlannedPrecinct], turnouts: dict[str, PrecinctTurnout]
    ) -> None:
        """Each TEC's coordinator enters the turnout its precincts phone in, at each mark."""
        by_tec: dict[int, list[plan.PlannedPrecinct]] = defaultdict(list)
        for p in planned:
            pec = self.ids.pec_of_precinct[self.ids.precincts[p.ref]]
            by_tec[self.ids.parent_of_pec[pec]].append(p)
        steps = len(TURNOUT_MARKS) * len(by_tec)
        done = 0
        for mark, hour, minute in TURNOUT_MARKS:
            for tec_id, precincts in by_tec.items():
                coordinator = self.staff[tec_id].coordinator
                assert coordinator is not None
                zone = self.zones[precincts[0].region]
                voted = [
                    (self.ids.precincts[p.ref], _turnout_at(turnouts[p.ref], mark))
                    for p in precincts
                ]
                self.call(
                    coordinator,
                    _moment(POLLING_DAY, hour, minute, zone),
                    operations.report_turnouts,
                    self.election_id,
                    mark,
                    voted,
                )
                done += 1
                self.tick("turnout", done, steps)

    def _enter_protocols(
        self, planned: Sequence[plan.PlannedPrecinct], turnouts: dict[str, PrecinctTurnout]
    ) -> None:
        """Both typists of each PEC enter all its protocols (one transaction each); the TEC's
        coordinator then resolves what did not become definitive by itself."""
        ballots = self._ballots()
        contests_of = self._contests_of_precincts()
        pending: dict[int, list[ProtocolStatus]] = defaultdict(list)
        resolvers: dict[int, tuple[Actor, ZoneInfo]] = {}
        for done, p in enumerate(planned, start=1):
            precinct_id = self.ids.precincts[p.ref]
            pec, tec = self.pec_for(precinct_id)
            here = [ballots[contest_id] for contest_id in contests_of[precinct_id]]
            counted = count_precinct(
                self.seed,
                p.ref,
                p.voters,
                turnouts[p.ref].final,
                [(b.strengths, b.against) for b in here],
            )
            submissions = [
                Submission(ballot.contest_id, precinct_id, _data(figures, ballot.choices))
                for ballot, figures in zip(here, counted, strict=True)
            ]
            rng = self._rng("typo", p.ref)
            first = _with_typo(submissions, rng) if rng.random() < TYPO_SHARE else submissions
            zone = self.zones[p.region]
            at = _moment(POLLING_DAY, *PROTOCOLS_LOCAL, zone=zone)
            self.call(pec.typists[0], at, enter_protocols, first)
            statuses = self.call(
                pec.typists[1], at + timedelta(minutes=5), enter_protocols, submissions
            )
            waiting = [s for s in statuses if s.state is not ProtocolState.DEFINITIVE]
            if waiting:
                assert tec.coordinator is not None
                key = tec.coordinator.commission_id or 0
                pending[key].extend(waiting)
                resolvers[key] = (tec.coordinator, zone)
            self.tick("protocols", done, len(planned))
        for key, statuses in pending.items():
            coordinator, zone = resolvers[key]
            self.call(
                coordinator,
                _moment(POLLING_DAY, *RESOLUTION_LOCAL, zone=zone),
                operations.resolve_all,
                [(s.protocol_id, s.unacknowledged) for s in statuses],
            )

    def _ballots(self) -> dict[int, _Ballot]:
        """Every contest's ballot as the voters see it: its lines in order, the relative strength
        of each (party lists: the 2023 seats and Mazhilis shares; candidates: as planned) and the
        contest's "against all" share."""
        lines: dict[int, list[tuple[int, int | None, int | None]]] = defaultdict(list)
        with self.read() as session:
            for contest_id, choice_id, list_id, nomination_id in session.execute(
                select(
                    BallotChoice.contest_id,
                    BallotChoice.id,
                    BallotChoice.party_list_id,
                    BallotChoice.nomination_id,
                )
                .join(Contest, Contest.id == BallotChoice.contest_id)
                .where(Contest.election_id == self.election_id)
                .order_by(BallotChoice.contest_id, BallotChoice.position)
            ):
                lines[contest_id].append((choice_id, list_id, nomination_id))
        party_of_list = {list_id: party for (_, party), list_id in self.list_ids.items()}
        candidate_of = {c.nomination_id: c for d in self.districts for c in d.candidates}
        region_of_list = {cid: code for code, cid in self.list_contests.items()}
        ballots: dict[int, _Ballot] = {}
        for contest_id, found in lines.items():
            region = region_of_list.get(contest_id)
            if region is None:
                strengths = [candidate_of[nomination or 0].strength for _, _, nomination in found]
            else:
                parties = [party_of_list[list_id or 0] for _, list_id, _ in found]
                if region == "mazhilis":
                    weights = {p: MAZHILIS_2023_SHARES.get(p, 0.02) for p in parties}
                else:
                    seats_won = self.calibration[region].list_seats_won
                    weights = party_strengths(parties, seats_won, MAZHILIS_2023_SHARES)
                strengths = [weights[p] for p in parties]
            key = self.contest_keys[contest_id]
            ballots[contest_id] = _Ballot(
                contest_id,
                key,
                tuple(choice for choice, _, _ in found),
                tuple(strengths),
                self._rng("against", key).uniform(*AGAINST_ALL),
            )
        return ballots

    def _contests_of_precincts(self) -> dict[int, list[int]]:
        """Precinct id → the contests its voters receive a ballot for (ordered by their keys)."""
        found: dict[int, list[int]] = defaultdict(list)
        mazhilis = self.list_contests["mazhilis"]
        for code, planned in self.precincts.items():
            for p in planned:
                precinct_id = self.ids.precincts[p.ref]
                found[precinct_id] += [mazhilis, self.list_contests[code]]
        for contest in self.districts:
            for p in contest.precincts:
                found[self.ids.precincts[p.ref]].append(contest.contest_id)
        return {pid: sorted(ids, key=lambda c: self.contest_keys[c]) for pid, ids in found.items()}

    # 9. results and mandates

    def results(self) -> dict[str, int]:
        outcome = {"lots": 0}
        with self.phase("tabulation"):
            tallies = self.call(self.operator, AT_TABULATION, tabulate_election, self.election_id)
            waiting = [t.contest_id for t in tallies if t.status == "lot_required"]
            for contest_id in waiting:
                seed = f"saylau-demo-{self.seed}-{self.contest_keys[contest_id]}"
                self.call(self.operator, AT_TABULATION, record_lot, contest_id, seed)
            outcome["lots"] = len(waiting)
        with self.phase("publication"):
            # Dual control (issue #9 §2): the console requests, the CEC administrator approves.
            approvals.request_and_approve(
                self.factory,
                self.operator,
                self.cec_admin,
                approvals.PUBLISH_RESULTS,
                approvals.publish_params(self.election_id),
                clock=lambda: AT_PUBLICATION,
            )
        with self.phase("mandates"):
            self._assign_list_seats()
            self._register_deputies()
        return outcome

    def _assign_list_seats(self) -> None:
        with self.read() as session:
            seats: dict[tuple[int, int], int] = defaultdict(int)
            for contest_id, party_id in session.execute(
                select(Mandate.contest_id, Mandate.party_id)
                .join(Contest, Contest.id == Mandate.contest_id)
                .where(
                    Contest.election_id == self.election_id,
                    Mandate.source == MandateSource.PARTY_LIST,
                    Mandate.state == MandateState.WON,
                )
            ):
                seats[(contest_id, party_id or 0)] += 1
            listed: dict[tuple[int, int], list[int]] = defaultdict(list)
            for contest_id, party_id, person_id in session.execute(
                select(PartyList.contest_id, PartyList.party_id, ListEntry.person_id)
                .join(ListEntry, ListEntry.party_list_id == PartyList.id)
                .where(
                    PartyList.contest_id.in_(list(self.list_contests.values())),
                    ListEntry.withdrawn.is_(False),
                )
                .order_by(PartyList.id, ListEntry.position)
            ):
                listed[(contest_id, party_id)].append(person_id)
        by_party: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
        for (contest_id, party_id), count in sorted(seats.items()):
            by_party[party_id].append((contest_id, listed[(contest_id, party_id)][:count]))
        code_of = {pid: code for code, pid in self.ids.parties.items()}
        for done, (party_id, decisions) in enumerate(sorted(by_party.items()), start=1):
            self.call(
                self.agents[code_of[party_id]],
                AT_SEAT_DECISIONS,
                operations.assign_all,
                party_id,
                decisions,
            )
            self.tick("list seats", done, len(by_party))

    def _register_deputies(self) -> None:
        with self.read() as session:
            rows = session.execute(
                select(Mandate.id, Body.region_id, Body.unit_id)
                .join(Contest, Contest.id == Mandate.contest_id)
                .join(Body, Body.id == Mandate.body_id)
                .where(
                    Contest.election_id == self.election_id,
                    Mandate.state.in_((MandateState.WON, MandateState.ASSIGNED)),
                    Mandate.person_id.is_not(None),
                )
                .order_by(Mandate.id)
            ).all()
        by_actor: dict[int | None, tuple[Actor, list[int]]] = {}
        for mandate_id, region_id, _unit_id in rows:
            if region_id is None:
                actor = self.operator
            else:
                admin = self.tec_for(self.ids.region_codes[region_id]).admin
                assert admin is not None
                actor = admin
            by_actor.setdefault(actor.user_id, (actor, []))[1].append(mandate_id)
        for done, (actor, ids) in enumerate(by_actor.values(), start=1):
            self.call(actor, AT_DEPUTIES, operations.register_all, ids, APPLICATIONS_ON)
            self.tick("deputies", done, len(by_actor))


# --- operations: several calls of one service in one transaction --------------------------------


def _staff_of(commission: Commission, users: list[tuple[int, str]]) -> _Staff:
    def actor(user: tuple[int, str], role: Role) -> Actor:
        return Actor(
            user_id=user[0],
            username=user[1],
            role=role,
            commission_id=commission.id,
            level=commission.level,
            region_id=commission.region_id,
            unit_id=commission.unit_id,
            precinct_id=commission.precinct_id,
        )

    if commission.level is CommissionLevel.PEC:
        return _Staff(None, None, tuple(actor(u, Role.PEC_TYPIST) for u in users))
    return _Staff(actor(users[0], Role.TEC_ADMIN), actor(users[0], Role.TEC_COORDINATOR))


def _district_row(
    body_id: int, number: int, name: str, precincts: Sequence[plan.PlannedPrecinct]
) -> dict[str, Any]:
    return {
        "body": body_id,
        "number": number,
        "name": f"{name} (SYNTHETIC)",
        "precincts": [p.ref for p in precincts],
    }


def _district_members(session: Session, election_id: int) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for district_id, precinct_id in session.execute(
        select(DistrictPrecinct.district_id, DistrictPrecinct.precinct_id)
        .join(District, District.id == DistrictPrecinct.district_id)
        .where(District.election_id == election_id)
    ):
        found[district_id].append(precinct_id)
    return found


_LIST_OWN = frozenset({"nomination_minutes", "deposit_payment"})


def _person_input(
    person: SyntheticPerson, party_id: int | None, documents: tuple[str, ...], mazhilis: bool
) -> PersonInput:
    age = POLLING_DAY.year - person.birth_date.year
    return PersonInput(
        iin=person.iin,
        surname=person.surname,
        name=person.name,
        patronymic=person.patronymic,
        surname_ru=person.surname_ru,
        name_ru=person.name_ru,
        patronymic_ru=person.patronymic_ru,
        birth_date=person.birth_date,
        sex=person.sex,
        citizen=True,
        incapacitated_by_court=False,
        imprisoned_by_sentence=False,
        corruption_crime_conviction=False,
        unexpunged_conviction=False,
        party_id=party_id,
        residence_years=max(10, age - 2) if mazhilis else None,
        documents=documents,
        synthetic=True,
    )


def _turnout_at(turnout: PrecinctTurnout, mark: str) -> int:
    return {"10:00": turnout.at_1000, "16:00": turnout.at_1600, "final": turnout.final}[mark]


def _data(figures: dict[str, Any], choices: Sequence[int]) -> ProtocolData:
    """A typist's entry of the figures (votes by ballot position → by ballot choice id)."""
    return ProtocolData(
        voters_on_list=figures["voters_on_list"],
        ballots_received=figures["ballots_received"],
        ballots_issued=figures["ballots_issued"],
        ballots_cancelled=figures["ballots_cancelled"],
        ballots_in_boxes=figures["ballots_in_boxes"],
        portable_box_ballots=figures["portable_box_ballots"],
        portable_box_requests=figures["portable_box_requests"],
        votes={choices[int(position) - 1]: n for position, n in figures["votes"].items()},
        against_all=figures["against_all"],
        invalid=figures["invalid"],
    )


def _with_typo(submissions: list[Submission], rng: random.Random) -> list[Submission]:
    """The same protocols with one vote count mistyped (a digit too many or too few)."""
    index = rng.randrange(len(submissions))
    chosen = submissions[index]
    choice = next(iter(chosen.data.votes))  # the first line of the ballot
    votes = dict(chosen.data.votes)
    votes[choice] = votes[choice] + 10 if votes[choice] < 10 else votes[choice] // 10
    typo = Submission(chosen.contest_id, chosen.precinct_id, replace(chosen.data, votes=votes))
    return [typo if i == index else s for i, s in enumerate(submissions)]


# --- the votes -----------------------------------------------------------------------------------


def count_precinct(
    seed: int,
    ref: str,
    voters: int,
    took_part: int,
    ballots: Sequence[tuple[Sequence[float], float]],
) -> list[dict[str, Any]]:
    """The protocol figures of every ballot at one precinct (``KZ-35:12``), deterministic in
    ``seed`` and ``ref``: each ballot is (strength of each line in ballot order, "against all"
    share); votes come back keyed by ballot position (``"001"``, ``"002"`` …).
    See :func:`saylau.demo.votes.protocol_figures` for the figures' consistency."""
    rng = random.Random(f"saylau-demo:{seed}:count:{ref}")
    return [
        protocol_figures(
            rng,
            voters,
            took_part,
            {f"{position:03d}": s for position, s in enumerate(strengths, start=1)},
            against,
        )
        for strengths, against in ballots
    ]


# --- the entry point ------------------------------------------------------------------------------


NAMES_PER_ORGANISATION = 2500
"""At most this many observers per synthetic organisation: an organisation names each observer
once (``duplicate_name``), and the synthetic names give :data:`FULL_NAMES` distinct full names,
so a larger group (Table 58's 2,328 civic observers of one region, times the scale above 1) is
sent as several organisations ("… (2)") rather than drawing names for ever."""
FULL_NAMES = len(SURNAMES) * len(MALE_NAMES) * (len(MALE_NAMES) + len(FEMALE_NAMES))
"""Distinct full names (surname × given name × father's name, either sex)."""


def _groups(count: int) -> list[int]:
    """``count`` observers in organisations of at most :data:`NAMES_PER_ORGANISATION`, as equal
    as possible (one group when they fit)."""
    parts = max(1, -(-count // NAMES_PER_ORGANISATION))
    return [count // parts + (i < count % parts) for i in range(parts)]


def _distinct_names(maker: PersonMaker, count: int) -> list[str]:
    """``count`` different full names of synthetic persons (an organisation names each of its
    observers once)."""
    if count > NAMES_PER_ORGANISATION:
        raise ValueError(f"{count} distinct names asked; at most {NAMES_PER_ORGANISATION}")
    names: dict[str, None] = {}
    while len(names) < count:
        person = maker.person(
            Sex.FEMALE if maker.rng.random() < 0.5 else Sex.MALE,
            (date(1950, 1, 1), date(2004, 12, 31)),
        )
        names.setdefault(f"{person.surname} {person.name} {person.patronymic}", None)
    return list(names)


def build_demo(
    factory: sessionmaker[Session],
    *,
    seed: int = 2023,
    scale: float = 1.0,
    progress: Progress | None = None,
) -> DemoSummary:
    """Hold the whole demo election of 19 March 2023 in an empty, migrated database.

    ``scale`` (0 < scale ≤ 3) scales the voters and precincts of every region (1: ~12 million
    voters in ~10,000 precincts; above 1 a SYNTHETIC larger country, 3: ~36 million voters in
    ~30,000 precincts, for the growth benchmarks of issue #8); the structure (20 + 203 maslikhats, 3,414 seats, the Mazhilis)
    and the candidates per seat are always those of 2023, so even a small scale has as many
    precincts as single-member seats. Refused (``ValueError``) on a database that already holds
    precincts or an election. Returns the summary, with the seconds each phase took.
    """
    plan.check_scale(scale)
    with factory() as session:
        if (
            session.scalar(select(Election.id).limit(1)) is not None
            or session.scalar(select(Precinct.id).limit(1)) is not None
        ):
            raise ValueError(
                "the database already holds an election or precincts: use an empty one"
            )
    demo = _Demo(factory, seed, scale, progress)
    started = time.perf_counter()
    demo.reference()
    demo.territory()
    demo.users()
    demo.call_election()
    demo.form_districts()
    demo.nominate()
    demo.register()
    demo.ballots()
    demo.observe()
    demo.polling_day()
    extra = demo.results()
    with demo.phase("summary"):
        summary = summarise(
            factory,
            demo.election_id,
            seed=seed,
            scale=scale,
            phases=demo.phases,
            lots=extra["lots"],
        )
    summary.phases["total"] = round(time.perf_counter() - started, 3)
    return summary


__all__ = ["DemoSummary", "Progress", "build_demo", "count_precinct"]
