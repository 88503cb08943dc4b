"""Single-member districts: import a plan or edit one district, check it, publish it.

A district belongs to one body in one election (CL arts. 21–22) and gets one single-member contest
(its ballot): first- or second-level maslikhat SMD by the body's level, or Mazhilis SMD. A plan is
checked by ``saylau.law.districting.check_districting``: every district's deviation from the
body's mean against ``RuleSet.district_tolerance`` (decision #11), and that the districts cover the
body's precincts exactly once (CL art. 22 paras 2, 2-1). A body's list of districts is published
once it is complete (as many districts as single-member seats) and sound, by the calendar stage
``districts_published_by`` (10 days after the call, CL art. 22 paras 2, 2-1); after that it is
frozen.

In a plan file a body is named by its id, ``mazhilis``, a region code (``KZ-35``: that region's
maslikhat) or ``KZ-35/<unit name_en>`` (a unit's maslikhat); a precinct by its number in the body's
region, or ``KZ-35:12`` (region code and number; needed for the Mazhilis).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.law.districting import DistrictingReport, check_districting
from saylau.law.rules import ElectoralSystem, RuleSet
from saylau.services.audit import snapshot
from saylau.services.context import Context, fetch
from saylau.services.deadlines import election_calendar_for, election_rules, local_time
from saylau.services.elections import (
    body_scope,
    body_split,
    contest_kind,
    election_body_ids,
    law_body,
    require_called,
)
from saylau.services.errors import Conflict, InvalidInput
from saylau.services.imports import (
    ImportReport,
    Outcome,
    RawRow,
    RowErrors,
    RowModel,
    read_rows,
    rows_of,
    upsert,
    validate_rows,
)
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    Precinct,
    Region,
    Unit,
)

ACTION = "form_districts"


class DistrictRow(RowModel):
    """One district of a plan: its body, number, name and precincts."""

    body: int | str
    number: int = Field(ge=1)
    name: str = Field(default="", max_length=300)
    precincts: list[int | str]

    @field_validator("precincts", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        """A CSV cell lists precincts separated by ``;``, ``,`` or spaces."""
        if isinstance(value, str):
            return [p for p in value.replace(",", " ").replace(";", " ").split() if p]
        return value


@dataclass(frozen=True)
class DistrictPlan:
    """The rows of a districting plan (one election; any number of bodies)."""

    rows: tuple[RawRow, ...]

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> DistrictPlan:
        return cls(rows_of(rows))

    @classmethod
    def read(cls, path: Path) -> DistrictPlan:
        """From a CSV file (columns body, number, name, precincts) or a JSON list."""
        return cls(read_rows(path))


@dataclass(frozen=True)
class DistrictInput:
    """One district, for :func:`edit_district`: the body and precincts by id."""

    body_id: int
    number: int
    precinct_ids: tuple[int, ...]
    name: str = ""


@dataclass
class DistrictImportReport(ImportReport):
    district_ids: list[int] = field(default_factory=list)
    body_ids: list[int] = field(default_factory=list)


# --- resolving references ----------------------------------------------------------------------


@dataclass
class _Territory:
    """Bodies, regions, units and precincts by the names a plan uses."""

    session: Session
    bodies: dict[int, Body]
    region_codes: dict[str, int]
    region_of: dict[int, str]
    units: dict[tuple[int, str], int]

    @classmethod
    def load(cls, session: Session) -> _Territory:
        regions = list(session.execute(select(Region)).scalars())
        return cls(
            session=session,
            bodies={b.id: b for b in session.execute(select(Body)).scalars()},
            region_codes={r.code: r.id for r in regions},
            region_of={r.id: r.code for r in regions},
            units={(u.region_id, u.name_en): u.id for u in session.execute(select(Unit)).scalars()},
        )

    def body(self, ref: int | str) -> Body | str:
        """The body, or the reason it cannot be found."""
        text = str(ref).strip()
        if text.isdigit():
            return self.bodies.get(int(text)) or f"no body with id {text}"
        if text.lower() == "mazhilis":
            found = [b for b in self.bodies.values() if b.kind is BodyKind.MAZHILIS]
            return found[0] if len(found) == 1 else f"{len(found)} Mazhilis bodies stored"
        code, _, unit_name = text.partition("/")
        region_id = self.region_codes.get(code.strip().upper())
        if region_id is None:
            return f"no region {code!r}"
        if unit_name:
            unit_id = self.units.get((region_id, unit_name.strip()))
            if unit_id is None:
                return f"no unit {unit_name!r} in {code}"
            found = [b for b in self.bodies.values() if b.unit_id == unit_id]
        else:
            found = [
                b
                for b in self.bodies.values()
                if b.region_id == region_id
                and b.unit_id is None
                and b.kind is not BodyKind.MAZHILIS
            ]
        return found[0] if len(found) == 1 else f"no maslikhat for {text!r}"

    def precinct_key(self, ref: int | str, body: Body) -> tuple[int, int] | str:
        """(region id, number) of a precinct reference, or the reason it is not understood."""
        text = str(ref).strip()
        code, sep, number = text.rpartition(":")
        if not sep:
            if body.region_id is None:
                return "the Mazhilis spans regions: write the precinct as REGION:NUMBER"
            region_id: int | None = body.region_id
            number = text
        else:
            region_id = self.region_codes.get(code.strip().upper())
            if region_id is None:
                return f"no region {code!r}"
        if not number.isdigit():
            return "a precinct is its number, or REGION:NUMBER"
        assert region_id is not None
        return (region_id, int(number))


def _in_territory(body: Body, precinct: Precinct) -> bool:
    """Whether the precinct lies in the body's territory (the Mazhilis: everywhere)."""
    if body.kind is BodyKind.MAZHILIS:
        return True
    if body.unit_id is not None:
        return precinct.unit_id == body.unit_id
    return precinct.region_id == body.region_id


