"""The inputs of the analytical report: one election's figures, from either source (issue #7 §2).

An election stored in Saylau (:mod:`saylau.analytics.stored`) and the monograph's published tables
(:func:`from_seed`) are read into the same immutable records, so one report model
(:mod:`saylau.analytics.report`) and one indicator library (:mod:`saylau.analytics.indicators`)
serve both. Counts are ``int``; turnout figures are exact shares of 1 (``Fraction``): a stored
election's are counted voters over registered voters, the seed's are its printed percentages / 100.
``None`` marks a figure the source does not have (the monograph prints no refusal reasons in a
table; a stored election may have no 10:00 turnout reports).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Protocol, TypeVar

from saylau.analytics.seed import Seed, Unit, load_seed
from saylau.reference.regions import regions
from saylau.services.reference_load import PARTIES_2023


class Source(StrEnum):
    """Where the figures come from."""

    SEED = "seed"
    """The 2023 monograph's published tables (aggregates only)."""
    STORED = "stored"
    """An election stored in Saylau (protocols, reports, candidacies, mandates, observers)."""


class Level(StrEnum):
    """The maslikhat level of single-member seats (monograph §2: Tables 14/16-17, 28/29)."""

    FIRST = "first"
    SECOND = "second"


@dataclass(frozen=True)
class Names:
    """A name in the three languages of the report."""

    kk: str
    ru: str
    en: str

    def get(self, language: str) -> str:
        """The name in ``language`` (kk, ru or en), falling back to Kazakh when blank."""
        value = {"kk": self.kk, "ru": self.ru, "en": self.en}.get(language, self.kk)
        return value or self.kk


@dataclass(frozen=True)
class LevelFigures:
    """Single-member seats of one maslikhat level in one region: competition and winners.

    ``registered_party`` is None where the source gives only the total (the monograph's Tables
    19-21); ``mean_age`` is the winners' mean age in years (printed, whole years, for the seed).
    """

    seats: int
    nominated: int | None = None
    nominated_party: int | None = None
    nominated_nonparty: int | None = None
    registered: int | None = None
    women_nominated: int | None = None
    women_registered: int | None = None
    winners_party: int | None = None
    winners_nonparty: int | None = None
    women_elected: int | None = None
    mean_age: Fraction | None = None


@dataclass(frozen=True)
class RegionFigures:
    """One first-level region (oblast, city of republican significance, the capital)."""

    code: str
    names: Names
    voters: int
    turnout_1000: Fraction | None
    turnout_1600: Fraction | None
    turnout_final: Fraction | None
    first: LevelFigures | None
    second: LevelFigures | None
    list_seats: int | None
    list_seats_won: tuple[tuple[str, int], ...]
    """Party code → first-level list seats won (CL art. 111-1)."""
    stations: int | None
    observers: int | None
    """Party and NGO observers working in the region (monograph Tables 56, 58)."""


@dataclass(frozen=True)
class MaslikhatCompetitiveness:
    """One maslikhat's mean competitiveness index over its districts (decision #18)."""

    names: Names
    region: str
    level: Level
    districts: int
    index: Fraction


@dataclass(frozen=True)
class PartySeats:
    """A party's seats: first-level list seats and single-member seats (None where unknown)."""

    party: str
    list_seats: int
    smd_seats: int | None


@dataclass(frozen=True)
class ElectionFigures:
    """Everything the chapter-2 report shows, for one election."""

    source: Source
    name: Names
    polling_day: date | None
    synthetic: bool
    regions: tuple[RegionFigures, ...]
    parties: tuple[tuple[str, Names], ...]
    """Party code → names, in ballot order."""
    refusals: tuple[tuple[str, int], ...] | None
    """Refusal or drop-out reason (``saylau.law.nomination.RefusalReason`` value) → candidacies;
    None when the source has no breakdown."""
    maslikhats: tuple[MaslikhatCompetitiveness, ...]
    observer_categories: tuple[tuple[str, int], ...]
    """Observer category key (party, proxy, ngo, international, media …) → observers."""
    seats_by_party: tuple[PartySeats, ...]

    def party_name(self, code: str, language: str) -> str:
        """A party's name in ``language`` (its code if unknown)."""
        for key, names in self.parties:
            if key == code:
                return names.get(language)
        return code


# --- the seed source -------------------------------------------------------------------------------


def _pct(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value) / 100


