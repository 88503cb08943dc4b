"""The regions of Kazakhstan with their codes and time zones (``data/regions.csv``).

Each region carries the IANA zone that gives its local time on any date (decision #14): in March
2023 Kazakhstan used UTC+6 and UTC+5, and a single UTC+5 since 1 March 2024; the ``tzdata`` package
holds that history, so the election calendar can resolve local times without system tz data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from saylau.law.rules import MaslikhatKind

CAPITAL_CODE = "KZ-71"
"""Astana, the default region of the command line."""


@dataclass(frozen=True)
class Region:
    """One first-level unit: an oblast, a city of republican significance or the capital."""

    code: str
    """ISO 3166-2 code, e.g. ``KZ-71``."""
    kato: str
    """The unit's code in the classifier of administrative-territorial objects (КАТО)."""
    kind: MaslikhatKind
    name_kk: str
    name_ru: str
    name_en: str
    iana_zone: str


@cache
def regions() -> tuple[Region, ...]:
    """Every region, in the order of the data file (by code)."""
    text = resources.files("saylau.reference").joinpath("data/regions.csv").read_text("utf-8")
    return tuple(
        Region(
            code=row["code"],
            kato=row["kato"],
            kind=MaslikhatKind(row["kind"]),
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            iana_zone=row["iana_zone"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


def region(code: str) -> Region:
    """The region with this code (``kz-71`` is accepted for ``KZ-71``)."""
    wanted = code.strip().upper()
    for candidate in regions():
        if candidate.code == wanted:
            return candidate
    known = ", ".join(r.code for r in regions())
    raise LookupError(f"unknown region {code!r}; known: {known}")


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, read from the bundled ``tzdata`` package when it has it.

    The package is a pinned dependency, so a machine whose system database predates Kazakhstan's
    switch to a single UTC+5 zone (1 March 2024) still gets the right offsets; the system database
    is the fallback.
    """
    entry = resources.files("tzdata").joinpath("zoneinfo")
    for part in name.split("/"):
        entry = entry.joinpath(part)
    try:
        with entry.open("rb") as data:
            return ZoneInfo.from_file(data, key=name)
    except (FileNotFoundError, IsADirectoryError, ModuleNotFoundError):
        return ZoneInfo(name)


def region_zone(found: Region) -> ZoneInfo:
    """The time zone that gives the region's local time on any date (decision #14)."""
    return zone(found.iana_zone)