def _territory_precincts(session: Session, body: Body) -> list[Precinct]:
    query = select(Precinct)
    if body.kind is not BodyKind.MAZHILIS:
        if body.unit_id is not None:
            query = query.where(Precinct.unit_id == body.unit_id)
        else:
            query = query.where(Precinct.region_id == body.region_id)
    return list(session.execute(query.order_by(Precinct.region_id, Precinct.number)).scalars())


# --- forming districts -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    row: RawRow
    body: Body
    number: int
    name: str
    precinct_ids: tuple[int, ...]


def _election(ctx: Context, election_id: int) -> Election:
    election = ctx.get(Election, election_id, "election")
    require_called(election)
    return election


def _check_body(
    body: Body,
    number: int,
    elected: set[int],
    rules: RuleSet,
    row: RawRow,
    errors: RowErrors,
) -> bool:
    if body.id not in elected:
        errors.add(row, "body", body.id, "this body is not elected in this election")
        return False
    _, smd_seats = body_split(body, rules)
    if smd_seats == 0:
        errors.add(
            row,
            "body",
            body.id,
            f"{body.name_en} elects no single-member seats under rules {rules.name} "
            "(CL art. 9 paras 2–4)",
        )
        return False
    if number > smd_seats:
        errors.add(
            row,
            "number",
            number,
            f"{body.name_en} has {smd_seats} single-member seats: districts are numbered "
            f"1–{smd_seats} (CL art. 21 para 4)",
        )
        return False
    return True


def _plan(ctx: Context, election: Election, rows: Sequence[RawRow]) -> list[_Planned]:
    """Every row validated and resolved; any error refuses the whole plan."""
    errors = RowErrors("districting plan")
    parsed = validate_rows(rows, DistrictRow, errors)
    rules = election_rules(election)
    elected = election_body_ids(ctx.session, election.id)
    territory = _Territory.load(ctx.session)
    planned: list[_Planned] = []
    seen_numbers: dict[tuple[int, int], RawRow] = {}
    seen_precincts: dict[tuple[int, int], tuple[int, RawRow]] = {}
    for raw, row in parsed:
        body = territory.body(row.body)
        if isinstance(body, str):
            errors.add(raw, "body", row.body, body)
            continue
        if not _check_body(body, row.number, elected, rules, raw, errors):
            continue
        if (body.id, row.number) in seen_numbers:
            errors.add(
                raw,
                "number",
                row.number,
                f"district given twice (also in {seen_numbers[(body.id, row.number)].label})",
            )
            continue
        seen_numbers[(body.id, row.number)] = raw
        if not row.precincts:
            errors.add(raw, "precincts", [], "a district is made of at least one precinct")
            continue
        ids = _resolve_precincts(ctx.session, territory, body, row, raw, errors)
        for precinct_id in ids:
            other = seen_precincts.get((body.id, precinct_id))
            if other is not None and other[0] != row.number:
                errors.add(
                    raw,
                    "precincts",
                    precinct_id,
                    f"precinct also in district {other[0]} ({other[1].label}); a precinct "
                    "belongs to one district of a body (CL art. 22)",
                )
            seen_precincts[(body.id, precinct_id)] = (row.number, raw)
        planned.append(_Planned(raw, body, row.number, row.name.strip(), tuple(sorted(ids))))
    errors.raise_if_any()
    return planned


