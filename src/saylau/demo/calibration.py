"""Figures of the 2023 elections that the demo generator is calibrated on, per region.

All from the monograph's tables as printed (``saylau.reference``): turnout at 10:00, 16:00 and final
(Table 13), candidates nominated and registered per seat by level (Tables 14, 16, 17, 19–21), party-list
lengths and seats won per party (Table 27), women among candidates (Tables 23, 25), observers sent by
parties and by non-governmental organisations (Tables 56 and 58).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache

from saylau.reference.regions import regions
from saylau.reference.structure import monograph_table

PARTIES_2023 = ("amanat", "auyl", "respublica", "khp", "ak_zhol", "baytaq", "zhsdp")
"""Party codes as in the monograph data (README of ``data/monograph``)."""


@dataclass(frozen=True)
class LevelFigures:
    """Nomination and registration at one level of one region (candidates per SMD seat)."""

    seats: int
    nominated: int
    party_nominated: int
    registered: int

    @property
    def nominated_per_seat(self) -> Fraction:
        return Fraction(self.nominated, self.seats)

    @property
    def registered_share(self) -> Fraction:
        return Fraction(self.registered, self.nominated) if self.nominated else Fraction(1)

    @property
    def party_share(self) -> Fraction:
        return Fraction(self.party_nominated, self.nominated) if self.nominated else Fraction(0)


@dataclass(frozen=True)
class RegionCalibration:
    code: str
    turnout_1000: Fraction
    turnout_1600: Fraction
    turnout_final: Fraction
    first_level: LevelFigures
    city: LevelFigures | None
    district: LevelFigures | None
    list_sizes: dict[str, int]
    list_seats_won: dict[str, int]
    women_share: Fraction
    party_observers: int
    """Observers sent by parties in the region (Table 56)."""
    ngo_observers: int
    """Observers sent by non-governmental organisations in the region (Table 58)."""


def _pct(text: str) -> Fraction:
    return Fraction(text) / 100


def _by_name(stem: str) -> dict[str, dict[str, str]]:
    return {row["name_en"]: row for row in monograph_table(stem) if row["kind"] != "total"}


def _level(
    nomination: dict[str, str] | None, registration: dict[str, str] | None
) -> LevelFigures | None:
    if nomination is None or registration is None or not nomination["seats"]:
        return None
    return LevelFigures(
        seats=int(nomination["seats"]),
        nominated=int(nomination["nominated"]),
        party_nominated=int(nomination["party_nominated"] or 0),
        registered=int(registration["registered"]),
    )


@cache
def calibration() -> dict[str, RegionCalibration]:
    """Region code → its 2023 figures."""
    turnout = _by_name("t13")
    t14, t16, t17 = _by_name("t14"), _by_name("t16"), _by_name("t17")
    t19, t20, t21 = _by_name("t19"), _by_name("t20"), _by_name("t21")
    t27 = _by_name("t27")
    women_rows = {row["name_en"]: row for row in monograph_table("t25")}
    party_observers, ngo_observers = _by_name("t56"), _by_name("t58")
    result = {}
    for region in regions():
        name = region.name_en
        lists = t27[name]
        women = women_rows.get(name)
        first = _level(t14[name], t19[name])
        assert first is not None
        share = (
            Fraction(int(women["women_nominated"]), first.nominated)
            if women and women["women_nominated"]
            else Fraction(1, 5)
        )
        result[region.code] = RegionCalibration(
            code=region.code,
            turnout_1000=_pct(turnout[name]["turnout_1000_pct"]),
            turnout_1600=_pct(turnout[name]["turnout_1600_pct"]),
            turnout_final=_pct(turnout[name]["turnout_final_pct"]),
            first_level=first,
            city=_level(t16.get(name), t20.get(name)),
            district=_level(t17.get(name), t21.get(name)),
            list_sizes={
                party: int(lists[f"{party}_list_size"])
                for party in PARTIES_2023
                if lists.get(f"{party}_list_size")
            },
            list_seats_won={
                party: int(lists[f"{party}_seats_won"])
                for party in PARTIES_2023
                if lists.get(f"{party}_seats_won")
            },
            women_share=share,
            party_observers=int(party_observers[name]["party_observers"]),
            ngo_observers=int(ngo_observers[name]["ngo_observers"]),
        )
    return result
