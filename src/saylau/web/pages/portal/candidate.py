"""A self-nominee online: the public sign-up, and the application with its documents.

The application form takes the applicant's particulars, the district and the scanned documents
of the self-nomination checklist. Files are kept as drafts as soon as they arrive (so nothing is
uploaded twice); an application still lacking a document is stopped with every missing document
named, before anything reaches the commission.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from saylau.domain.roles import Role
from saylau.services import applicants, portal
from saylau.services.applicants import Application, SignUp
from saylau.services.errors import ServiceError
from saylau.web.deps import PUBLIC, Call
from saylau.web.i18n import negotiate
from saylau.web.pages.portal.common import (
    Acting,
    Shown,
    Who,
    done,
    gate,
    page,
    plain_error,
    read_page,
    receive,
    shown_error,
)
from saylau.web.pages.portal.forms import own_documents, read_contest, read_files, read_person
from saylau.web.pages.portal.labels import N_
from saylau.web.signin import start_signed_in

router = APIRouter(include_in_schema=False)


def _signup_page(
    request: Request, acting: Who, errors: list[Shown], status: int, values: dict[str, str]
) -> Response:
    return page(
        request,
        acting.actor,
        "portal/signup.html",
        status_code=status,
        errors=errors,
        values=values,
    )


@router.get("/portal/signup")
def signup_form(request: Request, acting: Acting) -> Response:
    return page(request, acting.actor, "portal/signup.html")


@router.post("/portal/signup")
async def signup(request: Request, acting: Acting) -> Response:
    posted = await receive(
        request, acting, lambda errors, status: _signup_page(request, acting, errors, status, {})
    )
    if isinstance(posted, Response):
        return posted
    errors: list[Shown] = []
    if posted.get("password") != posted.get("password_again"):
        errors.append(
            plain_error(request, "passwords_differ", "password_again", "the two passwords differ")
        )
    if not errors:
        data = SignUp(
            username=posted.get("username"),
            password=posted.get("password"),
            full_name=posted.get("full_name"),
            locale=negotiate(request),
        )
        try:
            account = Call(acting.call.sessions, PUBLIC, acting.call.clock)(
                applicants.sign_up, data
            )
        except ServiceError as error:
            errors.append(shown_error(request, error))
    if errors:
        return _signup_page(request, acting, errors, 422, posted.values())
    start_signed_in(request, acting.call.sessions, account.user_id)
    return done(request, "/portal/apply", N_("Your account is ready. Now make your application."))


def _gate(request: Request, acting: Who) -> Response | None:
    return gate(request, acting, Role.CANDIDATE, sign_in="/portal/signup")


def _form(
    request: Request,
    acting: Who,
    *,
    values: dict[str, str] | None = None,
    errors: list[Shown] | None = None,
    stopped: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    return read_page(
        request,
        acting,
        "portal/apply.html",
        lambda: {
            "contests": acting.call(portal.open_contests, lists=False),
            "drafts": {d.document: d for d in acting.call(applicants.drafts)},
            "report": acting.call(applicants.draft_report),
            "applied": acting.call(portal.own_candidacies),
        },
        status_code=status_code,
        route=applicants.ROUTE,
        checklist=own_documents(applicants.ROUTE),
        stopped=stopped,
        values=values or {},
        errors=errors or [],
    )


@router.get("/portal/apply")
def apply_form(request: Request, acting: Acting) -> Response:
    return _gate(request, acting) or _form(request, acting)


@router.post("/portal/apply")
async def apply(request: Request, acting: Acting) -> Response:
    gated = _gate(request, acting)
    if gated is not None:
        return gated
    posted = await receive(
        request,
        acting,
        lambda errors, status: _form(request, acting, errors=errors, status_code=status),
    )
    if isinstance(posted, Response):
        return posted
    files, errors = read_files(request, posted, own_documents(applicants.ROUTE))
    for document, upload in files.items():
        try:
            acting.call(applicants.upload_draft, document, upload)
        except ServiceError as error:
            errors.append(shown_error(request, error))
    values = posted.values()
    if errors or posted.get("action") == "save":
        if not errors:
            return done(request, "/portal/apply", N_("Your files were kept."))
        return _form(request, acting, values=values, errors=errors, status_code=422)
    person, errors = read_person(request, posted, "person", None)
    contest_id, contest_errors = read_contest(request, posted)
    errors += contest_errors
    if person is None or contest_id is None or errors:
        return _form(request, acting, values=values, errors=errors, status_code=422)
    try:
        result = acting.call(applicants.apply, Application(contest_id=contest_id, person=person))
    except ServiceError as error:
        stopped = error.params.get("missing") if error.code == "application_incomplete" else None
        return _form(
            request,
            acting,
            values=values,
            errors=[shown_error(request, error)],
            stopped=stopped,
            status_code=error.status,
        )
    return done(
        request,
        f"/portal/candidacies/smd:{result.nomination_id}",
        N_("Your application was submitted to the commission."),
    )