def _resolve_precincts(
    session: Session,
    territory: _Territory,
    body: Body,
    row: DistrictRow,
    raw: RawRow,
    errors: RowErrors,
) -> set[int]:
    keys: dict[tuple[int, int], int | str] = {}
    for ref in row.precincts:
        key = territory.precinct_key(ref, body)
        if isinstance(key, str):
            errors.add(raw, "precincts", ref, key)
        elif key in keys:
            errors.add(raw, "precincts", ref, "precinct listed twice")
        else:
            keys[key] = ref
    found = {
        (p.region_id, p.number): p
        for p in session.execute(
            select(Precinct).where(
                Precinct.region_id.in_({k[0] for k in keys}),
                Precinct.number.in_({k[1] for k in keys}),
            )
        ).scalars()
    }
    ids: set[int] = set()
    for key, ref in keys.items():
        precinct = found.get(key)
        if precinct is None:
            errors.add(
                raw, "precincts", ref, f"no precinct {key[1]} in {territory.region_of[key[0]]}"
            )
        elif not _in_territory(body, precinct):
            errors.add(
                raw,
                "precincts",
                ref,
                f"precinct {key[1]} lies outside the territory of {body.name_en} (CL art. 22)",
            )
        else:
            ids.add(precinct.id)
    return ids


def _require_unpublished(session: Session, election_id: int, body: Body) -> None:
    published = session.execute(
        select(District.published_at).where(
            District.election_id == election_id,
            District.body_id == body.id,
            District.published_at.is_not(None),
        )
    ).scalar()
    if published is not None:
        raise Conflict(
            "districts_published",
            f"the districts of {body.name_en} were published on {published.isoformat()}; "
            "they can no longer change (CL art. 22 paras 2, 2-1)",
            field="body",
        )


def _district_snapshot(district: District, precinct_ids: Iterable[int]) -> dict[str, Any]:
    data = snapshot(district)
    data["precinct_ids"] = sorted(precinct_ids)
    return data


def _apply(
    ctx: Context,
    election: Election,
    plan: _Planned,
    rules: RuleSet,
    report: DistrictImportReport,
) -> District:
    session = ctx.session
    district = session.execute(
        select(District).where(
            District.election_id == election.id,
            District.body_id == plan.body.id,
            District.number == plan.number,
        )
    ).scalar_one_or_none()
    new_ids = set(plan.precinct_ids)
    if district is None:
        district = District(
            election_id=election.id, body_id=plan.body.id, number=plan.number, name=plan.name
        )
        session.add(district)
        session.flush()
        session.add_all(DistrictPrecinct(district_id=district.id, precinct_id=p) for p in new_ids)
        session.flush()
        ctx.audit(ACTION, "district", district.id, None, _district_snapshot(district, new_ids))
        report.tally("district").count(Outcome.CREATED)
    else:
        old_ids = set(
            session.execute(
                select(DistrictPrecinct.precinct_id).where(
                    DistrictPrecinct.district_id == district.id
                )
            ).scalars()
        )
        if old_ids == new_ids and district.name == plan.name:
            report.tally("district").count(Outcome.UNCHANGED)
        else:
            before = _district_snapshot(district, old_ids)
            district.name = plan.name
            for link in session.execute(
                select(DistrictPrecinct).where(
                    DistrictPrecinct.district_id == district.id,
                    DistrictPrecinct.precinct_id.in_(old_ids - new_ids),
                )
            ).scalars():
                session.delete(link)
            session.add_all(
                DistrictPrecinct(district_id=district.id, precinct_id=p) for p in new_ids - old_ids
            )
            session.flush()
            ctx.audit(
                ACTION, "district", district.id, before, _district_snapshot(district, new_ids)
            )
            report.tally("district").count(Outcome.UPDATED)
    upsert(
        ctx,
        Contest,
        {
            "election_id": election.id,
            "body_id": plan.body.id,
            "kind": contest_kind(plan.body, ElectoralSystem.SINGLE_MEMBER),
            "district_id": district.id,
        },
        {"seats": 1},
        action=ACTION,
        entity="contest",
        report=report,
    )
    return district


