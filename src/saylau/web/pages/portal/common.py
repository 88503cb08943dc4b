"""What every portal page shares: the acting user, posted forms with files, errors next to their
fields in the request's language, and the page frame (navigation, names, local times).

Forms post ``multipart/form-data`` with the session's ``csrf_token``. A refused form is shown
again at once (status 422) with the typed values and each error by its field; a done form
redirects (303) to the page of what it made, with a notice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from saylau.domain.roles import Role
from saylau.domain.states import InvalidTransition
from saylau.law.nomination import NominationRoute
from saylau.services.context import Actor
from saylau.services.errors import InvalidInput, PermissionDenied, ServiceError
from saylau.services.uploads import MAX_BYTES, Upload
from saylau.web.deps import Call, Sessions, resolve_actor
from saylau.web.errors import GENERIC
from saylau.web.i18n import gettext, negotiate
from saylau.web.limits import DOCUMENTS, declared_too_large
from saylau.web.pages.portal import labels
from saylau.web.pages.portal.labels import N_
from saylau.web.pages.render import render
from saylau.web.security import csrf_valid

NOTICE = "portal_notice"
MAX_REQUEST_BYTES = DOCUMENTS.bytes
"""A form carries at most six files of the largest size, plus its fields (``saylau.web.limits``)."""


# --- who acts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """The request's actor and a service runner acting as it (forms check their own token)."""

    actor: Actor
    call: Call


def who(request: Request, sessions: Sessions) -> Who:
    actor, _ = resolve_actor(request, sessions)
    return Who(actor, Call(sessions, actor, request.app.state.clock))


Acting = Annotated[Who, Depends(who)]


# --- forms ---------------------------------------------------------------------------------------


@dataclass
class Posted:
    """A posted form: its text fields (in order) and its chosen files by field name."""

    fields: list[tuple[str, str]]
    files: dict[str, Upload] = field(default_factory=dict)
    oversized: list[str] = field(default_factory=list)
    """File fields whose file was larger than the limit (not read beyond it)."""

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.fields:
            if key == name:
                return value.strip()
        return default

    def getlist(self, name: str) -> list[str]:
        """Every value of a repeated field (check boxes), in order."""
        return [value.strip() for key, value in self.fields if key == name]

    def flag(self, name: str) -> bool:
        return self.get(name) in {"on", "true", "1", "yes"}

    def values(self) -> dict[str, str]:
        """The typed values, to show again on a refused form (never a password or token)."""
        return {
            k: v
            for k, v in self.fields
            if k not in ("csrf_token", "password", "password_again") and len(v) <= 500
        }


class TooLarge(Exception):
    """The request is larger than :data:`MAX_REQUEST_BYTES`."""


async def read_posted(request: Request) -> Posted:
    """The form with its files, each file read up to the limit (one byte more tells it is over)."""
    if declared_too_large(request):
        raise TooLarge
    form = await request.form(max_files=20, max_fields=5000)
    posted = Posted([])
    for key, value in form.multi_items():
        if isinstance(value, str):
            posted.fields.append((key, value))
            continue
        if not isinstance(value, UploadFile) or not value.filename:
            continue  # a file input left empty
        content = await value.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            posted.oversized.append(key)
            continue
        posted.files[key] = Upload(value.filename, content)
    return posted


def csrf_ok(request: Request, posted: Posted) -> bool:
    return csrf_valid(request, posted.get("csrf_token"))


# --- errors --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A refusal as a page shows it: the sentence, the form field it belongs to, the detail."""

    code: str
    field: str | None
    message: str
    detail: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


def shown_error(request: Request, error: ServiceError | InvalidTransition) -> Shown:
    language = negotiate(request)
    if isinstance(error, InvalidTransition):
        code, where, status, detail, params = "invalid_transition", None, 409, str(error), {}
    else:
        code, where, status, detail = error.code, error.field, error.status, error.message
        params = dict(error.params)
    kind = {404: "not_found", 409: "conflict", 403: "forbidden"}.get(status, "invalid_input")
    template = gettext(language, f"error.{code}")
    if template == f"error.{code}":
        template = gettext(language, GENERIC[kind])
    name = labels.field_label(where, lambda m: gettext(language, m))
    return Shown(code, where, template.replace("{field}", name), detail, params)


def plain_error(request: Request, code: str, where: str | None, detail: str) -> Shown:
    """A refusal of the page itself (not of a service): ``error.<code>`` from the catalogue."""
    return shown_error(request, ServiceError(code, detail, field=where))


