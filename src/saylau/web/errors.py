"""One error body for every failure: ``{"code", "field", "message", "detail"}``.

``message`` is in the request's language (a sentence per error code from the catalogue, naming the
field); ``detail`` is the service's precise English text with the values and the rule broken.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from saylau.domain.states import InvalidTransition
from saylau.services.errors import ServiceError
from saylau.web.i18n import gettext, negotiate

GENERIC = {
    "invalid_input": "The value of {field} is not acceptable.",
    "not_found": "Nothing was found for {field}.",
    "conflict": "This cannot be done in the current state ({field}).",
    "forbidden": "You are not allowed to do this.",
}


class ErrorBody(BaseModel):
    """The body of every error response."""

    code: str
    field: str | None = None
    message: str
    detail: str


def _kind(error: ServiceError) -> str:
    return {400: "invalid_input", 404: "not_found", 409: "conflict", 403: "forbidden"}.get(
        error.status, "invalid_input"
    )


def localised(language: str, code: str, kind: str, field: str | None) -> str:
    """The catalogue's sentence for ``code`` (or the generic one of its kind), with the field."""
    specific = gettext(language, f"error.{code}")
    template = specific if specific != f"error.{code}" else gettext(language, GENERIC[kind])
    return template.replace("{field}", field or "—")


def _body(request: Request, code: str, kind: str, field: str | None, detail: str) -> dict[str, Any]:
    language = negotiate(request)
    return ErrorBody(
        code=code, field=field, message=localised(language, code, kind, field), detail=detail
    ).model_dump()


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, error: ServiceError) -> JSONResponse:
        body = _body(request, error.code, _kind(error), error.field, error.message)
        return JSONResponse(body, status_code=error.status)

    @app.exception_handler(InvalidTransition)
    async def transition(request: Request, error: InvalidTransition) -> JSONResponse:
        body = _body(request, "invalid_transition", "conflict", error.machine, str(error))
        return JSONResponse(body, status_code=409)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "bad_request")
        kind = "not_found" if error.status_code == 404 else "invalid_input"
        body = _body(request, code, kind, None, str(error.detail))
        return JSONResponse(body, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid"}
        field = ".".join(str(p) for p in first["loc"] if p not in ("body", "query", "path"))
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        body = _body(request, "invalid_input", "invalid_input", field or None, detail)
        return JSONResponse(body, status_code=422)