def _require_each_precinct_once(session: Session, election_id: int, body_ids: set[int]) -> None:
    """After the changes: no precinct in two districts of one body (CL art. 22)."""
    rows = session.execute(
        select(District.body_id, District.number, DistrictPrecinct.precinct_id)
        .join(DistrictPrecinct, DistrictPrecinct.district_id == District.id)
        .where(District.election_id == election_id, District.body_id.in_(body_ids))
    ).all()
    placed: dict[tuple[int, int], list[int]] = defaultdict(list)
    for body_id, number, precinct_id in rows:
        placed[(body_id, precinct_id)].append(number)
    for (body_id, precinct_id), numbers in sorted(placed.items()):
        if len(numbers) > 1:
            precinct = session.get(Precinct, precinct_id)
            label = precinct.number if precinct else precinct_id
            raise InvalidInput(
                "precinct_in_two_districts",
                f"precinct {label} would be in districts {sorted(numbers)} of body {body_id}; "
                "a precinct belongs to one district of a body (CL art. 22): move it out of the "
                "other district in the same plan",
                field="precincts",
                precinct_id=precinct_id,
            )


def import_districts(ctx: Context, election_id: int, plan: DistrictPlan) -> DistrictImportReport:
    """Create or change the districts of a plan, each with its single-member contest.

    All-or-nothing and idempotent: every row is validated first (body elected in this election
    and with single-member seats, district number within those seats, precincts of the body's
    territory, no precinct in two districts); an unchanged district is not rewritten. Needs
    MANAGE_DISTRICTS over each body's territory; a published body is frozen (Conflict).
    """
    election = _election(ctx, election_id)
    if not plan.rows:
        raise InvalidInput("empty_plan", "the districting plan has no rows", field="rows")
    planned = _plan(ctx, election, plan.rows)
    bodies = {p.body.id: p.body for p in planned}
    for body in bodies.values():
        ctx.authorize(Action.MANAGE_DISTRICTS, body_scope(ctx.session, body))
    for body in bodies.values():
        _require_unpublished(ctx.session, election.id, body)
    rules = election_rules(election)
    report = DistrictImportReport(body_ids=sorted(bodies))
    for item in planned:
        report.district_ids.append(_apply(ctx, election, item, rules, report).id)
    _require_each_precinct_once(ctx.session, election.id, set(bodies))
    return report


def edit_district(ctx: Context, election_id: int, district: DistrictInput) -> District:
    """Create or change one district (same rules as :func:`import_districts`)."""
    body = ctx.get(Body, district.body_id, "body")
    territory = _Territory.load(ctx.session)
    refs = []
    for precinct_id in district.precinct_ids:
        precinct = ctx.get(Precinct, precinct_id, "precinct")
        refs.append(f"{territory.region_of[precinct.region_id]}:{precinct.number}")
    row = {"body": body.id, "number": district.number, "name": district.name, "precincts": refs}
    report = import_districts(ctx, election_id, DistrictPlan.of([row]))
    return ctx.get(District, report.district_ids[0], "district")


# --- the districting check ---------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictLine:
    district_id: int
    number: int
    name: str
    precincts: tuple[str, ...]
    voters: int
    deviation: Fraction
    within_tolerance: bool
    published_at: datetime | None


