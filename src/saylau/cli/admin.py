"""Election setup from the command line: database, territory, commission members, users, elections,
districts, audit.

Every command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite file), brings its
schema up to date and runs one service call as one transaction. It acts as the console operator
(CEC rights) unless ``--as USER --role ROLE --commission ID`` names a user's role; the ``user``
commands spell these ``--as``, ``--as-role``, ``--as-commission``, because their own ``--role`` and
``--commission`` describe the role being given. Results are printed as JSON; a refusal prints
``error: <message>`` on standard error and exits with code 2.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.cli.approvals import requested
from saylau.cli.common import AsCommission, AsUser, act, read
from saylau.cli.jsonio import fail, write_output
from saylau.domain.roles import Role
from saylau.law.calendar import ElectionKind, Stage
from saylau.services import approvals
from saylau.services.audit import verify_chain
from saylau.services.commissions import (
    Appointment,
    appoint_member,
    list_members,
    release_member,
)
from saylau.services.context import Context
from saylau.services.deadlines import election_calendar_for
from saylau.services.districts import (
    DistrictPlan,
    districting_report,
    import_districts,
    publish_districts,
)
from saylau.services.elections import (
    CallElection,
    OverrideInput,
    call_election,
)
from saylau.services.errors import InvalidInput, ServiceError
from saylau.services.imports import ImportReport
from saylau.services.reference_load import load_reference_2023
from saylau.services.territory import (
    TerritoryImport,
    ensure_commissions,
    import_territory,
    needs_override_approval,
    read_territory,
)
from saylau.services.users import (
    NewUser,
    RoleGrant,
    assign_role,
    create_user,
    end_sessions,
    reset_totp,
    revoke_role,
    set_active,
    set_password,
    user_by_name,
    user_sessions,
)
from saylau.storage.db import make_engine, migrate
from saylau.storage.models import CommissionMember, Region, User
from saylau.storage.models.organisation import CommissionPosition

BROKEN = 1

db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
territory_app = typer.Typer(
    help="Regions, units, precincts, bodies, commissions.", no_args_is_help=True
)
commission_app = typer.Typer(
    help="Members of election commissions: list, appoint, release.", no_args_is_help=True
)
user_app = typer.Typer(
    help="User accounts and their commission-scoped roles.", no_args_is_help=True
)
election_app = typer.Typer(help="Calling elections and their calendar.", no_args_is_help=True)
districts_app = typer.Typer(
    help="Single-member districts: plan, check, publish.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``db``, ``territory``, ``commission``, ``user``, ``election``, ``districts`` and
    ``audit`` groups."""
    app.add_typer(db_app, name="db")
    app.add_typer(territory_app, name="territory")
    app.add_typer(commission_app, name="commission")
    app.add_typer(user_app, name="user")
    app.add_typer(election_app, name="election")
    app.add_typer(districts_app, name="districts")
    app.add_typer(audit_app, name="audit")


# --- plumbing ----------------------------------------------------------------------------------

AsRole = Annotated[Role | None, typer.Option("--role", help="The role the user acts in.")]
"""Here the acting role is typed, so that ``--help`` lists the roles."""


def _report(report: ImportReport) -> dict[str, Any]:
    return {**report.as_dict(), "changed": report.changed}


def _merge(into: ImportReport, other: ImportReport) -> ImportReport:
    for kind, tally in other.tallies.items():
        target = into.tally(kind)
        target.created += tally.created
        target.updated += tally.updated
        target.unchanged += tally.unchanged
    into.warnings.extend(other.warnings)
    return into


# --- db ----------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest migration."""
    engine = make_engine()
    try:
        migrate(engine)
        typer.echo(f"schema up to date: {engine.url.render_as_string(hide_password=True)}")
    finally:
        engine.dispose()


# --- territory ---------------------------------------------------------------------------------


def _import_and_staff(
    ctx: Context, batch: TerritoryImport, rules: str, commissions: bool
) -> ImportReport:
    report = import_territory(ctx, batch, rules)
    if commissions:
        _merge(report, ensure_commissions(ctx))
    return report


