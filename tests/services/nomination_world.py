"""Set-up for the nomination, registration and ballot tests: the test world's election, valid IINs
for made-up persons, actors of the world and the moments of the 2023 calendar in Asia/Almaty
(UTC+6 in 2023): nomination closes 17.02 18:00 local = 12:00 UTC, registration 22.02 12:00 UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex, iin_check_digit
from saylau.law.nomination import Nominator
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.context import Actor, execute
from saylau.services.nomination import (
    ListSubmitted,
    NominationSubmitted,
    PartyListInput,
    SmdNominationInput,
    submit_nomination,
    submit_party_list,
)
from saylau.services.parties import admit_party
from saylau.services.persons import PersonInput
from saylau.services.registration import RegistrationDecision, record_deposit, register
from saylau.storage.models import AuditEvent
from tests.world import World, build_election, build_world

Factory = sessionmaker[Session]
T = TypeVar("T")

NOMINATING = datetime(2023, 2, 1, 6, 0, tzinfo=UTC)
NOMINATION_CLOSES = datetime(2023, 2, 17, 12, 0, tzinfo=UTC)
REGISTERING = datetime(2023, 2, 20, 6, 0, tzinfo=UTC)
REGISTRATION_CLOSES = datetime(2023, 2, 22, 12, 0, tzinfo=UTC)
AFTER_REGISTRATION = datetime(2023, 2, 25, 6, 0, tzinfo=UTC)
AFTER_POLLING = datetime(2023, 3, 20, 6, 0, tzinfo=UTC)
POLLING_DAY = date(2023, 3, 19)

SMD_DOCUMENTS = (
    "nomination_minutes",
    "biography",
    "deposit_payment",
    "asset_declaration_certificate",
    "consent",
)
SELF_DOCUMENTS = (
    "intent_application",
    "biography",
    "deposit_payment",
    "asset_declaration_certificate",
)
LIST_DOCUMENTS = ("nomination_minutes", "deposit_payment")
PERSON_DOCUMENTS = ("biography", "asset_declaration_certificate", "consent", "party_membership")


def make_iin(birth: date, sex: Sex, serial: int = 1) -> str:
    """A valid IIN for ``birth`` and ``sex`` (the first serial from ``serial`` with a check digit)."""
    century = {18: 1, 19: 3, 20: 5}[birth.year // 100] + (sex is Sex.FEMALE)
    head = f"{birth:%y%m%d}{century}"
    for number in range(serial, serial + 100):
        first_eleven = f"{head}{number:04d}"
        digit = iin_check_digit(first_eleven)
        if digit is not None:
            return f"{first_eleven}{digit}"
    raise AssertionError("no IIN found")


_serials: dict[tuple[date, Sex], int] = {}


def person(
    surname: str,
    name: str,
    birth: date = date(1980, 5, 17),
    sex: Sex = Sex.MALE,
    **kw: Any,
) -> PersonInput:
    """A made-up, eligible person with a fresh valid IIN."""
    serial = _serials.get((birth, sex), 1)
    iin = kw.pop("iin", None) or make_iin(birth, sex, serial)
    _serials[(birth, sex)] = int(iin[7:11]) + 1
    facts: dict[str, Any] = {
        "citizen": True,
        "incapacitated_by_court": False,
        "imprisoned_by_sentence": False,
        "corruption_crime_conviction": False,
        "unexpunged_conviction": False,
    }
    facts.update(kw)
    return PersonInput(iin=iin, surname=surname, name=name, birth_date=birth, sex=sex, **facts)


@dataclass
class Setup:
    world: World
    factory: Factory

    def actor(self, username: str, role: Role, commission: str | None) -> Actor:
        commission_id = self.world.commissions[commission] if commission else None
        with self.factory() as session:
            return Actor.load(session, username, role, commission_id)

    @property
    def cec(self) -> Actor:
        return self.actor("cec_admin", Role.CEC_ADMIN, "cec")

    @property
    def oblast(self) -> Actor:
        return self.actor("oblast_admin", Role.TEC_ADMIN, "tec_oblast")

    @property
    def capital(self) -> Actor:
        return self.actor("capital_admin", Role.TEC_ADMIN, "tec_capital")

    @property
    def alpha_agent(self) -> Actor:
        return self.actor("alpha_agent", Role.PARTY_AGENT, None)

    def run(
        self, actor: Actor, operation: Callable[..., T], *args: Any, at: datetime, **kw: Any
    ) -> T:
        return execute(self.factory, actor, operation, *args, clock=lambda: at, **kw)

    def contest(self, name: str) -> int:
        return self.world.contests[name]

    def party(self, name: str) -> int:
        return self.world.parties[name]

    def admit(self, *parties: str) -> None:
        assert self.world.election is not None
        for name in parties:
            self.run(self.cec, admit_party, self.world.election, self.party(name), at=NOMINATING)

    def read(self, query: Callable[[Session], T]) -> T:
        with self.factory() as session:
            return query(session)

    def refusals(self) -> list[AuditEvent]:
        with self.factory() as session:
            return list(
                session.execute(select(AuditEvent).where(AuditEvent.outcome == "refused"))
                .scalars()
                .all()
            )


def setup(factory: Factory, *admitted: str) -> Setup:
    with factory() as session, session.begin():
        world = build_world(session)
        build_election(session, world)
    result = Setup(world, factory)
    result.admit(*admitted)
    return result


def smd(
    s: Setup,
    contest: str,
    candidate: PersonInput,
    party: str | None = "alpha",
    documents: tuple[str, ...] = SMD_DOCUMENTS,
) -> NominationSubmitted:
    """Nominate ``candidate`` in a district by a party (or self-nominated when ``party`` is None)."""
    data = SmdNominationInput(
        contest_id=s.contest(contest),
        nominator=Nominator.POLITICAL_PARTY if party else Nominator.CITIZEN,
        person=candidate,
        party_id=s.party(party) if party else None,
        documents=documents if party else SELF_DOCUMENTS,
    )
    return s.run(s.cec, submit_nomination, data, at=NOMINATING)


def with_documents(candidate: PersonInput) -> PersonInput:
    return replace(candidate, documents=PERSON_DOCUMENTS)


def party_list(
    s: Setup,
    contest: str,
    party: str,
    persons: list[PersonInput],
    **kw: Any,
) -> ListSubmitted:
    data = PartyListInput(
        contest_id=s.contest(contest),
        party_id=s.party(party),
        persons=tuple(with_documents(p) for p in persons),
        documents=LIST_DOCUMENTS,
        **kw,
    )
    return s.run(s.cec, submit_party_list, data, at=NOMINATING)


def pay_and_register(s: Setup, ref: CandidacyRef, amount: int) -> RegistrationDecision:
    if amount:
        s.run(s.cec, record_deposit, ref, amount, at=REGISTERING)
    return s.run(s.cec, register, ref, at=REGISTERING)


def registered_candidate(
    s: Setup, contest: str, candidate: PersonInput, party: str | None = "alpha"
) -> int:
    submitted = smd(s, contest, candidate, party)
    ref = CandidacyRef(CandidacyKind.SMD, submitted.nomination_id)
    assert pay_and_register(s, ref, 350_000).state is CandidacyState.REGISTERED
    return submitted.nomination_id


def registered_list(s: Setup, contest: str, party: str, persons: list[PersonInput]) -> int:
    submitted = party_list(s, contest, party, persons)
    ref = CandidacyRef(CandidacyKind.LIST, submitted.party_list_id)
    decision = pay_and_register(s, ref, submitted.deposit.amount)
    assert decision.state is CandidacyState.REGISTERED, decision
    return submitted.party_list_id


def quota_list(prefix: str, size: int = 3) -> list[PersonInput]:
    """``size`` persons of whom the first is a woman, so that a list of 3 meets the 30% quota."""
    people = [person(f"{prefix}ова", "Айгүл", date(1975, 1, 1), Sex.FEMALE)]
    people += [person(f"{prefix}ов{i}", "Ерлан", date(1970, 1, 1)) for i in range(1, size)]
    return people
