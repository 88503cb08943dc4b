"""Nomination of party lists and district candidates (CL arts. 103–104; monograph [L224, L232])."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, Nominator
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.documents import check_nomination_documents
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.nomination import (
    DocumentReceipt,
    PartyListInput,
    SmdNominationInput,
    documents_status,
    record_documents,
    submit_nomination,
    submit_nominations,
    submit_party_list,
)
from saylau.storage.models import (
    AuditEvent,
    ListEntry,
    Nomination,
    PartyList,
    Person,
    StageOverrideRecord,
    SubmittedDocument,
)
from tests.services.nomination_world import (
    LIST_DOCUMENTS,
    NOMINATING,
    NOMINATION_CLOSES,
    PERSON_DOCUMENTS,
    SMD_DOCUMENTS,
    Setup,
    make_iin,
    party_list,
    person,
    setup,
    smd,
)

Factory = sessionmaker[Session]


@pytest.fixture
def s(factory: Factory) -> Setup:
    return setup(factory, "alpha", "beta", "gamma")


def count(s: Setup, model: type) -> int:
    return s.read(lambda session: session.scalar(select(func.count()).select_from(model)))


def nothing_written(s: Setup) -> None:
    for model in (Person, PartyList, ListEntry, Nomination, SubmittedDocument):
        assert count(s, model) == 0, model.__name__


# --- party lists -----------------------------------------------------------------------------------


def test_list_deposit_is_350000_per_person_and_quota_met(s: Setup) -> None:
    """4 persons: a woman of 45 and a man of exactly 35 on polling day count (decision #7), so
    2 of 4 count and ceil(0.3 × 4) = 2 are required. Deposit 5 × 70,000 × 4 = 1,400,000."""
    persons = [
        person("Сәрсенбаев", "Марат", date(1960, 1, 1)),
        person("Жанұзақова", "Әсем", date(1978, 1, 1), Sex.FEMALE),
        person("Тоқаев", "Нұрлан", date(1987, 3, 20)),  # 35 on 19.03.2023 → youth
        person("Бектұров", "Данияр", date(1987, 3, 19)),  # 36 on 19.03.2023
    ]
    submitted = party_list(s, "oblast_list", "alpha", persons)
    assert submitted.deposit.amount == 1_400_000
    assert (submitted.deposit.per_person, submitted.deposit.persons) == (350_000, 4)
    quota = submitted.quota
    assert quota is not None
    assert (quota.count, quota.required, quota.met, quota.shortfall) == (2, 2, True, 0)
    assert [m.person for m in quota.members] == [persons[1].iin, persons[2].iin]
    assert submitted.state is CandidacyState.DOCUMENTS_COMPLETE
    assert submitted.persons == tuple(p.iin for p in persons)
    positions = s.read(
        lambda session: session.execute(
            select(ListEntry.position, Person.iin)
            .join(Person, Person.id == ListEntry.person_id)
            .order_by(ListEntry.position)
        ).all()
    )
    assert [(pos, iin) for pos, iin in positions] == [(i, p.iin) for i, p in enumerate(persons, 1)]


def test_quota_shortfall_is_reported_and_the_list_accepted(s: Setup) -> None:
    """7 persons, 1 woman, no youth: ceil(2.1) = 3 required, shortfall 2; adding k who count
    needs (1 + k) × 10 ≥ 3 × (7 + k), i.e. k = 2."""
    persons = [person("Әлиева", "Жанар", date(1970, 2, 2), Sex.FEMALE)]
    persons += [person(f"Ерланов{i}", "Бақыт", date(1965, 1, i)) for i in range(1, 7)]
    submitted = party_list(s, "oblast_list", "beta", persons)
    quota = submitted.quota
    assert quota is not None
    assert (quota.size, quota.count, quota.required) == (7, 1, 3)
    assert (quota.met, quota.shortfall, quota.additions_needed) == (False, 2, 2)
    assert quota.article == "CL art. 104 para 4"
    assert submitted.deposit.amount == 7 * 350_000


def test_mazhilis_list_pays_fifteen_wages_and_a_previous_result_halves_the_fee(s: Setup) -> None:
    """Mazhilis: 15 × 70,000 = 1,050,000 per person; 4% at the previous election → 50%
    (CL art. 88; decision #15): 3 × 1,050,000 / 2 = 1,575,000."""
    persons = [
        person("Қасымова", "Алма", date(1970, 1, 1), Sex.FEMALE, residence_years=40),
        person("Мұратов", "Асқар", date(1970, 1, 1), residence_years=40),
        person("Нұров", "Талғат", date(1970, 1, 1), residence_years=40),
    ]
    submitted = party_list(s, "mazhilis_list", "gamma", persons, previous_result=Fraction(4, 100))
    assert submitted.deposit.per_person == 1_050_000
    assert submitted.deposit.share_due == Fraction(1, 2)
    assert submitted.deposit.amount == 1_575_000
    stored = s.read(lambda session: session.scalar(select(PartyList.previous_result)))
    assert stored == "1/25"


def test_one_list_per_party_per_contest(s: Setup) -> None:
    party_list(s, "oblast_list", "alpha", [person("Омарова", "Дина", sex=Sex.FEMALE)])
    with pytest.raises(Conflict) as refused:
        party_list(s, "oblast_list", "alpha", [person("Ибраева", "Сая", sex=Sex.FEMALE)])
    assert refused.value.code == "one_list_per_party"
    assert "CL art. 104 para 4" in refused.value.message
    assert count(s, PartyList) == 1


def test_submitting_the_same_list_again_changes_nothing(s: Setup) -> None:
    persons = [person("Қайтадан", "Жанна", sex=Sex.FEMALE), person("Тағы", "Бір")]
    data = PartyListInput(
        contest_id=s.contest("oblast_list"),
        party_id=s.party("alpha"),
        persons=tuple(persons),
        documents=("nomination_minutes",),
    )
    first = s.run(s.cec, submit_party_list, data, at=NOMINATING)
    events = count(s, AuditEvent)
    again = s.run(s.cec, submit_party_list, data, at=NOMINATING)
    assert (first.created, again.created) == (True, False)
    assert again.party_list_id == first.party_list_id and again.persons == first.persons
    assert count(s, AuditEvent) == events and count(s, PartyList) == 1
    more = replace(data, documents=LIST_DOCUMENTS)
    assert s.run(s.cec, submit_party_list, more, at=NOMINATING).created is False
    assert count(s, SubmittedDocument) == 2


def test_a_bad_iin_anywhere_refuses_the_whole_list(s: Setup) -> None:
    good = person("Аманова", "Лаура", sex=Sex.FEMALE)
    bad = person("Сейтов", "Ержан")
    broken = bad.iin[:11] + str((int(bad.iin[11]) + 1) % 10)
    with pytest.raises(InvalidInput) as refused:
        party_list(s, "oblast_list", "alpha", [good, replace(bad, iin=broken)])
    assert refused.value.field == "persons[2].iin"
    assert "check digit" in refused.value.message
    with pytest.raises(InvalidInput) as mismatch:
        party_list(s, "oblast_list", "alpha", [replace(good, birth_date=date(1980, 5, 18))])
    assert mismatch.value.code == "iin_mismatch"
    assert mismatch.value.field == "persons[1].birth_date"
    nothing_written(s)


def test_a_party_list_goes_to_a_list_contest_only(s: Setup) -> None:
    data = PartyListInput(
        contest_id=s.contest("oblast_o1"),
        party_id=s.party("alpha"),
        persons=(person("Ахметов", "Ахмет"),),
    )
    with pytest.raises(InvalidInput, match="single-member contest"):
        s.run(s.cec, submit_party_list, data, at=NOMINATING)


# --- eligibility and the nomination window --------------------------------------------------------


def test_age_twenty_on_polling_day(s: Setup) -> None:
    """Born 20.03.2003: 19 on 19.03.2023, refused; born 19.03.2003: 20, accepted."""
    with pytest.raises(InvalidInput) as young:
        smd(s, "oblast_o1", person("Жасұлы", "Ерке", date(2003, 3, 20)))
    assert young.value.code == "ineligible"
    assert (
        "under_age" in young.value.message and "Constitution art. 86 para 3" in young.value.message
    )
    assert smd(s, "oblast_o1", person("Жасұлы", "Ерке", date(2003, 3, 19))).nomination_id


def test_every_eligibility_problem_is_named(s: Setup) -> None:
    with pytest.raises(InvalidInput) as refused:
        smd(
            s,
            "oblast_o1",
            person("Сотталов", "Бек", citizen=False, unexpunged_conviction=True),
        )
    assert refused.value.params["problems"] == ["not_citizen", "unexpunged_conviction"]


def test_mazhilis_candidates_state_ten_years_of_residence(s: Setup) -> None:
    with pytest.raises(InvalidInput) as unstated:
        smd(s, "mazhilis_m1", person("Келімбетов", "Ақан"))
    assert unstated.value.field == "person.residence_years"
    with pytest.raises(InvalidInput, match="insufficient_residence"):
        smd(s, "mazhilis_m1", person("Келімбетов", "Ақан", residence_years=9))
    assert smd(s, "mazhilis_m1", person("Келімбетов", "Ақан", residence_years=10)).nomination_id


def test_nomination_closes_at_1800_local_on_e_minus_30(s: Setup) -> None:
    data = SmdNominationInput(
        contest_id=s.contest("oblast_o1"),
        nominator=Nominator.POLITICAL_PARTY,
        person=person("Соңғы", "Келген"),
        party_id=s.party("alpha"),
    )
    assert s.run(s.cec, submit_nomination, data, at=NOMINATION_CLOSES).nomination_id
    late = SmdNominationInput(
        contest_id=s.contest("oblast_o2"),
        nominator=Nominator.POLITICAL_PARTY,
        person=person("Кеш", "Қалған"),
        party_id=s.party("alpha"),
    )
    with pytest.raises(Conflict) as refused:
        s.run(s.cec, submit_nomination, late, at=NOMINATION_CLOSES + timedelta(seconds=1))
    assert refused.value.code == "deadline_passed"
    assert "2023-02-17 18:00 Asia/Almaty" in refused.value.message
    assert "nomination_closes" in refused.value.message
    early = datetime(2023, 1, 17, 17, 59, tzinfo=UTC)  # 23:59 local, E−61
    with pytest.raises(Conflict, match="2023-01-18 00:00 Asia/Almaty") as too_early:
        s.run(s.cec, submit_nomination, late, at=early)
    assert too_early.value.code == "not_yet_open"


def test_an_extended_nomination_period_is_honoured(s: Setup) -> None:
    """Decision #13: the calling decision may set a stage; nomination extended to 20.02 18:00."""
    assert s.world.election is not None
    with s.factory() as session, session.begin():
        session.add(
            StageOverrideRecord(
                election_id=s.world.election,
                stage="nomination_closes",
                at=datetime(2023, 2, 20, 12, 0, tzinfo=UTC),
                reason="too few candidates (monograph [L236])",
            )
        )
    data = SmdNominationInput(
        contest_id=s.contest("oblast_o1"),
        nominator=Nominator.CITIZEN,
        person=person("Ұзартылған", "Мерзім"),
    )
    result = s.run(s.cec, submit_nomination, data, at=datetime(2023, 2, 19, 6, 0, tzinfo=UTC))
    assert result.route is NominationRoute.SELF_NOMINATED_SMD


# --- one district, one maslikhat -------------------------------------------------------------------


def test_one_district_per_person_across_the_election(s: Setup) -> None:
    candidate = person("Екіұлы", "Дархан")
    smd(s, "oblast_o1", candidate)
    with pytest.raises(Conflict) as other_body:
        smd(s, "district_d1", candidate, party="beta")
    assert other_body.value.code == "one_maslikhat"
    assert "Testoblast maslikhat district 1" in other_body.value.message
    assert "Raion maslikhat district 1" in other_body.value.message
    assert "LSA art. 5 para 2" in other_body.value.message
    with pytest.raises(Conflict) as same_body:
        party_list(s, "oblast_list", "beta", [candidate])
    assert same_body.value.code == "one_district"
    assert "CL art. 103 paras 3-1, 6" in same_body.value.message
    assert count(s, Nomination) == 1 and count(s, PartyList) == 0


def test_same_person_twice_in_one_district(s: Setup) -> None:
    candidate = person("Қайталов", "Бек")
    first = smd(s, "oblast_o1", candidate)
    events = count(s, AuditEvent)
    again = smd(s, "oblast_o1", candidate)
    assert (again.nomination_id, again.created) == (first.nomination_id, False)
    assert count(s, AuditEvent) == events and count(s, Nomination) == 1
    with pytest.raises(Conflict) as refused:
        smd(s, "oblast_o1", candidate, party="beta")
    assert refused.value.code == "already_nominated"


def test_a_recorded_name_is_not_silently_changed(s: Setup) -> None:
    candidate = person("Бірінші", "Есім")
    smd(s, "oblast_o1", candidate)
    with pytest.raises(Conflict) as refused:
        smd(s, "oblast_o2", replace(candidate, surname="Басқа"))
    assert refused.value.code == "person_differs"
    assert refused.value.field == "person.surname"


# --- routes and permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nominator", "party", "association", "code"),
    [
        (Nominator.POLITICAL_PARTY, None, "", "party_required"),
        (Nominator.PUBLIC_ASSOCIATION, None, "", "association_required"),
        (Nominator.PUBLIC_ASSOCIATION, "alpha", "Union", "unexpected_party"),
        (Nominator.CITIZEN, None, "Union", "unexpected_association"),
    ],
)
def test_each_route_names_its_nominator(
    s: Setup, nominator: Nominator, party: str | None, association: str, code: str
) -> None:
    data = SmdNominationInput(
        contest_id=s.contest("oblast_o1"),
        nominator=nominator,
        person=person("Жолов", "Бағдат"),
        party_id=s.party(party) if party else None,
        association=association,
    )
    with pytest.raises(InvalidInput) as refused:
        s.run(s.cec, submit_nomination, data, at=NOMINATING)
    assert refused.value.code == code


def test_public_association_nomination(s: Setup) -> None:
    data = SmdNominationInput(
        contest_id=s.contest("city_t1"),
        nominator=Nominator.PUBLIC_ASSOCIATION,
        person=person("Қоғамов", "Ерік"),
        association="Ардагерлер одағы",
        documents=SMD_DOCUMENTS,
    )
    result = s.run(s.oblast, submit_nomination, data, at=NOMINATING)
    assert result.route is NominationRoute.PUBLIC_ASSOCIATION_SMD
    assert result.state is CandidacyState.DOCUMENTS_COMPLETE
    assert result.deposit.amount == 350_000


def test_party_agent_nominates_for_their_party_only(s: Setup) -> None:
    agent = s.alpha_agent
    own = SmdNominationInput(
        contest_id=s.contest("capital_c1"),
        nominator=Nominator.POLITICAL_PARTY,
        person=person("Агентов", "Әли"),
        party_id=s.party("alpha"),
    )
    assert s.run(agent, submit_nomination, own, at=NOMINATING).nomination_id
    for other in (
        SmdNominationInput(
            contest_id=s.contest("capital_c2"),
            nominator=Nominator.POLITICAL_PARTY,
            person=person("Бөтен", "Партия"),
            party_id=s.party("beta"),
        ),
        SmdNominationInput(
            contest_id=s.contest("capital_c2"),
            nominator=Nominator.CITIZEN,
            person=person("Өзі", "Ұсынған"),
        ),
    ):
        with pytest.raises(PermissionDenied):
            s.run(agent, submit_nomination, other, at=NOMINATING)
    assert count(s, Nomination) == 1
    assert [e.username for e in s.refusals()] == ["alpha_agent", "alpha_agent"]


def test_a_tec_nominates_only_in_its_region_and_the_refusal_is_logged(s: Setup) -> None:
    data = SmdNominationInput(
        contest_id=s.contest("oblast_o1"),
        nominator=Nominator.CITIZEN,
        person=person("Шекара", "Сыртында"),
    )
    with pytest.raises(PermissionDenied) as refused:
        s.run(s.capital, submit_nomination, data, at=NOMINATING)
    assert refused.value.code == "outside_territory"
    nothing_written(s)
    [event] = s.refusals()
    assert (event.username, event.outcome, event.action) == (
        "capital_admin",
        "refused",
        "submit_nomination",
    )
    assert s.run(s.oblast, submit_nomination, data, at=NOMINATING).nomination_id


def test_a_batch_with_one_bad_row_writes_nothing_and_names_the_row(s: Setup) -> None:
    rows = [
        SmdNominationInput(
            contest_id=s.contest("oblast_o1"),
            nominator=Nominator.CITIZEN,
            person=person("Дұрыс", "Жол"),
        ),
        SmdNominationInput(
            contest_id=s.contest("oblast_o2"),
            nominator=Nominator.CITIZEN,
            person=person("Жас", "Бала", date(2010, 1, 1)),
        ),
    ]
    with pytest.raises(InvalidInput) as refused:
        s.run(s.cec, submit_nominations, rows, at=NOMINATING)
    assert refused.value.message.startswith("row 2: ")
    assert refused.value.params["row"] == 2
    nothing_written(s)
    done = s.run(s.cec, submit_nominations, rows[:1], at=NOMINATING)
    assert len(done) == 1


# --- documents -----------------------------------------------------------------------------------


def test_check_before_submission_names_what_is_missing() -> None:
    report = check_nomination_documents(NominationRoute.SELF_NOMINATED_SMD, {"biography"})
    assert [m.document for m in report.missing] == [
        "intent_application",
        "deposit_payment",
        "asset_declaration_certificate",
    ]
    assert not report.complete
    listed = check_nomination_documents(
        NominationRoute.PARTY_LIST,
        set(LIST_DOCUMENTS),
        {"1": set(PERSON_DOCUMENTS), "2": {"consent", "biography"}},
    )
    assert [(m.document, m.iin) for m in listed.missing] == [
        ("asset_declaration_certificate", "2"),
        ("party_membership", "2"),
    ]
    with pytest.raises(InvalidInput, match="consnet"):
        check_nomination_documents(NominationRoute.PARTY_SMD, {"consnet"})
    with pytest.raises(InvalidInput) as misplaced:
        check_nomination_documents(NominationRoute.PARTY_LIST, {"consent"})
    assert misplaced.value.code == "per_person_document"


def test_documents_complete_the_file_and_receiving_twice_changes_nothing(s: Setup) -> None:
    submitted = smd(s, "oblast_o3", person("Құжатов", "Файл"), documents=("biography",))
    assert submitted.state is CandidacyState.NOMINATED
    ref = CandidacyRef(CandidacyKind.SMD, submitted.nomination_id)
    partial = s.run(s.oblast, record_documents, ref, [DocumentReceipt("consent")], at=NOMINATING)
    assert [m.document for m in partial.missing] == [
        "nomination_minutes",
        "deposit_payment",
        "asset_declaration_certificate",
    ]
    rest = [DocumentReceipt(d) for d in SMD_DOCUMENTS]
    assert s.run(s.oblast, record_documents, ref, rest, at=NOMINATING).complete
    events_before = count(s, AuditEvent)
    again = s.run(s.oblast, record_documents, ref, rest, at=NOMINATING)
    assert again.complete and count(s, AuditEvent) == events_before
    assert count(s, SubmittedDocument) == 5
    state = s.read(lambda session: session.get(Nomination, submitted.nomination_id).state)  # type: ignore[union-attr]
    assert state is CandidacyState.DOCUMENTS_COMPLETE
    status = s.run(s.cec, documents_status, ref, at=NOMINATING)
    assert status.complete


def test_per_person_list_documents(s: Setup) -> None:
    woman = person("Тізімова", "Ару", sex=Sex.FEMALE)
    data = PartyListInput(
        contest_id=s.contest("capital_list"),
        party_id=s.party("beta"),
        persons=(woman,),
        documents=LIST_DOCUMENTS,
    )
    submitted = s.run(s.capital, submit_party_list, data, at=NOMINATING)
    assert [(m.document, m.iin) for m in submitted.documents.missing] == [
        (d, woman.iin) for d in PERSON_DOCUMENTS
    ]
    ref = CandidacyRef(CandidacyKind.LIST, submitted.party_list_id)
    receipts = [DocumentReceipt(d, woman.iin) for d in PERSON_DOCUMENTS]
    assert s.run(s.capital, record_documents, ref, receipts, at=NOMINATING).complete
    stranger = make_iin(date(1990, 1, 1), Sex.MALE)
    with pytest.raises(InvalidInput, match="no such person"):
        s.run(
            s.capital, record_documents, ref, [DocumentReceipt("consent", stranger)], at=NOMINATING
        )