def too_large(request: Request, where: str) -> Shown:
    """The file of ``where`` was over the limit (it was not read beyond it)."""
    return shown_error(
        request,
        InvalidInput(
            "upload_too_large", f"{where}: larger than {MAX_BYTES} bytes (10 MB)", field=where
        ),
    )


# --- receiving a form ----------------------------------------------------------------------------


Again = Callable[[list[Shown], int], Response]
"""Shows a refused form again with these errors and this status."""


async def receive(
    request: Request, acting: Who, again: Again, *, files: str = "files"
) -> Posted | Response:
    """The posted form, or the response that ends the request: the form again (413, the error
    on the file input ``files``) when the request is over the limit, the 403 page when the form
    does not carry the session's token."""
    try:
        posted = await read_posted(request)
    except TooLarge:
        return again([too_large(request, files)], 413)
    if not csrf_ok(request, posted):
        return forbidden(request, acting.actor)
    return posted


def done(request: Request, location: str, notice: str) -> RedirectResponse:
    """A form done: on to ``location`` (303), where ``notice`` is shown once."""
    set_notice(request, notice)
    return RedirectResponse(location, status_code=303)


# --- pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str


def nav_for(actor: Actor) -> list[NavItem]:
    items = [NavItem("/portal", N_("Portal"))]
    if actor.role is Role.PARTY_AGENT:
        items += [
            NavItem("/portal/lists/new", N_("Submit a party list")),
            NavItem("/portal/nominations/new", N_("Nominate a district candidate")),
            NavItem("/portal/mandates", N_("Seats and successors")),
        ]
    elif actor.role is Role.CANDIDATE:
        items.append(NavItem("/portal/apply", N_("Apply as a self-nominee")))
    elif actor.user_id is None:
        items += [NavItem("/portal/signup", N_("Sign up")), NavItem("/login", N_("Sign in"))]
    return items


def set_notice(request: Request, message: str) -> None:
    request.session[NOTICE] = message


def page(
    request: Request,
    actor: Actor,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A portal page in the request's language, with the helpers every template uses."""
    language = negotiate(request)
    notice = request.session.pop(NOTICE, None)

    def local(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        zone = getattr(moment.tzinfo, "key", "") or "UTC"
        text = format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=language)
        return f"{text} ({zone})"

    def document(route: NominationRoute | str, document_id: str) -> str:
        return labels.document_name(NominationRoute(route), document_id, language)

    errors: list[Shown] = context.pop("errors", [])
    by_field: dict[str, list[str]] = {}
    for error in errors:
        if error.field:
            by_field.setdefault(error.field, []).append(error.message)
    return render(
        request,
        template,
        actor,
        status_code=status_code,
        nav=nav_for(actor),
        current=request.url.path,
        notice=gettext(language, notice) if isinstance(notice, str) else None,
        errors=errors,
        field_errors=by_field,
        values=context.pop("values", {}),
        pick=lambda label: labels.pick(label, language),
        local=local,
        document_name=document,
        state_label=lambda state: labels.STATES.get(str(state), str(state)),
        stage_label=lambda stage: labels.STAGES.get(stage, stage),
        route_label=lambda route: labels.ROUTES.get(str(route), str(route)),
        provider_label=lambda provider: labels.PROVIDERS.get(str(provider), str(provider)),
        **context,
    )


def read_page(
    request: Request,
    acting: Who,
    template: str,
    reads: Callable[[], dict[str, Any]],
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page with what ``reads`` gets through the actor's services (a refused read: the 403
    page saying why) and the ``context`` of the form."""
    try:
        found = reads()
    except ServiceError as error:
        return forbidden(request, acting.actor, error)
    return page(request, acting.actor, template, status_code=status_code, **found, **context)


def forbidden(request: Request, actor: Actor, error: ServiceError | None = None) -> HTMLResponse:
    """The page saying the actor may not do this (403), or must sign in."""
    shown = [shown_error(request, error)] if error is not None else []
    return page(request, actor, "portal/forbidden.html", status_code=403, errors=shown)


def gate(request: Request, acting: Who, role: Role, *, sign_in: str = "/login") -> Response | None:
    """Who may open a page of ``role``: the public is sent to ``sign_in`` (303), another role
    is refused (403); None lets the actor in."""
    if acting.actor.user_id is None:
        return RedirectResponse(sign_in, status_code=303)
    if acting.actor.role is not role:
        return forbidden(request, acting.actor)
    return None


def require(actor: Actor, *roles: Role) -> None:
    """Refuse (403) unless the actor holds one of ``roles``."""
    if actor.role not in roles:
        raise PermissionDenied(
            "portal_role", f"the role {actor.role.value} does not use this page", field=None
        )
