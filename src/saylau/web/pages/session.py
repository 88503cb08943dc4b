"""Pages of the session: sign in and out, choose the acting role, switch the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from saylau.services.errors import PermissionDenied
from saylau.services.users import verify_password
from saylau.storage.models import RoleAssignment
from saylau.web.deps import Sessions, resolve_actor
from saylau.web.i18n import LANGUAGES, gettext, negotiate
from saylau.web.pages.render import render
from saylau.web.security import csrf_valid

router = APIRouter(include_in_schema=False)
HOME = "/dashboard"


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
    require_csrf(request, csrf_token)
    with sessions() as session:
        user = verify_password(session, username, password)
        roles = (
            session.execute(select(RoleAssignment.id).where(RoleAssignment.user_id == user.id))
            .scalars()
            .all()
            if user is not None
            else []
        )
    if user is None:
        message = gettext(negotiate(request), "Wrong user name or password.")
        return render(request, "login.html", error=message, username=username, status_code=401)
    request.session.clear()
    request.session["user_id"] = user.id
    if len(roles) == 1:
        request.session["assignment_id"] = roles[0]
        return RedirectResponse(HOME, status_code=303)
    return RedirectResponse("/role", status_code=303)


@router.get("/role")
def roles_form(request: Request, sessions: Sessions) -> Response:
    user_id = request.session.get("user_id")
    if user_id is None:
        return RedirectResponse("/login", status_code=303)
    with sessions() as session:
        roles = (
            session.execute(select(RoleAssignment).where(RoleAssignment.user_id == user_id))
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
    with sessions() as session:
        assignment = session.get(RoleAssignment, assignment_id)
        if assignment is None or assignment.user_id != request.session.get("user_id"):
            raise PermissionDenied("not_your_role", "this role is not held by the signed-in user")
    request.session["assignment_id"] = assignment_id
    return RedirectResponse(HOME, status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    require_csrf(request, csrf_token)
    request.session.clear()
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
