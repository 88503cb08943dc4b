"""Certificates (issue #6 §4): a candidate's registration certificate, a deputy's certificate and
an observer's credential with the precincts it is valid at, each in Kazakh and in Russian.

- A registered candidate receives a certificate from the commission that registered them
  (registration: CL art. 104; one per single-member nomination): who, in which contest and district,
  nominated by whom, and the registration decision (the day, the commission and the audited record
  of the decision).
- A deputy registered by the commission (:func:`saylau.services.mandates.register_deputy`)
  receives a deputy's certificate: the maslikhat, the convocation's term (LSA art. 5 para 1; the term of
  the convocation, :func:`saylau.services.mandates.convocation_term`), how the seat was won and the
  registration decision.
- An observer of an accredited organisation holds a credential (CL art. 20-1) naming the
  organisation, its accreditation and the precincts the observer is assigned to.

The data is read from the database (never inside the template) as plain JSON-ready mappings.
A certificate is refused (Conflict) for someone not (or no longer) in the state it certifies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.documents.bulk import Job
from saylau.documents.engine import render_pdf
from saylau.documents.results import tabulating_commission
from saylau.domain.states import CandidacyState
from saylau.law.nomination import NominationRoute
from saylau.services.context import fetch
from saylau.services.deadlines import region_zone
from saylau.services.errors import Conflict
from saylau.services.mandates import convocation_term
from saylau.storage.models import (
    AuditEvent,
    Body,
    Commission,
    Contest,
    District,
    Election,
    Mandate,
    MandateSource,
    MandateState,
    Nomination,
    Observer,
    ObserverAssignment,
    ObserverOrganisation,
    Party,
    Person,
    Precinct,
    Region,
)

TEMPLATE = "certificate"
KINDS = ("candidate", "deputy", "observer")
"""The certificate kinds, each with its colour band in the template."""

TITLES: Mapping[str, tuple[str, str]] = {
    "candidate": ("КАНДИДАТТЫҢ КУӘЛІГІ", "УДОСТОВЕРЕНИЕ КАНДИДАТА"),
    "deputy": ("ДЕПУТАТТЫҢ КУӘЛІГІ", "УДОСТОВЕРЕНИЕ ДЕПУТАТА"),
    "observer": ("БАЙҚАУШЫНЫҢ КУӘЛІГІ", "УДОСТОВЕРЕНИЕ НАБЛЮДАТЕЛЯ"),
}
SUBTITLES: Mapping[str, tuple[str, str]] = {
    "candidate": (
        "мәслихат депутаттығына кандидат ретінде тіркелгені туралы",
        "о регистрации кандидатом в депутаты маслихата",
    ),
    "deputy": ("мәслихат депутаты", "депутат маслихата"),
    "observer": ("сайлау учаскелеріндегі байқаушы", "наблюдатель на избирательных участках"),
}
ROUTES: Mapping[NominationRoute, tuple[str, str]] = {
    NominationRoute.PARTY_LIST: ("саяси партия", "политическая партия"),
    NominationRoute.PARTY_SMD: ("саяси партия", "политическая партия"),
    NominationRoute.PUBLIC_ASSOCIATION_SMD: ("қоғамдық бірлестік", "общественное объединение"),
    NominationRoute.SELF_NOMINATED_SMD: ("өзін-өзі ұсыну", "самовыдвижение"),
}
OBSERVER_KINDS: Mapping[str, tuple[str, str]] = {
    "party": ("саяси партия", "политическая партия"),
    "ngo": ("коммерциялық емес ұйым", "некоммерческая организация"),
    "international": ("халықаралық ұйым", "международная организация"),
    "media": ("бұқаралық ақпарат құралы", "средство массовой информации"),
}


def _pair(kk: str, ru: str = "") -> dict[str, str]:
    return {"kk": kk, "ru": ru or kk}


def _field(kk: str, ru: str, value: Mapping[str, str] | str) -> dict[str, Any]:
    shown = _pair(value) if isinstance(value, str) else dict(value)
    return {"label": _pair(kk, ru), "value": shown}


def person_name(person: Person) -> dict[str, str]:
    """The person's full name in Kazakh and in Russian (the Kazakh spelling when no Russian one
    is recorded)."""
    russian = " ".join(p for p in (person.surname_ru, person.name_ru, person.patronymic_ru) if p)
    return _pair(person.full_name, russian)


def _day(moment: datetime | None, session: Session, region_id: int | None) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(region_zone(session, region_id)).date():%d.%m.%Y}"


def _decision(session: Session, action: str, entity: str, entity_id: int) -> AuditEvent | None:
    """The audited record of a decision (the latest one, should it have been taken again)."""
    return session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.entity == entity,
            AuditEvent.entity_id == str(entity_id),
            AuditEvent.outcome == "done",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()


def _deciding(session: Session, event: AuditEvent | None, body: Body) -> str:
    """The commission that took the decision: the acting commission of the audited record, else
    the commission responsible for the body's elections."""
    commission = None
    if event is not None and event.commission_id is not None:
        commission = session.get(Commission, event.commission_id)
    if commission is None:
        commission = tabulating_commission(session, body)
    return commission.name if commission is not None else ""