@dataclass(frozen=True)
class DistrictingSummary:
    """A body's districts against the law: count, deviations, coverage (decision #11)."""

    election_id: int
    body_id: int
    body_name: str
    smd_seats: int
    districts: tuple[DistrictLine, ...]
    law: DistrictingReport | None
    """None while no district is formed."""

    @property
    def complete(self) -> bool:
        """As many districts as single-member seats (CL art. 21 para 4)."""
        return len(self.districts) == self.smd_seats

    @property
    def acceptable(self) -> bool:
        return self.complete and self.law is not None and self.law.acceptable

    @property
    def published(self) -> bool:
        return bool(self.districts) and all(d.published_at for d in self.districts)

    def blocking_problems(self) -> list[str]:
        """Why the plan cannot be published at all: count and coverage (CL arts. 21–22)."""
        found = []
        if not self.complete:
            found.append(
                f"{len(self.districts)} districts formed, {self.body_name} has {self.smd_seats} "
                "single-member seats (CL art. 21 para 4)"
            )
        law = self.law
        if law is not None:
            if law.unassigned_precincts:
                found.append(f"precincts in no district: {', '.join(law.unassigned_precincts)}")
            if law.multiply_assigned_precincts:
                found.append(
                    f"precincts in several districts: {', '.join(law.multiply_assigned_precincts)}"
                )
            if law.foreign_precincts:
                found.append(
                    f"precincts outside the body's territory: {', '.join(law.foreign_precincts)}"
                )
        return found

    def deviation_problems(self) -> list[str]:
        """Districts outside the tolerance of decision #11 (publishable with a stated reason)."""
        law = self.law
        if law is None:
            return []
        return [
            f"district {line.district}: {line.voters} voters, {_percent(line.deviation)} from the "
            f"mean {_decimal(law.mean)} (tolerance ±{_percent(law.tolerance).lstrip('+')}, "
            "decision #11)"
            for line in law.outside_tolerance
        ]

    def problems(self) -> list[str]:
        return self.blocking_problems() + self.deviation_problems()

    def as_dict(self) -> dict[str, Any]:
        law = self.law
        return {
            "election_id": self.election_id,
            "body_id": self.body_id,
            "body": self.body_name,
            "smd_seats": self.smd_seats,
            "districts_formed": len(self.districts),
            "complete": self.complete,
            "mean_voters": str(law.mean) if law else None,
            "tolerance": str(law.tolerance) if law else None,
            "covers_exactly_once": law.covers_exactly_once if law else False,
            "unassigned_precincts": list(law.unassigned_precincts) if law else [],
            "multiply_assigned_precincts": list(law.multiply_assigned_precincts) if law else [],
            "foreign_precincts": list(law.foreign_precincts) if law else [],
            "acceptable": self.acceptable,
            "published": self.published,
            "article": law.article if law else None,
            "districts": [
                {
                    "id": d.district_id,
                    "number": d.number,
                    "name": d.name,
                    "precincts": list(d.precincts),
                    "voters": d.voters,
                    "deviation": str(d.deviation),
                    "deviation_percent": _percent(d.deviation),
                    "within_tolerance": d.within_tolerance,
                    "published_at": d.published_at.isoformat() if d.published_at else None,
                }
                for d in self.districts
            ],
            "problems": self.problems(),
        }


def _percent(share: Fraction) -> str:
    return f"{float(share * 100):+.2f}%"


def _decimal(value: Fraction) -> str:
    return f"{float(value):.1f}"


