"""A self-nominee online: the public sign-up, and the application with its documents.

The application form takes the applicant's particulars, the district and the scanned documents
of the self-nomination checklist. Files are kept as drafts as soon as they arrive (so nothing is
uploaded twice); an application still lacking a document is stopped with every missing document
named, before anything reaches the commission.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from saylau.domain.roles import Role
from saylau.services import applicants, portal
from saylau.services.applicants import Application, SignUp
from saylau.services.errors import ServiceError
from saylau.web.deps import PUBLIC, Call
from saylau.web.i18n import negotiate
from saylau.web.pages.portal.common import (
    Acting,
    Shown,
    TooLarge,
    Who,
    csrf_ok,
    forbidden,
    page,
    plain_error,
    read_posted,
    set_notice,
    shown_error,
    too_large,
)
from saylau.web.pages.portal.forms import own_documents, read_files, read_person
from saylau.web.pages.portal.labels import N_

router = APIRouter(include_in_schema=False)


@router.get("/portal/signup")
def signup_form(request: Request, acting: Acting) -> Response:
    return page(request, acting.actor, "portal/signup.html")


@router.post("/portal/signup")
async def signup(request: Request, acting: Acting) -> Response:
    posted = await read_posted(request)
    if not csrf_ok(request, posted):
        return forbidden(request, acting.actor)
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
        return page(
            request,
            acting.actor,
            "portal/signup.html",
            status_code=422,
            errors=errors,
            values=posted.values(),
        )
    request.session.clear()
    request.session["user_id"] = account.user_id
    request.session["assignment_id"] = account.assignment_id
    set_notice(request, N_("Your account is ready. Now make your application."))
    return RedirectResponse("/portal/apply", status_code=303)


def _gate(request: Request, acting: Who) -> Response | None:
    if acting.actor.user_id is None:
        return RedirectResponse("/portal/signup", status_code=303)
    if acting.actor.role is not Role.CANDIDATE:
        return forbidden(request, acting.actor)
    return None


def _form(
    request: Request,
    acting: Who,
    *,
    values: dict[str, str] | None = None,
    errors: list[Shown] | None = None,
    stopped: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        contests = acting.call(portal.open_contests, lists=False)
        drafts = acting.call(applicants.drafts)
        report = acting.call(applicants.draft_report)
        mine = acting.call(portal.own_candidacies)
    except ServiceError as error:
        return forbidden(request, acting.actor, error)
    return page(
        request,
        acting.actor,
        "portal/apply.html",
        status_code=status_code,
        contests=contests,
        route=applicants.ROUTE,
        checklist=own_documents(applicants.ROUTE),
        drafts={d.document: d for d in drafts},
        report=report,
        applied=mine,
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
    try:
        posted = await read_posted(request)
    except TooLarge:
        return _form(request, acting, errors=[too_large(request, "files")], status_code=413)
    if not csrf_ok(request, posted):
        return forbidden(request, acting.actor)
    files, errors = read_files(request, posted, own_documents(applicants.ROUTE))
    for document, upload in files.items():
        try:
            acting.call(applicants.upload_draft, document, upload)
        except ServiceError as error:
            errors.append(shown_error(request, error))
    values = posted.values()
    if errors or posted.get("action") == "save":
        if not errors:
            set_notice(request, N_("Your files were kept."))
            return RedirectResponse("/portal/apply", status_code=303)
        return _form(request, acting, values=values, errors=errors, status_code=422)
    contest_text = posted.get("contest_id")
    person, errors = read_person(request, posted, "person", None)
    if not contest_text.isdigit():
        errors.append(
            plain_error(request, "choose_contest", "contest_id", "contest_id: choose one")
        )
    if person is None or errors:
        return _form(request, acting, values=values, errors=errors, status_code=422)
    try:
        result = acting.call(
            applicants.apply, Application(contest_id=int(contest_text), person=person)
        )
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
    set_notice(request, N_("Your application was submitted to the commission."))
    return RedirectResponse(f"/portal/candidacies/smd:{result.nomination_id}", status_code=303)
