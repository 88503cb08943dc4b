"""Ballots: the party order by lot, Kazakh order of candidates, print runs, freezing
(CL art. 37; monograph [L304]; decision #9)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.services import approvals
from saylau.services.ballots import (
    BallotStatus,
    draw_party_order,
    freeze_ballot,
    prepare_ballots,
    prepare_contest_ballot,
)
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.errors import Conflict, PermissionDenied
from saylau.services.registration import withdraw
from saylau.storage.models import (
    AuditEvent,
    BallotChoice,
    BallotDefinition,
    LotRecord,
    Nomination,
    Party,
    PartyList,
    Precinct,
)
from tests.services.nomination_world import (
    AFTER_REGISTRATION,
    REGISTERING,
    Setup,
    person,
    quota_list,
    registered_candidate,
    registered_list,
    setup,
)

Factory = sessionmaker[Session]
SEED = "CEC sitting 19.02.2023, seed 7341"

# Twelve candidates as on a real-looking district ballot, given in no particular order.
NAMES = [
    ("Іргебаев", "Руслан"),
    ("Ахметов", "Данияр"),
    ("Өмірбеков", "Серік"),
    ("Қасымов", "Ерлан"),
    ("Кенжебаев", "Мұрат"),
    ("Әбенов", "Нұрлан"),
    ("Үсенов", "Асқар"),
    ("Ұлықбеков", "Талғат"),
    ("Шәріпова", "Гүлмира"),
    ("Ғалымов", "Бауыржан"),
    ("Нұрланов", "Ержан"),
    ("Бекова", "Айгерім"),
]
# The Kazakh alphabet: А Ә Б … Ғ … К Қ … Н … Ө … У Ұ Ү … Ш … Ы І … (CL art. 37 para 1).
KAZAKH_ORDER = [
    "Ахметов",
    "Әбенов",
    "Бекова",
    "Ғалымов",
    "Кенжебаев",
    "Қасымов",
    "Нұрланов",
    "Өмірбеков",
    "Ұлықбеков",
    "Үсенов",
    "Шәріпова",
    "Іргебаев",
]


@pytest.fixture
def s(factory: Factory) -> Setup:
    return setup(factory, "alpha", "beta", "gamma")


def candidates(s: Setup, contest: str, names: list[tuple[str, str]]) -> dict[str, int]:
    routes = ("alpha", "beta", "gamma", None)
    ids = {}
    for i, (surname, name) in enumerate(names):
        sex = Sex.FEMALE if surname.endswith("ова") else Sex.MALE
        ids[surname] = registered_candidate(
            s, contest, person(surname, name, date(1975, 1, 1 + i), sex), routes[i % 4]
        )
    return ids


def lines(s: Setup, contest: str) -> list[tuple[int, str]]:
    return s.read(
        lambda session: [
            (c.position, c.label)
            for c in session.scalars(
                select(BallotChoice)
                .where(BallotChoice.contest_id == s.contest(contest))
                .order_by(BallotChoice.position)
            )
        ]
    )


def events(s: Setup) -> int:
    return s.read(lambda session: session.scalar(select(func.count()).select_from(AuditEvent)))


def test_candidates_in_kazakh_alphabetical_order(s: Setup) -> None:
    candidates(s, "oblast_o1", NAMES)
    ballot = s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o1"), at=AFTER_REGISTRATION)
    assert ballot.status is BallotStatus.PREPARED
    assert [line.label.split()[0] for line in ballot.lines] == KAZAKH_ORDER
    assert [line.position for line in ballot.lines] == list(range(1, 13))
    assert ballot.against_all  # the last line, a protocol field: no BallotChoice row for it
    assert len(lines(s, "oblast_o1")) == 12
    assert ballot.lines[0].label == "Ахметов Данияр"
    assert not ballot.extended


def test_more_than_sixteen_candidates_make_a_longer_ballot(s: Setup) -> None:
    many = [(f"Кандидатов{chr(ord('А') + i)}", "Ер") for i in range(17)]
    candidates(s, "capital_c1", many)
    ballot = s.run(
        s.capital, prepare_contest_ballot, s.contest("capital_c1"), at=AFTER_REGISTRATION
    )
    assert len(ballot.lines) == 17 and ballot.extended


def _lot_order(codes: list[str], seed: str, election: int) -> list[str]:
    """decision #9, sha256-v1, recomputed here: keys SHA-256(seed ␟ purpose ␟ code), ascending."""
    purpose = f"ballot-order:{election}"
    return sorted(
        codes, key=lambda c: hashlib.sha256(f"{seed}\x1f{purpose}\x1f{c}".encode()).hexdigest()
    )


