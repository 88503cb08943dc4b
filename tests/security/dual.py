"""Dual control in tests: a critical action goes through a request by one member and the approval
of a second member of the same commission (issue #9 §2), never around the rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import CommissionLevel, Role
from saylau.services import approvals
from saylau.services.ballots import prepare_contest_ballot, strike_from_frozen_ballot
from saylau.services.context import Actor
from saylau.services.protocols import correct_definitive
from saylau.services.results import publish_results
from saylau.services.territory import import_territory
from saylau.storage.models import Commission, RoleAssignment, User
from tests.services.count_world import NEXT_DAY

T = TypeVar("T")


def second_member(factory: sessionmaker[Session], who: Actor) -> Actor:
    """Another account holding ``who``'s role in ``who``'s commission (made once). For the
    console (CEC rights, no commission) it is a CEC administrator of the CEC commission."""
    with factory() as session, session.begin():
        commission_id = who.commission_id
        if commission_id is None and who.level is CommissionLevel.CEC:
            commission_id = session.scalars(
                select(Commission.id).where(Commission.level == CommissionLevel.CEC)
            ).first()
        role = who.role if who.commission_id is not None else Role.CEC_ADMIN
        name = f"{who.username}_second"
        user = session.scalars(select(User).where(User.username == name)).first()
        if user is None:
            user = User(username=name, full_name=name)
            session.add(user)
            session.flush()
            session.add(RoleAssignment(user_id=user.id, role=role, commission_id=commission_id))
            session.flush()
        return Actor.load(session, name, role, commission_id)


def critical_call(
    operation: Callable[..., Any], *args: Any, **kwargs: Any
) -> tuple[str, dict[str, Any]]:
    """The approval kind and exact parameters of a guarded service call."""
    if operation is publish_results:
        return approvals.PUBLISH_RESULTS, approvals.publish_params(*args, **kwargs)
    if operation is correct_definitive:
        return approvals.CORRECT_DEFINITIVE, approvals.correction_params(*args, **kwargs)
    if operation is prepare_contest_ballot:
        return approvals.CHANGE_FROZEN_BALLOT, approvals.ballot_change_params(*args, **kwargs)
    if operation is strike_from_frozen_ballot:
        return approvals.STRIKE_FROM_FROZEN_BALLOT, approvals.strike_params(*args, **kwargs)
    if operation is import_territory:
        return approvals.OVERRIDE_SEAT_CAP, approvals.seat_cap_params(*args, **kwargs)
    raise ValueError(f"{operation.__name__} is not under dual control")


def run_approved(
    factory: sessionmaker[Session],
    who: Actor,
    operation: Callable[..., T],
    *args: Any,
    at: datetime = NEXT_DAY,
    **kwargs: Any,
) -> T:
    """``operation(*args, **kwargs)`` requested by ``who`` and approved by a second member."""
    kind, params = critical_call(operation, *args, **kwargs)
    result: T = approvals.request_and_approve(
        factory, who, second_member(factory, who), kind, params, clock=lambda: at
    )
    return result
