"""The portal's home, one candidacy's case (status, checklist, files, deposit, decision,
deadline), document uploads, file downloads and the live checklist check."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from saylau.domain.roles import Role
from saylau.law.nomination import NominationRoute, required_documents
from saylau.services import applicants, portal
from saylau.services.candidacy import CandidacyRef
from saylau.services.documents import check_nomination_documents
from saylau.services.errors import ServiceError
from saylau.services.portal import CandidacyView
from saylau.services.uploads import upload_document
from saylau.web.i18n import negotiate
from saylau.web.pages.portal import labels
from saylau.web.pages.portal.common import (
    Acting,
    Shown,
    Who,
    done,
    forbidden,
    page,
    read_page,
    receive,
    shown_error,
    too_large,
)
from saylau.web.pages.portal.labels import N_

router = APIRouter(include_in_schema=False)


@router.get("/portal")
def home(request: Request, acting: Acting) -> Response:
    role = acting.actor.role

    def reads() -> dict[str, Any]:
        if role is Role.PARTY_AGENT:
            return {
                "candidacies": acting.call(portal.party_candidacies),
                "open_lists": acting.call(portal.open_contests, lists=True),
                "open_districts": acting.call(portal.open_contests, lists=False),
            }
        if role is Role.CANDIDATE:
            return {
                "candidacies": acting.call(portal.own_candidacies),
                "drafts": acting.call(applicants.drafts),
            }
        return {}

    return read_page(request, acting, "portal/home.html", reads)


def _ref(text: str) -> CandidacyRef | None:
    try:
        return CandidacyRef.parse(text)
    except ServiceError:
        return None


def _case(
    request: Request,
    acting: Who,
    ref_text: str,
    *,
    errors: list[Shown] | None = None,
    status_code: int = 200,
) -> Response:
    ref = _ref(ref_text)
    if acting.actor.user_id is None:
        return RedirectResponse("/login", status_code=303)
    if ref is None:
        return page(request, acting.actor, "portal/not_found.html", status_code=404)
    try:
        view: CandidacyView = acting.call(portal.candidacy_view, ref)
    except ServiceError as error:
        if error.status == 404:
            return page(request, acting.actor, "portal/not_found.html", status_code=404)
        return forbidden(request, acting.actor, error)
    return page(
        request,
        acting.actor,
        "portal/candidacy.html",
        status_code=status_code,
        view=view,
        ref=str(ref),
        route=view.documents.route,
        checklist=required_documents(view.documents.route),
        errors=errors or [],
    )


@router.get("/portal/candidacies/{ref}")
def candidacy(request: Request, acting: Acting, ref: str) -> Response:
    return _case(request, acting, ref)


@router.post("/portal/candidacies/{ref}/documents")
async def upload(request: Request, acting: Acting, ref: str) -> Response:
    """Receive one document of the candidacy as a file, then show the case again."""
    posted = await receive(
        request,
        acting,
        lambda errors, status: _case(request, acting, ref, errors=errors, status_code=status),
        files="file",
    )
    if isinstance(posted, Response):
        return posted
    parsed = _ref(ref)
    if parsed is None:
        return page(request, acting.actor, "portal/not_found.html", status_code=404)
    document = posted.get("document")
    iin = posted.get("iin") or None
    if "file" in posted.oversized:
        return _case(request, acting, ref, errors=[too_large(request, "file")], status_code=422)
    upload_file = posted.files.get("file")
    if upload_file is None:
        error = ServiceError("choose_file", "file: choose a file to upload", field="file")
        return _case(request, acting, ref, errors=[shown_error(request, error)], status_code=422)
    try:
        if acting.actor.role is Role.CANDIDATE:
            acting.call(applicants.upload_own_document, parsed, document, upload_file)
        else:
            acting.call(upload_document, parsed, document, upload_file, iin)
    except ServiceError as error:
        shown = shown_error(request, error)
        if shown.field and shown.field.startswith("files."):
            shown = Shown(shown.code, "file", shown.message, shown.detail, shown.params)
        return _case(request, acting, ref, errors=[shown], status_code=error.status)
    return done(request, f"/portal/candidacies/{parsed}", N_("The file was received."))


@router.get("/portal/files/{file_id}")
def download(request: Request, acting: Acting, file_id: int) -> Response:
    """A stored file, as an attachment (never rendered in the page)."""
    try:
        stored, content = acting.call(portal.file_download, file_id)
    except ServiceError as error:
        if error.status == 404:
            return page(request, acting.actor, "portal/not_found.html", status_code=404)
        return forbidden(request, acting.actor, error)
    return Response(
        content,
        media_type=stored.media_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(stored.filename)}",
            "cache-control": "private, no-store",
        },
    )


class MissingOut(BaseModel):
    document: str
    name: str


class CheckOut(BaseModel):
    route: str
    complete: bool
    missing: list[MissingOut]


@router.get("/portal/check", response_model=CheckOut)
def check(
    request: Request,
    route: NominationRoute,
    have: Annotated[list[str] | None, Query()] = None,
) -> JSONResponse:
    """The documents a file with ``have`` would still lack (its own documents; a list's
    per-person documents are handed in person by person). Writes nothing."""
    language = negotiate(request)
    report = check_nomination_documents(route, set(have or ()))
    missing = [
        MissingOut(document=m.document, name=labels.document_name(route, m.document, language))
        for m in report.missing
    ]
    body = CheckOut(route=route.value, complete=report.complete, missing=missing)
    return JSONResponse(body.model_dump())
