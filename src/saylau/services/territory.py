"""Territory: regions, second-level units, precincts and bodies; the commission hierarchy.

The territory is imported all-or-nothing (issue #3 §2.1): every row is validated, cross-checked
against the database and the rest of the file, and only then written, idempotently, by natural key
(region code; unit by region and English name; precinct by region and number; body by kind and
region or unit). The law core supplies the rules: at most ``RuleSet.max_precinct_voters`` voters per
precinct (CL art. 23) and the seat caps of LSA art. 5 para 3, which a body may exceed only with a
stated, audited reason (``saylau.law.bodies.check_seat_cap``; decision #10).

The commissions follow the territory (CL arts. 10–19): the CEC, a territorial commission (TEC) per
region and per second-level unit, and a precinct commission (PEC) per precinct.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel
from saylau.law.bodies import check_seat_cap, mazhilis_seats
from saylau.law.errors import LawInputError
from saylau.law.rules import Level, MaslikhatKind, RuleSet, rule_set
from saylau.reference.regions import zone
from saylau.services.context import NATIONAL, Context, Scope
from saylau.services.errors import Conflict, InvalidInput
from saylau.services.imports import (
    FileFormat,
    ImportReport,
    RawRow,
    RowErrors,
    RowModel,
    detect_format,
    json_rows,
    parse_csv,
    parse_json,
    read_text,
    require_unique,
    rows_of,
    upsert,
    validate_rows,
)
from saylau.storage.models import Body, BodyKind, Commission, Precinct, Region, Unit

IMPORT_ACTION = "import_territory"
COMMISSIONS_ACTION = "ensure_commissions"
SECTIONS = ("regions", "units", "precincts", "bodies")


# --- row models --------------------------------------------------------------------------------


class RegionRow(RowModel):
    """A first-level unit: oblast, city of republican significance or the capital."""

    code: str = Field(pattern=r"^KZ-\d{2}$")
    kind: MaslikhatKind
    name_kk: str = Field(min_length=1, max_length=200)
    name_ru: str = Field(default="", max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    iana_zone: str = Field(min_length=1, max_length=64)


class UnitRow(RowModel):
    """A district (аудан) or city of oblast significance, named by its region's code."""

    region: str
    kind: MaslikhatKind
    name_kk: str = Field(min_length=1, max_length=200)
    name_ru: str = Field(default="", max_length=200)
    name_en: str = Field(min_length=1, max_length=200)


class PrecinctRow(RowModel):
    """A polling precinct; ``unit`` is the unit's English name (required in oblasts)."""

    region: str
    unit: str | None = None
    number: int = Field(ge=1)
    address: str = Field(default="", max_length=300)
    voters: int = Field(ge=0)
    synthetic: bool = False


class BodyRow(RowModel):
    """A maslikhat of a region or unit, or the Mazhilis, with its seats."""

    kind: BodyKind
    region: str | None = None
    unit: str | None = None
    seats: int = Field(ge=1)
    name_kk: str | None = Field(default=None, max_length=300)
    name_ru: str = Field(default="", max_length=300)
    name_en: str | None = Field(default=None, max_length=300)
    seat_cap_override: str | None = Field(default=None, max_length=500)
    """The reason for accepting seats above the cap (decision #10)."""


@dataclass(frozen=True)
class TerritoryImport:
    """The rows of one territory import, by section (any section may be empty)."""

    regions: tuple[RawRow, ...] = ()
    units: tuple[RawRow, ...] = ()
    precincts: tuple[RawRow, ...] = ()
    bodies: tuple[RawRow, ...] = ()

    @classmethod
    def of(cls, **sections: Iterable[Mapping[str, Any]]) -> TerritoryImport:
        """From literal rows, e.g. ``TerritoryImport.of(precincts=[{...}, ...])``."""
        unknown = set(sections) - set(SECTIONS)
        if unknown:
            raise InvalidInput(
                "unknown_section",
                f"unknown territory section(s) {sorted(unknown)}; known: {list(SECTIONS)}",
                field="section",
            )
        return cls(**{name: rows_of(rows, name) for name, rows in sections.items()})


