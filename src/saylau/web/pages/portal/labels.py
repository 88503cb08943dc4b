"""English names (catalogue msgids) of what the portal shows; translated where shown, with the
Kazakh and Russian texts in the ``portal*.po`` catalogues."""

from __future__ import annotations

import re

from saylau.law.nomination import Label, NominationRoute, required_documents


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


STATES: dict[str, str] = {
    "nominated": N_("Submitted, documents missing"),
    "documents_complete": N_("Documents complete, deposit due"),
    "deposit_paid": N_("Awaiting the commission's decision"),
    "registered": N_("Registered"),
    "refused": N_("Refused"),
    "withdrawn": N_("Withdrawn"),
    "cancelled": N_("Registration cancelled"),
}

STAGES: dict[str, str] = {
    "nomination_closes": N_("Nomination closes"),
    "registration_closes": N_("Registration closes"),
    "polling_opens": N_("Polling opens"),
    "results_deadline": N_("Results are published"),
}

MANDATES: dict[str, str] = {
    "assigned": N_("Holds a seat from this list"),
    "registered": N_("Registered as a deputy"),
    "terminated": N_("Mandate ended early"),
}
"""The mandate a listed person took from the list, by its state."""

ROUTES: dict[str, str] = {
    NominationRoute.PARTY_LIST.value: N_("Party list"),
    NominationRoute.PARTY_SMD.value: N_("District candidate nominated by a party"),
    NominationRoute.PUBLIC_ASSOCIATION_SMD.value: N_(
        "District candidate nominated by a public association"
    ),
    NominationRoute.SELF_NOMINATED_SMD.value: N_("Self-nominated district candidate"),
}

PROVIDERS: dict[str, str] = {
    "political_party": N_("the party"),
    "nominator": N_("the nominator"),
    "candidate": N_("the candidate"),
}

FIELDS: dict[str, str] = {
    "iin": N_("IIN"),
    "surname": N_("Surname"),
    "name": N_("First name"),
    "patronymic": N_("Patronymic"),
    "surname_ru": N_("Surname in Russian"),
    "name_ru": N_("First name in Russian"),
    "patronymic_ru": N_("Patronymic in Russian"),
    "birth_date": N_("Date of birth"),
    "sex": N_("Sex"),
    "contest_id": N_("District"),
    "documents": N_("Documents"),
    "username": N_("User name"),
    "password": N_("Password"),
    "password_again": N_("Password again"),
    "full_name": N_("Full name"),
    "persons": N_("Persons on the list"),
    "party_id": N_("Party"),
    "previous_result": N_("Previous result"),
    "file": N_("File"),
    "person_ids": N_("Persons chosen for the seats"),
    "person_id": N_("Successor"),
    "choice": N_("Successor"),
    "vacancy_id": N_("Vacancy"),
    "party_branch_seat_decision": N_("The party branch's decision on list seats"),
}
"""The last part of a service error's field (``person.iin`` → ``iin``) → its name on the form."""

_PERSON = re.compile(r"persons\[(\d+)\]\.?(.*)")


def field_label(field: str | None, translate: object) -> str:
    """A service error's field as the form names it, e.g. ``persons[2].iin`` → "IIN (person 2)"."""
    assert callable(translate)
    if not field:
        return "—"
    if field.startswith("files."):
        document = field.removeprefix("files.")
        return str(translate(N_("File"))) + f" ({document})"
    found = _PERSON.fullmatch(field)
    if found:
        number, rest = found.groups()
        name = translate(FIELDS.get(rest, N_("Person")))
        return str(translate(N_("{field} of person {number}"))).format(field=name, number=number)
    last = field.rsplit(".", 1)[-1]
    return str(translate(FIELDS[last])) if last in FIELDS else field


def pick(label: Label | None, language: str) -> str:
    """A three-language name in ``language`` (falling back to Kazakh, then English)."""
    if label is None:
        return ""
    return getattr(label, language, "") or label.kk or label.en


def document_name(route: NominationRoute, document: str, language: str) -> str:
    """The checklist document's name on this route, in ``language``."""
    for item in required_documents(route):
        if item.id == document:
            return pick(item.name, language)
    return document