def _decision_text(event: AuditEvent | None, day: str) -> dict[str, str]:
    """The decision's day and its audited record (number and the start of its chained hash), by
    which anyone can find the decision in the audit log."""
    if event is None:
        return _pair(day)
    return _pair(
        f"{day}, аудит жазбасы № {event.id} ({event.hash[:12]})",
        f"{day}, запись журнала аудита № {event.id} ({event.hash[:12]})",
    )


def _contest_fields(contest: Contest) -> list[dict[str, Any]]:
    body: Body = contest.body
    district: District | None = contest.district
    fields = [_field("Мәслихат", "Маслихат", _pair(body.name_kk, body.name_ru))]
    if district is not None:
        fields.append(
            _field(
                "Сайлау округі",
                "Избирательный округ",
                _pair(
                    f"№ {district.number} {district.name}".strip(),
                    f"№ {district.number} {district.name}".strip(),
                ),
            )
        )
    else:
        fields.append(_field("Сайлау", "Выборы", _pair("партиялық тізім", "партийный список")))
    return fields


def _party(session: Session, party_id: int | None) -> dict[str, str] | None:
    party = session.get(Party, party_id) if party_id is not None else None
    return _pair(party.name_kk, party.name_ru) if party is not None else None


def candidate_certificate_data(session: Session, nomination_id: int) -> dict[str, Any]:
    """A registered candidate's certificate (registration: CL art. 104): refused for a
    nomination that is not registered."""
    nomination = fetch(session, Nomination, nomination_id, "nomination")
    if nomination.state is not CandidacyState.REGISTERED:
        raise Conflict(
            "not_registered",
            f"nomination {nomination_id} is {nomination.state.value}: a certificate is issued to "
            "a registered candidate",
            field="nomination_id",
        )
    contest = fetch(session, Contest, nomination.contest_id, "contest")
    election: Election = contest.election
    person = nomination.person
    event = _decision(session, "candidacy_registered", "nomination", nomination.id)
    party = _party(session, nomination.party_id)
    route_kk, route_ru = ROUTES[nomination.route]
    nominated = (
        _pair(f"{route_kk}: {party['kk']}", f"{route_ru}: {party['ru']}")
        if party is not None
        else _pair(
            f"{route_kk}: {nomination.association}" if nomination.association else route_kk,
            f"{route_ru}: {nomination.association}" if nomination.association else route_ru,
        )
    )
    registered = _day(nomination.registered_at, session, contest.body.region_id)
    return {
        "kind": "candidate",
        "title": _pair(*TITLES["candidate"]),
        "subtitle": _pair(*SUBTITLES["candidate"]),
        "number": f"C-{nomination.id:06d}",
        "election": {"name": election.name, "polling_day": f"{election.polling_day:%d.%m.%Y}"},
        "person": person_name(person),
        "fields": [
            _field("Туған күні", "Дата рождения", f"{person.birth_date:%d.%m.%Y}"),
            *_contest_fields(contest),
            _field("Ұсынған", "Выдвинут(а)", nominated),
            _field("Тіркелген күні", "Дата регистрации", registered),
            _field(
                "Тіркеу туралы шешім",
                "Решение о регистрации",
                _decision_text(event, registered),
            ),
            _field(
                "Тіркеген комиссия",
                "Зарегистрировала комиссия",
                _deciding(session, event, contest.body),
            ),
        ],
        "assignments": [],
        "issued_by": _deciding(session, event, contest.body),
        "issued_on": registered,
    }