def test_one_party_order_by_lot_for_every_list_ballot(s: Setup) -> None:
    registrations = {
        "mazhilis_list": ("alpha", "beta", "gamma"),
        "oblast_list": ("gamma", "alpha"),
        "capital_list": ("beta", "gamma", "alpha"),
    }
    for contest, parties in registrations.items():
        for party in parties:
            prefix = f"{party[:3].title()}{contest[:3].title()}"
            people = quota_list(prefix)
            if contest == "mazhilis_list":
                people = [replace(p, residence_years=30) for p in people]
            registered_list(s, contest, party, people)
    assert s.world.election is not None
    prepared = s.run(s.cec, prepare_ballots, s.world.election, SEED, at=AFTER_REGISTRATION)
    expected = _lot_order(["alpha", "beta", "gamma"], SEED, s.world.election)
    assert prepared.party_order is not None
    assert list(prepared.party_order.parties) == expected
    record = s.read(lambda session: session.scalars(select(LotRecord)).one())
    assert (record.seed, record.method, record.order) == (SEED, "sha256-v1", expected)
    names = s.read(lambda session: dict(session.execute(select(Party.name_kk, Party.code)).all()))
    for contest, parties in registrations.items():
        shown = [names[label] for _, label in lines(s, contest)]
        assert shown == [code for code in expected if code in parties], contest
    statuses = {c.contest_id: c.status for c in prepared.contests}
    assert statuses[s.contest("mazhilis_list")] is BallotStatus.PREPARED
    assert statuses[s.contest("oblast_o1")] is BallotStatus.NO_CANDIDATES
    again = s.run(s.cec, draw_party_order, s.world.election, SEED, at=AFTER_REGISTRATION)
    assert (again.created, again.lot_record_id) == (False, record.id)
    with pytest.raises(Conflict) as other_seed:
        s.run(s.cec, draw_party_order, s.world.election, "another seed", at=AFTER_REGISTRATION)
    assert other_seed.value.code == "lot_drawn"


def test_print_run_is_voters_plus_one_percent_per_precinct(s: Setup) -> None:
    """p1 and p2 with 1,250 voters each: each gets ceil(1262.5) = 1263; the district figure
    ceil(2,500 × 1.01) = 2,525 is less than the deliveries, so 2,526 are printed
    (CL art. 37 paras 2–3)."""
    with s.factory() as session, session.begin():
        for name in ("p1", "p2"):
            precinct = session.get(Precinct, s.world.precincts[name])
            assert precinct is not None
            precinct.voters = 1250
    candidates(s, "oblast_o1", NAMES[:2])
    ballot = s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o1"), at=AFTER_REGISTRATION)
    p1, p2 = s.world.precincts["p1"], s.world.precincts["p2"]
    assert ballot.precinct_delivery == {p1: 1263, p2: 1263}
    assert ballot.print_run == 2526


def test_ballots_wait_for_the_close_of_registration_and_repeat_without_change(s: Setup) -> None:
    candidates(s, "oblast_o2", NAMES[:3])
    with pytest.raises(Conflict, match="registration_closes"):
        s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o2"), at=REGISTERING)
    first = s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o2"), at=AFTER_REGISTRATION)
    before = events(s)
    second = s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o2"), at=AFTER_REGISTRATION)
    assert (first.status, second.status) == (BallotStatus.PREPARED, BallotStatus.UNCHANGED)
    assert second.lines == first.lines and events(s) == before
    assert first.print_run == 1515  # p3: 1,500 voters


def test_a_withdrawal_before_freezing_lays_the_ballot_out_again(s: Setup) -> None:
    ids = candidates(s, "oblast_o1", NAMES[:4])
    s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o1"), at=AFTER_REGISTRATION)
    s.run(
        s.oblast,
        withdraw,
        CandidacyRef(CandidacyKind.SMD, ids["Өмірбеков"]),
        at=AFTER_REGISTRATION,
    )
    assert lines(s, "oblast_o1") == [
        (1, "Ахметов Данияр"),
        (2, "Қасымов Ерлан"),
        (3, "Іргебаев Руслан"),
    ]