_SECTION_NAMES = {
    "regions": "regions",
    "region": "regions",
    "units": "units",
    "unit": "units",
    "precincts": "precincts",
    "precinct": "precincts",
    "bodies": "bodies",
    "body": "bodies",
}


def _section_of(path: Path, kind: str | None) -> str:
    name = (kind or path.stem).strip().lower()
    if name in _SECTION_NAMES:
        return _SECTION_NAMES[name]
    raise InvalidInput(
        "unknown_section",
        f"cannot tell what {path.name} holds ({name!r}); give the kind: {', '.join(SECTIONS)}",
        field="kind",
    )


def read_territory(path: Path, kind: str | None = None) -> TerritoryImport:
    """Read a territory file: a JSON object with sections, or one section as CSV or a JSON list.

    A single section is named by ``kind`` or by the file's name (``precincts.csv``).
    """
    text = read_text(path)
    if detect_format(path, text) is FileFormat.JSON:
        document = parse_json(text)
        if isinstance(document, dict):
            unknown = set(document) - set(SECTIONS)
            if unknown:
                raise InvalidInput(
                    "unknown_section",
                    f"unknown section(s) {sorted(unknown)} in {path.name}; known: {list(SECTIONS)}",
                    field="section",
                )
            return TerritoryImport(
                **{name: json_rows(rows, name) for name, rows in document.items()}
            )
        section = _section_of(path, kind)
        return TerritoryImport(**{section: json_rows(document, section)})
    section = _section_of(path, kind)
    return TerritoryImport(**{section: parse_csv(text, section)})


def load_rules(name: str) -> RuleSet:
    """The named rule set, or :class:`InvalidInput` naming the known ones."""
    try:
        return rule_set(name)
    except LawInputError as exc:
        raise InvalidInput("unknown_rules", f"rules={name!r}: {exc.rule}", field="rules") from exc


# --- the import --------------------------------------------------------------------------------


@dataclass
class _Known:
    """Regions and units as they will be after the import: stored ones, then the file's."""

    regions: dict[str, MaslikhatKind]
    units: dict[tuple[str, str], MaslikhatKind]


def _known(ctx: Context) -> _Known:
    regions = {r.code: r.kind for r in ctx.session.execute(select(Region)).scalars()}
    units = {
        (code, name): kind
        for code, name, kind in ctx.session.execute(
            select(Region.code, Unit.name_en, Unit.kind).join(Unit, Unit.region_id == Region.id)
        )
    }
    return _Known(regions, units)