def deputy_certificate_data(session: Session, mandate_id: int) -> dict[str, Any]:
    """A registered deputy's certificate with the convocation's term (LSA art. 5 para 1):
    refused for a mandate that is not held by a registered deputy."""
    mandate = fetch(session, Mandate, mandate_id, "mandate")
    if mandate.state is not MandateState.REGISTERED or mandate.person_id is None:
        raise Conflict(
            "not_registered",
            f"mandate {mandate_id} is {mandate.state.value}: a deputy's certificate is issued "
            "once the deputy is registered",
            field="mandate_id",
        )
    person = fetch(session, Person, mandate.person_id, "person")
    contest = fetch(session, Contest, mandate.contest_id, "contest")
    body = fetch(session, Body, mandate.body_id, "body")
    start, end = convocation_term(session, mandate)
    event = _decision(session, "register_deputy", "mandate", mandate.id)
    party = _party(session, mandate.party_id)
    district: District | None = contest.district
    if mandate.source is MandateSource.SINGLE_MEMBER and district is not None:
        won = _pair(
            f"№ {district.number} бір мандатты сайлау округі",
            f"одномандатный избирательный округ № {district.number}",
        )
    else:
        won = _pair(
            f"партиялық тізім: {party['kk'] if party else ''}".strip(),
            f"партийный список: {party['ru'] if party else ''}".strip(),
        )
    registered = _day(mandate.registered_at, session, body.region_id)
    fields = [
        _field("Туған күні", "Дата рождения", f"{person.birth_date:%d.%m.%Y}"),
        _field("Мәслихат", "Маслихат", _pair(body.name_kk, body.name_ru)),
        _field("Сайланған", "Избран(а)", won),
        _field(
            "Шақырылым мерзімі",
            "Срок полномочий созыва",
            f"{start:%d.%m.%Y} – {end:%d.%m.%Y}",
        ),
        _field("Тіркелген күні", "Дата регистрации", registered),
        _field("Тіркеу туралы шешім", "Решение о регистрации", _decision_text(event, registered)),
    ]
    if party is not None and mandate.source is MandateSource.SINGLE_MEMBER:
        fields.insert(3, _field("Партия", "Партия", party))
    return {
        "kind": "deputy",
        "title": _pair(*TITLES["deputy"]),
        "subtitle": _pair(*SUBTITLES["deputy"]),
        "number": f"D-{mandate.id:06d}",
        "election": {
            "name": contest.election.name,
            "polling_day": f"{contest.election.polling_day:%d.%m.%Y}",
        },
        "person": person_name(person),
        "fields": fields,
        "assignments": [],
        "issued_by": _deciding(session, event, body),
        "issued_on": registered,
    }


