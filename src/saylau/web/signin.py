"""Signing in, step by step, shared by the pages and the API (issue #9 §3).

1. The password, unless the account or the client address is locked out by failed attempts
   (:mod:`saylau.services.throttle`: HTTP 429 with ``Retry-After``).
2. For a commission account, the one-time code of its authenticator — or, at its first sign-in,
   setting one up (:mod:`saylau.services.totp`).
3. A new server-side session (:mod:`saylau.services.sessions`) whose random id alone goes into the
   signed cookie; the cookie's previous content is dropped (no session fixation).

Every refusal and every sign-in is written to the audit log (action ``login``, outcome ``refused``,
``throttled`` or ``done``); a wrong code counts as a failed attempt like a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services import throttle, totp
from saylau.services.audit import append
from saylau.services.errors import InvalidInput, PermissionDenied
from saylau.services.sessions import AWAITING_CODE, ENROLLING, FULL, open_session, revoke_session
from saylau.services.throttle import Throttled
from saylau.services.users import verify_password
from saylau.storage.models import RoleAssignment
from saylau.storage.types import utcnow
from saylau.web.deps import SESSION_ID, auth_now, current_session
from saylau.web.i18n import gettext, negotiate
from saylau.web.ratelimit import client_key


@dataclass(frozen=True)
class SignedIn:
    """Where a sign-in stands: ``stage`` is ``""`` when done, else the step still due."""

    user_id: int
    username: str
    stage: str
    assignment_id: int | None


def log(
    sessions: sessionmaker[Session],
    username: str,
    outcome: str,
    *,
    action: str = "login",
    user_id: int | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """One sign-in event in the audit log, in its own transaction (it must outlive a refusal)."""
    with sessions() as session, session.begin():
        append(
            session,
            at=utcnow(),
            user_id=user_id,
            username=username[:100],
            role="",
            commission_id=None,
            action=action,
            entity="session",
            entity_id=username[:100],
            before=None,
            after=detail,
            outcome=outcome,
        )


def _check_throttle(request: Request, sessions: sessionmaker[Session], username: str) -> None:
    now = auth_now(request)
    with sessions() as session:
        until = throttle.locked_until(session, username, client_key(request), now)
    if until is not None:
        refusal = Throttled(until, now)
        log(sessions, username, "throttled", detail={"retry_after": refusal.retry_after})
        raise refusal


def _failed(request: Request, sessions: sessionmaker[Session], username: str, why: str) -> None:
    with sessions() as session, session.begin():
        until = throttle.record_failure(session, username, client_key(request), auth_now(request))
    detail: dict[str, object] = {"reason": why}
    if until is not None:
        detail["locked_until"] = until.isoformat()
    log(sessions, username, "refused", detail=detail)


def _start(request: Request, session: Session, user_id: int, stage: str) -> str | None:
    """Open the server-side session; a user with a single role acts in it at once."""
    roles = session.scalars(
        select(RoleAssignment.id).where(RoleAssignment.user_id == user_id)
    ).all()
    assignment_id = roles[0] if len(roles) == 1 else None
    raw = open_session(
        session,
        user_id,
        auth_now(request),
        stage=stage,
        assignment_id=assignment_id,
        address=client_key(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    request.session.clear()
    request.session[SESSION_ID] = raw
    return raw


def start_signed_in(request: Request, sessions: sessionmaker[Session], user_id: int) -> None:
    """A session for an account just made by its owner (the portal's sign-up: no commission
    role, so no second factor is due)."""
    with sessions() as session, session.begin():
        _start(request, session, user_id, FULL)


def with_password(
    request: Request, sessions: sessionmaker[Session], username: str, password: str
) -> SignedIn:
    """The first step: refused while locked out, or with a wrong name or password."""
    _check_throttle(request, sessions, username)
    with sessions() as session:
        user = verify_password(session, username, password)
    if user is None:
        _failed(request, sessions, username, "password")
        raise PermissionDenied("bad_credentials", "wrong user name or password", field="password")
    with sessions() as session, session.begin():
        stage = totp.stage_after_password(session, user)
        _start(request, session, user.id, stage)
        if stage == FULL:
            throttle.record_success(session, user.username)
    if stage == FULL:
        log(sessions, user.username, "done", user_id=user.id)
    return _state(request, sessions)


def _state(request: Request, sessions: sessionmaker[Session]) -> SignedIn:
    with sessions() as session, session.begin():
        live = current_session(request, session)
        if live is None:
            raise PermissionDenied("not_signed_in", "sign in first")
        return SignedIn(live.user_id, live.user.username, live.stage, live.assignment_id)


def pending(request: Request, sessions: sessionmaker[Session]) -> SignedIn | None:
    """The request's live session in any stage, or None."""
    try:
        return _state(request, sessions)
    except PermissionDenied:
        return None


