"""Pages of the session: sign in (password, then the one-time code or the authenticator's
set-up for a commission account), sign out, choose the acting role, switch the language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from saylau.services.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from saylau.services.sessions import AWAITING_CODE, ENROLLING, FULL
from saylau.services.throttle import Throttled
from saylau.storage.models import RoleAssignment
from saylau.web import signin
from saylau.web.deps import Sessions, resolve_actor
from saylau.web.i18n import LANGUAGES, gettext, negotiate
from saylau.web.pages.render import render
from saylau.web.security import csrf_valid

router = APIRouter(include_in_schema=False)
HOME = "/dashboard"
TOTP_PAGE = "/account/totp"


def require_csrf(request: Request, token: str | None) -> None:
    """Forms carry the session's CSRF token in the ``csrf_token`` field."""
    if not csrf_valid(request, token):
        raise PermissionDenied("csrf", "the form has expired: reload the page and try again")


def _safe_next(target: str) -> str:
    """Only a local path: never redirect to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/")
def home(request: Request, sessions: Sessions) -> Response:
    """Signed-in users go to their work; everyone else to the public results site."""
    _, how = resolve_actor(request, sessions)
    target = HOME if how == "session" else f"/{negotiate(request)}/"
    return RedirectResponse(target, status_code=303)


def _where_next(state: signin.SignedIn) -> str:
    """After a step of the sign-in: the step still due, the role choice or the work."""
    if state.stage == AWAITING_CODE:
        return "/login/code"
    if state.stage == ENROLLING:
        return TOTP_PAGE
    return HOME if state.assignment_id is not None else "/role"


def _refused(request: Request, template: str, error: ServiceError, **context: Any) -> Response:
    """The form again with the refusal: 429 with ``Retry-After`` when locked out."""
    language = negotiate(request)
    if isinstance(error, Throttled):
        response = render(
            request,
            template,
            error=signin.throttled_message(request, error),
            status_code=429,
            **context,
        )
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    if error.code == "bad_totp":
        text = gettext(language, "Wrong or already used one-time code.")
    else:
        text = gettext(language, "Wrong user name or password.")
    return render(request, template, error=text, status_code=401, **context)


@router.get("/login")
def login_form(request: Request) -> Response:
    return render(request, "login.html")


@router.post("/login")
def login(
    request: Request,
    sessions: Sessions,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """The password; then the one-time code or the authenticator's set-up when due."""
    require_csrf(request, csrf_token)
    try:
        state = signin.with_password(request, sessions, username, password)
    except (Throttled, PermissionDenied) as error:
        return _refused(request, "login.html", error, username=username)
    return RedirectResponse(_where_next(state), status_code=303)


@router.get("/login/code")
def code_form(request: Request, sessions: Sessions) -> Response:
    state = signin.pending(request, sessions)
    if state is None or state.stage != AWAITING_CODE:
        return RedirectResponse("/login", status_code=303)
    return render(request, "login_code.html", username=state.username)


@router.post("/login/code")
def code(
    request: Request,
    sessions: Sessions,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    state = signin.pending(request, sessions)
    if state is None or state.stage != AWAITING_CODE:
        return RedirectResponse("/login", status_code=303)
    try:
        state = signin.with_code(request, sessions, code)
    except (Throttled, PermissionDenied) as error:
        return _refused(request, "login_code.html", error, username=state.username)
    return RedirectResponse(_where_next(state), status_code=303)


def _totp_page(
    request: Request, sessions: Sessions, *, error: str | None = None, status_code: int = 200
) -> Response:
    state = signin.pending(request, sessions)
    if state is None or state.stage not in (ENROLLING, FULL):
        return RedirectResponse("/login", status_code=303)
    try:
        enrolment = signin.enrolment(request, sessions)
    except Conflict:
        return render(request, "totp_enrol.html", enrolled=True, username=state.username)
    return render(
        request,
        "totp_enrol.html",
        enrolment=enrolment,
        username=state.username,
        signing_in=state.stage == ENROLLING,
        error=error,
        status_code=status_code,
    )


@router.get(TOTP_PAGE)
def totp_form(request: Request, sessions: Sessions) -> Response:
    """Set up the authenticator: the secret as text and as a QR code, then the first code."""
    return _totp_page(request, sessions)


@router.post(TOTP_PAGE)
def totp_confirm(
    request: Request,
    sessions: Sessions,
    code: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    if signin.pending(request, sessions) is None:
        return RedirectResponse("/login", status_code=303)
    try:
        state = signin.confirm_enrolment(request, sessions, code)
    except Throttled as error:
        return _refused(request, "login.html", error)
    except PermissionDenied as error:
        text = gettext(negotiate(request), "Wrong or already used one-time code.")
        if error.code != "bad_totp":
            raise
        return _totp_page(request, sessions, error=text, status_code=401)
    return RedirectResponse(_where_next(state), status_code=303)


@router.get("/role")
def roles_form(request: Request, sessions: Sessions) -> Response:
    state = signin.pending(request, sessions)
    if state is None or state.stage != FULL:
        return RedirectResponse("/login", status_code=303)
    with sessions() as session:
        roles = (
            session.execute(select(RoleAssignment).where(RoleAssignment.user_id == state.user_id))
            .scalars()
            .all()
        )
        for role in roles:  # load the commission names while the session is open
            _ = role.commission
        return render(request, "roles.html", roles=roles)


@router.post("/role")
def choose_role(
    request: Request,
    sessions: Sessions,
    assignment_id: Annotated[int, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    require_csrf(request, csrf_token)
    try:
        signin.choose_role(request, sessions, assignment_id)
    except InvalidInput as error:
        raise PermissionDenied(error.code, error.message) from error
    return RedirectResponse(HOME, status_code=303)


@router.post("/logout")
def logout(
    request: Request, sessions: Sessions, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    require_csrf(request, csrf_token)
    signin.sign_out(request, sessions)
    return RedirectResponse("/login", status_code=303)


@router.post("/language")
def switch_language(
    request: Request,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Remember the chosen language in a cookie (the switch on every page)."""
    require_csrf(request, csrf_token)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="strict")
    return response
