"""Single-member districts of a maslikhat (CL arts. 21–22): the deviation report of decision #11,
a plan imported from an uploaded CSV file (the same file ``saylau admin districts import`` reads,
parsed by the same reader of ``saylau.services.imports``), one district edited, and the list
published by the calendar stage ``districts_published_by`` (CL art. 22 paras 2, 2-1).

The screen used to live at ``/territory/districts``; that address now leads here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from saylau.domain.roles import Action
from saylau.services.context import Actor, Context
from saylau.services.deadlines import election_calendar_for, election_rules
from saylau.services.districts import (
    DistrictingSummary,
    DistrictInput,
    DistrictPlan,
    districting_report,
    edit_district,
    import_districts,
    publish_districts,
)
from saylau.services.elections import body_scope, body_split, election_body_ids, law_body
from saylau.services.errors import InvalidInput, ServiceError
from saylau.services.imports import FileFormat, detect_format, json_rows, parse_csv, parse_json
from saylau.storage.models import Body, BodyKind, District, Election, Precinct, Region
from saylau.web.errors import localised
from saylau.web.i18n import gettext, negotiate
from saylau.web.limits import PLAN_FILE_BYTES, declared_too_large
from saylau.web.pages.commission.common import (
    FIELD_NAMES,
    Fields,
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

router = APIRouter(include_in_schema=False)

MAX_PLAN_BYTES = PLAN_FILE_BYTES
"""The largest plan file accepted (``saylau.web.limits``)."""
SHOWN_ROW_ERRORS = 10
"""Row errors listed on the page after a refused import (all of them are in the audit log)."""

FIELDS: dict[str, str] = {
    **FIELD_NAMES,
    "file": N_("Plan file"),
    "body": N_("Maslikhat"),
    "number": N_("District number"),
    "precincts": N_("Precincts"),
    "districts": N_("Districts"),
    "deviation_reason": N_("Reason for accepting the deviation"),
    "rows": N_("Plan file"),
}
"""Field names a refusal on this screen may name, shown translated in its sentence."""


def _entry(request: Request, error: ServiceError) -> dict[str, Any]:
    """:func:`error_entry` with the field names of this screen."""
    entry = error_entry(request, error)
    name = FIELDS.get(str(error.field))
    if name is not None:
        kind = {404: "not_found", 409: "conflict", 403: "forbidden"}.get(
            error.status, "invalid_input"
        )
        language = negotiate(request)
        entry["message"] = localised(language, error.code, kind, gettext(language, name))
    return entry


def _address(election_id: int, body_id: int, anchor: str = "", **more: Any) -> str:
    query = urlencode({"election": election_id, "body": body_id, **more})
    return f"/districts?{query}" + (f"#{anchor}" if anchor else "")


def _act(
    request: Request,
    operation: Any,
    fields: Fields,
    *,
    back: str,
    notice: str,
) -> Response:
    """Run one service call; on a refusal go back with the sentence next to its field."""
    try:
        operation()
    except ServiceError as error:
        flash(request, errors=[_entry(request, error)], values=fields.values())
        return RedirectResponse(back, status_code=303)
    flash(request, notice=notice)
    return RedirectResponse(back, status_code=303)


# --- which body ------------------------------------------------------------------------------------


def district_bodies(session: Session, actor: Actor, election: Election) -> list[Body]:
    """The bodies of ``election`` with single-member seats whose territory ``actor`` covers."""
    rules = election_rules(election)
    ids = election_body_ids(session, election.id)
    found = session.scalars(select(Body).where(Body.id.in_(ids)).order_by(Body.id))
    return [
        b for b in found if body_split(b, rules)[1] > 0 and actor.covers(body_scope(session, b))
    ]


@dataclass(frozen=True)
class Publication:
    """When the body's list was published, and the stage it is due by (CL art. 22 paras 2, 2-1)."""

    published_at: datetime | None
    deadline: datetime | None
    article: str


def _publication(
    session: Session, election: Election, body: Body, report: DistrictingSummary
) -> Publication:
    moments = [d.published_at for d in report.districts if d.published_at is not None]
    try:
        calendar = election_calendar_for(session, election, body.region_id, law_body(body))
        stage = calendar.stage("districts_published_by")
        deadline, article = stage.at, stage.article
    except (KeyError, ValueError, ServiceError):
        deadline, article = None, ""
    return Publication(min(moments) if moments else None, deadline, article)


