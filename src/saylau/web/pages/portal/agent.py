"""A party agent's forms: the party list of a list contest and a district nomination.

Each form shows the route's checklist with a file input per document the file itself needs; a
"check" button (and, with JavaScript, a live check while files are chosen) says what would still
be missing *before* anything is submitted. Submitting records the nomination and its files in one
transaction and leads to the candidacy's page, where further documents are uploaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from fastapi import APIRouter, Request
from fastapi.responses import Response

from saylau.domain.roles import Role
from saylau.law.nomination import NominationRoute, Nominator
from saylau.services import portal
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.documents import DocumentsReport, check_nomination_documents
from saylau.services.errors import ServiceError
from saylau.services.nomination import PartyListInput, SmdNominationInput
from saylau.services.persons import PersonInput
from saylau.services.uploads import (
    Upload,
    submit_list_with_files,
    submit_nomination_with_files,
)
from saylau.web.pages.portal.common import (
    Acting,
    Posted,
    Shown,
    Who,
    done,
    gate,
    plain_error,
    read_page,
    receive,
    shown_error,
)
from saylau.web.pages.portal.forms import own_documents, read_contest, read_files, read_person
from saylau.web.pages.portal.labels import N_

router = APIRouter(include_in_schema=False)
MAX_ROWS = 150
DEFAULT_ROWS = 3


@dataclass(frozen=True)
class Again:
    """A form shown again: what was typed, what its files would lack, its number of rows."""

    lists: bool
    values: dict[str, str] = field(default_factory=dict)
    report: DocumentsReport | None = None
    rows: int = DEFAULT_ROWS


def _form(
    request: Request,
    acting: Who,
    again: Again,
    errors: list[Shown] | None = None,
    status_code: int = 200,
) -> Response:
    route = NominationRoute.PARTY_LIST if again.lists else NominationRoute.PARTY_SMD
    return read_page(
        request,
        acting,
        "portal/list_form.html" if again.lists else "portal/nomination_form.html",
        lambda: {"contests": acting.call(portal.open_contests, lists=again.lists)},
        status_code=status_code,
        route=route,
        checklist=own_documents(route),
        rows=again.rows,
        values=again.values,
        errors=errors or [],
        report=again.report,
    )


def _gate(request: Request, acting: Who) -> Response | None:
    return gate(request, acting, Role.PARTY_AGENT)


@router.get("/portal/nominations/new")
def nomination_form(request: Request, acting: Acting) -> Response:
    return _gate(request, acting) or _form(request, acting, Again(lists=False))


@router.get("/portal/lists/new")
def list_form(request: Request, acting: Acting, rows: int = DEFAULT_ROWS) -> Response:
    rows = min(max(rows, 1), MAX_ROWS)
    return _gate(request, acting) or _form(request, acting, Again(lists=True, rows=rows))


async def _received(request: Request, acting: Who, lists: bool) -> Posted | Response:
    """The posted list or nomination form of a party agent (or the response ending it)."""
    gated = _gate(request, acting)
    if gated is not None:
        return gated
    return await receive(
        request, acting, lambda errors, status: _form(request, acting, Again(lists), errors, status)
    )


def _files(
    request: Request, posted: Posted, route: NominationRoute
) -> tuple[dict[str, Upload], DocumentsReport, list[Shown]]:
    """The files of the form, what the file would still lack with them, and oversized files."""
    files, errors = read_files(request, posted, own_documents(route))
    return files, check_nomination_documents(route, set(files)), errors


def _done(request: Request, kind: CandidacyKind, ident: int, notice: str) -> Response:
    return done(request, f"/portal/candidacies/{CandidacyRef(kind, ident)}", notice)


@router.post("/portal/nominations")
async def submit_nomination(request: Request, acting: Acting) -> Response:
    posted = await _received(request, acting, lists=False)
    if isinstance(posted, Response):
        return posted
    files, report, errors = _files(request, posted, NominationRoute.PARTY_SMD)
    again = Again(False, posted.values(), report)
    if posted.get("action") == "check" or errors:
        return _form(request, acting, again, errors, 422 if errors else 200)
    contest_id, errors = read_contest(request, posted)
    person, person_errors = read_person(request, posted, "person", acting.actor.party_id)
    errors += person_errors
    if contest_id is None or person is None:
        return _form(request, acting, again, errors, 422)
    data = SmdNominationInput(
        contest_id=contest_id,
        nominator=Nominator.POLITICAL_PARTY,
        party_id=acting.actor.party_id,
        person=person,
    )
    try:
        result = acting.call(submit_nomination_with_files, data, files)
    except ServiceError as error:
        shown = [shown_error(request, error)]
        return _form(request, acting, again, shown, error.status)
    return _done(
        request, CandidacyKind.SMD, result.nomination_id, N_("The nomination was submitted.")
    )


def _rows(posted: Posted) -> int:
    text = posted.get("rows")
    rows = int(text) if text.isdigit() else DEFAULT_ROWS
    return min(max(rows, 1), MAX_ROWS)


def _share(request: Request, posted: Posted) -> tuple[Fraction | None, list[Shown]]:
    text = posted.get("previous_result").replace(",", ".").replace("%", "").strip()
    if not text:
        return None, []
    try:
        share = Fraction(text) / 100
    except (ValueError, ZeroDivisionError):
        share = Fraction(-1)
    if not 0 <= share <= 1:
        return None, [
            plain_error(
                request,
                "bad_share",
                "previous_result",
                f"previous_result={text!r}: a percentage from 0 to 100",
            )
        ]
    return share, []


def _on_row(field: str | None, numbers: list[int]) -> str | None:
    """The field of an error about the k-th person submitted, on that person's row of the form
    (empty rows are skipped when submitting)."""
    found = re.fullmatch(r"persons\[(\d+)\](.*)", field or "")
    if found is None or not 1 <= int(found.group(1)) <= len(numbers):
        return field
    return f"persons[{numbers[int(found.group(1)) - 1]}]{found.group(2)}"


@router.post("/portal/lists")
async def submit_list(request: Request, acting: Acting) -> Response:
    posted = await _received(request, acting, lists=True)
    if isinstance(posted, Response):
        return posted
    rows = _rows(posted)
    action = posted.get("action")
    if action == "add":
        rows = min(rows + 1, MAX_ROWS)
    files, report, errors = _files(request, posted, NominationRoute.PARTY_LIST)
    again = Again(True, posted.values(), report, rows)
    if action in {"add", "check"} or errors:
        return _form(request, acting, again, errors, 422 if errors else 200)
    contest_id, errors = read_contest(request, posted)
    share, share_errors = _share(request, posted)
    errors += share_errors
    persons: list[PersonInput] = []
    numbers: list[int] = []
    for number in range(1, rows + 1):
        prefix = f"persons[{number}]"
        if not any(posted.get(f"{prefix}.{f}") for f in ("iin", "surname", "name")):
            continue  # an empty row
        person, person_errors = read_person(request, posted, prefix, acting.actor.party_id)
        errors += person_errors
        if person is not None:
            persons.append(person)
            numbers.append(number)
    if contest_id is None or errors or acting.actor.party_id is None:
        return _form(request, acting, again, errors, 422)
    data = PartyListInput(
        contest_id=contest_id,
        party_id=acting.actor.party_id,
        persons=tuple(persons),
        previous_result=share,
    )
    try:
        result = acting.call(submit_list_with_files, data, files)
    except ServiceError as error:
        error.field = _on_row(error.field, numbers)
        shown = [shown_error(request, error)]
        return _form(request, acting, again, shown, error.status)
    return _done(
        request, CandidacyKind.LIST, result.party_list_id, N_("The party list was submitted.")
    )
