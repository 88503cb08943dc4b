"""The real structure of the 19 March 2023 elections, loaded as the default territory.

From :func:`saylau.reference.structure.structure_2023` (the monograph's Tables 6, 26 and 35–51,
figures as printed, decision #20): the 20 regions with their first-level maslikhats, the 203
second-level maslikhats with their seats, and the Mazhilis (CL art. 9 para 2); plus the seven
parties of 2023 and the commissions above the precincts. Precincts are not loaded: the monograph
gives only their number per region, and inventing them is the demo generator's job (marked
synthetic there).

Four second-level maslikhats were elected in 2023 with more seats than LSA art. 5 para 3 allows
(Aktobe city 32, Ile 27, Karasai 30, Enbekshikazakh 28). Their printed seats are kept, with the
recorded reason that they are the seats the body was elected with (decision #10).
Loading twice changes nothing and writes no audit events the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from saylau.domain.roles import Action
from saylau.law.bodies import check_seat_cap, mazhilis_seats, seat_split
from saylau.law.rules import RULES_2023
from saylau.reference.regions import Region
from saylau.reference.structure import RegionStructure, SecondLevelMaslikhat, structure_2023
from saylau.services.context import NATIONAL, Context
from saylau.services.imports import ImportReport, upsert
from saylau.services.territory import TerritoryImport, ensure_commissions, import_printed_territory
from saylau.storage.models import BodyKind, Party, PartyBranch
from saylau.storage.models import Region as RegionRow

ACTION = "load_reference_2023"


@dataclass(frozen=True)
class PartyName:
    code: str
    name_kk: str
    name_ru: str
    name_en: str


PARTIES_2023: tuple[PartyName, ...] = (
    PartyName("amanat", "AMANAT партиясы", "Партия «AMANAT»", "AMANAT"),
    PartyName(
        "auyl",
        "«Ауыл» халықтық-демократиялық патриоттық партиясы",
        "Народно-демократическая патриотическая партия «Ауыл»",
        "Auyl People's Democratic Patriotic Party",
    ),
    PartyName("respublica", "«Respublica» партиясы", "Партия «Respublica»", "Respublica"),
    PartyName(
        "khp",
        "Қазақстан Халық партиясы",
        "Народная партия Казахстана",
        "People's Party of Kazakhstan (QHP)",
    ),
    PartyName("baytaq", "«Байтақ» жасылдар партиясы", "Партия зелёных «Байтак»", "Baytaq"),
    PartyName(
        "ak_zhol",
        "«Ақ жол» Қазақстанның демократиялық партиясы",
        "Демократическая партия Казахстана «Ак жол»",
        "Ak Zhol Democratic Party of Kazakhstan",
    ),
    PartyName(
        "zhsdp",
        "Жалпыұлттық социал-демократиялық партия (ЖСДП)",
        "Общенациональная социал-демократическая партия (ОСДП)",
        "Nationwide Social Democratic Party (JSDP/OSDP)",
    ),
)
"""The seven parties of 2023 (monograph-brief §1: seven took part, against five in 2021), in the
order of the 2023 Mazhilis ballot lot (law-2023 §11). Codes are the monograph tables' column
names (``khp`` = ҚХП, ``zhsdp`` = ЖСДП)."""

MAZHILIS_NAMES = (
    "Қазақстан Республикасы Парламентінің Мәжілісі",
    "Мажилис Парламента Республики Казахстан",
    "Mazhilis of the Parliament of the Republic of Kazakhstan",
)


def _unit_name_kk(body_name_kk: str) -> str:
    """ "Іле аудандық мәслихаты" → "Іле ауданы"; "Ақтөбе қаласының мәслихаты" → "Ақтөбе қаласы"."""
    for suffix, unit in ((" аудандық мәслихаты", " ауданы"), (" қаласының мәслихаты", " қаласы")):
        if body_name_kk.endswith(suffix):
            return body_name_kk[: -len(suffix)] + unit
    return body_name_kk


def _unit_name_en(body_name_en: str) -> str:
    """ "Ile district maslikhat" → "Ile district"."""
    return body_name_en.removesuffix(" maslikhat")


def _first_level_name_kk(region: Region) -> str:
    """ "Абай облысы" → "Абай облыстық мәслихаты"; "Астана қ." → "Астана қалалық мәслихаты"."""
    if region.name_kk.endswith(" облысы"):
        return region.name_kk.removesuffix(" облысы") + " облыстық мәслихаты"
    if region.name_kk.endswith(" қ."):
        return region.name_kk.removesuffix(" қ.") + " қалалық мәслихаты"
    return f"{region.name_kk} мәслихаты"


def _region_row(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "kind": region.kind.value,
        "name_kk": region.name_kk,
        "name_ru": region.name_ru,
        "name_en": region.name_en,
        "iana_zone": region.iana_zone,
    }


def _seat_reason(body: SecondLevelMaslikhat) -> str | None:
    if check_seat_cap(body.kind, body.seats, RULES_2023).within_cap:
        return None
    return (
        f"elected in 2023 with {body.seats} seats as printed in the monograph ({body.source}); "
        "kept as printed (decisions #10, #20)"
    )


def _batch(structure: tuple[RegionStructure, ...]) -> TerritoryImport:
    regions, units, bodies = [], [], []
    for item in structure:
        region = item.region
        regions.append(_region_row(region))
        bodies.append(
            {
                "kind": region.kind.value,
                "region": region.code,
                "seats": item.first_level_seats,
                "name_kk": _first_level_name_kk(region),
                "name_en": f"{region.name_en} maslikhat",
            }
        )
        for body in item.second_level:
            unit_en = _unit_name_en(body.name_en)
            units.append(
                {
                    "region": region.code,
                    "kind": body.kind.value,
                    "name_kk": _unit_name_kk(body.name_kk),
                    "name_en": unit_en,
                }
            )
            row: dict[str, Any] = {
                "kind": body.kind.value,
                "region": region.code,
                "unit": unit_en,
                "seats": body.seats,
                "name_kk": body.name_kk,
                "name_en": body.name_en,
            }
            reason = _seat_reason(body)
            if reason is not None:
                row["seat_cap_override"] = reason
            bodies.append(row)
    kk, ru, en = MAZHILIS_NAMES
    bodies.append(
        {
            "kind": BodyKind.MAZHILIS.value,
            "seats": mazhilis_seats(RULES_2023).total,
            "name_kk": kk,
            "name_ru": ru,
            "name_en": en,
        }
    )
    return TerritoryImport.of(regions=regions, units=units, bodies=bodies)


def _printed_warnings(structure: tuple[RegionStructure, ...]) -> list[str]:
    """Printed figures that differ from what the law or the per-body tables give (decision #20)."""
    found = []
    for item in structure:
        split = seat_split(item.region.kind, item.first_level_seats, RULES_2023)
        printed = (item.first_level_list_printed, item.first_level_smd_printed)
        if printed != (split.list_seats, split.smd_seats):
            found.append(
                f"{item.region.name_en}: printed split {printed[0]} list + {printed[1]} SMD, the "
                f"law gives {split.list_seats} + {split.smd_seats} ({split.article})"
            )
        total = sum(b.seats for b in item.second_level)
        if item.second_level_seats_printed is not None and item.second_level_seats_printed != total:
            found.append(
                f"{item.region.name_en}: second-level seats printed "
                f"{item.second_level_seats_printed}, the per-maslikhat tables sum to {total}"
            )
    return found


def load_reference_2023(ctx: Context) -> ImportReport:
    """Load the 2023 regions, units, bodies, parties and commissions as printed; idempotent.

    Needs national MANAGE_TERRITORY (the CEC). A branch in the region is a condition of admission
    to local elections (monograph [L224]), but the sources list no party's branches, so every
    party is given a branch in every region: an assumption, stated here and in the report's
    warnings. Commissions come from :func:`ensure_commissions`.
    """
    ctx.authorize(Action.MANAGE_TERRITORY, NATIONAL)
    structure = structure_2023()
    report = import_printed_territory(ctx, _batch(structure), RULES_2023.name)
    report.warnings.extend(_printed_warnings(structure))
    regions = list(ctx.session.execute(select(RegionRow).order_by(RegionRow.id)).scalars())
    report.warnings.append(
        "party branches assumed in every region: the sources list none (monograph [L224])"
    )
    for party in PARTIES_2023:
        stored, _ = upsert(
            ctx,
            Party,
            {"code": party.code},
            {"name_kk": party.name_kk, "name_ru": party.name_ru, "name_en": party.name_en},
            action=ACTION,
            entity="party",
            report=report,
        )
        for region in regions:
            upsert(
                ctx,
                PartyBranch,
                {"party_id": stored.id, "region_id": region.id},
                {},
                action=ACTION,
                entity="party_branch",
                report=report,
            )
    commissions = ensure_commissions(ctx)
    for kind, tally in commissions.tallies.items():
        merged = report.tally(kind)
        merged.created += tally.created
        merged.updated += tally.updated
        merged.unchanged += tally.unchanged
    return report


def expected_counts() -> dict[str, int]:
    """What a complete load holds: 20 regions, 203 units, 20 + 203 maslikhats + the Mazhilis."""
    structure = structure_2023()
    second = sum(len(item.second_level) for item in structure)
    return {
        "regions": len(structure),
        "units": second,
        "bodies": len(structure) + second + 1,
        "parties": len(PARTIES_2023),
    }
