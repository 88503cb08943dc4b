"""Login throttling (issue #9 §3): failed sign-ins per account and per client address, with an
exponential lock-out, counted in the database so that it holds across several server workers.

After ``account_limit`` failures of one account (or ``address_limit`` from one address) further
sign-ins are refused for ``lock`` seconds, doubling with every further failure up to ``max_lock``.
While locked even a correct password is refused (otherwise the lock would only slow a guesser
down until the right guess). A failure older than ``forget`` is forgotten; a successful sign-in
clears the account's count. Settings (environment): ``SAYLAU_LOGIN_MAX_FAILURES`` (5),
``SAYLAU_LOGIN_MAX_FAILURES_ADDRESS`` (20), ``SAYLAU_LOGIN_LOCK_SECONDS`` (60),
``SAYLAU_LOGIN_MAX_LOCK_SECONDS`` (3600), ``SAYLAU_LOGIN_FORGET_HOURS`` (24).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.services.errors import ServiceError
from saylau.storage.models import LoginThrottle

ACCOUNT = "user"
ADDRESS = "address"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class ThrottlePolicy:
    account_limit: int = 5
    address_limit: int = 20
    lock: timedelta = timedelta(seconds=60)
    max_lock: timedelta = timedelta(hours=1)
    forget: timedelta = timedelta(hours=24)

    @classmethod
    def from_env(cls) -> ThrottlePolicy:
        return cls(
            account_limit=_env_int("SAYLAU_LOGIN_MAX_FAILURES", 5),
            address_limit=_env_int("SAYLAU_LOGIN_MAX_FAILURES_ADDRESS", 20),
            lock=timedelta(seconds=_env_int("SAYLAU_LOGIN_LOCK_SECONDS", 60)),
            max_lock=timedelta(seconds=_env_int("SAYLAU_LOGIN_MAX_LOCK_SECONDS", 3600)),
            forget=timedelta(hours=_env_int("SAYLAU_LOGIN_FORGET_HOURS", 24)),
        )

    def lock_for(self, failures: int, limit: int) -> timedelta | None:
        """The lock after ``failures`` failures: none below ``limit``, then doubling."""
        if failures < limit:
            return None
        doublings = min(failures - limit, 30)
        longer: timedelta = self.lock * (2**doublings)
        return min(longer, self.max_lock)


class Throttled(ServiceError):
    """Too many failed sign-ins: refused until ``until`` (HTTP 429 with ``Retry-After``)."""

    status = 429

    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))
        super().__init__(
            "login_throttled",
            f"too many failed sign-ins: try again in {self.retry_after} s (at {until.isoformat()})",
            field="username",
            retry_after=self.retry_after,
        )


def _subjects(username: str, address: str) -> list[tuple[str, str]]:
    return [(ACCOUNT, username.strip().lower()[:200]), (ADDRESS, address[:200])]


def _row(session: Session, kind: str, subject: str, *, lock: bool = False) -> LoginThrottle | None:
    query = select(LoginThrottle).where(
        LoginThrottle.kind == kind, LoginThrottle.subject == subject
    )
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def locked_until(session: Session, username: str, address: str, now: datetime) -> datetime | None:
    """The moment the account or the address may try again, or None when neither is locked."""
    until = [
        row.locked_until
        for kind, subject in _subjects(username, address)
        if (row := _row(session, kind, subject)) is not None
        and row.locked_until is not None
        and row.locked_until > now
    ]
    return max(until) if until else None


def check(session: Session, username: str, address: str, now: datetime) -> None:
    """Raise :class:`Throttled` while the account or the address is locked."""
    until = locked_until(session, username, address, now)
    if until is not None:
        raise Throttled(until, now)


def _counted(session: Session, kind: str, subject: str) -> LoginThrottle:
    """The row of ``(kind, subject)``, locked for update; made if missing (a concurrent worker
    making it at the same moment is caught by the unique key and its row used instead)."""
    row = _row(session, kind, subject, lock=True)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginThrottle(kind=kind, subject=subject, failures=0)
            session.add(row)
    except IntegrityError:
        row = _row(session, kind, subject, lock=True)
        assert row is not None
    return row


def record_failure(
    session: Session,
    username: str,
    address: str,
    now: datetime,
    policy: ThrottlePolicy | None = None,
) -> datetime | None:
    """Count one failed sign-in of the account and the address; the lock it starts, if any."""
    policy = policy or ThrottlePolicy.from_env()
    limits = {ACCOUNT: policy.account_limit, ADDRESS: policy.address_limit}
    until: list[datetime] = []
    for kind, subject in _subjects(username, address):
        row = _counted(session, kind, subject)
        if row.last_failure_at is not None and now - row.last_failure_at > policy.forget:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        lock = policy.lock_for(row.failures, limits[kind])
        if lock is not None:
            row.locked_until = now + lock
            until.append(row.locked_until)
    session.flush()
    return max(until) if until else None


def record_success(session: Session, username: str) -> None:
    """A successful sign-in clears the account's count (not the address's: one right password
    from an address does not excuse its guesses at other accounts)."""
    row = _row(session, ACCOUNT, username.strip().lower()[:200], lock=True)
    if row is not None:
        row.failures = 0
        row.locked_until = None
        session.flush()