def test_a_frozen_ballot_changes_only_by_a_recorded_decision(
    s: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Dual control off: its approval is tested in tests/security/test_dual_control_seats_ballots.py
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.OFF)
    ids = candidates(s, "oblast_o1", NAMES[:4])  # Ахметов 1, Қасымов 2, Өмірбеков 3, Іргебаев 4
    contest = s.contest("oblast_o1")
    with pytest.raises(Conflict, match="prepare the ballot"):
        s.run(s.oblast, freeze_ballot, contest, at=AFTER_REGISTRATION)
    s.run(s.oblast, prepare_contest_ballot, contest, at=AFTER_REGISTRATION)
    frozen = s.run(s.oblast, freeze_ballot, contest, at=AFTER_REGISTRATION)
    assert frozen.status is BallotStatus.FROZEN and frozen.frozen_at == AFTER_REGISTRATION
    before = events(s)
    assert s.run(s.oblast, freeze_ballot, contest, at=AFTER_REGISTRATION) == frozen
    assert events(s) == before
    ref = CandidacyRef(CandidacyKind.SMD, ids["Қасымов"])
    with pytest.raises(Conflict) as refused:
        s.run(s.oblast, withdraw, ref, at=AFTER_REGISTRATION)
    assert refused.value.code == "decision_required"
    state = s.read(lambda session: session.get(Nomination, ref.id).state)  # type: ignore[union-attr]
    assert state is CandidacyState.REGISTERED
    decision = "TEC decision No. 12 of 01.03.2023: strike Қасымов Е. from the printed ballots"
    s.run(s.oblast, withdraw, ref, "own application", decision, at=AFTER_REGISTRATION)
    assert [(pos, label.split()[0]) for pos, label in lines(s, "oblast_o1")] == [
        (1, "Ахметов"),
        (3, "Өмірбеков"),
        (4, "Іргебаев"),
    ]
    stored = s.read(lambda session: session.scalars(select(BallotDefinition)).one())
    assert stored.change_decision == decision and stored.frozen_at == AFTER_REGISTRATION
    changes = s.read(
        lambda session: session.scalars(
            select(AuditEvent).where(AuditEvent.action == "change_frozen_ballot")
        ).all()
    )
    assert len(changes) == 1 and len(changes[0].before["lines"]) == 4
    assert len(changes[0].after["lines"]) == 3
    again = s.run(s.oblast, prepare_contest_ballot, contest, at=AFTER_REGISTRATION)
    assert again.status is BallotStatus.FROZEN  # the struck line leaves a gap, as printed


def test_ballot_permissions_follow_territory_and_are_logged(s: Setup) -> None:
    candidates(s, "oblast_o3", NAMES[:2])
    registered_list(s, "oblast_list", "alpha", quota_list("Альфа"))
    assert s.world.election is not None
    with pytest.raises(PermissionDenied):
        s.run(s.oblast, draw_party_order, s.world.election, SEED, at=AFTER_REGISTRATION)
    s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_o3"), at=AFTER_REGISTRATION)
    with pytest.raises(PermissionDenied) as refused:
        s.run(s.capital, freeze_ballot, s.contest("oblast_o3"), at=AFTER_REGISTRATION)
    assert refused.value.code == "outside_territory"
    assert [(e.username, e.action) for e in s.refusals()] == [
        ("oblast_admin", "draw_party_order"),
        ("capital_admin", "freeze_ballot"),
    ]
    with pytest.raises(Conflict, match="draw the party order"):
        s.run(s.oblast, prepare_contest_ballot, s.contest("oblast_list"), at=AFTER_REGISTRATION)
    unfrozen = s.read(
        lambda session: session.scalar(
            select(func.count())
            .select_from(BallotDefinition)
            .where(BallotDefinition.frozen_at.is_not(None))
        )
    )
    assert unfrozen == 0
    lists = s.read(lambda session: session.scalars(select(PartyList.state)).all())
    assert lists == [CandidacyState.REGISTERED]