def _precinct_numbers(report: DistrictingSummary, body: Body) -> dict[int, str]:
    """Each district's precincts as typed in the edit form: numbers, with the region code for
    the Mazhilis."""
    shown: dict[int, str] = {}
    for line in report.districts:
        refs = [
            p if body.kind is BodyKind.MAZHILIS else p.partition(":")[2] for p in line.precincts
        ]
        shown[line.number] = ", ".join(refs)
    return shown


@router.get("/districts")
def districts(
    request: Request,
    call: PageCall,
    election: int | None = None,
    body: int | None = None,
    number: int | None = None,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.MANAGE_DISTRICTS)) is not None:
        return stop
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        context: dict[str, Any] = {
            "all_elections": elections(session),
            "election": chosen,
            "bodies": [],
            "body": None,
            "report": None,
            "max_plan_bytes": MAX_PLAN_BYTES,
        }
        if chosen is not None:
            bodies = district_bodies(session, actor, chosen)
            picked = next((b for b in bodies if b.id == body), bodies[0] if bodies else None)
            context.update(bodies=bodies, body=picked)
            if picked is not None:
                report = districting_report(session, chosen.id, picked.id)
                numbers = _precinct_numbers(report, picked)
                editing = number if number is not None and number >= 1 else None
                names = {line.number: line.name for line in report.districts}
                context.update(
                    report=report,
                    publication=_publication(session, chosen, picked, report),
                    numbers=numbers,
                    editing=editing,
                    editing_name=names.get(editing or 0, ""),
                    editing_precincts=numbers.get(editing or 0, ""),
                    address=_address(chosen.id, picked.id),
                )
        return page(request, actor, "commission/districts.html", **context)


@router.get("/territory/districts")
def old_address(
    request: Request, call: PageCall, election: int | None = None, body: int | None = None
) -> Response:
    """The screen's former address (bookmarks, earlier links)."""
    if (stop := gate(request, call.actor, Action.MANAGE_DISTRICTS)) is not None:
        return stop
    query = urlencode({k: v for k, v in (("election", election), ("body", body)) if v is not None})
    return RedirectResponse("/districts" + (f"?{query}" if query else ""), status_code=303)


# --- import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A posted plan form: its fields and the file (None when no file was chosen)."""

    fields: Fields
    filename: str
    content: bytes | None
    oversized: bool
    unread: bool = False
    """The request was too large to be read at all (its CSRF token is unknown)."""


async def read_upload(request: Request) -> Upload:
    """The form with the plan file, read up to :data:`MAX_PLAN_BYTES` (one byte more tells it is
    over); a request declaring more than that plus the form's margin is not read at all."""
    if declared_too_large(request):
        return Upload(Fields([]), "", None, True, unread=True)
    form = await request.form(max_files=1, max_fields=20)
    items: list[tuple[str, str]] = []
    filename, content, oversized = "", None, False
    for key, value in form.multi_items():
        if isinstance(value, str):
            items.append((key, value))
        elif isinstance(value, UploadFile) and key == "file" and value.filename:
            data = await value.read(MAX_PLAN_BYTES + 1)
            filename, oversized = value.filename, len(data) > MAX_PLAN_BYTES
            content = None if oversized else data
    return Upload(Fields(items), filename, content, oversized)


Uploaded = Annotated[Upload, Depends(read_upload)]


def plan_of_upload(upload: Upload) -> DistrictPlan:
    """The plan in an uploaded file, read as the CLI reads a plan file (CSV, or a JSON list)."""
    if upload.oversized:
        raise InvalidInput(
            "file_too_large",
            f"the plan file is larger than {MAX_PLAN_BYTES} bytes",
            field="file",
        )
    if upload.content is None:
        raise InvalidInput("file_required", "choose the plan file to upload", field="file")
    try:
        text = upload.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "unreadable_file", f"{upload.filename}: not UTF-8 text: {exc}", field="file"
        ) from exc
    if not text.strip():
        raise InvalidInput("empty_file", f"{upload.filename} is empty", field="file")
    if detect_format(Path(upload.filename), text) is FileFormat.JSON:
        return DistrictPlan(json_rows(parse_json(text)))
    return DistrictPlan(parse_csv(text))


def _row_errors(error: ServiceError, plan: DistrictPlan | None) -> list[dict[str, Any]]:
    """The first rows refused, each with its line of the file and its field."""
    lines = {row.label: row.line for row in plan.rows} if plan is not None else {}
    shown = []
    for item in list(error.params.get("errors", []))[:SHOWN_ROW_ERRORS]:
        shown.append(
            {
                "line": lines.get(str(item.get("row"))),
                "row": str(item.get("row", ""))[:40],
                "field": str(item.get("field", ""))[:40],
                "value": str(item.get("value", ""))[:60],
                "rule": str(item.get("rule", ""))[:160],
            }
        )
    return shown


