"""Turnout on polling day (issue #4 §2): a precinct commission reports the voters who have voted
by each reporting hour of the rule set and at the close; the summary shows, per reporting time,
how many precincts of the actor's territory reported and their turnout (per region for the CEC).

Figures never exceed the voters on the list (CL art. 23) and never decrease during the day; the
service refuses them, and the refusal is shown next to the field.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel
from saylau.services.context import Actor, scope_for
from saylau.services.errors import InvalidInput, ServiceError
from saylau.services.turnout import report_times, report_turnout, turnout_summary
from saylau.storage.models import Election, Precinct, Region, TurnoutReport, Unit
from saylau.web.errors import localised
from saylau.web.i18n import gettext, negotiate
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    chosen_election,
    elections,
    error_entry,
    flash,
    gate,
    gate_form,
    page,
    whole,
)
from saylau.web.pages.commission.labels import N_
from saylau.web.pages.commission.protocols import in_territory

router = APIRouter(include_in_schema=False)
REPORT = (Action.REPORT_TURNOUT,)
LISTED = 300
"""At most this many precincts of one unit are listed to choose from (never all of a region)."""

NAMES: dict[str, str] = {
    "voted": N_("Voters who have voted"),
    "at": N_("Reporting time"),
    "precinct": N_("Precinct"),
    "election": N_("Election"),
}
"""The turnout form's fields, as a refusal names them."""


def _refusal(request: Request, error: ServiceError) -> dict[str, Any]:
    """A refusal shown next to the turnout form's field it concerns (a precinct outside the
    actor's territory next to the precinct)."""
    entry = error_entry(request, error)
    field = error.field or ("precinct" if error.code == "outside_territory" else None)
    if field in NAMES:
        language = negotiate(request)
        kind = {404: "not_found", 409: "conflict", 403: "forbidden"}.get(
            error.status, "invalid_input"
        )
        entry["field"] = field
        entry["message"] = localised(
            language, error.code, kind, gettext(language, NAMES[str(field)])
        )
    return entry


def _precinct(
    session: Session,
    actor: Actor,
    precinct_id: int | None,
    number: int | None,
    region_id: int | None,
    unit_id: int | None,
) -> Precinct | None:
    """The precinct to report for: a typist's own; else the one asked for by id or by number
    within the chosen region (and unit), if it lies in the actor's territory."""
    if actor.precinct_id is not None:
        return session.get(Precinct, actor.precinct_id)
    if precinct_id is not None:
        found = session.get(Precinct, precinct_id)
        if found is not None and actor.covers(scope_for(session, precinct_id=found.id)):
            return found
        return None
    if number is None:
        return None
    query = select(Precinct).where(Precinct.number == number)
    region = actor.region_id or region_id
    if region is not None:
        query = query.where(Precinct.region_id == region)
    if unit_id is not None:
        query = query.where(Precinct.unit_id == unit_id)
    return session.scalars(in_territory(query.order_by(Precinct.id), actor)).first()


def _line(reported: int, precincts: int, voted: int, voters: int) -> dict[str, Any]:
    share = Fraction(voted, voters) if voters else None
    return {
        "reported": reported,
        "precincts": precincts,
        "voted": voted,
        "voters": voters,
        "share": str(share) if share is not None else None,
    }


