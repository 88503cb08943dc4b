"""The world the browser tests' server runs on: the counting world's 2023 election (registered
lists and district candidates with their ballot lines), the parties admitted, passwords for the
users the tests sign in as, and one district nomination whose file and deposit are complete, ready
for the TEC to register. Set up through the services where a workflow exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.iin import Sex
from saylau.law.nomination import Nominator
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.context import Actor, execute
from saylau.services.nomination import SmdNominationInput, submit_nomination
from saylau.services.parties import admit_party
from saylau.services.registration import record_deposit
from saylau.services.users import set_password
from tests.services.count_world import CountWorld, build_count_world
from tests.services.nomination_world import NOMINATING, SMD_DOCUMENTS, make_iin, person

PASSWORD = "browser password 1"
USERS = ("oblast_admin", "oblast_coordinator", "typist_p1_a", "typist_p1_b", "alpha_agent")
READY_BORN = date(1979, 4, 4)


@dataclass
class BrowserWorld:
    count: CountWorld
    ready: CandidacyRef
    """A district nomination with a complete file and its deposit paid."""

    def contest(self, name: str) -> int:
        return self.count.contest(name)

    def precinct(self, name: str) -> int:
        return self.count.precinct(name)


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def build_browser_world(factory: sessionmaker[Session]) -> BrowserWorld:
    with factory() as session, session.begin():
        count = build_count_world(session)
    world = count.world
    assert world.election is not None
    operator, nominating = Actor.operator(), _at(NOMINATING)
    for party in ("alpha", "beta", "gamma"):
        execute(factory, operator, admit_party, world.election, world.parties[party])
    for username in USERS:
        execute(factory, operator, set_password, world.users[username], PASSWORD)
    nominee = person(
        "Дайынова", "Әсел", READY_BORN, Sex.FEMALE, iin=make_iin(READY_BORN, Sex.FEMALE, 501)
    )
    with factory() as session:
        agent = Actor.load(session, "alpha_agent", Role.PARTY_AGENT, None)
        tec = Actor.load(session, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    submitted = execute(
        factory,
        agent,
        submit_nomination,
        SmdNominationInput(
            contest_id=world.contests["oblast_o3"],
            nominator=Nominator.POLITICAL_PARTY,
            party_id=world.parties["alpha"],
            person=nominee,
            documents=SMD_DOCUMENTS,
        ),
        clock=nominating,
    )
    ref = CandidacyRef(CandidacyKind.SMD, submitted.nomination_id)
    execute(factory, tec, record_deposit, ref, submitted.deposit.amount, clock=nominating)
    return BrowserWorld(count, ref)
