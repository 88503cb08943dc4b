"""The monograph's published tables as typed immutable records (issue #7 §2, the seed source).

Source figures are stored exactly as printed (counts as ``int``, printed percentages and ratios as
``Decimal``, which keeps the printed precision: ``13.0`` stays one decimal). Every figure the
monograph DERIVED (a total, a ratio, a percentage, an average, a standard deviation) is stored in a
field named ``printed_…`` so that nothing downstream can mistake it for a source figure: the
analytics compute their own (decision #20, ``data/PROVENANCE.md``). Files and columns are described
in ``saylau/reference/data/monograph/README.md``; ``line`` is the source line of each row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from saylau.reference.regions import regions
from saylau.reference.structure import monograph_table

PARTIES = ("amanat", "auyl", "respublica", "khp", "ak_zhol")
"""The five parties whose nominations Tables 15, 18, 22 and Appendix 2 report (seed README)."""
OBSERVER_PARTIES = ("amanat", "auyl", "ak_zhol", "khp", "zhsdp", "baytaq", "respublica")
"""The seven parties of Table 57."""


def _code(name_en: str) -> str | None:
    """The ISO code of a region by its English name; None for totals and the 2016-era regions."""
    for region in regions():
        if region.name_en == name_en:
            return region.code
    return None


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _req_int(text: str) -> int:
    value = _int(text)
    if value is None:
        raise ValueError("a required count is blank")
    return value


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _req_dec(text: str) -> Decimal:
    value = _dec(text)
    if value is None:
        raise ValueError("a required figure is blank")
    return value


@dataclass(frozen=True)
class Unit:
    """Who a row is about: a region, a city, a total, a macro-region, a level or a maslikhat."""

    name_en: str
    name_kk: str
    kind: str
    """As in the seed data: ``region``, ``city``, ``total``, ``macroregion``, ``level`` …"""
    code: str | None
    """ISO 3166-2:KZ code of the region (of the maslikhat's region in Tables 35–51), else None."""
    line: int


def _unit(row: dict[str, str], kind: str | None = None, region_col: str | None = "name_en") -> Unit:
    return Unit(
        name_en=row["name_en"],
        name_kk=row["name_kk"],
        kind=kind or row.get("kind", ""),
        code=_code(row[region_col]) if region_col else None,
        line=int(row.get("src_line") or row["src_lines"].split("-")[0]),
    )


# --- Tables 6, 7, 9, 10, 11, 12, 13: electorate, demography, turnout -----------------------------


@dataclass(frozen=True)
class VotersRow:
    """Table 6: voters on 19.03.2023 and seats per region."""

    unit: Unit
    voters: int
    second_level_seats: int | None
    first_level_seats: int
    first_level_smd: int | None
    first_level_list: int | None


@dataclass(frozen=True)
class ShareRow:
    """A row of printed percentages (Tables 7, 9, 10, 11, 12), keyed by seed column name."""

    unit: Unit
    values: tuple[tuple[str, Decimal | None], ...]

    def get(self, column: str) -> Decimal | None:
        """The printed value of a column (None where the cell is blank)."""
        return dict(self.values).get(column)


@dataclass(frozen=True)
class TurnoutRow:
    """Table 13: registered voters and cumulative turnout at 10:00, 16:00 and final (%)."""

    unit: Unit
    voters: int
    at_1000: Decimal
    at_1600: Decimal
    final: Decimal


# --- Tables 14-26: nomination, registration, women, stations ------------------------------------


@dataclass(frozen=True)
class NominationRow:
    """Tables 14, 16, 17: SMD seats and nominations, with the printed candidates-per-seat ratios."""

    unit: Unit
    seats: int
    nominated: int
    party: int
    nonparty: int
    printed_per_seat: Decimal
    printed_party_per_seat: Decimal
    printed_nonparty_per_seat: Decimal


@dataclass(frozen=True)
class RegistrationRow:
    """Tables 19, 20, 21: nominated and registered, with the printed refusal % and per-seat."""

    unit: Unit
    nominated: int
    registered: int
    printed_refused_pct: Decimal
    printed_per_seat: Decimal


@dataclass(frozen=True)
class PartyNomination:
    """One party's nominated and registered candidates (None where printed "-")."""

    party: str
    nominated: int | None
    registered: int | None


@dataclass(frozen=True)
class PartyNominationRow:
    """Tables 18 and 22 and Appendix 2: party SMD nominations and registrations per territory."""

    unit: Unit
    region_en: str
    parties: tuple[PartyNomination, ...]

    def party(self, name: str) -> PartyNomination:
        """The entry of one party."""
        return next(p for p in self.parties if p.party == name)


@dataclass(frozen=True)
class ListNominationRow:
    """Table 15: list seats and the number of candidates on each party's list."""

    unit: Unit
    seats: int
    list_sizes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class WomenCandidatesRow:
    """Tables 23 and 25: women nominated and registered, with the printed refusal %."""

    unit: Unit
    nominated: int
    registered: int
    printed_refused_pct: Decimal | None
    note_en: str


@dataclass(frozen=True)
class StationsRow:
    """Table 26: polling stations and those with the registration-check service."""

    unit: Unit
    stations: int
    with_check: int


# --- Tables 27-32: results ----------------------------------------------------------------------


@dataclass(frozen=True)
class ListResult:
    """Table 27: one party's list length (None for Baytaq, not reported) and list seats won."""

    party: str
    list_size: int | None
    seats_won: int


@dataclass(frozen=True)
class ListResultRow:
    """Table 27: first-level list seats and each party's result."""

    unit: Unit
    seats: int
    results: tuple[ListResult, ...]


@dataclass(frozen=True)
class SmdResultRow:
    """Tables 28 and 29: SMD winners by nomination, women and mean age."""

    unit: Unit
    maslikhats: int | None
    seats: int
    party: int
    nonparty: int
    women: int | None
    """Blank for Karaganda in Table 28 (the printed total implies 0)."""
    printed_avg_age: Decimal


@dataclass(frozen=True)
class MacroResultRow:
    """Table 30: second-level results by macro-region (all derived figures)."""

    unit: Unit
    printed_maslikhats: int
    printed_seats: int
    printed_party_pct: Decimal
    printed_nonparty_pct: Decimal
    printed_women_pct: Decimal
    printed_avg_age: Decimal


@dataclass(frozen=True)
class LevelResultRow:
    """Table 31: second-level results, city vs district maslikhats."""

    unit: Unit
    seats: int
    party: int
    printed_party_pct: Decimal
    nonparty: int
    printed_nonparty_pct: Decimal
    women: int
    printed_women_pct: Decimal


@dataclass(frozen=True)
class PartyRegionResult:
    """Table 32: one party's second-level seats, share of the region's seats, women, mean age."""

    unit: Unit
    party_en: str
    seats_won: int
    printed_share_pct: Decimal
    women: int
    avg_age: Decimal | None


# --- Tables 33-51: competitiveness --------------------------------------------------------------


@dataclass(frozen=True)
class DistrictShares:
    """Table 34: one Almaty city district's winner and runner-up vote shares (%) and printed KB."""

    unit: Unit
    number: int
    winner_pct: Decimal
    runner_up_pct: Decimal
    printed_kb: Decimal


@dataclass(frozen=True)
class MaslikhatKb:
    """Tables 33 and 35-51: a body's number of districts and its printed mean KB (one decimal)."""

    unit: Unit
    region_en: str
    districts: int
    printed_kb: Decimal


@dataclass(frozen=True)
class RegionKbTable:
    """One of Tables 35-51: a region's second-level maslikhats and the printed region average."""

    table: str
    region_en: str
    maslikhats: tuple[MaslikhatKb, ...]
    printed_average: Decimal
    average_line: int


# --- Tables 52-60: observers ----------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """A territory (or category, or organisation) with one printed count."""

    unit: Unit
    count: int | None


@dataclass(frozen=True)
class PartyObserversRow:
    """Table 57: observers per party in one region."""

    unit: Unit
    counts: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class NgoRegionCell:
    """Table 60: one NGO's observers in one of its top regions."""

    ngo_en: str
    rank: int
    unit: Unit
    observers: int


@dataclass(frozen=True)
class Seed:
    """Every table the analytics use, as records."""

    t06: tuple[VotersRow, ...]
    t07: tuple[ShareRow, ...]
    t08: tuple[ShareRow, ...]
    t09: tuple[ShareRow, ...]
    t10: tuple[ShareRow, ...]
    t11: tuple[ShareRow, ...]
    t12: tuple[ShareRow, ...]
    t13: tuple[TurnoutRow, ...]
    t14: tuple[NominationRow, ...]
    t15: tuple[ListNominationRow, ...]
    t16: tuple[NominationRow, ...]
    t17: tuple[NominationRow, ...]
    t18: tuple[PartyNominationRow, ...]
    t19: tuple[RegistrationRow, ...]
    t20: tuple[RegistrationRow, ...]
    t21: tuple[RegistrationRow, ...]
    t22: tuple[PartyNominationRow, ...]
    t23: tuple[WomenCandidatesRow, ...]
    t25: tuple[WomenCandidatesRow, ...]
    t26: tuple[StationsRow, ...]
    t27: tuple[ListResultRow, ...]
    t28: tuple[SmdResultRow, ...]
    t29: tuple[SmdResultRow, ...]
    t30: tuple[MacroResultRow, ...]
    t31: tuple[LevelResultRow, ...]
    t32: tuple[PartyRegionResult, ...]
    t33: tuple[MaslikhatKb, ...]
    t34: tuple[DistrictShares, ...]
    t34_printed_average: Decimal
    t35_51: tuple[RegionKbTable, ...]
    t52: tuple[CountRow, ...]
    t53: tuple[CountRow, ...]
    t56: tuple[CountRow, ...]
    t57: tuple[PartyObserversRow, ...]
    t58: tuple[CountRow, ...]
    t59: tuple[CountRow, ...]
    t60: tuple[NgoRegionCell, ...]
    app2: tuple[PartyNominationRow, ...]


def _shares(stem: str, columns: tuple[str, ...]) -> tuple[ShareRow, ...]:
    return tuple(
        ShareRow(unit=_unit(r), values=tuple((c, _dec(r[c])) for c in columns))
        for r in monograph_table(stem)
    )


def _nomination(stem: str) -> tuple[NominationRow, ...]:
    return tuple(
        NominationRow(
            unit=_unit(r),
            seats=_req_int(r["seats"]),
            nominated=_req_int(r["nominated"]),
            party=_req_int(r["party_nominated"]),
            nonparty=_req_int(r["nonparty_nominated"]),
            printed_per_seat=_req_dec(r["candidates_per_seat"]),
            printed_party_per_seat=_req_dec(r["party_candidates_per_seat"]),
            printed_nonparty_per_seat=_req_dec(r["nonparty_candidates_per_seat"]),
        )
        for r in monograph_table(stem)
    )


def _registration(stem: str) -> tuple[RegistrationRow, ...]:
    return tuple(
        RegistrationRow(
            unit=_unit(r),
            nominated=_req_int(r["nominated"]),
            registered=_req_int(r["registered"]),
            printed_refused_pct=_req_dec(r["refused_pct"]),
            printed_per_seat=_req_dec(r["candidates_per_seat"]),
        )
        for r in monograph_table(stem)
    )


def _party_nomination(stem: str) -> tuple[PartyNominationRow, ...]:
    rows = []
    for r in monograph_table(stem):
        region_col = "region_en" if "region_en" in r else "name_en"
        rows.append(
            PartyNominationRow(
                unit=_unit(r, region_col=region_col),
                region_en=r[region_col],
                parties=tuple(
                    PartyNomination(p, _int(r[f"{p}_nominated"]), _int(r[f"{p}_registered"]))
                    for p in PARTIES
                ),
            )
        )
    return tuple(rows)


def _women(stem: str) -> tuple[WomenCandidatesRow, ...]:
    return tuple(
        WomenCandidatesRow(
            unit=_unit(r),
            nominated=_req_int(r["women_nominated"]),
            registered=_req_int(r["women_registered"]),
            printed_refused_pct=_dec(r["women_refused_pct"]),
            note_en=r.get("note_en", ""),
        )
        for r in monograph_table(stem)
    )


def _smd_results(stem: str) -> tuple[SmdResultRow, ...]:
    return tuple(
        SmdResultRow(
            unit=_unit(r),
            maslikhats=_int(r.get("maslikhats_count", "")),
            seats=_req_int(r["smd_seats"]),
            party=_req_int(r["winners_party"]),
            nonparty=_req_int(r["winners_nonparty"]),
            women=_int(r["women_deputies"]),
            printed_avg_age=_req_dec(r["avg_age"]),
        )
        for r in monograph_table(stem)
    )


def _counts(stem: str, column: str, name: str = "name") -> tuple[CountRow, ...]:
    rows = []
    for r in monograph_table(stem):
        unit = Unit(
            name_en=r[f"{name}_en"],
            name_kk=r[f"{name}_kk"],
            kind=r.get("kind", ""),
            code=_code(r[f"{name}_en"]),
            line=int(r["src_line"]),
        )
        rows.append(CountRow(unit=unit, count=_int(r[column])))
    return tuple(rows)


def _region_kb_tables() -> tuple[RegionKbTable, ...]:
    tables = []
    for number in range(35, 52):
        stem = f"t{number}"
        rows = monograph_table(stem)
        (average,) = (r for r in rows if r["kind"] == "average")
        tables.append(
            RegionKbTable(
                table=f"T{number}",
                region_en=average["region_en"],
                maslikhats=tuple(
                    MaslikhatKb(
                        unit=_unit(r, region_col="region_en"),
                        region_en=r["region_en"],
                        districts=_req_int(r["districts_count"]),
                        printed_kb=_req_dec(r["avg_competitiveness"]),
                    )
                    for r in rows
                    if r["kind"] != "average"
                ),
                printed_average=_req_dec(average["avg_competitiveness"]),
                average_line=int(average["src_line"]),
            )
        )
    return tuple(tables)


@cache
def load_seed() -> Seed:
    """Read the monograph tables shipped in ``saylau.reference`` into records (read once)."""
    t34_rows = monograph_table("t34")
    (t34_average,) = (r for r in t34_rows if r["kind"] == "average")
    return Seed(
        t06=tuple(
            VotersRow(
                unit=_unit(r),
                voters=_req_int(r["voters_2023_03_19"]),
                second_level_seats=_int(r["district_city_maslikhat_mandates"]),
                first_level_seats=_req_int(r["oblast_city_maslikhat_mandates"]),
                first_level_smd=_int(r["oblast_city_mandates_smd"]),
                first_level_list=_int(r["oblast_city_mandates_party_list"]),
            )
            for r in monograph_table("t06")
        ),
        t07=_shares("t07", ("age_18_29_pct", "age_30_45_pct", "age_46_60_pct", "age_61_plus_pct")),
        t08=_shares("t08", ("age_18_29_pct", "age_30_45_pct", "age_46_60_pct", "age_61_plus_pct")),
        t09=_shares(
            "t09",
            (
                "voting_age_female_pct",
                "voting_age_male_pct",
                "total_pop_female_pct",
                "total_pop_male_pct",
            ),
        ),
        t10=_shares(
            "t10",
            (
                "voting_age_urban_pct",
                "voting_age_rural_pct",
                "villages_count",
                "pop_density_per_km2",
                "avg_village_population",
            ),
        ),
        t11=_shares("t11", ("turnout_pct",)),
        t12=_shares(
            "t12",
            (
                "amanat_nur_otan_pct",
                "auyl_pct",
                "ak_zhol_pct",
                "adal_pct",
                "khp_pct",
                "turnout_pct",
            ),
        ),
        t13=tuple(
            TurnoutRow(
                unit=_unit(r),
                voters=_req_int(r["voters_2023_03_19"]),
                at_1000=_req_dec(r["turnout_1000_pct"]),
                at_1600=_req_dec(r["turnout_1600_pct"]),
                final=_req_dec(r["turnout_final_pct"]),
            )
            for r in monograph_table("t13")
        ),
        t14=_nomination("t14"),
        t15=tuple(
            ListNominationRow(
                unit=_unit(r),
                seats=_req_int(r["seats"]),
                list_sizes=tuple((p, _req_int(r[p])) for p in PARTIES),
            )
            for r in monograph_table("t15")
        ),
        t16=_nomination("t16"),
        t17=_nomination("t17"),
        t18=_party_nomination("t18"),
        t19=_registration("t19"),
        t20=_registration("t20"),
        t21=_registration("t21"),
        t22=_party_nomination("t22"),
        t23=_women("t23"),
        t25=_women("t25"),
        t26=tuple(
            StationsRow(
                unit=_unit(r),
                stations=_req_int(r["polling_stations"]),
                with_check=_req_int(r["stations_with_registration_check"]),
            )
            for r in monograph_table("t26")
        ),
        t27=tuple(
            ListResultRow(
                unit=_unit(r),
                seats=_req_int(r["seats"]),
                results=tuple(
                    ListResult(p, _int(r.get(f"{p}_list_size", "")), _req_int(r[f"{p}_seats_won"]))
                    for p in (*PARTIES, "baytaq")
                ),
            )
            for r in monograph_table("t27")
        ),
        t28=_smd_results("t28"),
        t29=_smd_results("t29"),
        t30=tuple(
            MacroResultRow(
                unit=_unit(r),
                printed_maslikhats=_req_int(r["maslikhats_count"]),
                printed_seats=_req_int(r["smd_seats"]),
                printed_party_pct=_req_dec(r["winners_party_pct"]),
                printed_nonparty_pct=_req_dec(r["winners_nonparty_pct"]),
                printed_women_pct=_req_dec(r["women_pct"]),
                printed_avg_age=_req_dec(r["avg_age"]),
            )
            for r in monograph_table("t30")
        ),
        t31=tuple(
            LevelResultRow(
                unit=_unit(r),
                seats=_req_int(r["seats"]),
                party=_req_int(r["winners_party"]),
                printed_party_pct=_req_dec(r["winners_party_pct"]),
                nonparty=_req_int(r["winners_nonparty"]),
                printed_nonparty_pct=_req_dec(r["winners_nonparty_pct"]),
                women=_req_int(r["women"]),
                printed_women_pct=_req_dec(r["women_pct"]),
            )
            for r in monograph_table("t31")
        ),
        t32=tuple(
            PartyRegionResult(
                unit=_unit(r, kind="region"),
                party_en=r["party_en"],
                seats_won=_req_int(r["seats_won"]),
                printed_share_pct=_req_dec(r["share_pct"]),
                women=_req_int(r["women"]),
                avg_age=_dec(r["avg_age"]),
            )
            for r in monograph_table("t32")
        ),
        t33=tuple(
            MaslikhatKb(
                unit=_unit(r),
                region_en=r["name_en"],
                districts=_req_int(r["districts_count"]),
                printed_kb=_req_dec(r["avg_competitiveness"]),
            )
            for r in monograph_table("t33")
        ),
        t34=tuple(
            DistrictShares(
                unit=_unit(r, region_col=None),
                number=_req_int(r["district_no"]),
                winner_pct=_req_dec(r["winner_vote_share_pct"]),
                runner_up_pct=_req_dec(r["runner_up_vote_share_pct"]),
                printed_kb=_req_dec(r["competitiveness"]),
            )
            for r in t34_rows
            if r["kind"] == "district"
        ),
        t34_printed_average=_req_dec(t34_average["competitiveness"]),
        t35_51=_region_kb_tables(),
        t52=_counts("t52", "observers", name="category"),
        t53=_counts("t53", "observers"),
        t56=_counts("t56", "party_observers"),
        t57=tuple(
            PartyObserversRow(
                unit=_unit(r), counts=tuple((p, _req_int(r[p])) for p in OBSERVER_PARTIES)
            )
            for r in monograph_table("t57")
        ),
        t58=_counts("t58", "ngo_observers"),
        t59=_counts("t59", "observers_nationwide", name="ngo"),
        t60=tuple(
            NgoRegionCell(
                ngo_en=r["ngo_en"],
                rank=_req_int(r["rank"]),
                unit=_unit(r),
                observers=_req_int(r["observers"]),
            )
            for r in monograph_table("t60")
        ),
        app2=_party_nomination("app2"),
    )