def _add(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


class _HasUnit(Protocol):
    @property
    def unit(self) -> Unit: ...


R = TypeVar("R", bound=_HasUnit)


def _index(rows: Iterable[R]) -> dict[str, R]:
    """Rows of regions and cities by region code (totals and unknown names left out)."""
    return {r.unit.code: r for r in rows if r.unit.code is not None and r.unit.kind != "total"}


SEED_PARTY_CODES = {
    "AMANAT": "amanat",
    "Auyl": "auyl",
    "Respublica": "respublica",
    "Ak Zhol": "ak_zhol",
    "People's Party of Kazakhstan (KHP/NPK)": "khp",
}
"""Table 32's party names → party codes."""

SEED_OBSERVER_CATEGORIES = (
    ("From political parties", "party"),
    ("Candidates' proxies (authorised representatives)", "proxy"),
    ("From public associations and non-profit organisations accredited by the CEC", "ngo"),
    ("Foreign observers,", "international"),
    ("observers of international organisations", "media"),
)
"""Table 52's categories → keys. The monograph's page break splits "foreign observers, observers of
international organisations" (840) and leaves 153 beside a blank "mass media" row; the seed README
reads 153 as the journalists (text, line 2466), so it is counted as media here."""


def from_seed(seed: Seed | None = None) -> ElectionFigures:
    """The 2023 election as the monograph's tables give it (source figures only, no printed totals).

    Per region: voters (Table 6), turnout at 10:00, 16:00 and final (13), first-level SMD
    nomination (14), registration (19), women (25) and winners (28); second-level nomination (16 +
    17), registration (20 + 21), women (23) and winners (29); list seats won (27); polling stations
    (26); party and NGO observers (56 + 58). Maslikhats' competitiveness: Tables 33 and 35-51
    (their printed means, the finest figures published). Seats by party: Tables 27 and 32.
    """
    data = seed or load_seed()
    t06, t13 = _index(data.t06), _index(data.t13)
    t14, t16, t17 = _index(data.t14), _index(data.t16), _index(data.t17)
    t19, t20, t21 = _index(data.t19), _index(data.t20), _index(data.t21)
    t23, t25 = _index(data.t23), _index(data.t25)
    t26, t27, t28, t29 = _index(data.t26), _index(data.t27), _index(data.t28), _index(data.t29)
    t56, t58 = _index(data.t56), _index(data.t58)
    rows: list[RegionFigures] = []
    for region in regions():
        code = region.code
        voters_row = t06.get(code)
        turnout_row = t13.get(code)
        if voters_row is None or turnout_row is None:
            continue
        n14, r19, w25, s28 = t14.get(code), t19.get(code), t25.get(code), t28.get(code)
        first = None
        if n14 is not None:
            first = LevelFigures(
                seats=n14.seats,
                nominated=n14.nominated,
                nominated_party=n14.party,
                nominated_nonparty=n14.nonparty,
                registered=r19.registered if r19 else None,
                women_nominated=w25.nominated if w25 else None,
                women_registered=w25.registered if w25 else None,
                winners_party=s28.party if s28 else None,
                winners_nonparty=s28.nonparty if s28 else None,
                women_elected=s28.women if s28 else None,
                mean_age=Fraction(s28.printed_avg_age) if s28 else None,
            )
        n16, n17, r20, r21 = t16.get(code), t17.get(code), t20.get(code), t21.get(code)
        second = None
        if n16 is not None and n17 is not None:
            s29, w23 = t29.get(code), t23.get(code)
            second = LevelFigures(
                seats=n16.seats + n17.seats,
                nominated=n16.nominated + n17.nominated,
                nominated_party=n16.party + n17.party,
                nominated_nonparty=n16.nonparty + n17.nonparty,
                registered=_add(r20.registered if r20 else None, r21.registered if r21 else None),
                women_nominated=w23.nominated if w23 else None,
                women_registered=w23.registered if w23 else None,
                winners_party=s29.party if s29 else None,
                winners_nonparty=s29.nonparty if s29 else None,
                women_elected=s29.women if s29 else None,
                mean_age=Fraction(s29.printed_avg_age) if s29 else None,
            )
        list_row, stations = t27.get(code), t26.get(code)
        rows.append(
            RegionFigures(
                code=code,
                names=Names(region.name_kk, region.name_ru, region.name_en),
                voters=voters_row.voters,
                turnout_1000=_pct(turnout_row.at_1000),
                turnout_1600=_pct(turnout_row.at_1600),
                turnout_final=_pct(turnout_row.final),
                first=first,
                second=second,
                list_seats=list_row.seats if list_row else None,
                list_seats_won=tuple(
                    (r.party, r.seats_won)
                    for r in (list_row.results if list_row else ())
                    if r.seats_won
                ),
                stations=stations.stations if stations else None,
                observers=_add(
                    t56[code].count if code in t56 else None,
                    t58[code].count if code in t58 else None,
                ),
            )
        )
    names = {r.name_en: r for r in regions()}
    maslikhats: list[MaslikhatCompetitiveness] = []
    for kb in data.t33:
        if kb.unit.code is None:
            continue
        region = next(r for r in regions() if r.code == kb.unit.code)
        maslikhats.append(
            MaslikhatCompetitiveness(
                names=Names(region.name_kk, region.name_ru, region.name_en),
                region=kb.unit.code,
                level=Level.FIRST,
                districts=kb.districts,
                index=Fraction(kb.printed_kb),
            )
        )
    for table in data.t35_51:
        region_code = names[table.region_en].code
        for m in table.maslikhats:
            maslikhats.append(
                MaslikhatCompetitiveness(
                    names=Names(m.unit.name_kk, "", m.unit.name_en),
                    region=region_code,
                    level=Level.SECOND,
                    districts=m.districts,
                    index=Fraction(m.printed_kb),
                )
            )
    (list_total,) = [r for r in data.t27 if r.unit.kind == "total"]
    smd_by_party: dict[str, int] = {}
    for p in data.t32:
        party = SEED_PARTY_CODES[p.party_en]
        smd_by_party[party] = smd_by_party.get(party, 0) + p.seats_won
    seats = tuple(
        PartySeats(r.party, r.seats_won, smd_by_party.get(r.party))
        for r in list_total.results
        if r.seats_won or r.party in smd_by_party
    )
    categories = {r.unit.name_en: r.count for r in data.t52}
    return ElectionFigures(
        source=Source.SEED,
        name=Names(
            "Мәслихат депутаттарын сайлау – 2023",
            "Выборы депутатов маслихатов – 2023",
            "Maslikhat elections 2023",
        ),
        polling_day=date(2023, 3, 19),
        synthetic=False,
        regions=tuple(rows),
        parties=tuple((p.code, Names(p.name_kk, p.name_ru, p.name_en)) for p in PARTIES_2023),
        refusals=None,
        maslikhats=tuple(maslikhats),
        observer_categories=tuple(
            (key, categories.get(name) or 0) for name, key in SEED_OBSERVER_CATEGORIES
        ),
        seats_by_party=seats,
    )