@router.post("/districts/import")
def import_plan(request: Request, call: PageCall, upload: Uploaded) -> Response:
    """Import a plan all-or-nothing: one bad row refuses the file, naming its line and field."""
    fields = upload.fields
    if upload.unread:  # nothing is done, so no token is needed to say why
        if (stop := gate(request, call.actor, Action.MANAGE_DISTRICTS)) is not None:
            return stop
        fields = Fields([(k, v) for k, v in request.query_params.items() if k != "csrf_token"])
    elif (stop := gate_form(request, call.actor, fields, Action.MANAGE_DISTRICTS)) is not None:
        return stop
    election_id = whole(fields.get("election_id")) or 0
    body_id = whole(fields.get("body_id")) or 0
    back = _address(election_id, body_id, "import")
    plan: DistrictPlan | None = None
    try:
        plan = plan_of_upload(upload)
        report = call(import_districts, election_id, plan)
    except ServiceError as error:
        entry = _entry(request, error)
        rows = _row_errors(error, plan)
        if rows:
            entry["detail"] = entry["detail"][:300]
        flash(request, errors=[entry], values={"form_id": "import"}, data={"rows": rows})
        return RedirectResponse(back, status_code=303)
    tally = report.tally("district")
    flash(
        request,
        notice=N_("The plan is imported."),
        data={"imported": [tally.created, tally.updated, tally.unchanged]},
    )
    return RedirectResponse(back, status_code=303)


# --- one district --------------------------------------------------------------------------------


def precinct_ids(session: Session, body: Body, typed: str) -> tuple[int, ...]:
    """The precincts typed in the edit form: numbers in the body's region, or ``KZ-35:12``."""
    codes = {code: rid for rid, code in session.execute(select(Region.id, Region.code))}
    ids: list[int] = []
    for ref in typed.replace(";", " ").replace(",", " ").split():
        code, sep, number = ref.rpartition(":")
        region_id = codes.get(code.strip().upper()) if sep else body.region_id
        found = None
        if region_id is not None and number.isdigit():
            found = session.scalar(
                select(Precinct.id).where(
                    Precinct.region_id == region_id, Precinct.number == int(number)
                )
            )
        if found is None:
            raise InvalidInput(
                "unknown_precinct",
                f"precincts: no precinct {ref!r} (write its number, or REGION:NUMBER)",
                field="precincts",
            )
        ids.append(found)
    if not ids:
        raise InvalidInput(
            "invalid_input",
            "precincts: a district is made of at least one precinct",
            field="precincts",
        )
    return tuple(ids)


def _edit(
    ctx: Context, election_id: int, body_id: int, number: int, typed: str, name: str
) -> District:
    """The typed precincts resolved and the district saved, in one transaction."""
    body = ctx.get(Body, body_id, "body")
    ids = precinct_ids(ctx.session, body, typed)
    return edit_district(ctx, election_id, DistrictInput(body_id, number, ids, name))


@router.post("/districts/edit")
def edit(request: Request, call: PageCall, fields: Posted) -> Response:
    """Create or change one district (its name and precincts), with the rules of a plan."""
    if (stop := gate_form(request, call.actor, fields, Action.MANAGE_DISTRICTS)) is not None:
        return stop
    election_id = whole(fields.get("election_id")) or 0
    body_id = whole(fields.get("body_id")) or 0
    number = whole(fields.get("number"))

    def run() -> None:
        if number is None or number < 1:
            raise InvalidInput("invalid_input", "number: a district number from 1", field="number")
        call(_edit, election_id, body_id, number, fields.get("precincts"), fields.get("name"))

    more = {"number": number} if number else {}
    return _act(
        request,
        run,
        fields,
        back=_address(election_id, body_id, "edit", **more),
        notice=N_("The district is saved."),
    )


# --- publication ---------------------------------------------------------------------------------


@router.post("/districts/publish")
def publish(request: Request, call: PageCall, fields: Posted) -> Response:
    """Publish the body's list of districts; afterwards it is frozen (CL art. 22 paras 2, 2-1)."""
    if (stop := gate_form(request, call.actor, fields, Action.MANAGE_DISTRICTS)) is not None:
        return stop
    election_id = whole(fields.get("election_id")) or 0
    body_id = whole(fields.get("body_id")) or 0
    return _act(
        request,
        lambda: call(
            publish_districts,
            election_id,
            body_id,
            late_reason=fields.get("late_reason") or None,
            deviation_reason=fields.get("deviation_reason") or None,
        ),
        fields,
        back=_address(election_id, body_id, "publish"),
        notice=N_("The districts are published."),
    )
