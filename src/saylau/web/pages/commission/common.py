"""What every commission page shares: the acting user, the navigation built from the role's
permissions, form handling (CSRF, POST/redirect/GET with the errors next to their fields) and
names in the request's language.

Forms post ``application/x-www-form-urlencoded`` with the session's ``csrf_token``; the handler runs
one service call and redirects. A refusal (any :class:`ServiceError`) is kept in the session with
the typed values and shown on the page redirected to, translated, next to the field it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Annotated, Any

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Action, Role, may
from saylau.domain.states import InvalidTransition
from saylau.services.approvals import CRITICAL, REQUIRED, commission_key, policy
from saylau.services.context import Actor
from saylau.services.deadlines import capital_zone
from saylau.services.errors import ServiceError
from saylau.storage.models import Approval, ApprovalState, Election
from saylau.web.deps import Call, Sessions, request_call, resolve_actor
from saylau.web.errors import localised
from saylau.web.i18n import gettext, negotiate
from saylau.web.pages.commission import labels
from saylau.web.pages.commission.labels import N_, STAGES, contest_label, lname
from saylau.web.pages.render import render
from saylau.web.security import csrf_valid

FLASH = "commission_flash"

APPROVAL_ACTIONS = tuple(dict.fromkeys(c.action for c in CRITICAL.values()))
"""The permissions of the critical actions under dual control (issue #9 §2): who holds one sees
the commission's requests (``/approvals``)."""


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    actions: tuple[Action, ...]


NAV: tuple[NavItem, ...] = (
    NavItem("/dashboard", N_("Dashboard"), ()),
    NavItem("/territory", N_("Territory"), (Action.MANAGE_DISTRICTS,)),
    NavItem("/commissions", N_("Commissions"), (Action.MANAGE_COMMISSIONS,)),
    NavItem("/users", N_("Users"), (Action.MANAGE_USERS,)),
    NavItem("/registration", N_("Registration"), (Action.DECIDE_REGISTRATION,)),
    NavItem("/ballots", N_("Ballots"), (Action.MANAGE_BALLOTS,)),
    NavItem("/turnout", N_("Turnout"), (Action.REPORT_TURNOUT,)),
    NavItem("/protocols", N_("Protocols"), (Action.ENTER_PROTOCOL, Action.RESOLVE_PROTOCOL)),
    NavItem("/results", N_("Results"), (Action.TABULATE, Action.PUBLISH_RESULTS)),
    NavItem("/mandates", N_("Mandates"), (Action.REGISTER_DEPUTY, Action.HANDLE_VACANCY)),
    NavItem("/recall", N_("Recall"), (Action.HANDLE_RECALL,)),
    NavItem("/observers", N_("Observers"), (Action.ACCREDIT_OBSERVERS,)),
    NavItem("/approvals", N_("Approvals"), APPROVAL_ACTIONS),
    NavItem("/audit", N_("Audit log"), (Action.READ_AUDIT,)),
)
"""The commission pages in menu order, each shown to roles allowed one of its actions."""

STAFF = frozenset(
    {
        Role.CEC_ADMIN,
        Role.TEC_ADMIN,
        Role.TEC_COORDINATOR,
        Role.PEC_TYPIST,
        Role.OBSERVER,
        Role.ANALYST,
    }
)
"""Roles that work in the commission interface; party agents and candidates use the portal."""
PORTAL = "/portal"


def allowed(actor: Actor, actions: Iterable[Action]) -> bool:
    """Whether ``actor`` works in the commission interface and may do one of ``actions``."""
    wanted = tuple(actions)
    return actor.role in STAFF and (not wanted or any(may(actor.role, a) for a in wanted))


def nav_for(actor: Actor) -> list[NavItem]:
    return [item for item in NAV if allowed(actor, item.actions)]


def pending_approvals(request: Request, actor: Actor) -> int | None:
    """How many requests of the actor's commission wait for a second member (the CEC's: of every
    commission, as :func:`saylau.services.approvals.list_approvals` lists them); None for a member
    who decides none."""
    if actor.user_id is None or not allowed(actor, APPROVAL_ACTIONS):
        return None
    key = commission_key(actor)
    query = select(func.count()).select_from(Approval)
    query = query.where(Approval.state == ApprovalState.REQUESTED)
    if key != "cec":
        query = query.where(Approval.commission_key == (key or ""))
    factory: sessionmaker[Session] = request.app.state.factory
    with factory() as session:
        return int(session.scalar(query) or 0)


# --- who acts --------------------------------------------------------------------------------------


def page_call(request: Request, sessions: Sessions) -> Call:
    """Services run as the signed-in user; forms check their own ``csrf_token`` field."""
    who, _ = resolve_actor(request, sessions)
    return request_call(request, sessions, who)


PageCall = Annotated[Call, Depends(page_call)]


class Fields:
    """A posted form: single values and repeated ones (check boxes)."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self.items = items

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.items:
            if key == name:
                return value.strip()
        return default

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.items if key == name]

    def values(self) -> dict[str, str]:
        """The typed values, to show again after a refusal (no token, no password)."""
        return {k: v for k, v in self.items if k not in ("csrf_token", "password") and len(v) < 500}


async def read_form(request: Request) -> Fields:
    form = await request.form()
    return Fields([(k, v) for k, v in form.multi_items() if isinstance(v, str)])


Posted = Annotated[Fields, Depends(read_form)]


def gate(request: Request, actor: Actor, *actions: Action) -> Response | None:
    """A redirect to sign in, a 403 page, or None when ``actor`` may open the page."""
    if actor.user_id is None:
        return RedirectResponse("/login", status_code=303)
    if actor.role not in STAFF and not actions:
        return RedirectResponse(PORTAL, status_code=303)
    if not allowed(actor, actions):
        return page(request, actor, "commission/forbidden.html", status_code=403)
    return None


def gate_form(request: Request, actor: Actor, fields: Fields, *actions: Action) -> Response | None:
    """:func:`gate`, and a 403 page when the form does not carry the session's CSRF token."""
    if not csrf_valid(request, fields.get("csrf_token")):
        return page(request, actor, "commission/forbidden.html", status_code=403, csrf=True)
    return gate(request, actor, *actions)


# --- messages across the redirect -------------------------------------------------------------------


def error_entry(request: Request, error: ServiceError | InvalidTransition) -> dict[str, Any]:
    """A refusal as shown on a page: its translated sentence, the field and the precise detail."""
    language = negotiate(request)
    field: str | None
    if isinstance(error, InvalidTransition):
        code, field, status, detail = "invalid_transition", error.machine, 409, str(error)
    else:
        code, field, status, detail = error.code, error.field, error.status, error.message
    kind = {404: "not_found", 409: "conflict", 403: "forbidden"}.get(status, "invalid_input")
    shown = gettext(language, FIELD_NAMES[field]) if field in FIELD_NAMES else field
    return {
        "code": code,
        "field": field,
        "message": localised(language, code, kind, shown),
        "detail": detail,
    }


def flash(
    request: Request,
    *,
    notice: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    values: dict[str, str] | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    request.session[FLASH] = {
        "notice": notice,
        "errors": errors or [],
        "values": values or {},
        "data": data or {},
    }


def take_flash(request: Request) -> dict[str, Any]:
    found = request.session.pop(FLASH, None)
    return found if isinstance(found, dict) else {}


def act(
    request: Request,
    operation: Callable[[], Any],
    *,
    back: str,
    done: str | None = None,
    notice: str | None = None,
    fields: Fields | None = None,
) -> RedirectResponse:
    """Run one service call; redirect to ``done`` with ``notice``, or back to the form with the
    refusal and the typed values."""
    try:
        operation()
    except (ServiceError, InvalidTransition) as error:
        flash(
            request,
            errors=[error_entry(request, error)],
            values=fields.values() if fields is not None else {},
        )
        return RedirectResponse(back, status_code=303)
    if notice is not None:
        flash(request, notice=notice)
    return RedirectResponse(done or back, status_code=303)


def refused(
    request: Request, error: ServiceError | InvalidTransition, back: str, form_id: str = ""
) -> Response:
    flash(request, errors=[error_entry(request, error)], values={"form_id": form_id})
    return RedirectResponse(back, status_code=303)


# --- rendering -------------------------------------------------------------------------------------


def person_name(person: Any, language: str = "kk") -> str:
    if language == "ru" and person.surname_ru:
        parts = (person.surname_ru, person.name_ru, person.patronymic_ru)
    else:
        parts = (person.surname, person.name, person.patronymic)
    return " ".join(p for p in parts if p)


def page(
    request: Request,
    actor: Actor,
    template: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A commission page: the navigation, the messages carried over a redirect and helpers."""
    language = negotiate(request)
    carried = take_flash(request)
    errors: list[dict[str, Any]] = carried.get("errors", [])
    by_field: dict[str, list[str]] = {}
    for error in errors:
        if error.get("field"):
            by_field.setdefault(str(error["field"]), []).append(str(error["message"]))

    def local(moment: datetime | None, zone: Any = None) -> str:
        """A moment on a wall clock with its zone (stored UTC moments in the capital's zone)."""
        if moment is None:
            return "—"
        if zone is None:
            zone = moment.tzinfo if getattr(moment.tzinfo, "key", None) else capital_zone()
        shown = moment.astimezone(zone)
        name = getattr(shown.tzinfo, "key", "") or shown.strftime("%Z")
        return f"{babel_datetime(shown, 'medium', tzinfo=shown.tzinfo, locale=language)} ({name})"

    def fraction(value: Any) -> str:
        """An exact fraction (``"2200/3"``) with its decimal value."""
        if value is None or value == "":
            return "—"
        exact = Fraction(str(value))
        if exact.denominator == 1:
            return format_decimal(exact.numerator, locale=language)
        approx = format_decimal(round(float(exact), 6), format="#,##0.######", locale=language)
        return f"{exact.numerator}/{exact.denominator} ≈ {approx}"

    def percent(value: Any) -> str:
        if value is None or value == "":
            return "—"
        return format_percent(float(Fraction(str(value))), format="#,##0.00%", locale=language)

    def day(value: date | None) -> str:
        return "—" if value is None else babel_date(value, "medium", locale=language)

    return render(
        request,
        template,
        actor,
        status_code=status_code,
        nav=nav_for(actor),
        pending_approvals=pending_approvals(request, actor),
        dual_control=policy() == REQUIRED,
        current=request.url.path,
        notice=carried.get("notice"),
        errors=errors,
        field_errors=by_field,
        values=carried.get("values", {}),
        carried=carried.get("data", {}),
        lname=lambda item, attribute="name": lname(item, attribute, language),
        person_name=lambda person: person_name(person, language),
        contest_label=lambda contest: contest_label(
            contest, language, lambda m: gettext(language, m)
        ),
        local=local,
        fraction=fraction,
        percent=percent,
        L=labels,
        day=day,
        **context,
    )


# --- the election being worked on ------------------------------------------------------------------


def elections(session: Session) -> list[Election]:
    """Every election, the latest polling day first."""
    return list(
        session.scalars(select(Election).order_by(Election.polling_day.desc(), Election.id.desc()))
    )


def chosen_election(session: Session, wanted: int | None) -> Election | None:
    """The election asked for, else the latest one."""
    if wanted is not None:
        found = session.get(Election, wanted)
        if found is not None:
            return found
    return session.scalars(
        select(Election).order_by(Election.polling_day.desc(), Election.id.desc()).limit(1)
    ).first()


def whole(text: str) -> int | None:
    """A whole number typed in a form (digits only), else None."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    return int(cleaned) if cleaned.isdigit() else None


FIELD_NAMES: dict[str, str] = {
    "username": N_("User name"),
    "password": N_("Password"),
    "full_name": N_("Full name"),
    "locale": N_("Language"),
    "role": N_("Role"),
    "commission_id": N_("Commission"),
    "user_id": N_("User"),
    "reason": N_("Reason"),
    "note": N_("Note"),
    "amount": N_("Amount"),
    "state": N_("State"),
    "documents": N_("Documents"),
    "keep": N_("Entry to keep"),
    "acknowledge_warnings": N_("Warnings acknowledged"),
    "protocol": N_("Protocol"),
    "precinct_id": N_("Precinct"),
    "contest_id": N_("Contest"),
    "election_id": N_("Election"),
    "late_reason": N_("Reason for publishing late"),
    "decision": N_("Decision"),
    "mandate_id": N_("Mandate"),
    "person_id": N_("Person"),
    "on": N_("Date"),
    "initiator": N_("Initiator"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "seed": N_("Seed"),
    "application_received_on": N_("Application received on"),
    "polling_day": N_("Polling day"),
    "vote_day": N_("Vote day"),
    "valid_signatures": N_("Valid signatures"),
    "took_part": N_("Voters who took part"),
    "for_recall": N_("Votes for recall"),
    "invalid": N_("Ballots declared invalid"),
    "full_names": N_("Observers' names"),
    "observer_id": N_("Observer"),
    "precinct_ids": N_("Precincts"),
    "organisation_id": N_("Organisation"),
    "party_id": N_("Party"),
    "position": N_("Position"),
    "nominated_by": N_("Nominated by"),
    "appointed_on": N_("Appointed on"),
    "member_id": N_("Member"),
    "digest": N_("Digest"),
    "approval_id": N_("Request"),
    **STAGES,
}
"""Field names a refusal may name, shown translated in its sentence."""