@territory_app.command("import")
def territory_import(
    file: Annotated[Path, typer.Argument(help="CSV or JSON file (JSON may hold every section).")],
    kind: Annotated[
        str | None,
        typer.Option(help="regions, units, precincts or bodies (default: from the file name)."),
    ] = None,
    rules: Annotated[str, typer.Option(help="Rule set for voter and seat caps.")] = "2023",
    commissions: Annotated[
        bool, typer.Option(help="Also create the missing commissions of the territory.")
    ] = True,
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Import territory rows all-or-nothing; re-running the same file changes nothing."""
    try:
        batch = read_territory(file, kind)
    except ServiceError as exc:
        fail(exc.message)
    if approvals.policy() == approvals.REQUIRED and read(needs_override_approval, batch, rules):
        # Seats above a cap: a second member approves the import (issue #9 §2); the missing
        # commissions are made afterwards by `saylau territory commissions`.
        params = approvals.seat_cap_params(batch, rules)
        return requested((as_user, role, commission), approvals.OVERRIDE_SEAT_CAP, params)
    report = act((as_user, role, commission), _import_and_staff, batch, rules, commissions)
    write_output(_report(report))


@territory_app.command("load-2023")
def territory_load_2023(
    as_user: AsUser = None, role: AsRole = None, commission: AsCommission = None
) -> None:
    """Load the real 2023 regions, maslikhats, Mazhilis, parties and commissions (idempotent)."""
    report = act((as_user, role, commission), load_reference_2023)
    write_output(_report(report))


@territory_app.command("commissions")
def territory_commissions(
    region: Annotated[str | None, typer.Option(help="Only this region (code, e.g. KZ-35).")] = None,
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Create the missing commissions: CEC, TECs of regions and units, PECs of precincts."""
    region_id = _region_id(region) if region else None
    report = act((as_user, role, commission), ensure_commissions, region_id)
    write_output(_report(report))


def _region_id(code: str) -> int:
    def find(session: Session) -> int:
        found = session.execute(
            select(Region.id).where(Region.code == code.strip().upper())
        ).scalar_one_or_none()
        if found is None:
            raise InvalidInput("unknown_region", f"no region {code!r}", field="region")
        return found

    return read(find)


# --- users -------------------------------------------------------------------------------------

ActAs = Annotated[str | None, typer.Option("--as", help="Act as this user.")]
ActAsRole = Annotated[Role | None, typer.Option("--as-role", help="The role the acting user uses.")]
ActAsCommission = Annotated[
    int | None, typer.Option("--as-commission", help="The acting role's commission.")
]
GivenRole = Annotated[Role, typer.Option("--role", help="The role to give.")]
GivenCommission = Annotated[
    int | None, typer.Option("--commission", help="The commission the role is held in.")
]
GivenParty = Annotated[int | None, typer.Option("--party", help="The party (party agents).")]


def _password_from_stdin() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        fail("--password-stdin: no password on standard input")
    return password


def _user_document(user: User) -> dict[str, Any]:
    """Built inside the transaction, while the user's roles can still be loaded."""
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "locale": user.locale,
        "active": user.active,
        "has_password": bool(user.password_hash),
        "roles": [
            {
                "id": r.id,
                "role": r.role.value,
                "commission_id": r.commission_id,
                "party_id": r.party_id,
            }
            for r in user.roles
        ],
    }


def _add_user(
    ctx: Context, new: NewUser, role: Role, commission: int | None, party: int | None
) -> dict[str, Any]:
    user = create_user(ctx, new)
    assign_role(ctx, RoleGrant(user.id, role, commission, party))
    ctx.session.refresh(user)
    return _user_document(user)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Lower-case login name, unique.")],
    role: GivenRole,
    commission: GivenCommission = None,
    party: GivenParty = None,
    full_name: Annotated[str, typer.Option(help="The person's full name.")] = "",
    locale: Annotated[str, typer.Option(help="kk, ru or en.")] = "kk",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from standard input (otherwise the account cannot log in "
            "until one is set).",
        ),
    ] = False,
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Create a user with one role in one commission (or for one party)."""
    password = _password_from_stdin() if password_stdin else None
    document = act(
        (as_user, as_role, as_commission),
        _add_user,
        NewUser(username=username, full_name=full_name, password=password, locale=locale),
        role,
        commission,
        party,
    )
    write_output(document)


def _grant(
    ctx: Context, username: str, role: Role, commission: int | None, party: int | None, give: bool
) -> dict[str, Any]:
    user = user_by_name(ctx.session, username)
    grant = RoleGrant(user.id, role, commission, party)
    if give:
        assign_role(ctx, grant)
    elif not revoke_role(ctx, grant):
        raise InvalidInput(
            "role_not_held",
            f"{username} does not hold {role.value} in commission {commission}",
            field="role",
        )
    ctx.session.refresh(user)
    return _user_document(user)


@user_app.command("grant")
def user_grant(
    username: Annotated[str, typer.Argument()],
    role: GivenRole,
    commission: GivenCommission = None,
    party: GivenParty = None,
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Give an existing user a role (idempotent)."""
    write_output(
        act((as_user, as_role, as_commission), _grant, username, role, commission, party, True)
    )


