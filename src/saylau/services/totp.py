"""Time-based one-time passwords (RFC 6238, via ``pyotp``) for commission accounts (issue #9 §3).

Policy (``SAYLAU_TOTP``): ``required`` (the default) — an account holding any commission role
(CEC or TEC administrator, TEC coordinator, PEC/TEC typist) gives a code from its authenticator
after its password, and enrols one at its first sign-in; ``optional`` — only accounts that chose
to enrol give a code. In both, an account with a confirmed authenticator always gives a code.

Enrolment: a random 160-bit secret is shown as text and as a QR code; it counts only once the
first code from it is confirmed. Codes are 6 digits, 30-second steps, one step of clock drift
either way; the step of the last code accepted is kept, so no code is accepted twice (replay).
An administrator who resets an enrolment (a lost telephone) does so through
:func:`saylau.services.users.reset_totp`, audited.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Role
from saylau.services.errors import Conflict, InvalidInput
from saylau.services.sessions import AWAITING_CODE, ENROLLING, FULL
from saylau.storage.models import RoleAssignment, TotpEnrolment, User

REQUIRED = "required"
OPTIONAL = "optional"
POLICIES = (REQUIRED, OPTIONAL)
ISSUER = "Saylau"
DRIFT_STEPS = 1

COMMISSION_ROLES = frozenset(
    {Role.CEC_ADMIN, Role.TEC_ADMIN, Role.TEC_COORDINATOR, Role.PEC_TYPIST}
)
"""The roles that act for an election commission: their accounts need a second factor."""


def policy() -> str:
    """``SAYLAU_TOTP``: ``required`` (default) or ``optional``; anything else is refused."""
    value = os.environ.get("SAYLAU_TOTP", REQUIRED).strip().lower() or REQUIRED
    if value not in POLICIES:
        raise ValueError(f"SAYLAU_TOTP={value!r}: one of {', '.join(POLICIES)}")
    return value


def enrolment(session: Session, user_id: int) -> TotpEnrolment | None:
    return session.execute(
        select(TotpEnrolment).where(TotpEnrolment.user_id == user_id)
    ).scalar_one_or_none()


def is_enrolled(session: Session, user_id: int) -> bool:
    row = enrolment(session, user_id)
    return row is not None and row.confirmed_at is not None


def holds_commission_role(session: Session, user_id: int) -> bool:
    roles = session.scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == user_id))
    return any(role in COMMISSION_ROLES for role in roles)


def stage_after_password(session: Session, user: User) -> str:
    """What the sign-in still needs once the password is right: nothing, a code, or enrolment."""
    if is_enrolled(session, user.id):
        return AWAITING_CODE
    if policy() == REQUIRED and holds_commission_role(session, user.id):
        return ENROLLING
    return FULL


STEP_SECONDS = 30


def step_of(now: datetime) -> int:
    """The RFC 6238 time step of ``now`` (30-second steps since the Unix epoch)."""
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime, after: int) -> int | None:
    """The time step (within the drift) whose code is ``code`` and that comes after ``after``."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def begin_enrolment(session: Session, user_id: int, now: datetime) -> TotpEnrolment:
    """The pending enrolment of ``user_id`` (a new secret if none is pending); refused when an
    authenticator is already confirmed (an administrator resets it first)."""
    row = enrolment(session, user_id)
    if row is not None and row.confirmed_at is not None:
        raise Conflict(
            "totp_already_enrolled",
            "an authenticator is already set up for this account: an administrator resets it",
            field="code",
        )
    if row is None:
        row = TotpEnrolment(user_id=user_id, secret=pyotp.random_base32(32), created_at=now)
        session.add(row)
        session.flush()
    return row


def confirm_enrolment(session: Session, user_id: int, code: str, now: datetime) -> bool:
    """Confirm the pending enrolment with its first code; False when the code is wrong."""
    row = enrolment(session, user_id)
    if row is None or row.confirmed_at is not None:
        raise InvalidInput(
            "totp_not_pending", "no authenticator set-up is pending: start again", field="code"
        )
    step = _matching_step(row.secret, code, now, row.last_step)
    if step is None:
        return False
    row.confirmed_at = now
    row.last_step = step
    session.flush()
    return True


def verify(session: Session, user_id: int, code: str, now: datetime) -> bool:
    """Whether ``code`` is the confirmed authenticator's code now, never accepted before."""
    row = session.execute(
        select(TotpEnrolment).where(TotpEnrolment.user_id == user_id).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.confirmed_at is None:
        return False
    step = _matching_step(row.secret, code, now, row.last_step)
    if step is None:
        return False
    row.last_step = step
    session.flush()
    return True


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG ``data:`` URI (allowed by the CSP's ``img-src data:``)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an authenticator by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
