"""Who acts, in which transaction, and whether they may: the frame every service runs in.

:func:`execute` runs one service call as one transaction. Permission is checked in the service itself
(:meth:`Context.authorize`), by role and by territory: a TEC administrator of one region cannot touch
another region, a PEC typist only their precinct. A refusal rolls the transaction back and is then
logged in a transaction of its own, so every refused action leaves a trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Action, CommissionLevel, Role, may
from saylau.services import audit
from saylau.services.errors import NotFound, PermissionDenied
from saylau.storage.models import Precinct, RoleAssignment, Unit, User


@dataclass(frozen=True)
class Scope:
    """Where a target lies: the services fill in what they know (a precinct implies its unit and
    region). An empty scope is national: only the CEC covers it."""

    region_id: int | None = None
    unit_id: int | None = None
    precinct_id: int | None = None
    party_id: int | None = None


NATIONAL = Scope()


def scope_for(
    session: Session,
    *,
    region_id: int | None = None,
    unit_id: int | None = None,
    precinct_id: int | None = None,
    party_id: int | None = None,
) -> Scope:
    """The full scope of a target, filling in the unit and region a precinct or unit lies in."""
    if precinct_id is not None:
        precinct = session.get(Precinct, precinct_id)
        if precinct is not None:
            unit_id = unit_id or precinct.unit_id
            region_id = region_id or precinct.region_id
    if unit_id is not None and region_id is None:
        unit = session.get(Unit, unit_id)
        region_id = unit.region_id if unit is not None else None
    return Scope(region_id, unit_id, precinct_id, party_id)


@dataclass(frozen=True)
class Actor:
    """A user acting in one role of one commission (or for one party)."""

    user_id: int | None
    username: str
    role: Role
    commission_id: int | None = None
    level: CommissionLevel | None = None
    region_id: int | None = None
    unit_id: int | None = None
    precinct_id: int | None = None
    party_id: int | None = None

    @classmethod
    def operator(cls) -> Actor:
        """The person at the server's console (CLI): CEC administrator rights, named as such."""
        return cls(user_id=None, username="console", role=Role.CEC_ADMIN, level=CommissionLevel.CEC)

    @classmethod
    def load(cls, session: Session, username: str, role: Role, commission_id: int | None) -> Actor:
        """The actor for ``username`` holding ``role`` in ``commission_id``; refused if not held."""
        assignment = session.execute(
            select(RoleAssignment)
            .join(User)
            .where(
                User.username == username,
                User.active.is_(True),
                RoleAssignment.role == role,
                RoleAssignment.commission_id.is_(None)
                if commission_id is None
                else RoleAssignment.commission_id == commission_id,
            )
        ).scalar_one_or_none()
        if assignment is None:
            raise PermissionDenied(
                "role_not_held",
                f"{username} does not hold the role {role.value} in commission {commission_id}",
                field="role",
            )
        commission = assignment.commission
        return cls(
            user_id=assignment.user_id,
            username=username,
            role=role,
            commission_id=commission_id,
            level=commission.level if commission else None,
            region_id=commission.region_id if commission else None,
            unit_id=commission.unit_id if commission else None,
            precinct_id=commission.precinct_id if commission else None,
            party_id=assignment.party_id,
        )

    @classmethod
    def of_assignment(cls, assignment: RoleAssignment) -> Actor:
        """The actor of one role assignment (used by the web interface's sessions and tokens)."""
        commission = assignment.commission
        return cls(
            user_id=assignment.user_id,
            username=assignment.user.username,
            role=assignment.role,
            commission_id=assignment.commission_id,
            level=commission.level if commission else None,
            region_id=commission.region_id if commission else None,
            unit_id=commission.unit_id if commission else None,
            precinct_id=commission.precinct_id if commission else None,
            party_id=assignment.party_id,
        )

    def covers(self, scope: Scope) -> bool:
        """Whether the actor's commission (or party) includes the target's territory."""
        if self.role is Role.PARTY_AGENT:
            return scope.party_id is not None and scope.party_id == self.party_id
        if self.level is CommissionLevel.CEC:
            return True
        if self.level is CommissionLevel.TEC_REGION:
            return scope.region_id is not None and scope.region_id == self.region_id
        if self.level is CommissionLevel.TEC_UNIT:
            return scope.unit_id is not None and scope.unit_id == self.unit_id
        if self.level is CommissionLevel.PEC:
            return scope.precinct_id is not None and scope.precinct_id == self.precinct_id
        return False


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """One service call: its session (transaction), actor and clock."""

    session: Session
    actor: Actor
    clock: Callable[[], datetime] = _utcnow
    _now: datetime | None = field(default=None, repr=False)

    @property
    def now(self) -> datetime:
        """The moment of this call (fixed for the whole transaction)."""
        if self._now is None:
            self._now = self.clock()
        return self._now

    def authorize(self, action: Action, scope: Scope = NATIONAL) -> None:
        """Refuse unless the actor's role allows ``action`` on a target within their territory."""
        if not may(self.actor.role, action):
            raise PermissionDenied(
                "role_forbids",
                f"the role {self.actor.role.value} may not {action.value}",
                action=action.value,
            )
        if not self.actor.covers(scope):
            raise PermissionDenied(
                "outside_territory",
                f"{action.value} is outside the territory of {self.actor.username}'s commission",
                action=action.value,
                target={k: v for k, v in vars(scope).items() if v is not None},
            )

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Record a state change in the hash-chained audit log (same transaction)."""
        audit.append(
            self.session,
            at=self.now,
            user_id=self.actor.user_id,
            username=self.actor.username,
            role=self.actor.role.value,
            commission_id=self.actor.commission_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )

    def audit_many(
        self,
        action: str,
        entity: str,
        changes: Sequence[tuple[object, dict[str, Any] | None, dict[str, Any] | None]],
        *,
        text_keyed: bool = False,
    ) -> None:
        """Record one event per ``(entity_id, before, after)``, in order, as :meth:`audit` would
        one by one (same transaction, same chain), in a single insert (``text_keyed``: see
        :func:`saylau.services.audit.canonical`)."""
        audit.append_many(
            self.session,
            at=self.now,
            user_id=self.actor.user_id,
            username=self.actor.username,
            role=self.actor.role.value,
            commission_id=self.actor.commission_id,
            action=action,
            entity=entity,
            changes=[(str(ident), before, after) for ident, before, after in changes],
            text_keyed=text_keyed,
        )

    def get(self, model: type[M], ident: int, what: str) -> M:
        """The row ``ident`` of ``model`` or a :class:`NotFound` naming ``what``."""
        return fetch(self.session, model, ident, what)


M = TypeVar("M")
T = TypeVar("T")


def fetch(session: Session, model: type[M], ident: int, what: str) -> M:
    """The row ``ident`` of ``model`` or a :class:`NotFound` naming ``what`` (e.g. "election")."""
    row = session.get(model, ident)
    if row is None:
        raise NotFound("not_found", f"no {what} with id {ident}", field=f"{what}_id", id=ident)
    return row


def execute(
    factory: sessionmaker[Session],
    actor: Actor,
    operation: Callable[..., T],
    *args: Any,
    clock: Callable[[], datetime] = _utcnow,
    **kwargs: Any,
) -> T:
    """Run ``operation(ctx, *args, **kwargs)`` as one transaction; log it if refused."""
    try:
        with factory() as session, session.begin():
            return operation(Context(session, actor, clock), *args, **kwargs)
    except PermissionDenied as denied:
        with factory() as session, session.begin():
            audit.append(
                session,
                at=clock(),
                user_id=actor.user_id,
                username=actor.username,
                role=actor.role.value,
                commission_id=actor.commission_id,
                action=getattr(operation, "__name__", "operation"),
                entity="refusal",
                entity_id=denied.code,
                before=None,
                after={"message": denied.message, **denied.params},
                outcome="refused",
            )
        raise