def with_code(request: Request, sessions: sessionmaker[Session], code: str) -> SignedIn:
    """The second step: the authenticator's code, for a session awaiting it."""
    state = pending(request, sessions)
    if state is None or state.stage != AWAITING_CODE:
        raise PermissionDenied("not_signed_in", "sign in with your password first")
    _check_throttle(request, sessions, state.username)
    with sessions() as session, session.begin():
        accepted = totp.verify(session, state.user_id, code, auth_now(request))
    if not accepted:
        _failed(request, sessions, state.username, "totp")
        raise PermissionDenied("bad_totp", "wrong or already used one-time code", field="code")
    return _finish(request, sessions, state)


def _finish(request: Request, sessions: sessionmaker[Session], state: SignedIn) -> SignedIn:
    with sessions() as session, session.begin():
        live = current_session(request, session)
        if live is None:
            raise PermissionDenied("not_signed_in", "sign in first")
        live.stage = FULL
        throttle.record_success(session, state.username)
    log(sessions, state.username, "done", user_id=state.user_id)
    return _state(request, sessions)


@dataclass(frozen=True)
class Enrolment:
    secret: str
    grouped: str
    uri: str
    qr: str
    """The QR code as a ``data:`` URI (SVG)."""


def enrolment(request: Request, sessions: sessionmaker[Session]) -> Enrolment:
    """The authenticator to set up for a session at the enrolment step (or a signed-in user who
    chooses to enrol under the ``optional`` policy)."""
    state = pending(request, sessions)
    if state is None or state.stage not in (ENROLLING, FULL):
        raise PermissionDenied("not_signed_in", "sign in with your password first")
    with sessions() as session, session.begin():
        row = totp.begin_enrolment(session, state.user_id, auth_now(request))
        secret = row.secret
    uri = totp.provisioning_uri(secret, state.username)
    return Enrolment(secret, totp.grouped(secret), uri, totp.qr_data_uri(uri))


def confirm_enrolment(request: Request, sessions: sessionmaker[Session], code: str) -> SignedIn:
    """Confirm the authenticator with its first code; an enrolling session is then signed in."""
    state = pending(request, sessions)
    if state is None or state.stage not in (ENROLLING, FULL):
        raise PermissionDenied("not_signed_in", "sign in with your password first")
    _check_throttle(request, sessions, state.username)
    with sessions() as session, session.begin():
        confirmed = totp.confirm_enrolment(session, state.user_id, code, auth_now(request))
    if not confirmed:
        _failed(request, sessions, state.username, "totp_enrolment")
        raise PermissionDenied("bad_totp", "wrong one-time code", field="code")
    log(sessions, state.username, "done", action="totp_enrol", user_id=state.user_id)
    if state.stage == ENROLLING:
        return _finish(request, sessions, state)
    return state


def sign_out(request: Request, sessions: sessionmaker[Session]) -> None:
    """End the server-side session (not only forget the cookie) and clear the cookie."""
    raw = request.session.get(SESSION_ID)
    if isinstance(raw, str):
        with sessions() as session, session.begin():
            revoke_session(session, raw, auth_now(request), "signed_out")
    request.session.clear()


def choose_role(request: Request, sessions: sessionmaker[Session], assignment_id: int) -> SignedIn:
    """Act in one of the signed-in user's roles (kept in the server-side session)."""
    with sessions() as session, session.begin():
        live = current_session(request, session)
        if live is None or live.stage != FULL:
            raise PermissionDenied("not_signed_in", "sign in first")
        assignment = session.get(RoleAssignment, assignment_id)
        if assignment is None or assignment.user_id != live.user_id:
            raise InvalidInput(
                "not_your_role",
                "this role is not held by the signed-in user",
                field="assignment_id",
            )
        live.assignment_id = assignment_id
    return _state(request, sessions)


def throttled_message(request: Request, refusal: Throttled) -> str:
    """The translated refusal naming when to try again."""
    text = gettext(negotiate(request), "error.login_throttled")
    return text.replace("{seconds}", str(refusal.retry_after))