def _territory_summary(
    session: Session, actor: Actor, election: Election, marks: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Per reporting time, the actor's territory: precincts reported of all, the voters on their
    lists, those who voted and the turnout over the precincts that reported (one aggregation)."""
    total = session.scalar(in_territory(select(func.count(Precinct.id)), actor)) or 0
    query = (
        select(
            TurnoutReport.at,
            func.count(TurnoutReport.id),
            func.coalesce(func.sum(TurnoutReport.voted), 0),
            func.coalesce(func.sum(Precinct.voters), 0),
        )
        .join(Precinct, Precinct.id == TurnoutReport.precinct_id)
        .where(TurnoutReport.election_id == election.id)
        .group_by(TurnoutReport.at)
    )
    found = {
        at: (n, voted, voters)
        for at, n, voted, voters in session.execute(in_territory(query, actor))
    }
    rows = []
    for mark in marks:
        n, voted, voters = found.get(mark, (0, 0, 0))
        rows.append({"at": mark, **_line(int(n), int(total), int(voted), int(voters))})
    return rows


def _national_summary(
    session: Session, election: Election, marks: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Per reporting time, every region and the country (the CEC's view), from the service."""
    regions = {r.id: r for r in session.scalars(select(Region))}
    tables = []
    for mark in marks:
        summary = turnout_summary(session, election.id, mark)
        tables.append(
            {
                "at": mark,
                "regions": [
                    {
                        "region": regions.get(line.region_id) if line.region_id else None,
                        **_line(line.reported, line.precincts, line.voted, line.voters),
                    }
                    for line in summary.regions
                ],
                "national": _line(
                    summary.national.reported,
                    summary.national.precincts,
                    summary.national.voted,
                    summary.national.voters,
                ),
            }
        )
    return tables


@router.get("/turnout")
def turnout(
    request: Request,
    call: PageCall,
    election: int | None = None,
    region: int | None = None,
    unit: int | None = None,
    number: int | None = None,
    precinct: int | None = None,
) -> Response:
    """Choose the election and a precinct of the territory, report its figure, see the summary."""
    actor = call.actor
    if (stop := gate(request, actor, *REPORT)) is not None:
        return stop
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        national = actor.level is CommissionLevel.CEC
        region_id = actor.region_id or region
        context: dict[str, Any] = {
            "all_elections": elections(session),
            "election": chosen,
            "regions": list(session.scalars(select(Region).order_by(Region.code)))
            if actor.region_id is None and actor.precinct_id is None
            else [],
            "units": list(
                session.scalars(
                    select(Unit).where(Unit.region_id == region_id).order_by(Unit.name_kk)
                )
            )
            if region_id is not None and actor.unit_id is None and actor.precinct_id is None
            else [],
            "region_id": region_id,
            "unit_id": actor.unit_id or unit,
            "number": number,
            "national": national,
            "listed": [],
            "reports": {},
        }
        if chosen is not None:
            marks = report_times(chosen)
            context["marks"] = marks
            found = _precinct(session, actor, precinct, number, region, unit)
            context["precinct"] = found
            context["asked"] = precinct is not None or number is not None
            if found is not None:
                context["reports"] = {
                    r.at: r
                    for r in session.scalars(
                        select(TurnoutReport).where(
                            TurnoutReport.election_id == chosen.id,
                            TurnoutReport.precinct_id == found.id,
                        )
                    )
                }
                context["next_mark"] = next(
                    (m for m in marks if m not in context["reports"]), marks[-1]
                )
            if actor.precinct_id is None and context["unit_id"] is not None:
                context["listed"] = list(
                    session.scalars(
                        in_territory(
                            select(Precinct)
                            .where(Precinct.unit_id == context["unit_id"])
                            .order_by(Precinct.number)
                            .limit(LISTED),
                            actor,
                        )
                    )
                )
            if national:
                context["tables"] = _national_summary(session, chosen, marks)
            else:
                context["summary"] = _territory_summary(session, actor, chosen, marks)
        return page(request, actor, "commission/turnout.html", **context)


@router.post("/turnout")
def report(request: Request, call: PageCall, fields: Posted) -> Response:
    """Record one precinct's figure at one reporting time (the service checks the territory, the
    hour, the voters on the list and the day's order)."""
    if (stop := gate_form(request, call.actor, fields, *REPORT)) is not None:
        return stop
    election_id = whole(fields.get("election")) or 0
    precinct_id = whole(fields.get("precinct")) or 0
    back = f"/turnout?election={election_id}&precinct={precinct_id}#report"
    voted = whole(fields.get("voted"))
    try:
        if voted is None:
            raise InvalidInput(
                "invalid_count", "voted: a whole number ≥ 0 is required", field="voted"
            )
        figure = call(report_turnout, election_id, precinct_id, fields.get("at"), voted)
    except ServiceError as error:
        flash(
            request,
            errors=[_refusal(request, error)],
            values={**fields.values(), "form_id": "report"},
        )
        return RedirectResponse(back, status_code=303)
    flash(
        request,
        notice=N_("The turnout is recorded.")
        if figure.changed
        else N_("This figure was already recorded: nothing changed."),
    )
    return RedirectResponse(back, status_code=303)
