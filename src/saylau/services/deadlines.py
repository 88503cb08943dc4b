"""The calendar of a stored election in local time, and the deadlines every workflow enforces.

One place computes it: the law calendar (``saylau.law.calendar.election_calendar``) under the
election's rule set, moved by the stages its calling decision fixed (decision #13), on the wall
clock of the region concerned (decision #14; national stages in the capital's zone). A workflow
with a deadline calls :func:`require_before` or :func:`require_after`, which refuse with a
:class:`Conflict` naming the stage, its local time and its article. Exactly at the deadline is still
in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.law.calendar import Calendar, ElectionKind, Stage, StageOverride, election_calendar
from saylau.law.errors import LawInputError
from saylau.law.rules import Body as LawBody
from saylau.law.rules import RuleSet
from saylau.reference.regions import CAPITAL_CODE, zone
from saylau.reference.regions import region as reference_region
from saylau.services.contests import contest_region_id
from saylau.services.context import Context, fetch
from saylau.services.errors import Conflict, InvalidInput, law_input
from saylau.services.territory import load_rules
from saylau.storage.models import Contest, Election, Region, StageOverrideRecord

# --- rules, zones and today ----------------------------------------------------------------------


def election_rules(election: Election) -> RuleSet:
    """The rule set the election is held under (``Election.rules``)."""
    return load_rules(election.rules)


def capital_zone() -> ZoneInfo:
    """The capital's zone, where the CEC sits: the time of national stages."""
    return zone(reference_region(CAPITAL_CODE).iana_zone)


def region_zone(session: Session, region_id: int | None) -> ZoneInfo:
    """The region's IANA zone (decision #14); None (national) gives the capital's."""
    if region_id is None:
        return capital_zone()
    return zone(fetch(session, Region, region_id, "region").iana_zone)


def local_today(ctx: Context, region_id: int | None) -> date:
    """Today's date on the region's wall clock (deadlines are local, decision #12)."""
    return ctx.now.astimezone(region_zone(ctx.session, region_id)).date()


def local_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """A moment on a local wall clock, e.g. ``2023-02-17 18:00 Asia/Almaty`` (default: its own
    zone)."""
    shown = moment.astimezone(tz) if tz is not None else moment
    zone_name = getattr(shown.tzinfo, "key", None) or shown.strftime("%Z")
    return f"{shown:%Y-%m-%d %H:%M} {zone_name}"


# --- the calendar --------------------------------------------------------------------------------


def law_calendar(
    polling_day: date,
    tz: tzinfo,
    rules: RuleSet,
    kind: ElectionKind,
    called: date,
    overrides: Mapping[str, StageOverride],
    body: LawBody,
) -> Calendar:
    """The law calendar of these dates; a law-core refusal (an override naming no stage or giving
    no reason, decision #13) is an :class:`InvalidInput` naming the field."""
    try:
        return election_calendar(
            polling_day, tz, rules.calendar, kind, called, overrides, body=body
        )
    except LawInputError as error:
        raise law_input(error, code="invalid_calendar") from error


def election_calendar_for(
    session: Session,
    election: Election | int,
    region_id: int | None = None,
    body: LawBody = LawBody.MASLIKHAT,
) -> Calendar:
    """The law calendar of a stored election with its overrides, in the region's local time.

    ``region_id`` None gives the national calendar in the capital's zone (the Mazhilis, the CEC).
    ``body`` changes only the party's seat decision (CL art. 97-1 para 5 vs art. 111-1 para 5)
    and who forms the districts.
    """
    found = (
        election
        if isinstance(election, Election)
        else fetch(session, Election, election, "election")
    )
    overrides = {
        record.stage: StageOverride(at=record.at, reason=record.reason, until=record.until)
        for record in session.execute(
            select(StageOverrideRecord).where(StageOverrideRecord.election_id == found.id)
        ).scalars()
    }
    return law_calendar(
        found.polling_day,
        region_zone(session, region_id),
        election_rules(found),
        found.kind,
        found.called_on,
        overrides,
        body,
    )


def contest_calendar(session: Session, contest: Contest) -> Calendar:
    """The election calendar in the contest's local time (decisions #12–#14); national contests
    use the capital's zone."""
    return election_calendar_for(
        session, contest.election, contest_region_id(session, contest), contest.kind.body
    )


# --- deadlines -----------------------------------------------------------------------------------


def stage_of(calendar: Calendar, stage_id: str) -> Stage:
    """The stage ``stage_id`` of the calendar, or :class:`InvalidInput` naming the known ones."""
    try:
        return calendar.stage(stage_id)
    except LookupError as exc:
        raise InvalidInput("unknown_stage", str(exc), field="stage") from exc


def _doing(what: str | None) -> str:
    return f"{what}: " if what else ""


def require_before(
    ctx: Context,
    calendar: Calendar,
    stage_id: str,
    what: str | None = None,
    *,
    use_until: bool = False,
) -> Stage:
    """Refuse ``what`` with :class:`Conflict` if ``ctx.now`` is after the deadline ``stage_id``.

    The deadline is the stage's ``at`` (e.g. ``nomination_closes`` = E−30 18:00 local), or its
    ``until`` with ``use_until=True`` (the end of a period such as ``nomination_extension_limit``).
    Returns the stage, so callers can cite its article.
    """
    stage = stage_of(calendar, stage_id)
    deadline = stage.until if use_until and stage.until is not None else stage.at
    if ctx.now > deadline:
        raise Conflict(
            "deadline_passed",
            f"{_doing(what)}the deadline {stage.id} passed at {local_time(deadline)} "
            f"({stage.article}); it is now {local_time(ctx.now, deadline.tzinfo)}",
            field=stage.id,
            stage=stage.id,
            deadline=deadline.isoformat(),
        )
    return stage


def require_after(
    ctx: Context,
    calendar: Calendar,
    stage_id: str,
    what: str | None = None,
    *,
    code: str = "not_yet_open",
) -> Stage:
    """Refuse ``what`` with :class:`Conflict` (``code``) if ``ctx.now`` is before the stage
    ``stage_id`` begins (e.g. ``nomination_opens``, E−60 00:00 local)."""
    stage = stage_of(calendar, stage_id)
    if ctx.now < stage.at:
        raise Conflict(
            code,
            f"{_doing(what)}not before {stage.id} at {local_time(stage.at)} ({stage.article}); "
            f"it is now {local_time(ctx.now, stage.at.tzinfo)}",
            field=stage.id,
            stage=stage.id,
            opens=stage.at.isoformat(),
        )
    return stage
