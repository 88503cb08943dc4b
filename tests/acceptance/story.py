"""The frame of the acceptance story: who acts, when, and how the test reads what happened.

Every change goes through a public service inside :func:`saylau.services.context.execute`, with a
clock fixed at the moment of the calendar the step belongs to; the test only reads the database.
It writes to it twice, deliberately: the party register (:mod:`tests.acceptance.registry`, for
which no service exists) and, at the very end, the forged audit row the chain check must catch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.errors import PermissionDenied, ServiceError
from saylau.storage.models import AuditEvent

T = TypeVar("T")


def utc(year: int, month: int, day: int, hour: int = 6, minute: int = 0) -> datetime:
    """A moment in UTC; Asia/Almaty was UTC+6 in 2023 (06:00 UTC = 12:00 local)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def noon(day: date) -> datetime:
    """06:00 UTC on ``day``: midday in Asia/Almaty (UTC+6 in 2023, UTC+5 from March 2024)."""
    return utc(day.year, day.month, day.day)


@dataclass
class Story:
    """The database, the ids the story has learnt so far, and helpers to act and to read."""

    factory: sessionmaker[Session]
    regions: dict[str, int] = field(default_factory=dict)
    precincts: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)
    commissions: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    parties: dict[str, int] = field(default_factory=dict)
    election: int = 0
    contests: dict[str, int] = field(default_factory=dict)
    lists: dict[tuple[str, str], int] = field(default_factory=dict)
    """(list contest, party code) → party list id."""
    nominations: dict[str, int] = field(default_factory=dict)
    """Candidate's full name → nomination id."""
    persons: dict[str, int] = field(default_factory=dict)
    """Full name → person id."""
    choices: dict[str, dict[str, int]] = field(default_factory=dict)
    """Contest → party code or candidate's full name → ballot choice id."""
    refusals: list[tuple[str, str, str]] = field(default_factory=list)
    """(username, action, code) of every refusal the story provoked, in order."""

    # --- acting ---------------------------------------------------------------------------------

    def actor(self, username: str, role: Role, commission: str | None = None) -> Actor:
        commission_id = self.commissions[commission] if commission else None
        with self.factory() as session:
            return Actor.load(session, username, role, commission_id)

    def run(
        self, who: Actor, operation: Callable[..., T], *args: Any, at: datetime, **kw: Any
    ) -> T:
        """One service call as one transaction at the moment ``at``."""
        return execute(self.factory, who, operation, *args, clock=lambda: at, **kw)

    def approved(
        self, who: Actor, operation: Callable[..., T], *args: Any, at: datetime, **kw: Any
    ) -> T:
        """A critical action under dual control (issue #9 §2): requested by ``who`` and approved
        by a second member of the same commission, at the moment ``at``."""
        from tests.security.dual import run_approved

        return run_approved(self.factory, who, operation, *args, at=at, **kw)

    def refused(
        self, who: Actor, operation: Callable[..., Any], *args: Any, at: datetime, **kw: Any
    ) -> PermissionDenied:
        """The call must be refused for permission; the refusal is remembered for the audit check."""
        with pytest.raises(PermissionDenied) as caught:
            self.run(who, operation, *args, at=at, **kw)
        self.refusals.append((who.username, operation.__name__, caught.value.code))
        return caught.value

    def rejected(
        self, who: Actor, operation: Callable[..., Any], *args: Any, at: datetime, **kw: Any
    ) -> ServiceError:
        """The call must fail for a reason other than permission (bad input, a rule, a deadline)."""
        with pytest.raises(ServiceError) as caught:
            self.run(who, operation, *args, at=at, **kw)
        assert not isinstance(caught.value, PermissionDenied), caught.value.message
        return caught.value

    # --- reading --------------------------------------------------------------------------------

    def read(self, query: Callable[[Session], T]) -> T:
        with self.factory() as session:
            return query(session)

    def count(self, model: type[Any]) -> int:
        return self.read(
            lambda s: int(s.execute(select(func.count()).select_from(model)).scalar_one())
        )

    def events(self) -> int:
        return self.count(AuditEvent)
