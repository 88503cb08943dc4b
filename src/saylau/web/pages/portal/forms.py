"""Reading the portal's forms into the services' inputs: a person, a list of persons, files.

Field names are the services' own (``person.iin``, ``persons[2].surname``, ``files.biography``),
so an error a service names lands next to the input it is about.
"""

from __future__ import annotations

from datetime import date

from fastapi import Request

from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, required_documents
from saylau.services.persons import PersonInput
from saylau.services.uploads import Upload
from saylau.web.pages.portal.common import Posted, Shown, plain_error, too_large

PERSON_TEXT = (
    "iin",
    "surname",
    "name",
    "patronymic",
    "surname_ru",
    "name_ru",
    "patronymic_ru",
)
DECLARATIONS = (
    "citizen",
    "incapacitated_by_court",
    "imprisoned_by_sentence",
    "corruption_crime_conviction",
    "unexpunged_conviction",
)
"""The facts eligibility needs, each declared on the form (Const. arts. 33, 51; CL art. 4)."""


def person_prefix(number: int | None) -> str:
    return "person" if number is None else f"persons[{number}]"


def read_person(
    request: Request, posted: Posted, prefix: str, party_id: int | None
) -> tuple[PersonInput | None, list[Shown]]:
    """The person under ``prefix`` (None if a field cannot be read), and the problems."""
    errors: list[Shown] = []
    born_text = posted.get(f"{prefix}.birth_date")
    born: date | None = None
    try:
        born = date.fromisoformat(born_text)
    except ValueError:
        errors.append(
            plain_error(
                request,
                "bad_date",
                f"{prefix}.birth_date",
                f"{prefix}.birth_date={born_text!r}: write the date as YYYY-MM-DD",
            )
        )
    sex_text = posted.get(f"{prefix}.sex")
    if sex_text not in {s.value for s in Sex}:
        errors.append(
            plain_error(request, "choose_sex", f"{prefix}.sex", f"{prefix}.sex={sex_text!r}")
        )
    if errors or born is None:
        return None, errors

    def text(name: str) -> str:
        return posted.get(f"{prefix}.{name}")

    def declared(name: str) -> bool:
        return posted.flag(f"{prefix}.{name}")

    person = PersonInput(
        iin=text("iin"),
        surname=text("surname"),
        name=text("name"),
        patronymic=text("patronymic"),
        surname_ru=text("surname_ru"),
        name_ru=text("name_ru"),
        patronymic_ru=text("patronymic_ru"),
        birth_date=born,
        sex=Sex(sex_text),
        citizen=declared("citizen"),
        incapacitated_by_court=declared("incapacitated_by_court"),
        imprisoned_by_sentence=declared("imprisoned_by_sentence"),
        corruption_crime_conviction=declared("corruption_crime_conviction"),
        unexpunged_conviction=declared("unexpunged_conviction"),
        disability=declared("disability"),
        party_id=party_id if declared("member") else None,
    )
    return person, []


def read_contest(request: Request, posted: Posted) -> tuple[int | None, list[Shown]]:
    """The contest chosen on the form (``contest_id``), or the error asking to choose one."""
    text = posted.get("contest_id")
    if text.isdigit():
        return int(text), []
    return None, [plain_error(request, "choose_contest", "contest_id", "contest_id: choose one")]


def own_documents(route: NominationRoute) -> tuple[str, ...]:
    """The checklist ids handed in once for the whole file (not per list person)."""
    return tuple(d.id for d in required_documents(route) if not d.per_person)


def read_files(
    request: Request, posted: Posted, documents: tuple[str, ...]
) -> tuple[dict[str, Upload], list[Shown]]:
    """The files chosen for ``documents`` (inputs ``files.<id>``), and those over the limit."""
    files = {d: posted.files[f"files.{d}"] for d in documents if f"files.{d}" in posted.files}
    errors = [too_large(request, name) for name in posted.oversized if name.startswith("files.")]
    return files, errors
