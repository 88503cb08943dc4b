"""Registration: deposits, decisions, the registration order, withdrawal and deposit settlement
(CL arts. 104–105, art. 111-1 para 4; monograph [L266]; decision #15)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import RefusalReason
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.registration import (
    DepositOutcome,
    cancel_registration,
    deposit_status,
    record_deposit,
    refuse,
    register,
    settle_deposits,
    withdraw,
    withdraw_from_list,
)
from saylau.storage.models import AuditEvent, DepositEntry, DepositKind, Nomination, PartyList
from tests.services.nomination_world import (
    AFTER_POLLING,
    NOMINATING,
    REGISTERING,
    REGISTRATION_CLOSES,
    Setup,
    party_list,
    pay_and_register,
    person,
    quota_list,
    registered_candidate,
    registered_list,
    setup,
    smd,
)

Factory = sessionmaker[Session]


@pytest.fixture
def s(factory: Factory) -> Setup:
    return setup(factory, "alpha", "beta", "gamma")


def smd_ref(nomination_id: int) -> CandidacyRef:
    return CandidacyRef(CandidacyKind.SMD, nomination_id)


def list_ref(party_list_id: int) -> CandidacyRef:
    return CandidacyRef(CandidacyKind.LIST, party_list_id)


def state_of(s: Setup, ref: CandidacyRef) -> CandidacyState:
    model = PartyList if ref.kind is CandidacyKind.LIST else Nomination
    return s.read(lambda session: session.get(model, ref.id).state)  # type: ignore[attr-defined]


def test_the_full_path_of_a_district_candidate(s: Setup) -> None:
    ref = smd_ref(smd(s, "oblast_o1", person("Толықов", "Жол")).nomination_id)
    assert state_of(s, ref) is CandidacyState.DOCUMENTS_COMPLETE
    first = s.run(s.oblast, record_deposit, ref, 200_000, at=REGISTERING)
    assert (first.paid, first.outstanding, first.state) == (
        200_000,
        150_000,
        CandidacyState.DOCUMENTS_COMPLETE,
    )
    with pytest.raises(InvalidInput) as over:
        s.run(s.oblast, record_deposit, ref, 150_001, at=REGISTERING)
    assert over.value.code == "overpayment" and "at most 150000" in over.value.message
    paid = s.run(s.oblast, record_deposit, ref, 150_000, at=REGISTERING)
    assert (paid.paid, paid.outstanding, paid.state) == (350_000, 0, CandidacyState.DEPOSIT_PAID)
    decision = s.run(s.oblast, register, ref, at=REGISTERING)
    assert decision.state is CandidacyState.REGISTERED
    assert decision.registered_at == REGISTERING
    actions = s.read(
        lambda session: session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "nomination", AuditEvent.entity_id == str(ref.id))
            .order_by(AuditEvent.id)
        ).all()
    )
    assert actions == [
        "submit_nomination",
        "candidacy_documents_complete",
        "candidacy_deposit_paid",
        "candidacy_registered",
    ]


def test_registration_needs_a_complete_file_and_the_full_deposit(s: Setup) -> None:
    ref = smd_ref(
        smd(s, "oblast_o1", person("Жартылай", "Файл"), documents=("biography",)).nomination_id
    )
    s.run(s.oblast, record_deposit, ref, 100_000, at=REGISTERING)
    with pytest.raises(Conflict) as refused:
        s.run(s.oblast, register, ref, at=REGISTERING)
    assert refused.value.code == "not_ready"
    assert refused.value.params["missing"] == [
        "nomination_minutes",
        "deposit_payment",
        "asset_declaration_certificate",
        "consent",
    ]
    assert refused.value.params["outstanding"] == 250_000
    assert state_of(s, ref) is CandidacyState.NOMINATED


def test_registration_closes_at_1800_local_on_e_minus_25(s: Setup) -> None:
    on_time = smd_ref(smd(s, "oblast_o1", person("Уақытында", "Келді")).nomination_id)
    late = smd_ref(smd(s, "oblast_o2", person("Кешігіп", "Келді")).nomination_id)
    for ref in (on_time, late):
        s.run(s.oblast, record_deposit, ref, 350_000, at=REGISTERING)
    assert (
        s.run(s.oblast, register, on_time, at=REGISTRATION_CLOSES).state
        is CandidacyState.REGISTERED
    )
    with pytest.raises(Conflict) as refused:
        s.run(s.oblast, register, late, at=REGISTRATION_CLOSES + timedelta(seconds=1))
    assert "2023-02-22 18:00 Asia/Almaty" in refused.value.message
    assert "registration_closes" in refused.value.message
    unpaid = smd_ref(smd(s, "oblast_o3", person("Төлемеген", "Кепіл")).nomination_id)
    with pytest.raises(Conflict, match="registration_closes"):
        s.run(s.oblast, record_deposit, unpaid, 1, at=REGISTRATION_CLOSES + timedelta(seconds=1))
    assert state_of(s, late) is CandidacyState.DEPOSIT_PAID


def test_lists_get_the_registration_order_in_their_contest(s: Setup) -> None:
    """Registered beta, then gamma, then alpha: orders 1, 2, 3; another contest starts at 1."""
    beta = registered_list(s, "oblast_list", "beta", quota_list("Бета"))
    gamma = registered_list(s, "oblast_list", "gamma", quota_list("Гамма"))
    alpha = registered_list(s, "oblast_list", "alpha", quota_list("Альфа"))
    capital = registered_list(s, "capital_list", "alpha", quota_list("Астана"))
    orders = s.read(
        lambda session: dict(
            session.execute(select(PartyList.id, PartyList.registration_order)).all()
        )
    )
    assert orders == {beta: 1, gamma: 2, alpha: 3, capital: 1}


def test_a_list_short_of_the_quota_is_refused_at_registration(s: Setup) -> None:
    """4 men: 0 count, ceil(1.2) = 2 required (CL art. 104 para 4)."""
    men = [person(f"Ер{i}", "Азамат", date(1970, 1, i)) for i in range(1, 5)]
    submitted = party_list(s, "oblast_list", "alpha", men)
    ref = list_ref(submitted.party_list_id)
    decision = pay_and_register(s, ref, 1_400_000)
    assert decision.state is CandidacyState.REFUSED
    assert decision.reason is RefusalReason.NOMINATION_PROCEDURE_BROKEN
    assert decision.article == "CL art. 104 para 6 subpara 3, para 6-1 subpara 3"
    assert "0 of 4 persons count" in decision.note and "2 required" in decision.note
    assert "CL art. 104 para 4" in decision.note
    assert decision.registration_order is None
    assert decision.quota is not None and decision.quota.shortfall == 2


def test_refusals_carry_a_reason_of_the_law(s: Setup) -> None:
    incomplete = smd_ref(
        smd(s, "oblast_o1", person("Құжатсыз", "Бек"), documents=("consent",)).nomination_id
    )
    decision = s.run(
        s.oblast, refuse, incomplete, RefusalReason.INCOMPLETE_DOCUMENTS, at=REGISTERING
    )
    assert decision.state is CandidacyState.REFUSED
    assert decision.article == "CL art. 104 para 6 subpara 3, para 6-1 subpara 3"
    assert decision.note == (
        "missing: nomination_minutes, biography, deposit_payment, asset_declaration_certificate"
    )
    complete = smd_ref(smd(s, "oblast_o2", person("Толық", "Құжат")).nomination_id)
    with pytest.raises(InvalidInput, match="complete"):
        s.run(s.oblast, refuse, complete, RefusalReason.INCOMPLETE_DOCUMENTS, at=REGISTERING)
    with pytest.raises(InvalidInput, match="withdraw"):
        s.run(
            s.oblast, refuse, complete, RefusalReason.WITHDRAWN_BY_OWN_APPLICATION, at=REGISTERING
        )
    with pytest.raises(Conflict) as twice:
        s.run(s.oblast, refuse, incomplete, RefusalReason.BRIBERY, at=REGISTERING)
    assert twice.value.code == "invalid_transition"


def test_a_refused_person_may_be_nominated_elsewhere(s: Setup) -> None:
    candidate = person("Қайта", "Ұсынылған")
    first = smd_ref(smd(s, "oblast_o1", candidate).nomination_id)
    s.run(s.oblast, refuse, first, RefusalReason.REQUIREMENTS_NOT_MET, at=NOMINATING)
    assert smd(s, "oblast_o2", candidate).nomination_id


def test_a_tec_of_another_region_cannot_register_and_is_logged(s: Setup) -> None:
    ref = smd_ref(smd(s, "oblast_o1", person("Облыстық", "Үміткер")).nomination_id)
    s.run(s.oblast, record_deposit, ref, 350_000, at=REGISTERING)
    with pytest.raises(PermissionDenied) as refused:
        s.run(s.capital, register, ref, at=REGISTERING)
    assert refused.value.code == "outside_territory"
    with pytest.raises(PermissionDenied):
        s.run(s.alpha_agent, register, ref, at=REGISTERING)
    assert [(e.username, e.action) for e in s.refusals()] == [
        ("capital_admin", "register"),
        ("alpha_agent", "register"),
    ]
    assert state_of(s, ref) is CandidacyState.DEPOSIT_PAID


def test_withdrawal_and_cancellation(s: Setup) -> None:
    withdrawn = registered_candidate(s, "oblast_o1", person("Шыққан", "Өзі"))
    cancelled = registered_candidate(s, "oblast_o2", person("Күшін", "Жойған"))
    decision = s.run(
        s.oblast,
        withdraw,
        smd_ref(withdrawn),
        "own application",
        at=AFTER_POLLING - timedelta(days=5),
    )
    assert decision.state is CandidacyState.WITHDRAWN
    assert decision.reason is RefusalReason.WITHDRAWN_BY_OWN_APPLICATION
    assert decision.article == "CL art. 105 para 1 (practice, monograph §3.8)"
    cancel = s.run(
        s.oblast,
        cancel_registration,
        smd_ref(cancelled),
        RefusalReason.BRIBERY,
        "court decision",
        at=AFTER_POLLING - timedelta(days=5),
    )
    assert (cancel.state, cancel.reason) == (CandidacyState.CANCELLED, RefusalReason.BRIBERY)
    with pytest.raises(Conflict, match="polling_opens"):
        s.run(s.oblast, withdraw, smd_ref(cancelled), at=AFTER_POLLING)


def test_more_than_half_of_a_list_withdrawing_refuses_it(s: Setup) -> None:
    persons = quota_list("Тізім", 3)
    submitted = party_list(s, "oblast_list", "alpha", persons)
    ref = list_ref(submitted.party_list_id)
    first = s.run(s.oblast, withdraw_from_list, ref.id, persons[2].iin, at=NOMINATING)
    assert first.state is CandidacyState.DOCUMENTS_COMPLETE
    assert s.run(s.oblast, deposit_status, ref, at=NOMINATING).due.amount == 2 * 350_000
    again = s.run(s.oblast, withdraw_from_list, ref.id, persons[2].iin, at=NOMINATING)
    assert again == first
    second = s.run(s.oblast, withdraw_from_list, ref.id, persons[1].iin, at=NOMINATING)
    assert second.state is CandidacyState.REFUSED
    assert second.reason is RefusalReason.LIST_MAJORITY_WITHDREW
    assert second.note == "2 of 3 persons withdrew"
    assert s.run(s.oblast, withdraw_from_list, ref.id, persons[1].iin, at=NOMINATING) == second
    with pytest.raises(Conflict, match="refused"):
        s.run(s.oblast, withdraw_from_list, ref.id, persons[0].iin, at=NOMINATING)


def test_deposits_are_refunded_at_five_percent_or_when_elected(s: Setup) -> None:
    """Base 1,000 (candidate votes + against all): A 600 elected → refunded; B 50 = 5% exactly →
    refunded; C 40 = 4% → forfeited to the budget (CL art. 104 para 1-1 part 2)."""
    a = registered_candidate(s, "oblast_o1", person("Алғашқы", "Ер"))
    b = registered_candidate(s, "oblast_o1", person("Бесінші", "Пайыз"), party="beta")
    c = registered_candidate(s, "oblast_o1", person("Төрт", "Пайыз"), party="gamma")
    outcomes = [
        DepositOutcome(smd_ref(a), 600, elected=True),
        DepositOutcome(smd_ref(b), 50),
        DepositOutcome(smd_ref(c), 40),
    ]
    contest = s.contest("oblast_o1")
    with pytest.raises(Conflict, match="polling_closes"):
        s.run(s.oblast, settle_deposits, contest, 1000, outcomes, at=REGISTERING)
    with pytest.raises(InvalidInput) as missing:
        s.run(s.oblast, settle_deposits, contest, 1000, outcomes[:2], at=AFTER_POLLING)
    assert missing.value.params["missing"] == [f"smd:{c}"]
    settled = s.run(s.oblast, settle_deposits, contest, 1000, outcomes, at=AFTER_POLLING)
    assert [(x.candidacy, x.kind, x.amount, x.grounds) for x in settled] == [
        (f"smd:{a}", DepositKind.REFUNDED, 350_000, ("elected", "vote_share")),
        (f"smd:{b}", DepositKind.REFUNDED, 350_000, ("vote_share",)),
        (f"smd:{c}", DepositKind.FORFEITED, 350_000, ()),
    ]
    assert settled[2].share == Fraction(1, 25)
    again = s.run(s.oblast, settle_deposits, contest, 1000, outcomes, at=AFTER_POLLING)
    assert [x.created for x in again] == [False, False, False]
    entries = s.read(
        lambda session: session.scalar(
            select(func.count())
            .select_from(DepositEntry)
            .where(DepositEntry.kind != DepositKind.PAID)
        )
    )
    assert entries == 3


def test_a_list_deposit_comes_back_on_its_vote_share(s: Setup) -> None:
    alpha = registered_list(s, "capital_list", "alpha", quota_list("Альфа"))
    beta = registered_list(s, "capital_list", "beta", quota_list("Бета"))
    settled = s.run(
        s.capital,
        settle_deposits,
        s.contest("capital_list"),
        2000,
        [DepositOutcome(list_ref(alpha), 1900), DepositOutcome(list_ref(beta), 99)],
        at=AFTER_POLLING,
    )
    assert [(x.kind, x.amount) for x in settled] == [
        (DepositKind.REFUNDED, 3 * 350_000),
        (DepositKind.FORFEITED, 3 * 350_000),
    ]
    with pytest.raises(InvalidInput, match="elected"):
        s.run(
            s.capital,
            settle_deposits,
            s.contest("capital_list"),
            2000,
            [
                DepositOutcome(list_ref(alpha), 1900),
                DepositOutcome(list_ref(beta), 99, elected=True),
            ],
            at=AFTER_POLLING + timedelta(days=1),
        )


def test_a_woman_counts_once_even_when_young(s: Setup) -> None:
    """3 persons: a woman of 30 (two categories, counted once) and 2 men of 50: 1 of 3 count,
    ceil(0.9) = 1 required: met (decision #8)."""
    persons = [
        person("Жасова", "Айжан", date(1993, 1, 1), Sex.FEMALE),
        person("Үлкенов", "Бақыт", date(1973, 1, 1)),
        person("Ересеков", "Болат", date(1973, 1, 2)),
    ]
    submitted = party_list(s, "oblast_list", "gamma", persons)
    assert submitted.quota is not None
    assert (submitted.quota.count, submitted.quota.required, submitted.quota.met) == (1, 1, True)
    decision = pay_and_register(s, list_ref(submitted.party_list_id), 1_050_000)
    assert (decision.state, decision.registration_order) == (CandidacyState.REGISTERED, 1)
