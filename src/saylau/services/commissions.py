"""Members of election commissions: who serves, appointment and release (issue #4 §2).

Every commission (the CEC, a region's or a unit's TEC, a precinct's PEC; CL arts. 10–19) is led by
a chair, a deputy chair and a secretary; the others are members. Appointing and releasing members is
the MANAGE_COMMISSIONS permission within the commission's territory: a TEC administrator of one
region staffs that region's commissions and no other; the CEC's own members need a CEC role.

Rules kept here: at most one serving chair, one deputy chair and one secretary per commission (the
law names each office once); a person serves in one position of a commission at a time; a released
member keeps their row with the day and the reason of release (the history of a commission's
composition stays readable, and audited). Names are trimmed (inner runs of spaces become one) and
bounded.

No limit on the number of members is enforced: the specification of this system gives none, and
the sizes the law sets for each level are not encoded here, so none is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel
from saylau.services.audit import snapshot
from saylau.services.context import NATIONAL, Context, Scope, scope_for
from saylau.services.deadlines import local_today
from saylau.services.errors import Conflict, InvalidInput
from saylau.storage.models import Commission, CommissionMember
from saylau.storage.models.organisation import CommissionPosition

MAX_NAME = 300
MAX_NOMINATED_BY = 200
MAX_REASON = 500
OFFICES = frozenset(
    {CommissionPosition.CHAIR, CommissionPosition.DEPUTY_CHAIR, CommissionPosition.SECRETARY}
)
"""Positions held by one serving member at a time."""


@dataclass(frozen=True)
class Appointment:
    """A person to appoint to a commission: their name, position and who nominated them."""

    full_name: str
    position: CommissionPosition | str = CommissionPosition.MEMBER
    nominated_by: str = ""
    appointed_on: date | None = None
    """The day of the appointment; today (the commission's local day) when not given."""


def commission_scope(session: Session, commission: Commission) -> Scope:
    """The territory of a commission: national for the CEC, else its region, unit and precinct."""
    if commission.level is CommissionLevel.CEC:
        return NATIONAL
    return scope_for(
        session,
        region_id=commission.region_id,
        unit_id=commission.unit_id,
        precinct_id=commission.precinct_id,
    )


def _commission(ctx: Context, commission_id: int) -> Commission:
    commission = ctx.get(Commission, commission_id, "commission")
    ctx.authorize(Action.MANAGE_COMMISSIONS, commission_scope(ctx.session, commission))
    return commission


def clean_name(text: str) -> str:
    """A name as stored: trimmed, inner runs of white space made one space."""
    return " ".join(text.split())


def _position(value: CommissionPosition | str) -> CommissionPosition:
    try:
        return CommissionPosition(value)
    except ValueError:
        raise InvalidInput(
            "bad_position",
            f"position={value!r}: one of {[p.value for p in CommissionPosition]}",
            field="position",
        ) from None


def _day(ctx: Context, commission: Commission, given: date | None, field: str) -> date:
    today = local_today(ctx, commission.region_id)
    if given is None:
        return today
    if given > today:
        raise InvalidInput(
            "future_date",
            f"{field}={given.isoformat()}: recorded once it happened (today is "
            f"{today.isoformat()})",
            field=field,
        )
    return given


def list_members(
    ctx: Context, commission_id: int, *, include_released: bool = True
) -> list[CommissionMember]:
    """A commission's members: serving ones first (chair, deputy chair, secretary, members, each
    by name), then released ones, latest release first. MANAGE_COMMISSIONS in its territory."""
    _commission(ctx, commission_id)
    query = select(CommissionMember).where(CommissionMember.commission_id == commission_id)
    if not include_released:
        query = query.where(CommissionMember.released_on.is_(None))
    order = list(CommissionPosition)
    members = list(ctx.session.scalars(query))
    serving = sorted(
        (m for m in members if m.released_on is None),
        key=lambda m: (order.index(m.position), m.full_name.casefold(), m.id),
    )
    released = sorted(
        (m for m in members if m.released_on is not None),
        key=lambda m: (m.released_on or date.min, m.id),
        reverse=True,
    )
    return serving + released


def appoint_member(ctx: Context, commission_id: int, appointment: Appointment) -> CommissionMember:
    """Appoint a person to a commission in a position.

    Refused (Conflict) when the person already serves in the commission (naming that member, so
    that appointing twice does not make two rows) or when the office asked for (chair, deputy
    chair, secretary) is held by another serving member, who must be released first.
    """
    commission = _commission(ctx, commission_id)
    name = clean_name(appointment.full_name)
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            "bad_name",
            f"full_name={appointment.full_name!r}: give 1–{MAX_NAME} characters",
            field="full_name",
        )
    nominated_by = clean_name(appointment.nominated_by)
    if len(nominated_by) > MAX_NOMINATED_BY:
        raise InvalidInput(
            "bad_text",
            f"nominated_by: at most {MAX_NOMINATED_BY} characters ({len(nominated_by)} given)",
            field="nominated_by",
        )
    position = _position(appointment.position)
    appointed_on = _day(ctx, commission, appointment.appointed_on, "appointed_on")
    serving = list(
        ctx.session.scalars(
            select(CommissionMember).where(
                CommissionMember.commission_id == commission.id,
                CommissionMember.released_on.is_(None),
            )
        )
    )
    same = next((m for m in serving if m.full_name.casefold() == name.casefold()), None)
    if same is not None:
        raise Conflict(
            "already_member",
            f"{name} already serves in {commission.name} as {same.position.value} "
            f"(member {same.id})",
            field="full_name",
            member_id=same.id,
            position=same.position.value,
        )
    if position in OFFICES:
        holder = next((m for m in serving if m.position is position), None)
        if holder is not None:
            raise Conflict(
                "position_taken",
                f"{commission.name} already has a {position.value}: {holder.full_name} "
                f"(member {holder.id}); release them first",
                field="position",
                member_id=holder.id,
            )
    member = CommissionMember(
        commission_id=commission.id,
        full_name=name,
        position=position,
        nominated_by=nominated_by,
        appointed_on=appointed_on,
        released_on=None,
        release_reason="",
    )
    ctx.session.add(member)
    ctx.session.flush()
    ctx.audit("appoint_member", "commission_member", member.id, None, snapshot(member))
    return member


def release_member(
    ctx: Context, member_id: int, reason: str, on: date | None = None
) -> CommissionMember:
    """Release (dismiss) a serving member with the reason, on ``on`` (today by default).

    The row stays, with the day and the reason; releasing twice is a Conflict.
    """
    member = ctx.get(CommissionMember, member_id, "member")
    commission = _commission(ctx, member.commission_id)
    text = clean_name(reason)
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(
            "bad_reason",
            f"reason={reason!r}: state why the member is released, in 1–{MAX_REASON} characters",
            field="reason",
        )
    if member.released_on is not None:
        raise Conflict(
            "already_released",
            f"member {member.id} ({member.full_name}) was released on "
            f"{member.released_on.isoformat()}",
            field="member_id",
        )
    released_on = _day(ctx, commission, on, "on")
    if member.appointed_on is not None and released_on < member.appointed_on:
        raise InvalidInput(
            "before_appointment",
            f"on={released_on.isoformat()}: {member.full_name} was appointed on "
            f"{member.appointed_on.isoformat()}",
            field="on",
        )
    before = snapshot(member)
    member.released_on = released_on
    member.release_reason = text
    ctx.session.flush()
    ctx.audit("release_member", "commission_member", member.id, before, snapshot(member))
    return member