def observer_credential_data(
    session: Session, observer_id: int, election_id: int | None = None
) -> dict[str, Any]:
    """An observer's credential with the precincts assigned (for one election, or all):
    the organisation, its accreditation (CL art. 20-1) and each precinct's number and address."""
    observer = fetch(session, Observer, observer_id, "observer")
    organisation = fetch(session, ObserverOrganisation, observer.organisation_id, "organisation")
    commission = (
        session.get(Commission, organisation.accrediting_commission_id)
        if organisation.accrediting_commission_id is not None
        else None
    )
    query = (
        select(ObserverAssignment, Precinct, Region, Election)
        .join(Precinct, Precinct.id == ObserverAssignment.precinct_id)
        .join(Region, Region.id == Precinct.region_id)
        .join(Election, Election.id == ObserverAssignment.election_id)
        .where(ObserverAssignment.observer_id == observer.id)
        .order_by(Election.polling_day, Region.code, Precinct.number)
    )
    if election_id is not None:
        query = query.where(ObserverAssignment.election_id == election_id)
    rows = session.execute(query).all()
    elections = {e.id: e for _, _, _, e in rows}
    election = (
        session.get(Election, election_id)
        if election_id is not None
        else next(iter(elections.values()), None)
    )
    kind_kk, kind_ru = OBSERVER_KINDS.get(organisation.kind, (organisation.kind, organisation.kind))
    accredited = (
        f"{organisation.accredited_on:%d.%m.%Y} – {organisation.valid_until:%d.%m.%Y}"
        if organisation.accredited_on and organisation.valid_until
        else ""
    )
    return {
        "kind": "observer",
        "title": _pair(*TITLES["observer"]),
        "subtitle": _pair(*SUBTITLES["observer"]),
        "number": observer.credential,
        "election": None
        if election is None
        else {"name": election.name, "polling_day": f"{election.polling_day:%d.%m.%Y}"},
        "person": _pair(observer.full_name),
        "fields": [
            _field("Ұйым", "Организация", organisation.name),
            _field("Ұйым түрі", "Вид организации", _pair(kind_kk, kind_ru)),
            _field("Аккредиттеу мерзімі", "Срок аккредитации", accredited),
            _field(
                "Аккредиттеген комиссия",
                "Аккредитовавшая комиссия",
                commission.name if commission is not None else "",
            ),
        ],
        "assignments": [
            {
                "election": e.name,
                "polling_day": f"{e.polling_day:%d.%m.%Y}",
                "region": _pair(region.name_kk, region.name_ru),
                "precinct": str(precinct.number),
                "address": precinct.address,
            }
            for _, precinct, region, e in rows
        ],
        "issued_by": commission.name if commission is not None else "",
        "issued_on": f"{organisation.accredited_on:%d.%m.%Y}" if organisation.accredited_on else "",
    }


def render_certificate(data: Mapping[str, Any], *, generated_at: datetime | None = None) -> bytes:
    """A certificate's PDF from its data (one of the ``*_data`` functions above)."""
    return render_pdf(TEMPLATE, data, generated_at=generated_at)


def certificate_subjects(session: Session, election_id: int) -> dict[str, list[int]]:
    """Who receives a certificate in an election: registered candidates (nomination ids),
    registered deputies (mandate ids) and assigned observers (observer ids) — for bulk runs."""
    fetch(session, Election, election_id, "election")
    in_election = select(Contest.id).where(Contest.election_id == election_id)
    return {
        "candidate": [
            int(i)
            for i in session.scalars(
                select(Nomination.id)
                .where(
                    Nomination.contest_id.in_(in_election),
                    Nomination.state == CandidacyState.REGISTERED,
                )
                .order_by(Nomination.id)
            )
        ],
        "deputy": [
            int(i)
            for i in session.scalars(
                select(Mandate.id)
                .where(
                    Mandate.contest_id.in_(in_election),
                    Mandate.state == MandateState.REGISTERED,
                )
                .order_by(Mandate.id)
            )
        ],
        "observer": sorted(
            {
                int(i)
                for i in session.scalars(
                    select(ObserverAssignment.observer_id).where(
                        ObserverAssignment.election_id == election_id
                    )
                )
            }
        ),
    }


def jobs(session: Session, election_id: int) -> Iterator[Job]:
    """Every certificate of the election (registered candidates, registered deputies, assigned
    observers), for ``saylau documents certificates``."""
    subjects = certificate_subjects(session, election_id)
    for nomination_id in subjects["candidate"]:
        data = candidate_certificate_data(session, nomination_id)
        yield Job(f"certificates/candidate/{data['number']}.pdf", TEMPLATE, data)
    for mandate_id in subjects["deputy"]:
        data = deputy_certificate_data(session, mandate_id)
        yield Job(f"certificates/deputy/{data['number']}.pdf", TEMPLATE, data)
    for observer_id in subjects["observer"]:
        data = observer_credential_data(session, observer_id, election_id)
        yield Job(f"certificates/observer/{data['number']}.pdf", TEMPLATE, data)
