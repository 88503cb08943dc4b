"""Sign-in for the demo: fresh random passwords for a few SYNTHETIC demo accounts, printed once.

The demo's accounts are made without passwords (a synthetic account must not be usable by chance).
``saylau serve --demo`` gives one account of each kind of user a new random password through the
users service (audited like any other password change) and prints them, so that whoever started the
server can sign in to every screen; the passwords change on every start. Their authenticators
(one-time codes, ``saylau.services.totp``) are reset too, so the first sign-in of each commission
account after a start sets one up again on the page (the key and its QR code are shown there).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.users import reset_totp, set_password
from saylau.storage.models import RoleAssignment, User

DEMO_ROLES = (
    Role.CEC_ADMIN,
    Role.TEC_ADMIN,
    Role.TEC_COORDINATOR,
    Role.PEC_TYPIST,
    Role.PARTY_AGENT,
)


HOLDERS = {Role.PEC_TYPIST: 2, Role.CEC_ADMIN: 2}
"""Roles shown with two accounts: a precinct's two typists (double entry), two members of the CEC
(one requests a critical action, the other approves it: dual control, issue #9 §2)."""


def _first_holders(session: Session) -> list[tuple[int, str, Role]]:
    """The first account of each demo role; two for the roles of :data:`HOLDERS`."""
    chosen: list[tuple[int, str, Role]] = []
    for role in DEMO_ROLES:
        rows = session.execute(
            select(User.id, User.username, RoleAssignment.commission_id)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == role)
            .order_by(RoleAssignment.commission_id, User.id)
            .limit(HOLDERS.get(role, 1))
        ).all()
        if role is Role.PEC_TYPIST and len({r.commission_id for r in rows}) > 1:
            rows = rows[:1]
        chosen += [(row.id, row.username, role) for row in rows]
    return chosen


def demo_sign_ins(sessions: sessionmaker[Session]) -> list[tuple[str, Role, str]]:
    """Give the chosen demo accounts new random passwords; returns (username, role, password)."""
    with sessions() as session:
        accounts = _first_holders(session)
    passwords: dict[int, str] = {}  # one account may hold several of the roles (one password)
    result = []
    for user_id, username, role in accounts:
        if user_id not in passwords:
            passwords[user_id] = secrets.token_urlsafe(12)
            execute(sessions, Actor.operator(), set_password, user_id, passwords[user_id])
            execute(sessions, Actor.operator(), reset_totp, user_id)
        result.append((username, role, passwords[user_id]))
    return result
