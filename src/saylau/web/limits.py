"""How large a request may be, by route family, and the middleware that holds every request to it.

Issue #9 §7 ("limits on request sizes"): a request body larger than its family's limit is refused
with 413 and a translated error before the application reads it whole. The limit is checked twice:
on the declared ``Content-Length`` (refused at once, nothing read) and on the bytes actually
received, so that a chunked body without a length, or one that lies about it, is cut off as soon
as it passes the limit. Pages that answer an oversized form themselves (the portal's document
forms, the district plan upload) read :func:`declared_too_large` and show the form again with the
error; the stream is still cut off for them. This module is the one source of the limits: the
pages and ``saylau.services.uploads`` do not repeat them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from saylau.services.uploads import MAX_BYTES as DOCUMENT_FILE_BYTES
from saylau.web.errors import ErrorBody, localised
from saylau.web.i18n import negotiate

MIB = 1024 * 1024
DOCUMENT_FILES_PER_FORM = 6
"""The most document files one portal form carries (a list's own documents)."""
PLAN_FILE_BYTES = 2_000_000
"""The largest district plan file (a national plan of ~3,100 districts is far smaller)."""
FORM_MARGIN_BYTES = 100_000
"""Room for a form's text fields and multipart framing beside its file."""


@dataclass(frozen=True)
class RequestLimit:
    """The largest body one family of routes takes."""

    family: str
    bytes: int
    page_answers: bool = False
    """The family's pages answer a declared oversize themselves (a form shown again)."""


API = RequestLimit("api", 1 * MIB)
"""A JSON request of the API: one entry, one decision, one person (far below 1 MiB)."""
API_BULK = RequestLimit("api_bulk", 16 * MIB)
"""A bulk JSON import of the API: a national territory (~10,000 precincts, ~3 MB), a plan of up
to 10,000 districts, a batch of protocols or nominations."""
DOCUMENTS = RequestLimit(
    "documents", DOCUMENT_FILES_PER_FORM * DOCUMENT_FILE_BYTES + MIB, page_answers=True
)
"""A portal form with the scanned documents of a nomination (each file at most 10 MB)."""
PLAN = RequestLimit("plan", PLAN_FILE_BYTES + FORM_MARGIN_BYTES, page_answers=True)
"""The district plan upload form of the commission screens."""
FORMS = RequestLimit("forms", 1 * MIB)
"""Every other page form (sign-in, protocol entry, decisions): text fields only."""

_BULK = re.compile(
    r"^/api/(territory/import|commissions/ensure|elections/[^/]+/districts|"
    r"protocols/batch|nominations/batch)/?$"
)


def limit_for(path: str) -> RequestLimit:
    """The limit of the route family ``path`` belongs to."""
    if _BULK.match(path):
        return API_BULK
    if path.startswith("/api/"):
        return API
    if path.startswith("/portal/"):
        return DOCUMENTS
    if path.rstrip("/") == "/districts/import":
        return PLAN
    return FORMS


def declared_length(headers: Request | Scope) -> int | None:
    """The body length the request declares (None when absent or not a number)."""
    request = headers if isinstance(headers, Request) else Request(headers)
    declared = request.headers.get("content-length", "").strip()
    return int(declared) if declared.isdigit() and len(declared) <= 18 else None


def declared_too_large(request: Request) -> bool:
    """True when the request declares a body above its family's limit (a page then answers
    without reading the body)."""
    length = declared_length(request)
    return length is not None and length > limit_for(request.url.path).bytes


class BodyTooLarge(Exception):
    """Raised from ``receive`` when the body passes the limit; the middleware answers 413."""


def refusal(scope: Scope, limit: RequestLimit) -> Response:
    """The 413 answer in the request's language: the error body for the API, a page otherwise."""
    request = Request(scope)
    language = negotiate(request)
    message = localised(language, "request_too_large", "invalid_input", "body").replace(
        "{limit}", f"{limit.bytes:,}".replace(",", " ")
    )
    detail = f"the request body is larger than {limit.bytes} bytes ({limit.family} limit)"
    if scope["path"].startswith("/api/"):
        body = ErrorBody(code="request_too_large", field="body", message=message, detail=detail)
        return JSONResponse(body.model_dump(), status_code=413, headers={"Connection": "close"})
    page = f'<!doctype html><html lang="{language}"><title>413</title><p>{message}</p></html>'
    return HTMLResponse(page, status_code=413, headers={"Connection": "close"})


class RequestLimits:
    """ASGI middleware: refuses a body over its family's limit with 413 (see module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit.bytes and not limit.page_answers:
            await refusal(scope, limit)(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.bytes:
                    exceeded = True
                    raise BodyTooLarge(limit.family)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the application's answer to a cut-off body is replaced by ours
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if started:
                raise
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await refusal(scope, limit)(scope, receive, send)
