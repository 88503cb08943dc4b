"""Voter services: where a precinct serves, and the check of the voter register (issue #5 §5).

Areas. A precinct is formed over a part of the territory whose boundaries are published (CL art.
23): the settlements, and in towns the streets with their house numbers, that it serves. They are
imported all-or-nothing like the rest of the territory (:mod:`saylau.services.imports`): a file
names each precinct by region code and number, and its rows become that precinct's complete list
of areas (a precinct absent from the file keeps its areas). A voter searches them by words of the
settlement or street.

The voter register. Where it is loaded, a voter may check with their IIN at which precinct they
are registered. The IIN is never stored: a row holds HMAC-SHA256 of the IIN under a server secret
(``digest``) and the precinct, so the table reveals nothing without the secret, and the check
answers only "registered at precinct N" or "not found" for the one IIN asked about. Refusals name
the line and field of a bad row but never repeat an IIN.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field
from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.law.iin import IinError, parse_iin
from saylau.services.context import Context, Scope
from saylau.services.errors import InvalidInput
from saylau.services.imports import ImportReport, RawRow, RowErrors, RowModel, validate_rows
from saylau.storage.models import Precinct, Region
from saylau.storage.models.territory import PrecinctArea, VoterRegisterEntry

AREAS_ACTION = "import_precinct_areas"
REGISTER_ACTION = "import_voter_register"
HIDDEN = "(hidden)"
"""Shown instead of an IIN in a refusal: the operator has the file and its line number."""
MAX_AREAS_PER_PRECINCT = 500
"""More rows than this for one precinct is taken for a broken file, not a precinct."""
_BATCH = 1_000


# --- the search key ------------------------------------------------------------------------------


def search_key(*parts: str) -> str:
    """The text a search matches: the parts case-folded (Kazakh and Russian too, which SQLite's
    ``lower()`` does not fold), ``ё`` read as ``е``, whitespace collapsed."""
    text = " ".join(p for p in parts if p).casefold().replace("ё", "е")
    return re.sub(r"\s+", " ", text).strip()


def _words(query: str) -> list[str]:
    return [w for w in search_key(query).split(" ") if w][:6]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- areas ---------------------------------------------------------------------------------------


class AreaRow(RowModel):
    """One area a precinct serves: a whole settlement, or a street with its house numbers."""

    region: str = Field(min_length=1, max_length=8)
    precinct: int = Field(ge=1)
    settlement: str = Field(min_length=1, max_length=200)
    street: str = Field(default="", max_length=200)
    houses: str = Field(default="", max_length=200)
    synthetic: bool = False


@dataclass(frozen=True)
class Area:
    settlement: str
    street: str
    houses: str
    synthetic: bool


def import_areas(ctx: Context, rows: Sequence[RawRow]) -> ImportReport:
    """Replace the areas of every precinct named in ``rows``, all-or-nothing (CL art. 23).

    Refused as a whole (:class:`InvalidInput` naming each row's line and field) when a row is
    invalid, names a precinct that does not exist, or repeats an area. A precinct whose areas are
    already exactly these is left alone (not audited again). Needs MANAGE_TERRITORY over every
    region touched.
    """
    errors = RowErrors("precinct areas import")
    parsed = validate_rows(rows, AreaRow, errors)
    regions = {r.code: r.id for r in ctx.session.execute(select(Region)).scalars()}
    wanted_regions = {row.region for _, row in parsed if row.region in regions}
    precincts: dict[tuple[str, int], int] = {}
    if wanted_regions:
        codes = {regions[c]: c for c in wanted_regions}
        for stored_id, region_id, number in ctx.session.execute(
            select(Precinct.id, Precinct.region_id, Precinct.number).where(
                Precinct.region_id.in_(list(codes))
            )
        ):
            precincts[(codes[region_id], number)] = stored_id
    by_precinct: dict[int, list[Area]] = defaultdict(list)
    seen: dict[tuple[int, str, str, str], RawRow] = {}
    for raw, row in parsed:
        if row.region not in regions:
            errors.add(raw, "region", row.region, "no such region")
            continue
        pid = precincts.get((row.region, row.precinct))
        if pid is None:
            errors.add(
                raw, "precinct", row.precinct, f"no precinct No. {row.precinct} in {row.region}"
            )
            continue
        key = (pid, row.settlement, row.street, row.houses)
        if key in seen:
            errors.add(raw, "street", row.street, f"given twice (also in {seen[key].label})")
            continue
        seen[key] = raw
        by_precinct[pid].append(Area(row.settlement, row.street, row.houses, row.synthetic))
        if len(by_precinct[pid]) == MAX_AREAS_PER_PRECINCT + 1:
            errors.add(raw, "precinct", row.precinct, f"more than {MAX_AREAS_PER_PRECINCT} areas")
    errors.raise_if_any()
    for code in sorted(wanted_regions):
        ctx.authorize(Action.MANAGE_TERRITORY, Scope(region_id=regions[code]))
    report = ImportReport()
    tally = report.tally("precinct_area")
    stored = _stored_areas(ctx.session, list(by_precinct))
    for pid, areas in by_precinct.items():
        before = stored.get(pid, [])
        if sorted(before, key=_order) == sorted(areas, key=_order):
            tally.unchanged += len(areas)
            continue
        ctx.session.execute(delete(PrecinctArea).where(PrecinctArea.precinct_id == pid))
        ctx.session.add_all(
            PrecinctArea(
                precinct_id=pid,
                settlement=a.settlement,
                street=a.street,
                houses=a.houses,
                search_key=search_key(a.settlement, a.street),
                synthetic=a.synthetic,
            )
            for a in areas
        )
        ctx.session.flush()
        tally.created += len(areas)
        ctx.audit(
            AREAS_ACTION,
            "precinct",
            pid,
            {"areas": [_plain_area(a) for a in before]} if before else None,
            {"areas": [_plain_area(a) for a in areas]},
        )
    return report


def _order(area: Area) -> tuple[str, str, str, bool]:
    return (area.settlement, area.street, area.houses, area.synthetic)


def _plain_area(area: Area) -> dict[str, object]:
    return {
        "settlement": area.settlement,
        "street": area.street,
        "houses": area.houses,
        "synthetic": area.synthetic,
    }


def _stored_areas(session: Session, precinct_ids: list[int]) -> dict[int, list[Area]]:
    found: dict[int, list[Area]] = defaultdict(list)
    for start in range(0, len(precinct_ids), _BATCH):
        chunk = precinct_ids[start : start + _BATCH]
        for row in session.execute(
            select(PrecinctArea).where(PrecinctArea.precinct_id.in_(chunk))
        ).scalars():
            found[row.precinct_id].append(
                Area(row.settlement, row.street, row.houses, row.synthetic)
            )
    return found


def areas_of(session: Session, precinct_id: int, limit: int = MAX_AREAS_PER_PRECINCT) -> list[Area]:
    """The areas a precinct serves, by settlement, street and houses."""
    rows = session.execute(
        select(PrecinctArea)
        .where(PrecinctArea.precinct_id == precinct_id)
        .order_by(PrecinctArea.settlement, PrecinctArea.street, PrecinctArea.houses)
        .limit(limit)
    ).scalars()
    return [Area(r.settlement, r.street, r.houses, r.synthetic) for r in rows]


@dataclass(frozen=True)
class PlaceMatch:
    """An area matching a search, with the precinct that serves it."""

    region_code: str
    number: int
    address: str
    settlement: str
    street: str
    houses: str
    synthetic: bool


def find_by_place(
    session: Session, region_code: str, query: str, limit: int = 50
) -> tuple[list[PlaceMatch], bool]:
    """Areas of the region whose settlement and street contain every word of ``query``, at most
    ``limit`` (and whether more were found): a voter's "where do I vote" by address."""
    words = _words(query)
    if not words:
        return [], False
    statement = (
        select(PrecinctArea, Precinct.number, Precinct.address, Region.code)
        .join(Precinct, Precinct.id == PrecinctArea.precinct_id)
        .join(Region, Region.id == Precinct.region_id)
        .where(Region.code == region_code)
        .order_by(
            PrecinctArea.settlement, PrecinctArea.street, Precinct.number, PrecinctArea.houses
        )
        .limit(limit + 1)
    )
    for word in words:
        statement = statement.where(PrecinctArea.search_key.like(_like(word), escape="\\"))
    rows = session.execute(statement).all()
    matches = [
        PlaceMatch(code, number, address, a.settlement, a.street, a.houses, a.synthetic)
        for a, number, address, code in rows[:limit]
    ]
    return matches, len(rows) > limit


# --- the voter register --------------------------------------------------------------------------


def iin_digest(key: bytes, iin: str) -> str:
    """HMAC-SHA256 of the IIN under the server's register key, as 64 hex digits."""
    return hmac.new(key, iin.encode("ascii"), hashlib.sha256).hexdigest()


class RegisterRow(RowModel):
    """One voter of the register: IIN, region code, precinct number."""

    iin: str = Field(max_length=32)
    region: str = Field(min_length=1, max_length=8)
    precinct: int = Field(ge=1)


def _require_key(key: bytes) -> None:
    if len(key) < 16:
        raise InvalidInput(
            "weak_register_key",
            "the voter register key must have at least 16 bytes",
            field="key",
        )


def import_register(ctx: Context, rows: Sequence[RawRow], key: bytes) -> ImportReport:
    """Load the voter register of every region named in ``rows``, replacing what was loaded for
    those regions, all-or-nothing.

    Each IIN is checked (``saylau.law.iin``) and stored only as its keyed digest. Refused as a
    whole, naming the line and field but never the IIN, when a row is invalid, names an unknown
    region or precinct, repeats an IIN, or gives an IIN registered in another region's register.
    Needs MANAGE_TERRITORY over every region loaded.
    """
    _require_key(key)
    errors = RowErrors("voter register import")
    originals = {raw.number: raw.data.get("iin") for raw in rows}
    checked = validate_rows([_masked(raw) for raw in rows], RegisterRow, errors)
    regions = {r.code: r.id for r in ctx.session.execute(select(Region)).scalars()}
    wanted = sorted({row.region for _, row in checked if row.region in regions})
    precincts: dict[tuple[int, int], int] = {
        (region_id, number): pid
        for pid, region_id, number in ctx.session.execute(
            select(Precinct.id, Precinct.region_id, Precinct.number).where(
                Precinct.region_id.in_([regions[c] for c in wanted])
            )
        )
    }
    entries: dict[str, tuple[int, int]] = {}
    first_row: dict[str, RawRow] = {}
    for raw, row in checked:
        original = originals.get(raw.number)
        try:
            iin = parse_iin(str(original).strip() if original is not None else "")
        except IinError as exc:
            errors.add(raw, "iin", HIDDEN, f"not a valid IIN ({exc.reason.value})")
            continue
        if row.region not in regions:
            errors.add(raw, "region", row.region, "no such region")
            continue
        region_id = regions[row.region]
        pid = precincts.get((region_id, row.precinct))
        if pid is None:
            errors.add(
                raw, "precinct", row.precinct, f"no precinct No. {row.precinct} in {row.region}"
            )
            continue
        digest = iin_digest(key, iin.text)
        if digest in entries:
            errors.add(raw, "iin", HIDDEN, f"the same IIN as {first_row[digest].label}")
            continue
        entries[digest] = (region_id, pid)
        first_row[digest] = raw
    elsewhere = _registered_elsewhere(ctx.session, entries)
    for digest in elsewhere:
        errors.add(
            first_row[digest],
            "iin",
            HIDDEN,
            "this voter is in the loaded register of another region (a voter is registered once)",
        )
    errors.raise_if_any()
    if not entries:
        raise InvalidInput("empty_register", "the file holds no voter", field="file")
    region_ids = sorted({region_id for region_id, _ in entries.values()})
    for region_id in region_ids:
        ctx.authorize(Action.MANAGE_TERRITORY, Scope(region_id=region_id))
    before = dict(
        ctx.session.execute(
            select(VoterRegisterEntry.region_id, func.count())
            .where(VoterRegisterEntry.region_id.in_(region_ids))
            .group_by(VoterRegisterEntry.region_id)
        ).all()
    )
    ctx.session.execute(
        delete(VoterRegisterEntry).where(VoterRegisterEntry.region_id.in_(region_ids))
    )
    values = [
        {"digest": d, "region_id": region_id, "precinct_id": pid}
        for d, (region_id, pid) in entries.items()
    ]
    for start in range(0, len(values), _BATCH):
        ctx.session.execute(insert(VoterRegisterEntry), values[start : start + _BATCH])
    counts: dict[int, int] = defaultdict(int)
    for region_id, _ in entries.values():
        counts[region_id] += 1
    report = ImportReport()
    tally = report.tally("voter")
    for region_id in region_ids:
        tally.created += counts[region_id]
        ctx.audit(
            REGISTER_ACTION,
            "region",
            region_id,
            {"voters": before.get(region_id, 0)},
            {"voters": counts[region_id]},
        )
    return report


def _masked(raw: RawRow) -> RawRow:
    """The row with its IIN cell replaced: validation errors must not echo it."""
    data = dict(raw.data)
    if data.get("iin") is not None:
        data["iin"] = "0" * 12
    return RawRow(raw.number, data, raw.line, raw.section, raw.strings)


def _registered_elsewhere(session: Session, entries: dict[str, tuple[int, int]]) -> list[str]:
    digests = list(entries)
    found: list[str] = []
    for start in range(0, len(digests), _BATCH):
        chunk = digests[start : start + _BATCH]
        for digest, region_id in session.execute(
            select(VoterRegisterEntry.digest, VoterRegisterEntry.region_id).where(
                VoterRegisterEntry.digest.in_(chunk)
            )
        ):
            if entries[digest][0] != region_id:
                found.append(digest)
    return found


def register_loaded(session: Session, region_id: int | None = None) -> bool:
    """Whether a voter register is loaded (in the region, if one is given)."""
    condition = exists().select_from(VoterRegisterEntry)
    if region_id is not None:
        condition = condition.where(VoterRegisterEntry.region_id == region_id)
    return bool(session.scalar(select(condition)))


@dataclass(frozen=True)
class Registration:
    """The answer for one IIN: the precinct where the voter is registered."""

    region_id: int
    region_code: str
    number: int
    address: str


def check_registration(session: Session, key: bytes, iin: str) -> Registration | None:
    """The precinct at which ``iin`` is registered, or None ("not found").

    :class:`InvalidInput` (``invalid_iin``) when the text is not a valid IIN; the message does not
    repeat it.
    """
    _require_key(key)
    try:
        parsed = parse_iin(iin.strip())
    except IinError as exc:
        raise InvalidInput(
            "invalid_iin", f"not a valid IIN ({exc.reason.value})", field="iin"
        ) from None
    row = session.execute(
        select(Region.id, Region.code, Precinct.number, Precinct.address)
        .select_from(VoterRegisterEntry)
        .join(Precinct, Precinct.id == VoterRegisterEntry.precinct_id)
        .join(Region, Region.id == Precinct.region_id)
        .where(VoterRegisterEntry.digest == iin_digest(key, parsed.text))
    ).first()
    if row is None:
        return None
    return Registration(row[0], row[1], row[2], row[3])