def districting_report(session: Session, election_id: int, body_id: int) -> DistrictingSummary:
    """Check a body's districts with ``saylau.law.districting.check_districting`` (decision #11;
    CL art. 22): each district's voters and deviation from the mean, and the coverage of the
    body's precincts. Read-only; public information once published."""
    election = fetch(session, Election, election_id, "election")
    body = fetch(session, Body, body_id, "body")
    rules = election_rules(election)
    _, smd_seats = body_split(body, rules)
    codes: dict[int, str] = {
        rid: code for rid, code in session.execute(select(Region.id, Region.code))
    }
    territory = _territory_precincts(session, body)
    labels = {p.id: f"{codes[p.region_id]}:{p.number}" for p in territory}
    voters = {labels[p.id]: p.voters for p in territory}
    districts = list(
        session.execute(
            select(District)
            .where(District.election_id == election_id, District.body_id == body_id)
            .order_by(District.number)
        ).scalars()
    )
    members: dict[int, list[str]] = {d.id: [] for d in districts}
    foreign: dict[int, Precinct] = {}
    for district_id, precinct in session.execute(
        select(DistrictPrecinct.district_id, Precinct)
        .join(Precinct, Precinct.id == DistrictPrecinct.precinct_id)
        .where(DistrictPrecinct.district_id.in_(members))
    ):
        label = labels.get(precinct.id) or f"{codes[precinct.region_id]}:{precinct.number}"
        if precinct.id not in labels:
            foreign[precinct.id] = precinct
        members[district_id].append(label)
    if not districts:
        return DistrictingSummary(election_id, body_id, body.name_en, smd_seats, (), None)
    law = check_districting({str(d.number): set(members[d.id]) for d in districts}, voters, rules)
    by_name = {line.district: line for line in law.districts}
    lines = tuple(
        DistrictLine(
            district_id=d.id,
            number=d.number,
            name=d.name,
            precincts=tuple(sorted(members[d.id])),
            voters=by_name[str(d.number)].voters,
            deviation=by_name[str(d.number)].deviation,
            within_tolerance=by_name[str(d.number)].within_tolerance,
            published_at=d.published_at,
        )
        for d in districts
    )
    return DistrictingSummary(election_id, body_id, body.name_en, smd_seats, lines, law)


# --- publication -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    body_id: int
    published_at: datetime
    deadline: datetime
    late: bool
    already_published: bool
    warnings: tuple[str, ...]


def publish_districts(
    ctx: Context,
    election_id: int,
    body_id: int,
    *,
    late_reason: str | None = None,
    deviation_reason: str | None = None,
) -> Publication:
    """Publish a body's list of districts (CL art. 22 paras 2, 2-1); idempotent.

    Refused (:class:`Conflict`) unless the plan is complete (districts = single-member seats) and
    covers the body's precincts exactly once; districts outside the ±tolerance of decision #11 need
    a ``deviation_reason``. Due by the stage ``districts_published_by`` (10 days after the call,
    18:00 local): later publication needs a ``late_reason`` and is reported as a warning. Both
    reasons are recorded in the audit log. MANAGE_DISTRICTS over the body's territory.
    """
    election = _election(ctx, election_id)
    body = ctx.get(Body, body_id, "body")
    ctx.authorize(Action.MANAGE_DISTRICTS, body_scope(ctx.session, body))
    stage = election_calendar_for(ctx.session, election, body.region_id, law_body(body)).stage(
        "districts_published_by"
    )
    summary = districting_report(ctx.session, election_id, body_id)
    if summary.published:
        first = min(d.published_at for d in summary.districts if d.published_at)
        return Publication(body_id, first, stage.at, first > stage.at, True, ())
    blocking = summary.blocking_problems()
    if blocking:
        raise Conflict(
            "districts_not_ready",
            f"the districts of {body.name_en} cannot be published: {'; '.join(blocking)}",
            field="districts",
            problems=blocking,
        )
    deviations = summary.deviation_problems()
    if deviations and not (deviation_reason and deviation_reason.strip()):
        raise Conflict(
            "deviation_outside_tolerance",
            f"{'; '.join(deviations)}: publishing needs a deviation_reason",
            field="deviation_reason",
            problems=deviations,
        )
    warnings = list(deviations)
    late = ctx.now > stage.at
    if late:
        deadline = local_time(stage.at)
        if not (late_reason and late_reason.strip()):
            raise Conflict(
                "deadline_passed",
                f"the districts were due by {deadline} ({stage.article}, districts_published_by); "
                "publishing later needs a late_reason",
                field="districts_published_by",
                stage="districts_published_by",
                deadline=stage.at.isoformat(),
            )
        warnings.append(f"published after the deadline {deadline}: {late_reason}")
    for line in summary.districts:
        district = ctx.get(District, line.district_id, "district")
        before = snapshot(district)
        district.published_at = ctx.now
        ctx.session.flush()
        after = snapshot(district)
        if late:
            after["late_reason"] = (late_reason or "").strip()
        if deviations:
            after["deviation_reason"] = (deviation_reason or "").strip()
        ctx.audit("publish_districts", "district", district.id, before, after)
    return Publication(body_id, ctx.now, stage.at, late, False, tuple(warnings))
