"""The persons nominated: identity, eligibility, and one candidacy per person in an election.

A person is recorded once per IIN (:func:`record_person`); the IIN must agree with the stated date
of birth and sex, and the person must be eligible for the contest's body on polling day (Const.
arts. 33, 51, 86; CL art. 4; :func:`validate_person`). Across the whole election a person stands in
one district — a party list counts as one — and for one body (CL art. 103 paras 3-1, 6; LSA art. 5
para 2; :func:`check_one_district`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.law.eligibility import (
    CandidateFacts,
    DistrictNomination,
    check_candidate_eligibility,
    check_one_district_per_candidate,
)
from saylau.law.errors import LawInputError
from saylau.law.iin import Iin, IinError, Sex, check_iin_matches, parse_iin
from saylau.law.rules import RuleSet
from saylau.services.audit import snapshot
from saylau.services.candidacy import INACTIVE_STATES
from saylau.services.contests import describe_contest
from saylau.services.context import Context
from saylau.services.errors import Conflict, InvalidInput, law_input
from saylau.storage.models import Contest, ListEntry, Nomination, Party, PartyList, Person

# --- a person -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PersonInput:
    """A person to nominate: identity (names in Kazakh and Russian, IIN, date of birth, sex) and
    the facts eligibility needs, each stated explicitly (Const. arts. 33, 51, 86; CL art. 4).

    ``documents`` are this person's per-person documents on a party list; on a single-member
    nomination they are simply part of the file.
    """

    iin: str
    surname: str
    name: str
    birth_date: date
    sex: Sex
    citizen: bool
    incapacitated_by_court: bool
    imprisoned_by_sentence: bool
    corruption_crime_conviction: bool
    unexpunged_conviction: bool
    patronymic: str = ""
    surname_ru: str = ""
    name_ru: str = ""
    patronymic_ru: str = ""
    disability: bool = False
    party_id: int | None = None
    """Party membership, if any."""
    residence_years: int | None = None
    """Years of permanent residence in Kazakhstan; stated for Mazhilis candidates only."""
    documents: tuple[str, ...] = ()
    synthetic: bool = False


_NAME_FIELDS = ("surname", "name", "patronymic", "surname_ru", "name_ru", "patronymic_ru")


def validate_person(
    session: Session,
    data: PersonInput,
    where: str,
    contest: Contest,
    rules: RuleSet,
    nomination_day: date,
) -> Iin:
    """Check the IIN (structure and agreement with date of birth and sex), the names and
    eligibility for the contest's body on polling day (decision #17). Every problem is named."""
    for attr in ("surname", "name"):
        if not getattr(data, attr).strip():
            raise InvalidInput(
                "missing_name",
                f"{where}.{attr}: a candidate is recorded with surname and name "
                "(CL art. 37 para 1)",
                field=f"{where}.{attr}",
            )
    try:
        iin = parse_iin(data.iin)
    except IinError as error:
        raise InvalidInput(
            "invalid_iin",
            f"{where}.iin={data.iin!r}: {error.rule}",
            field=f"{where}.iin",
            reason=error.reason.value,
        ) from error
    mismatches = check_iin_matches(iin, data.birth_date, data.sex)
    if mismatches:
        first = mismatches[0]
        stated_field = "birth_date" if first.field == "date_of_birth" else first.field
        raise InvalidInput(
            "iin_mismatch",
            "; ".join(
                f"{where}.{'birth_date' if m.field == 'date_of_birth' else m.field}={m.stated}: "
                f"the IIN {data.iin} encodes {m.encoded}"
                for m in mismatches
            ),
            field=f"{where}.{stated_field}",
        )
    if data.party_id is not None and session.get(Party, data.party_id) is None:
        raise InvalidInput(
            "unknown_party",
            f"{where}.party_id={data.party_id}: no such party",
            field=f"{where}.party_id",
        )
    facts = CandidateFacts(
        birth_date=data.birth_date,
        citizen=data.citizen,
        incapacitated_by_court=data.incapacitated_by_court,
        imprisoned_by_sentence=data.imprisoned_by_sentence,
        corruption_crime_conviction=data.corruption_crime_conviction,
        unexpunged_conviction=data.unexpunged_conviction,
        residence_years=data.residence_years,
    )
    try:
        problems = check_candidate_eligibility(
            facts,
            contest.kind.body,
            contest.election.polling_day,
            rules,
            nomination_day=nomination_day,
        )
    except LawInputError as error:
        raise law_input(error, where) from error
    if problems:
        raise InvalidInput(
            "ineligible",
            f"{where} (IIN {data.iin}) cannot stand: "
            + "; ".join(f"{p.problem.value}: {p.detail} ({p.article})" for p in problems),
            field=where,
            problems=[p.problem.value for p in problems],
        )
    return iin