@user_app.command("revoke")
def user_revoke(
    username: Annotated[str, typer.Argument()],
    role: GivenRole,
    commission: GivenCommission = None,
    party: GivenParty = None,
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Take a role away from a user."""
    write_output(
        act((as_user, as_role, as_commission), _grant, username, role, commission, party, False)
    )


def _set_password(ctx: Context, username: str, password: str) -> dict[str, Any]:
    user = set_password(ctx, user_by_name(ctx.session, username).id, password)
    return _user_document(user)


@user_app.command("password")
def user_password(
    username: Annotated[str, typer.Argument()],
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Set a user's password, read from standard input."""
    password = _password_from_stdin()
    write_output(act((as_user, as_role, as_commission), _set_password, username, password))


def _sessions(ctx: Context, username: str) -> list[dict[str, Any]]:
    found = user_sessions(ctx, user_by_name(ctx.session, username).id)
    return [
        {
            "id": row.id,
            "created_at": row.created_at.isoformat(),
            "last_seen_at": row.last_seen_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "live": row.live,
            "revoked_reason": row.revoked_reason,
            "address": row.address,
            "user_agent": row.user_agent,
        }
        for row in found
    ]


_sessions.__name__ = "user_sessions"


@user_app.command("sessions")
def user_sessions_command(
    username: Annotated[str, typer.Argument()],
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """List a user's sign-in sessions, newest first (live or ended, and why)."""
    write_output(act((as_user, as_role, as_commission), _sessions, username))


def _end_sessions(ctx: Context, username: str) -> dict[str, Any]:
    user = user_by_name(ctx.session, username)
    return {"username": user.username, "ended": end_sessions(ctx, user.id)}


_end_sessions.__name__ = "end_sessions"


@user_app.command("revoke-sessions")
def user_revoke_sessions(
    username: Annotated[str, typer.Argument()],
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """End every sign-in session and API token of a user now (audited)."""
    write_output(act((as_user, as_role, as_commission), _end_sessions, username))


def _set_active(ctx: Context, username: str, active: bool) -> dict[str, Any]:
    user = set_active(ctx, user_by_name(ctx.session, username).id, active)
    return _user_document(user)


_set_active.__name__ = "set_active"


@user_app.command("deactivate")
def user_deactivate(
    username: Annotated[str, typer.Argument()],
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Deactivate an account: it can no longer sign in; its sessions and tokens end at once."""
    write_output(act((as_user, as_role, as_commission), _set_active, username, False))


@user_app.command("activate")
def user_activate(
    username: Annotated[str, typer.Argument()],
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Reactivate a deactivated account."""
    write_output(act((as_user, as_role, as_commission), _set_active, username, True))


def _reset_totp(ctx: Context, username: str) -> dict[str, Any]:
    user = user_by_name(ctx.session, username)
    return {"username": user.username, "reset": reset_totp(ctx, user.id)}


_reset_totp.__name__ = "reset_totp"


@user_app.command("reset-totp")
def user_reset_totp(
    username: Annotated[str, typer.Argument()],
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Remove a user's authenticator (a lost telephone): the next sign-in sets up a new one."""
    write_output(act((as_user, as_role, as_commission), _reset_totp, username))


# --- commission members --------------------------------------------------------------------------
# The acting user is named as in the ``user`` commands (``--as``, ``--as-role``,
# ``--as-commission``): the commission worked on is an argument.


def _member_document(member: CommissionMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "commission_id": member.commission_id,
        "full_name": member.full_name,
        "position": member.position.value,
        "nominated_by": member.nominated_by,
        "appointed_on": member.appointed_on.isoformat() if member.appointed_on else None,
        "released_on": member.released_on.isoformat() if member.released_on else None,
        "release_reason": member.release_reason,
    }


def _members(ctx: Context, commission_id: int, include_released: bool) -> list[dict[str, Any]]:
    members = list_members(ctx, commission_id, include_released=include_released)
    return [_member_document(m) for m in members]


_members.__name__ = "list_members"


def _appoint(ctx: Context, commission_id: int, appointment: Appointment) -> dict[str, Any]:
    return _member_document(appoint_member(ctx, commission_id, appointment))


_appoint.__name__ = "appoint_member"


def _release(ctx: Context, member_id: int, reason: str, on: date | None) -> dict[str, Any]:
    return _member_document(release_member(ctx, member_id, reason, on))


_release.__name__ = "release_member"


@commission_app.command("members")
def commission_members(
    commission_id: Annotated[int, typer.Argument(help="The commission.")],
    released: Annotated[
        bool, typer.Option("--released/--serving-only", help="Also list released members.")
    ] = True,
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """The commission's members: serving ones (offices first), then released ones."""
    write_output(act((as_user, as_role, as_commission), _members, commission_id, released))


@commission_app.command("appoint")
def commission_appoint(
    commission_id: Annotated[int, typer.Argument(help="The commission.")],
    full_name: Annotated[str, typer.Argument(help="The member's full name.")],
    position: Annotated[
        CommissionPosition, typer.Option("--position", help="One chair, deputy chair, secretary.")
    ] = CommissionPosition.MEMBER,
    nominated_by: Annotated[
        str, typer.Option("--nominated-by", help="Who proposed the member.")
    ] = "",
    appointed_on: Annotated[
        str | None, typer.Option("--appointed-on", help="YYYY-MM-DD (default: today).")
    ] = None,
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Appoint a member; an office already held, or a person already serving, is refused."""
    day = _date("--appointed-on", appointed_on) if appointed_on else None
    appointment = Appointment(full_name, position, nominated_by, day)
    write_output(act((as_user, as_role, as_commission), _appoint, commission_id, appointment))


@commission_app.command("release")
def commission_release(
    member_id: Annotated[int, typer.Argument(help="The member (see `commission members`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the member is released.")],
    on: Annotated[str | None, typer.Option("--on", help="YYYY-MM-DD (default: today).")] = None,
    as_user: ActAs = None,
    as_role: ActAsRole = None,
    as_commission: ActAsCommission = None,
) -> None:
    """Release (dismiss) a serving member with the reason; the member's row is kept."""
    day = _date("--on", on) if on else None
    write_output(act((as_user, as_role, as_commission), _release, member_id, reason, day))


# --- elections ---------------------------------------------------------------------------------


def _date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a date written YYYY-MM-DD")


def _overrides(path: Path | None) -> tuple[OverrideInput, ...]:
    """A JSON list of {stage, at, until?, reason}; times ISO 8601 with their offset."""
    if path is None:
        return ()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        fail(f"--overrides: cannot read {path}: {exc}")
    if not isinstance(document, list):
        fail("--overrides: expected a JSON list of {stage, at, until, reason}")
    found = []
    for number, item in enumerate(document, 1):
        if not isinstance(item, dict) or set(item) - {"stage", "at", "until", "reason"}:
            fail(f"--overrides row {number}: expected keys stage, at, until, reason")
        try:
            at = datetime.fromisoformat(str(item["at"]))
            until = datetime.fromisoformat(str(item["until"])) if item.get("until") else None
            stage, reason = str(item["stage"]), str(item["reason"])
        except (KeyError, ValueError) as exc:
            fail(f"--overrides row {number}: {exc}")
        for name, moment in (("at", at), ("until", until)):
            if moment is not None and moment.tzinfo is None:
                fail(f"--overrides row {number}: {name} needs a UTC offset (decision #14)")
        found.append(OverrideInput(stage=stage, at=at, until=until, reason=reason))
    return tuple(found)


@election_app.command("call")
def election_call(
    polling_day: Annotated[str, typer.Option("--polling-day", help="YYYY-MM-DD.")],
    called: Annotated[str, typer.Option("--called", help="Day of the call, YYYY-MM-DD.")],
    kind: Annotated[ElectionKind, typer.Option("--kind")] = ElectionKind.REGULAR,
    rules: Annotated[str, typer.Option("--rules")] = "2023",
    name: Annotated[str | None, typer.Option("--name")] = None,
    body: Annotated[
        list[int] | None,
        typer.Option(
            "--body", help="A body to elect (repeat; default: all maslikhats and the Mazhilis)."
        ),
    ] = None,
    overrides: Annotated[
        Path | None,
        typer.Option("--overrides", help="JSON list of calendar overrides with reasons."),
    ] = None,
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Call an election: records it with its bodies, overrides and list contests."""
    call = CallElection(
        polling_day=_date("--polling-day", polling_day),
        called_on=_date("--called", called),
        kind=kind,
        rules=rules,
        name=name,
        body_ids=tuple(body) if body else None,
        overrides=_overrides(overrides),
    )
    result = act((as_user, role, commission), call_election, call)
    election = result.election
    write_output(
        {
            "id": election.id,
            "name": election.name,
            "kind": election.kind.value,
            "rules": election.rules,
            "called_on": election.called_on.isoformat(),
            "polling_day": election.polling_day.isoformat(),
            "bodies": len(result.body_ids),
            "contests": [
                {"id": c.id, "body_id": c.body_id, "kind": c.kind.value, "seats": c.seats}
                for c in result.contests
            ],
            "problems": [
                {"code": p.code, "stage": p.stage, "message": p.message, "article": p.article}
                for p in result.problems
            ],
        }
    )


def _stage(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = {"id": stage.id, "at": stage.at.isoformat(), "article": stage.article}
    if stage.until is not None:
        out["until"] = stage.until.isoformat()
    if stage.override_reason is not None:
        out["override_reason"] = stage.override_reason
    return out


@election_app.command("calendar")
def election_calendar(
    election_id: Annotated[int, typer.Argument()],
    region: Annotated[str | None, typer.Option(help="Region code for local times.")] = None,
) -> None:
    """The election's calendar with its overrides, in the region's local time."""
    region_id = _region_id(region) if region else None
    calendar = read(lambda session: election_calendar_for(session, election_id, region_id))
    write_output(
        {
            "election_id": election_id,
            "polling_day": calendar.polling_day.isoformat(),
            "stages": [_stage(s) for s in calendar.stages],
            "problems": [p.message for p in calendar.problems],
        }
    )


# --- districts ---------------------------------------------------------------------------------


@districts_app.command("import")
def districts_import(
    election_id: Annotated[int, typer.Argument()],
    file: Annotated[Path, typer.Argument(help="CSV (body,number,name,precincts) or JSON list.")],
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Form or change districts from a plan, all-or-nothing; re-running changes nothing."""
    try:
        plan = DistrictPlan.read(file)
    except ServiceError as exc:
        fail(exc.message)
    report = act((as_user, role, commission), import_districts, election_id, plan)
    write_output(
        {**_report(report), "district_ids": report.district_ids, "body_ids": report.body_ids}
    )


@districts_app.command("report")
def districts_report(
    election_id: Annotated[int, typer.Argument()],
    body_id: Annotated[int, typer.Argument()],
) -> None:
    """The districting check of one body: deviations from the mean and coverage."""
    summary = read(lambda session: districting_report(session, election_id, body_id))
    write_output(summary.as_dict())


@districts_app.command("publish")
def districts_publish(
    election_id: Annotated[int, typer.Argument()],
    body_id: Annotated[int, typer.Argument()],
    late_reason: Annotated[
        str | None, typer.Option(help="Why the list is published after its deadline.")
    ] = None,
    deviation_reason: Annotated[
        str | None, typer.Option(help="Why districts outside the tolerance are accepted.")
    ] = None,
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Publish a body's list of districts (then it is frozen)."""
    result = act(
        (as_user, role, commission),
        publish_districts,
        election_id,
        body_id,
        late_reason=late_reason,
        deviation_reason=deviation_reason,
    )
    write_output(
        {
            "body_id": result.body_id,
            "published_at": result.published_at.isoformat(),
            "deadline": result.deadline.isoformat(),
            "late": result.late,
            "already_published": result.already_published,
            "warnings": list(result.warnings),
        }
    )


# --- audit -------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain: exit 0 if intact, 1 naming the first broken event."""
    report = read(verify_chain)
    if report.intact:
        typer.echo(f"intact: {report.events} events")
        return
    typer.echo(
        f"broken: event {report.first_broken_id}: {report.problem} "
        f"({report.events} events checked)",
        err=True,
    )
    raise typer.Exit(BROKEN)