def _check_regions(rows: Sequence[tuple[RawRow, RegionRow]], errors: RowErrors) -> None:
    require_unique(rows, lambda r: r.code, "code", errors)
    for raw, row in rows:
        if row.kind.level is not Level.FIRST:
            errors.add(
                raw,
                "kind",
                row.kind.value,
                "a region is an oblast, a city of republican significance or the capital",
            )
        try:
            zone(row.iana_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors.add(raw, "iana_zone", row.iana_zone, "not a known IANA time zone (decision #14)")


def _check_units(rows: Sequence[tuple[RawRow, UnitRow]], known: _Known, errors: RowErrors) -> None:
    require_unique(rows, lambda r: (r.region, r.name_en), "name_en", errors)
    for raw, row in rows:
        region_kind = known.regions.get(row.region)
        if region_kind is None:
            errors.add(raw, "region", row.region, "no such region (stored or in this import)")
        elif region_kind is not MaslikhatKind.OBLAST:
            errors.add(
                raw,
                "region",
                row.region,
                "only oblasts have second-level maslikhats (CL art. 9; LSA art. 5)",
            )
        if row.kind.level is not Level.SECOND:
            errors.add(
                raw, "kind", row.kind.value, "a unit is a district or a city of oblast significance"
            )


def _check_precincts(
    rows: Sequence[tuple[RawRow, PrecinctRow]], known: _Known, rules: RuleSet, errors: RowErrors
) -> None:
    require_unique(rows, lambda r: (r.region, r.number), "number", errors)
    cap = rules.max_precinct_voters
    for raw, row in rows:
        if row.voters > cap:
            errors.add(
                raw,
                "voters",
                row.voters,
                f"a precinct has at most {cap} voters (CL art. 23; rules {rules.name})",
            )
        region_kind = known.regions.get(row.region)
        if region_kind is None:
            errors.add(raw, "region", row.region, "no such region (stored or in this import)")
            continue
        if region_kind is MaslikhatKind.OBLAST:
            if row.unit is None:
                errors.add(
                    raw,
                    "unit",
                    None,
                    "a precinct of an oblast lies in a district or city (its second-level unit)",
                )
            elif (row.region, row.unit) not in known.units:
                errors.add(raw, "unit", row.unit, f"no such unit in region {row.region}")
        elif row.unit is not None:
            errors.add(
                raw,
                "unit",
                row.unit,
                "cities of republican significance and the capital have no second-level unit",
            )


def _body_key(row: BodyRow) -> tuple[str, str | None, str | None]:
    return (row.kind.value, row.region, row.unit)


def _check_bodies(
    rows: Sequence[tuple[RawRow, BodyRow]],
    known: _Known,
    rules: RuleSet,
    errors: RowErrors,
    report: ImportReport,
) -> None:
    require_unique(rows, _body_key, "kind", errors)
    for raw, row in rows:
        if row.kind is BodyKind.MAZHILIS:
            if row.region is not None or row.unit is not None:
                errors.add(raw, "region", row.region, "the Mazhilis belongs to no region or unit")
            split = mazhilis_seats(rules)
            if row.seats != split.total:
                errors.add(
                    raw,
                    "seats",
                    row.seats,
                    f"the Mazhilis has {split.total} seats elected by voters under rules "
                    f"{rules.name} ({split.article})",
                )
            continue
        kind = MaslikhatKind(row.kind.value)
        if row.region is None:
            errors.add(raw, "region", None, "a maslikhat belongs to a region")
            continue
        if kind.level is Level.FIRST:
            if row.unit is not None:
                errors.add(raw, "unit", row.unit, "a first-level maslikhat belongs to no unit")
            region_kind = known.regions.get(row.region)
            if region_kind is None:
                errors.add(raw, "region", row.region, "no such region (stored or in this import)")
            elif region_kind is not kind:
                errors.add(
                    raw, "kind", row.kind.value, f"region {row.region} is a {region_kind.value}"
                )
        else:
            unit_kind = known.units.get((row.region, row.unit or ""))
            if row.unit is None:
                errors.add(raw, "unit", None, "a second-level maslikhat belongs to a unit")
            elif unit_kind is None:
                errors.add(raw, "unit", row.unit, f"no such unit in region {row.region}")
            elif unit_kind is not kind:
                errors.add(raw, "kind", row.kind.value, f"unit {row.unit} is a {unit_kind.value}")
        try:
            check = check_seat_cap(kind, row.seats, rules, row.seat_cap_override)
        except LawInputError as exc:
            errors.add(raw, exc.field, exc.value, exc.rule)
            continue
        if not check.accepted:
            errors.add(
                raw,
                "seats",
                row.seats,
                f"{check.warning}; accepting it needs a seat_cap_override with a reason "
                "(decision #10)",
            )
        elif check.override_reason is not None:
            name = row.name_en or "/".join(p for p in (row.region, row.unit) if p)
            report.warnings.append(
                f"{raw.label} ({name}): {check.warning}; accepted with the reason: "
                f"{check.override_reason}"
            )


def _scopes(ctx: Context, batch_rows: _Parsed) -> list[Scope]:
    """Every territory the import touches: a new or changed region is national."""
    stored = {r.code: r.id for r in ctx.session.execute(select(Region)).scalars()}
    scopes: list[Scope] = []
    if batch_rows.regions:
        scopes.append(NATIONAL)
    codes: set[str | None] = {row.region for _, row in batch_rows.units}
    codes |= {row.region for _, row in batch_rows.precincts}
    codes |= {row.region for _, row in batch_rows.bodies}
    for code in sorted(codes, key=lambda c: c or ""):
        region_id = stored.get(code) if code is not None else None
        scopes.append(NATIONAL if region_id is None else Scope(region_id=region_id))
    return list(dict.fromkeys(scopes))


@dataclass
class _Parsed:
    regions: list[tuple[RawRow, RegionRow]]
    units: list[tuple[RawRow, UnitRow]]
    precincts: list[tuple[RawRow, PrecinctRow]]
    bodies: list[tuple[RawRow, BodyRow]]


def _default_body_names(row: BodyRow, region: Region | None, unit: Unit | None) -> tuple[str, str]:
    if row.kind is BodyKind.MAZHILIS:
        return ("Қазақстан Республикасы Парламентінің Мәжілісі", "Mazhilis")
    place = unit if unit is not None else region
    assert place is not None
    return (f"{place.name_kk} мәслихаты", f"{place.name_en} maslikhat")


def _parse(batch: TerritoryImport, errors: RowErrors) -> _Parsed:
    return _Parsed(
        regions=validate_rows(batch.regions, RegionRow, errors),
        units=validate_rows(batch.units, UnitRow, errors),
        precincts=validate_rows(batch.precincts, PrecinctRow, errors),
        bodies=validate_rows(batch.bodies, BodyRow, errors),
    )


def _params(parsed: _Parsed, rules: str) -> dict[str, Any]:
    params: dict[str, Any] = {"rules": rules}
    for name in SECTIONS:
        rows: list[tuple[RawRow, RowModel]] = getattr(parsed, name)
        params[name] = [row.model_dump(mode="json") for _, row in rows]
    return params


def import_params(batch: TerritoryImport, rules: str) -> dict[str, Any]:
    """The import as validated rows (what an ``override_seat_cap`` approval approves);
    :class:`InvalidInput` naming each row and field when a row is malformed."""
    errors = RowErrors("territory import")
    parsed = _parse(batch, errors)
    errors.raise_if_any()
    return _params(parsed, rules)


def import_scope(session: Session, params: Mapping[str, Any]) -> Scope:
    """Where an import with seat-cap overrides acts: the one stored region of its overridden
    bodies, else the nation (MANAGE_TERRITORY is the CEC's)."""
    codes = {
        b.get("region") for b in params.get("bodies", ()) if (b.get("seat_cap_override") or "")
    }
    if params.get("regions") or len(codes) != 1:
        return NATIONAL
    region_id = session.scalar(select(Region.id).where(Region.code == codes.pop()))
    return NATIONAL if region_id is None else Scope(region_id=region_id)


def _new_overrides(session: Session, parsed: _Parsed, rules: RuleSet) -> list[BodyRow]:
    """The maslikhats this import would newly accept above their seat cap (LSA art. 5 para 3;
    decision #10): a reason given and the seats or reason differ from what is stored."""
    stored: dict[tuple[str, str | None, str | None], tuple[int, str | None]] = {}
    for body, code, unit in session.execute(
        select(Body, Region.code, Unit.name_en)
        .outerjoin(Region, Body.region_id == Region.id)
        .outerjoin(Unit, Body.unit_id == Unit.id)
    ):
        stored[(body.kind.value, code, unit)] = (body.seats, body.seat_cap_override)
    found = []
    for _, row in parsed.bodies:
        reason = _override(row)
        if reason is None:
            continue
        if check_seat_cap(MaslikhatKind(row.kind.value), row.seats, rules).within_cap:
            continue
        if stored.get(_body_key(row)) != (row.seats, reason):
            found.append(row)
    return found


def import_territory(
    ctx: Context, batch: TerritoryImport, rules: str = "2023", *, approval_id: int | None = None
) -> ImportReport:
    """Import regions, units, precincts and bodies all-or-nothing and idempotently.

    Refused as a whole (:class:`InvalidInput` naming each row and field) if any row is invalid: a
    precinct over ``max_precinct_voters`` (CL art. 23), a body above its seat cap without a reason
    (LSA art. 5 para 3; decision #10), a unit or region that does not exist, a key given twice.
    Needs MANAGE_TERRITORY over every region touched (a new region: national). Accepting seats
    above a cap (a new or changed ``seat_cap_override``) is under dual control (issue #9 §2):
    the whole import runs only as ``approval_id`` (kind ``override_seat_cap``), approved by a
    second member of the commission; re-importing an override already stored needs none.
    """
    return _import(ctx, batch, rules, approval_id, printed=False)


def import_printed_territory(ctx: Context, batch: TerritoryImport, rules: str) -> ImportReport:
    """:func:`import_territory` for :mod:`saylau.services.reference_load` only: its overrides are
    the seats the 2023 maslikhats were elected with, as printed (decision #20), generated from the
    packaged reference and not a member's choice, so they need no second member."""
    return _import(ctx, batch, rules, None, printed=True)


def _import(
    ctx: Context, batch: TerritoryImport, rules: str, approval_id: int | None, *, printed: bool
) -> ImportReport:
    from saylau.services import approvals

    rule_set_ = load_rules(rules)
    errors = RowErrors("territory import")
    report = ImportReport()
    parsed = _parse(batch, errors)
    known = _known(ctx)
    known.regions.update({row.code: row.kind for _, row in parsed.regions})
    known.units.update({(row.region, row.name_en): row.kind for _, row in parsed.units})
    _check_regions(parsed.regions, errors)
    _check_units(parsed.units, known, errors)
    _check_precincts(parsed.precincts, known, rule_set_, errors)
    _check_bodies(parsed.bodies, known, rule_set_, errors, report)
    errors.raise_if_any()
    for scope in _scopes(ctx, parsed):
        ctx.authorize(Action.MANAGE_TERRITORY, scope)
    if not printed and (approval_id is not None or _new_overrides(ctx.session, parsed, rule_set_)):
        approvals.consume(ctx, approvals.OVERRIDE_SEAT_CAP, _params(parsed, rules), approval_id)
    _write(ctx, parsed, report)
    return report


def needs_override_approval(session: Session, batch: TerritoryImport, rules: str = "2023") -> bool:
    """Whether importing ``batch`` would newly accept seats above a cap (so, under dual control,
    is filed as an ``override_seat_cap`` request). A malformed import answers False: importing it
    then names its errors."""
    try:
        rule_set_ = load_rules(rules)
    except InvalidInput:
        return False
    errors = RowErrors("territory import")
    parsed = _parse(batch, errors)
    return bool(_new_overrides(session, parsed, rule_set_))


def _write(ctx: Context, parsed: _Parsed, report: ImportReport) -> None:
    session = ctx.session
    for _, r in parsed.regions:
        upsert(
            ctx,
            Region,
            {"code": r.code},
            {
                "kind": r.kind,
                "name_kk": r.name_kk,
                "name_ru": r.name_ru,
                "name_en": r.name_en,
                "iana_zone": r.iana_zone,
            },
            action=IMPORT_ACTION,
            entity="region",
            report=report,
        )
    regions = {r.code: r for r in session.execute(select(Region)).scalars()}
    for _, u in parsed.units:
        upsert(
            ctx,
            Unit,
            {"region_id": regions[u.region].id, "name_en": u.name_en},
            {"kind": u.kind, "name_kk": u.name_kk, "name_ru": u.name_ru},
            action=IMPORT_ACTION,
            entity="unit",
            report=report,
        )
    units = {(u.region_id, u.name_en): u for u in session.execute(select(Unit)).scalars()}
    if parsed.precincts:
        region_ids = {regions[p.region].id for _, p in parsed.precincts}
        stored = {
            (p.region_id, p.number): p
            for p in session.execute(
                select(Precinct).where(Precinct.region_id.in_(region_ids))
            ).scalars()
        }
        for _, p in parsed.precincts:
            region = regions[p.region]
            unit = units[(region.id, p.unit)] if p.unit is not None else None
            upsert(
                ctx,
                Precinct,
                {"region_id": region.id, "number": p.number},
                {
                    "unit_id": unit.id if unit else None,
                    "address": p.address,
                    "voters": p.voters,
                    "synthetic": p.synthetic,
                },
                action=IMPORT_ACTION,
                entity="precinct",
                report=report,
                existing=stored,
            )
    for _, b in parsed.bodies:
        body_region = regions[b.region] if b.region is not None else None
        unit = (
            units[(body_region.id, b.unit)]
            if body_region is not None and b.unit is not None
            else None
        )
        default_kk, default_en = _default_body_names(b, body_region, unit)
        upsert(
            ctx,
            Body,
            {
                "kind": b.kind,
                "region_id": body_region.id if body_region else None,
                "unit_id": unit.id if unit else None,
            },
            {
                "seats": b.seats,
                "name_kk": b.name_kk or default_kk,
                "name_ru": b.name_ru,
                "name_en": b.name_en or default_en,
                "seat_cap_override": _override(b),
            },
            action=IMPORT_ACTION,
            entity="body",
            report=report,
        )


def _override(row: BodyRow) -> str | None:
    """The stored reason: only for a maslikhat whose seats exceed the cap (decision #10)."""
    if row.kind is BodyKind.MAZHILIS or row.seat_cap_override is None:
        return None
    return row.seat_cap_override.strip() or None


# --- commissions -------------------------------------------------------------------------------


def _tec_name(place: str) -> str:
    return f"{place} territorial election commission"


def ensure_commissions(ctx: Context, region_id: int | None = None) -> ImportReport:
    """Create the missing commissions of the territory (CL arts. 10–19), idempotently.

    The CEC, a TEC per region, a TEC per second-level unit and a PEC per precinct (under its unit's
    TEC, or its region's in the cities of republican significance). Existing commissions keep
    their names; a precinct moved to another unit moves its PEC. With ``region_id`` only that
    region's commissions are made (its TEC may do so; the CEC must exist); otherwise all, which
    needs national MANAGE_COMMISSIONS.
    """
    session = ctx.session
    report = ImportReport()
    if region_id is None:
        ctx.authorize(Action.MANAGE_COMMISSIONS, NATIONAL)
        regions = list(session.execute(select(Region).order_by(Region.id)).scalars())
    else:
        regions = [ctx.get(Region, region_id, "region")]
        ctx.authorize(Action.MANAGE_COMMISSIONS, Scope(region_id=region_id))
    cec = session.execute(
        select(Commission).where(Commission.level == CommissionLevel.CEC)
    ).scalar_one_or_none()
    if cec is None and region_id is not None:
        raise Conflict(
            "no_cec",
            "the CEC commission does not exist yet: create the national hierarchy first",
            field="region_id",
        )
    cec, _ = upsert(
        ctx,
        Commission,
        {"level": CommissionLevel.CEC},
        {"parent_id": None, "region_id": None, "unit_id": None, "precinct_id": None},
        defaults={"name": "Central Election Commission"},
        action=COMMISSIONS_ACTION,
        entity="commission",
        report=report,
    )
    for region in regions:
        tec, _ = upsert(
            ctx,
            Commission,
            {"level": CommissionLevel.TEC_REGION, "region_id": region.id},
            {"parent_id": cec.id, "unit_id": None, "precinct_id": None},
            defaults={"name": _tec_name(region.name_en)},
            action=COMMISSIONS_ACTION,
            entity="commission",
            report=report,
        )
        unit_tecs: dict[int | None, Commission] = {None: tec}
        for unit in session.execute(
            select(Unit).where(Unit.region_id == region.id).order_by(Unit.id)
        ).scalars():
            unit_tecs[unit.id], _ = upsert(
                ctx,
                Commission,
                {"level": CommissionLevel.TEC_UNIT, "unit_id": unit.id},
                {"parent_id": tec.id, "region_id": region.id, "precinct_id": None},
                defaults={"name": _tec_name(unit.name_en)},
                action=COMMISSIONS_ACTION,
                entity="commission",
                report=report,
            )
        stored = {
            (c.precinct_id,): c
            for c in session.execute(
                select(Commission).where(
                    Commission.level == CommissionLevel.PEC, Commission.region_id == region.id
                )
            ).scalars()
        }
        for precinct in session.execute(
            select(Precinct).where(Precinct.region_id == region.id).order_by(Precinct.number)
        ).scalars():
            upsert(
                ctx,
                Commission,
                {"precinct_id": precinct.id},
                {
                    "level": CommissionLevel.PEC,
                    "parent_id": unit_tecs[precinct.unit_id].id,
                    "region_id": region.id,
                    "unit_id": precinct.unit_id,
                },
                defaults={
                    "name": f"Precinct election commission No. {precinct.number}, {region.name_en}"
                },
                action=COMMISSIONS_ACTION,
                entity="commission",
                report=report,
                existing=stored,
            )
    return report