def record_person(ctx: Context, data: PersonInput, where: str) -> Person:
    """The person with this IIN, created on first nomination.

    A later nomination may fill in names left empty before (audited) but never silently changes a
    recorded one: a different name for the same IIN is a Conflict naming the field.
    """
    person = ctx.session.execute(select(Person).where(Person.iin == data.iin)).scalar_one_or_none()
    if person is None:
        person = Person(
            iin=data.iin,
            surname=data.surname.strip(),
            name=data.name.strip(),
            patronymic=data.patronymic.strip(),
            surname_ru=data.surname_ru.strip(),
            name_ru=data.name_ru.strip(),
            patronymic_ru=data.patronymic_ru.strip(),
            birth_date=data.birth_date,
            sex=data.sex,
            disability=data.disability,
            party_id=data.party_id,
            synthetic=data.synthetic,
        )
        ctx.session.add(person)
        ctx.session.flush()
        ctx.audit("record_person", "person", person.id, None, snapshot(person))
        return person
    before = snapshot(person)
    changed = False
    for attr in _NAME_FIELDS:
        new = getattr(data, attr).strip()
        old = getattr(person, attr)
        if not new or new == old:
            continue
        if old:
            raise Conflict(
                "person_differs",
                f"{where}.{attr}={new!r}: IIN {data.iin} is recorded with {attr} {old!r}",
                field=f"{where}.{attr}",
            )
        setattr(person, attr, new)
        changed = True
    if data.disability and not person.disability:
        person.disability = True
        changed = True
    if data.party_id is not None and person.party_id != data.party_id:
        person.party_id = data.party_id
        changed = True
    if changed:
        ctx.session.flush()
        ctx.audit("update_person", "person", person.id, before, snapshot(person))
    return person


# --- one district, one maslikhat across the whole election ----------------------------------------


def check_one_district(ctx: Context, election_id: int, person_ids: Collection[int]) -> None:
    """Refuse if any of these persons now stands in more than one district of the election —
    a party list counts as a district (CL art. 103 paras 3-1, 6) — or for more than one body
    (LSA art. 5 para 2; Const. art. 52 para 3). Withdrawn, refused and cancelled candidacies and
    persons withdrawn from a list do not count."""
    if not person_ids:
        return
    smd = (
        select(Person.iin, Person.id, Contest.body_id, Contest.id)
        .join(Nomination, Nomination.person_id == Person.id)
        .join(Contest, Contest.id == Nomination.contest_id)
        .where(
            Contest.election_id == election_id,
            Person.id.in_(person_ids),
            Nomination.state.not_in(INACTIVE_STATES),
        )
    )
    listed = (
        select(Person.iin, Person.id, Contest.body_id, Contest.id)
        .join(ListEntry, ListEntry.person_id == Person.id)
        .join(PartyList, PartyList.id == ListEntry.party_list_id)
        .join(Contest, Contest.id == PartyList.contest_id)
        .where(
            Contest.election_id == election_id,
            Person.id.in_(person_ids),
            ListEntry.withdrawn.is_(False),
            PartyList.state.not_in(INACTIVE_STATES),
        )
    )
    rows = [*ctx.session.execute(smd).all(), *ctx.session.execute(listed).all()]
    conflicts = check_one_district_per_candidate(
        DistrictNomination(person=iin, maslikhat=str(body_id), district=str(contest_id))
        for iin, _person_id, body_id, contest_id in rows
    )
    if not conflicts:
        return
    first = conflicts[0]
    contests = [ctx.session.get(Contest, int(district)) for _body, district in first.districts]
    names = "; ".join(describe_contest(c) for c in contests if c is not None)
    bodies = {body for body, _district in first.districts}
    if len(bodies) > 1:
        code = "one_maslikhat"
        article = f"{first.article}; LSA art. 5 para 2; Const. art. 52 para 3"
    else:
        code = "one_district"
        article = first.article
    raise Conflict(
        code,
        f"IIN {first.person} would stand in more than one district of this election: {names} "
        f"({article})",
        field="iin",
        iin=first.person,
    )
