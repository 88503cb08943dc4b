"""Regenerate every derived figure the monograph's tables print and compare it with the print.

The monograph (*Мәслихат депутаттарын сайлау-2023*, KazISS 2024) prints totals, ratios,
percentages, averages and standard deviations next to its source figures. From the source figures
alone (``seed.load_seed()``) we recompute each with the indicators of ``saylau.analytics.indicators``
and round it half-up to the precision printed. Each :class:`Comparison` says ``equal`` or
``different``; a difference is acceptable only where the seed-data README
(``saylau/reference/data/monograph/README.md``) documents the monograph's inconsistency, and the
comparison then names it (:data:`INCONSISTENCIES`). A difference without one is a bug to find.

Derived figures that the seed tables cannot regenerate (they need data the monograph does not
publish) are listed in :data:`NOT_DERIVABLE` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from saylau.analytics import indicators as ind
from saylau.analytics.macroregions import MACRO_REGIONS, MacroRegion
from saylau.analytics.seed import (
    NominationRow,
    PartyNominationRow,
    RegistrationRow,
    Seed,
    ShareRow,
    SmdResultRow,
    Unit,
    load_seed,
)


class Verdict(StrEnum):
    """Whether our regenerated figure, rounded as printed, equals the printed one."""

    EQUAL = "equal"
    DIFFERENT = "different"


@dataclass(frozen=True)
class Inconsistency:
    """An internal inconsistency of the monograph, as the seed-data README documents it."""

    id: str
    readme: str
    """Where the README documents it (file row, "Mismatches found" item, cross-table check)."""
    summary: str


@dataclass(frozen=True)
class Comparison:
    """One printed derived figure next to ours."""

    table: str
    row: str
    column: str
    printed: str
    ours: str
    """Our exact value rounded half-up to the printed precision."""
    exact: str
    """Our exact value: ``n/d`` for a fraction, all digits for a square root."""
    verdict: Verdict
    inconsistency: str | None
    """The :data:`INCONSISTENCIES` id explaining a difference; None when equal or unexplained."""
    reason: str | None
    line: int
    """Source line of the printed figure in the monograph's text."""

    @property
    def explained(self) -> bool:
        """Equal, or different for a documented reason."""
        return self.verdict is Verdict.EQUAL or self.inconsistency is not None


_README = "seed-data README"

INCONSISTENCIES: dict[str, Inconsistency] = {
    i.id: i
    for i in (
        Inconsistency(
            "T6-second-level-total",
            f"{_README}: t06 anomalies; Mismatches found #1",
            "Table 6 prints 2,747 second-level seats, but its rows sum to 2,746 (as Tables 29, 31).",
        ),
        Inconsistency(
            "T9-sd",
            f"{_README}: t09 anomalies and check log",
            "Table 9's standard deviations (1.27; 0.98) reproduce under no choice of mean "
            "(population SD around the regional mean gives 1.29 and 1.01).",
        ),
        Inconsistency(
            "T14-party-total",
            f"{_README}: t14 anomalies; Mismatches found #2",
            "Table 14 prints 717 party nominees, but its rows sum to 631 (the text says 631).",
        ),
        Inconsistency(
            "T14-ratio-rounding",
            f"{_README}: t14 anomalies (ratio rounding)",
            "Table 14 prints Almaty Region's non-party candidates per seat as 1.8 (33/19 = 1.74).",
        ),
        Inconsistency(
            "T16-ratio-rounding",
            f"{_README}: t16 anomalies (minor per-seat rounding deviations)",
            "Table 16 per-seat ratios off by 0.1: Abai party 1.5 (1.56), East Kazakhstan party 1.4 "
            "(1.46), West Kazakhstan non-party 2.4 (2.46).",
        ),
        Inconsistency(
            "T17-ratio-rounding",
            f"{_README}: t17 anomalies (per-seat ratios deviate by 0.1)",
            "Table 17 per-seat ratios off by 0.1: Aktobe party 1.2, West Kazakhstan party 1.3, "
            "Zhambyl party 1.4, Pavlodar non-party 1.2, Turkistan non-party 3.2.",
        ),
        Inconsistency(
            "EKO-second-level-seats",
            f"{_README}: t16/t17/t46 anomalies; cross-table T16/T17 vs T35-T51",
            "East Kazakhstan: Tables 16/17 print 50 city and 142 district seats; Table 46 gives "
            "36 and 106 (142 in all, = Table 29).",
        ),
        Inconsistency(
            "T22-auyl-mangystau",
            f"{_README}: t22 anomalies (1); Mismatches found #3; T22 vs Appendix 2",
            "Table 22 prints Mangystau Auyl 19/19 where Appendix 2 has 10/10; its printed totals "
            "308/307 fit 10/10.",
        ),
        Inconsistency(
            "T22-khp-total",
            f"{_README}: t22 anomalies (2); Mismatches found #4",
            "Table 22 prints 217 KHP nominees (also in the text), but its rows sum to 245 "
            "(Appendix 2 confirms the rows).",
        ),
        Inconsistency(
            "T27-pavlodar",
            f"{_README}: t27 anomalies; Mismatches found #5",
            "Pavlodar's list seats won add up to 14 of its 16 list seats (national 332 of 334).",
        ),
        Inconsistency(
            "T30-pavlodar-east",
            f"{_README}: t30 anomalies; cross-table T29 vs T30",
            "Table 30's North and East reproduce only with Pavlodar counted in the East; its "
            "footnote (and our grouping) puts Pavlodar in the North.",
        ),
        Inconsistency(
            "T31-women",
            f"{_README}: t31 anomalies; Mismatches found #8; cross-table T29 vs T31",
            "Table 31's women (165 + 471 = 636) differ from Table 29's 642.",
        ),
        Inconsistency(
            "T37-akmola-average",
            f"{_README}: t37 anomalies; Mismatches found #6",
            "Table 37 prints Akmola's average KB as 0.2; its rows give 0.29 (the text says 0.3).",
        ),
        Inconsistency(
            "T47-atyrau-average",
            f"{_README}: t47 anomalies (rounding borderline)",
            "Table 47 prints Atyrau's average KB as 0.3; the mean of its rows is 0.35 "
            "(district-weighted 0.38).",
        ),
        Inconsistency(
            "T53-almaty",
            f"{_README}: t53 anomalies; cross-table T53 vs T56+T58",
            "Table 53 gives Almaty city 1,459 observers in all, less than its 1,600 party "
            "observers (Table 56); 1,459 is its NGO count (Table 58).",
        ),
        Inconsistency(
            "T13-1000-rounding",
            f"{_README}: Differences found by regenerating the derived figures (T13)",
            "National turnout at 10:00 printed 14.21; the voter-weighted mean of the printed "
            "regional values is 14.2155…, within the ±0.005 their own rounding leaves open.",
        ),
        Inconsistency(
            "T16-almaty-region-ratio",
            f"{_README}: Differences found by regenerating the derived figures (T16)",
            "Almaty Region party candidates per seat printed 1.7; 21/12 = 1.75 exactly (half-up 1.8), "
            "while the same row rounds 27/12 = 2.25 up to 2.3.",
        ),
        Inconsistency(
            "T30-south-age",
            f"{_README}: Differences found by regenerating the derived figures (T30)",
            "South mean age printed 47; the seat-weighted mean of Table 29's regional ages is 46.3 "
            "(the plain mean, 46.6, gives 47).",
        ),
        Inconsistency(
            "T57-row-sums",
            f"{_README}: t57 anomalies; Mismatches found #7",
            "Table 57's party rows for Abai, East Kazakhstan and Turkistan do not add up to "
            "Table 56's party observers.",
        ),
    )
}

DOCUMENTED: dict[tuple[str, str, str], str] = {
    ("T6", "Total", "district_city_maslikhat_mandates"): "T6-second-level-total",
    ("T9", "Standard deviation across regions", "voting_age_female_pct"): "T9-sd",
    ("T9", "Standard deviation across regions", "total_pop_female_pct"): "T9-sd",
    ("T14", "Kazakhstan total", "party_nominated"): "T14-party-total",
    ("T14", "Almaty Region", "nonparty_candidates_per_seat"): "T14-ratio-rounding",
    ("T16", "Abai Region", "party_candidates_per_seat"): "T16-ratio-rounding",
    ("T16", "East Kazakhstan Region", "party_candidates_per_seat"): "T16-ratio-rounding",
    ("T16", "West Kazakhstan Region", "nonparty_candidates_per_seat"): "T16-ratio-rounding",
    ("T17", "Aktobe Region", "party_candidates_per_seat"): "T17-ratio-rounding",
    ("T17", "West Kazakhstan Region", "party_candidates_per_seat"): "T17-ratio-rounding",
    ("T17", "Jambyl Region", "party_candidates_per_seat"): "T17-ratio-rounding",
    ("T17", "Pavlodar Region", "nonparty_candidates_per_seat"): "T17-ratio-rounding",
    ("T17", "Turkistan Region", "nonparty_candidates_per_seat"): "T17-ratio-rounding",
    ("T16", "East Kazakhstan Region", "seats vs T46 city maslikhats"): "EKO-second-level-seats",
    ("T17", "East Kazakhstan Region", "seats vs T46 district maslikhats"): (
        "EKO-second-level-seats"
    ),
    ("T22", "Kazakhstan total", "auyl_nominated"): "T22-auyl-mangystau",
    ("T22", "Kazakhstan total", "auyl_registered"): "T22-auyl-mangystau",
    ("T22", "Kazakhstan total", "khp_nominated"): "T22-khp-total",
    ("App. 2", "Mangystau Region", "auyl_nominated vs T22"): "T22-auyl-mangystau",
    ("App. 2", "Mangystau Region", "auyl_registered vs T22"): "T22-auyl-mangystau",
    ("T13", "Republic of Kazakhstan (total)", "turnout_1000_pct"): "T13-1000-rounding",
    ("T16", "Almaty Region", "party_candidates_per_seat"): "T16-almaty-region-ratio",
    ("T30", "South", "avg_age"): "T30-south-age",
    ("T27", "Pavlodar Region", "seats (sum of seats won)"): "T27-pavlodar",
    ("T31", "Total", "women vs T29"): "T31-women",
    ("T37", "Akmola Region", "average"): "T37-akmola-average",
    ("T47", "Atyrau Region", "average"): "T47-atyrau-average",
    ("T53", "Almaty city", "observers vs T56 + T58"): "T53-almaty",
    ("T57", "Abai Region", "row sum vs T56"): "T57-row-sums",
    ("T57", "East Kazakhstan Region", "row sum vs T56"): "T57-row-sums",
    ("T57", "Turkistan Region", "row sum vs T56"): "T57-row-sums",
    **{
        ("T30", macro, column): "T30-pavlodar-east"
        for macro in ("North", "East")
        for column in (
            "maslikhats_count",
            "smd_seats",
            "winners_party_pct",
            "winners_nonparty_pct",
            "women_pct",
        )
    },
}
"""Which printed figure each documented inconsistency makes differ: (table, row, column) → id."""

NOT_DERIVABLE: tuple[tuple[str, str, str], ...] = (
    ("T7", "National average", "population-weighted; the seed has no population by region"),
    ("T8", "every macro-region", "population-weighted; voter weights miss by up to 0.1"),
    ("T9", "National average", "population-weighted; the seed has no population by region"),
    ("T10", "National average: urban/rural, density", "needs population and area by region"),
    ("T11", "National overall turnout 77.1", "the seed has no 2016 voters by region"),
    ("T12", "party shares", "the seed has no 2021 votes"),
    ("T33", "every region but Almaty city", "the seed has no first-level district shares"),
    ("T35-T51", "every maslikhat", "the seed has no district vote shares below Almaty city"),
)
"""Printed derived figures the seed tables cannot regenerate: (table, rows, why)."""


def _places(printed: Decimal) -> int:
    exponent = printed.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _exact_text(value: Fraction | Decimal) -> str:
    if isinstance(value, Decimal):
        return str(value)
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


class _Collector:
    """Builds comparisons, attaching the documented inconsistency to each difference."""

    def __init__(self) -> None:
        self.items: list[Comparison] = []

    def compare(
        self,
        table: str,
        row: Unit | str,
        column: str,
        printed: Decimal | int,
        exact: Fraction | Decimal | int,
        line: int,
    ) -> None:
        printed_dec = Decimal(printed)
        value: Fraction | Decimal = exact if isinstance(exact, Decimal) else Fraction(exact)
        ours = ind.round_half_up(value, _places(printed_dec))
        row_name = row.name_en if isinstance(row, Unit) else row
        equal = ours == printed_dec
        documented = DOCUMENTED.get((table, row_name, column))
        inconsistency = None if equal else documented
        if equal:
            reason = None
        elif inconsistency is not None:
            reason = INCONSISTENCIES[inconsistency].summary
        else:
            reason = "not explained by the seed-data README"
        self.items.append(
            Comparison(
                table=table,
                row=row_name,
                column=column,
                printed=str(printed_dec),
                ours=str(ours),
                exact=_exact_text(value),
                verdict=Verdict.EQUAL if equal else Verdict.DIFFERENT,
                inconsistency=inconsistency,
                reason=reason,
                line=line,
            )
        )


_R = TypeVar("_R", NominationRow, RegistrationRow, SmdResultRow, PartyNominationRow)


def _body_and_total(rows: Sequence[_R]) -> tuple[list[_R], _R]:
    body = [r for r in rows if r.unit.kind != "total"]
    (total,) = [r for r in rows if r.unit.kind == "total"]
    return body, total


def _sum(values: Iterable[int | None]) -> int:
    return sum(v or 0 for v in values)


def _sd(c: _Collector, table: str, rows: Sequence[ShareRow], kinds: set[str], column: str) -> None:
    """The printed standard deviation: population SD around the plain mean of the regional values
    (monograph-brief §9.1; the footnote's national μ does not reproduce the print)."""
    values = [r.get(column) or Decimal(0) for r in rows if r.unit.kind in kinds]
    (printed,) = [r for r in rows if r.unit.kind == "std_dev"]
    printed_value = printed.get(column)
    if printed_value is not None:
        root = ind.sqrt_decimal(ind.population_variance(values))
        c.compare(table, printed.unit, column, printed_value, root, printed.unit.line)


def _electorate(seed: Seed, c: _Collector) -> None:
    """Tables 6, 7, 9, 10, 13: totals, complements, standard deviations, national turnout."""
    body = [r for r in seed.t06 if r.unit.kind != "total"]
    (total,) = [r for r in seed.t06 if r.unit.kind == "total"]
    line = total.unit.line
    c.compare(
        "T6", total.unit, "voters_2023_03_19", total.voters, _sum(r.voters for r in body), line
    )
    c.compare(
        "T6",
        total.unit,
        "district_city_maslikhat_mandates",
        total.second_level_seats or 0,
        _sum(r.second_level_seats for r in body),
        line,
    )
    c.compare(
        "T6",
        total.unit,
        "oblast_city_maslikhat_mandates",
        total.first_level_seats,
        _sum(r.first_level_seats for r in body),
        line,
    )
    for r in body:
        split = (r.first_level_smd or 0) + (r.first_level_list or 0)
        c.compare(
            "T6", r.unit, "oblast_city_maslikhat_mandates", r.first_level_seats, split, r.unit.line
        )

    for column in ("age_18_29_pct", "age_30_45_pct", "age_46_60_pct", "age_61_plus_pct"):
        _sd(c, "T7", seed.t07, {"region", "city"}, column)
    for column in ("voting_age_female_pct", "total_pop_female_pct"):
        _sd(c, "T9", seed.t09, {"region", "city"}, column)
    _sd(c, "T10", seed.t10, {"region"}, "voting_age_urban_pct")

    for row in seed.t09:
        if row.unit.kind == "std_dev":
            continue
        for female, male in (
            ("voting_age_female_pct", "voting_age_male_pct"),
            ("total_pop_female_pct", "total_pop_male_pct"),
        ):
            complement = 100 - Fraction(row.get(female) or 0)
            c.compare("T9", row.unit, male, row.get(male) or 0, complement, row.unit.line)

    regions10 = [r for r in seed.t10 if r.unit.kind == "region"]
    for row in seed.t10:
        rural = row.get("voting_age_rural_pct")
        if row.unit.kind in {"region", "national_avg"} and rural is not None:
            urban = Fraction(row.get("voting_age_urban_pct") or 0)
            c.compare("T10", row.unit, "voting_age_rural_pct", rural, 100 - urban, row.unit.line)
        if row.unit.kind == "national_avg":
            for column in ("villages_count", "avg_village_population"):
                plain = ind.mean(r.get(column) or 0 for r in regions10)
                c.compare("T10", row.unit, column, row.get(column) or 0, plain, row.unit.line)

    body13 = [r for r in seed.t13 if r.unit.kind != "total"]
    (total13,) = [r for r in seed.t13 if r.unit.kind == "total"]
    line13 = total13.unit.line
    c.compare(
        "T13",
        total13.unit,
        "voters_2023_03_19",
        total13.voters,
        _sum(r.voters for r in body13),
        line13,
    )
    for column, printed, values in (
        ("turnout_1000_pct", total13.at_1000, [(r.at_1000, r.voters) for r in body13]),
        ("turnout_1600_pct", total13.at_1600, [(r.at_1600, r.voters) for r in body13]),
        ("turnout_final_pct", total13.final, [(r.final, r.voters) for r in body13]),
    ):
        c.compare("T13", total13.unit, column, printed, ind.national_turnout(values), line13)


def _nomination_table(c: _Collector, table: str, rows: Sequence[NominationRow]) -> None:
    """Tables 14, 16, 17: totals, nominated = party + non-party, and the three per-seat ratios."""
    body, total = _body_and_total(rows)
    sums = {
        "seats": _sum(r.seats for r in body),
        "nominated": _sum(r.nominated for r in body),
        "party_nominated": _sum(r.party for r in body),
        "nonparty_nominated": _sum(r.nonparty for r in body),
    }
    printed_totals = {
        "seats": total.seats,
        "nominated": total.nominated,
        "party_nominated": total.party,
        "nonparty_nominated": total.nonparty,
    }
    for column, value in sums.items():
        c.compare(table, total.unit, column, printed_totals[column], value, total.unit.line)
    for r in body:
        c.compare(table, r.unit, "nominated", r.nominated, r.party + r.nonparty, r.unit.line)
    ours = [(r, r.seats, r.nominated, r.party, r.nonparty) for r in body]
    ours.append(
        (
            total,
            sums["seats"],
            sums["nominated"],
            sums["party_nominated"],
            sums["nonparty_nominated"],
        )
    )
    for r, seats, nominated, party, nonparty in ours:
        for column, printed, candidates in (
            ("candidates_per_seat", r.printed_per_seat, nominated),
            ("party_candidates_per_seat", r.printed_party_per_seat, party),
            ("nonparty_candidates_per_seat", r.printed_nonparty_per_seat, nonparty),
        ):
            per_seat = ind.candidates_per_seat(candidates, seats)
            c.compare(table, r.unit, column, printed, per_seat, r.unit.line)


def _registration_table(
    c: _Collector, table: str, rows: Sequence[RegistrationRow], seats_from: Sequence[NominationRow]
) -> None:
    """Tables 19, 20, 21: totals, refusal rate and registered candidates per seat (seats from the
    nomination table of the same level: 14, 16, 17)."""
    body, total = _body_and_total(rows)
    seat_rows, _ = _body_and_total(seats_from)
    seats = {r.unit.name_en: r.seats for r in seat_rows}
    seats[total.unit.name_en] = _sum(seats.values())
    nominated = _sum(r.nominated for r in body)
    registered = _sum(r.registered for r in body)
    c.compare(table, total.unit, "nominated", total.nominated, nominated, total.unit.line)
    c.compare(table, total.unit, "registered", total.registered, registered, total.unit.line)
    for r, n, reg in [
        *((r, r.nominated, r.registered) for r in body),
        (total, nominated, registered),
    ]:
        c.compare(
            table,
            r.unit,
            "refused_pct",
            r.printed_refused_pct,
            100 * ind.refusal_rate(n, reg),
            r.unit.line,
        )
        per_seat = ind.candidates_per_seat(reg, seats[r.unit.name_en])
        c.compare(table, r.unit, "candidates_per_seat", r.printed_per_seat, per_seat, r.unit.line)


def _party_columns(
    c: _Collector, table: str, body: Sequence[PartyNominationRow], total: PartyNominationRow
) -> None:
    for entry in total.parties:
        for kind in ("nominated", "registered"):
            printed = getattr(entry, kind)
            ours = _sum(getattr(r.party(entry.party), kind) for r in body)
            c.compare(
                table, total.unit, f"{entry.party}_{kind}", printed or 0, ours, total.unit.line
            )


def _nomination(seed: Seed, c: _Collector) -> None:
    """Tables 14-26 and Appendix 2: nomination, registration, women, registration-check service."""
    _nomination_table(c, "T14", seed.t14)
    _nomination_table(c, "T16", seed.t16)
    _nomination_table(c, "T17", seed.t17)
    body15 = [r for r in seed.t15 if r.unit.kind != "total"]
    (total15,) = [r for r in seed.t15 if r.unit.kind == "total"]
    c.compare(
        "T15",
        total15.unit,
        "seats",
        total15.seats,
        _sum(r.seats for r in body15),
        total15.unit.line,
    )
    for index, (party, printed) in enumerate(total15.list_sizes):
        ours = _sum(r.list_sizes[index][1] for r in body15)
        c.compare("T15", total15.unit, party, printed, ours, total15.unit.line)
    for table, rows in (("T18", seed.t18), ("T22", seed.t22)):
        body, total = _body_and_total(rows)
        _party_columns(c, table, body, total)
    _registration_table(c, "T19", seed.t19, seed.t14)
    _registration_table(c, "T20", seed.t20, seed.t16)
    _registration_table(c, "T21", seed.t21, seed.t17)
    for table, women in (("T23", seed.t23), ("T25", seed.t25)):
        for w in women:
            if w.printed_refused_pct is not None:
                rate = 100 * ind.refusal_rate(w.nominated, w.registered)
                c.compare(
                    table, w.unit, "women_refused_pct", w.printed_refused_pct, rate, w.unit.line
                )
    body26 = [r for r in seed.t26 if r.unit.kind != "total"]
    (total26,) = [r for r in seed.t26 if r.unit.kind == "total"]
    c.compare(
        "T26",
        total26.unit,
        "polling_stations",
        total26.stations,
        _sum(r.stations for r in body26),
        total26.unit.line,
    )
    c.compare(
        "T26",
        total26.unit,
        "stations_with_registration_check",
        total26.with_check,
        _sum(r.with_check for r in body26),
        total26.unit.line,
    )
    # Appendix 2: each regional subtotal ("Барлығы") from its units, then against Table 22.
    t22 = {r.unit.name_en: r for r in seed.t22}
    for subtotal in (r for r in seed.app2 if r.unit.kind == "total"):
        units = [
            r for r in seed.app2 if r.unit.kind != "total" and r.region_en == subtotal.region_en
        ]
        _party_columns(c, "App. 2", units, subtotal)
        region = t22[subtotal.region_en]
        for entry in subtotal.parties:
            for kind in ("nominated", "registered"):
                c.compare(
                    "App. 2",
                    region.unit,
                    f"{entry.party}_{kind} vs T22",
                    getattr(region.party(entry.party), kind) or 0,
                    getattr(entry, kind) or 0,
                    subtotal.unit.line,
                )
    # Tables 16/17 seats against the per-maslikhat Tables 35-51 (second-level bodies by kind).
    for table, level_rows, kind in (("T16", seed.t16, "city"), ("T17", seed.t17, "district")):
        seat_rows, _ = _body_and_total(level_rows)
        for seat_row in seat_rows:
            (kb_table,) = [t for t in seed.t35_51 if t.region_en == seat_row.unit.name_en]
            counted = _sum(m.districts for m in kb_table.maslikhats if m.unit.kind.startswith(kind))
            column = f"seats vs {kb_table.table} {kind} maslikhats"
            c.compare(table, seat_row.unit, column, seat_row.seats, counted, seat_row.unit.line)


def _results(seed: Seed, c: _Collector) -> None:
    """Tables 27-32: list results, SMD winners, macro-regions, levels, parties by region."""
    body27 = [r for r in seed.t27 if r.unit.kind != "total"]
    (total27,) = [r for r in seed.t27 if r.unit.kind == "total"]
    line = total27.unit.line
    c.compare("T27", total27.unit, "seats", total27.seats, _sum(r.seats for r in body27), line)
    for index, entry in enumerate(total27.results):
        if entry.list_size is not None:
            ours = _sum(r.results[index].list_size for r in body27)
            c.compare("T27", total27.unit, f"{entry.party}_list_size", entry.list_size, ours, line)
        won = _sum(r.results[index].seats_won for r in body27)
        c.compare("T27", total27.unit, f"{entry.party}_seats_won", entry.seats_won, won, line)
    for r in body27:
        won = _sum(x.seats_won for x in r.results)
        c.compare("T27", r.unit, "seats (sum of seats won)", r.seats, won, r.unit.line)

    for table, rows in (("T28", seed.t28), ("T29", seed.t29)):
        body, total = _body_and_total(rows)
        tl = total.unit.line
        if total.maslikhats is not None:
            c.compare(
                table,
                total.unit,
                "maslikhats_count",
                total.maslikhats,
                _sum(r.maslikhats for r in body),
                tl,
            )
        c.compare(table, total.unit, "smd_seats", total.seats, _sum(r.seats for r in body), tl)
        c.compare(table, total.unit, "winners_party", total.party, _sum(r.party for r in body), tl)
        c.compare(
            table,
            total.unit,
            "winners_nonparty",
            total.nonparty,
            _sum(r.nonparty for r in body),
            tl,
        )
        c.compare(
            table, total.unit, "women_deputies", total.women or 0, _sum(r.women for r in body), tl
        )
        age = ind.weighted_mean((r.printed_avg_age, r.seats) for r in body)
        c.compare(table, total.unit, "avg_age", total.printed_avg_age, age, tl)
        for smd in body:
            c.compare(
                table, smd.unit, "smd_seats", smd.seats, smd.party + smd.nonparty, smd.unit.line
            )

    body29, total29 = _body_and_total(seed.t29)
    by_code = {r.unit.code: r for r in body29}
    names = {
        MacroRegion.NORTH: "North",
        MacroRegion.SOUTH: "South",
        MacroRegion.WEST: "West",
        MacroRegion.EAST: "East",
        MacroRegion.CENTRE: "Centre",
    }
    for macro_row in seed.t30:
        (macro,) = [m for m, n in names.items() if macro_row.unit.name_en.startswith(n)]
        members = [by_code[code] for code in sorted(MACRO_REGIONS[macro])]
        seats = _sum(m.seats for m in members)
        unit = Unit(names[macro], macro_row.unit.name_kk, "macroregion", None, macro_row.unit.line)
        ln = unit.line
        c.compare(
            "T30",
            unit,
            "maslikhats_count",
            macro_row.printed_maslikhats,
            _sum(m.maslikhats for m in members),
            ln,
        )
        c.compare("T30", unit, "smd_seats", macro_row.printed_seats, seats, ln)
        c.compare(
            "T30",
            unit,
            "winners_party_pct",
            macro_row.printed_party_pct,
            100 * ind.party_winner_share(_sum(m.party for m in members), seats),
            ln,
        )
        c.compare(
            "T30",
            unit,
            "winners_nonparty_pct",
            macro_row.printed_nonparty_pct,
            100 * ind.share(_sum(m.nonparty for m in members), seats),
            ln,
        )
        c.compare(
            "T30",
            unit,
            "women_pct",
            macro_row.printed_women_pct,
            100 * ind.women_share(_sum(m.women for m in members), seats),
            ln,
        )
        c.compare(
            "T30",
            unit,
            "avg_age",
            macro_row.printed_avg_age,
            ind.weighted_mean((m.printed_avg_age, m.seats) for m in members),
            ln,
        )

    for level in seed.t31:
        ln = level.unit.line
        c.compare(
            "T31",
            level.unit,
            "winners_party_pct",
            level.printed_party_pct,
            100 * ind.party_winner_share(level.party, level.seats),
            ln,
        )
        c.compare(
            "T31",
            level.unit,
            "winners_nonparty_pct",
            level.printed_nonparty_pct,
            100 * ind.share(level.nonparty, level.seats),
            ln,
        )
        c.compare(
            "T31",
            level.unit,
            "women_pct",
            level.printed_women_pct,
            100 * ind.women_share(level.women, level.seats),
            ln,
        )
        c.compare(
            "T31",
            level.unit,
            "winners_party + winners_nonparty",
            level.seats,
            level.party + level.nonparty,
            ln,
        )
    ln31 = seed.t31[0].unit.line
    for column, printed, ours in (
        ("seats vs T29", total29.seats, _sum(r.seats for r in seed.t31)),
        ("winners_party vs T29", total29.party, _sum(r.party for r in seed.t31)),
        ("winners_nonparty vs T29", total29.nonparty, _sum(r.nonparty for r in seed.t31)),
        ("women vs T29", total29.women or 0, _sum(r.women for r in seed.t31)),
    ):
        c.compare("T31", "Total", column, printed, ours, ln31)

    seats29 = {r.unit.name_en: r.seats for r in body29}
    for p in seed.t32:
        share = 100 * ind.seat_share(p.seats_won, seats29[p.unit.name_en])
        c.compare(
            "T32",
            f"{p.party_en}, {p.unit.name_en}",
            "share_pct",
            p.printed_share_pct,
            share,
            p.unit.line,
        )


def _competitiveness(seed: Seed, c: _Collector) -> None:
    """Tables 33-51: KB per Almaty city district, the Almaty city mean, regional averages."""
    kbs = []
    for d in seed.t34:
        kb = ind.classify(Fraction(d.runner_up_pct) / Fraction(d.winner_pct))
        kbs.append(kb)
        c.compare("T34", d.unit, "competitiveness", d.printed_kb, kb.index, d.unit.line)
    almaty = ind.mean_competitiveness([(kb, 1) for kb in kbs])
    average_line = seed.t34[-1].unit.line + 1
    c.compare(
        "T34",
        "Average competitiveness",
        "competitiveness",
        seed.t34_printed_average,
        almaty.index,
        average_line,
    )
    (t33_almaty,) = [r for r in seed.t33 if r.unit.name_en == "Almaty city"]
    c.compare(
        "T33",
        t33_almaty.unit,
        "avg_competitiveness vs T34",
        t33_almaty.printed_kb,
        almaty.index,
        t33_almaty.unit.line,
    )
    seats28 = {r.unit.name_en: r.seats for r in seed.t28}
    for r in seed.t33:
        c.compare(
            "T33",
            r.unit,
            "districts_count vs T28",
            r.districts,
            seats28[r.unit.name_en],
            r.unit.line,
        )
    seats29 = {r.unit.name_en: r.seats for r in seed.t29}
    for table in seed.t35_51:
        mean_kb = ind.mean_competitiveness(
            [(Fraction(m.printed_kb), m.districts) for m in table.maslikhats]
        )
        c.compare(
            table.table,
            table.region_en,
            "average",
            table.printed_average,
            mean_kb.index,
            table.average_line,
        )
        c.compare(
            table.table,
            table.region_en,
            "districts vs T29",
            seats29[table.region_en],
            _sum(m.districts for m in table.maslikhats),
            table.average_line,
        )


def _observers(seed: Seed, c: _Collector) -> None:
    """Tables 52-58: observer totals across tables (Table 52 holds the national counts)."""
    t52 = {r.unit.name_en: r for r in seed.t52}
    party = t52["From political parties"]
    ngo = t52["From public associations and non-profit organisations accredited by the CEC"]
    c.compare(
        "T52",
        party.unit,
        "observers vs sum of T56",
        party.count or 0,
        _sum(r.count for r in seed.t56),
        party.unit.line,
    )
    c.compare(
        "T52",
        ngo.unit,
        "observers vs sum of T58",
        ngo.count or 0,
        _sum(r.count for r in seed.t58),
        ngo.unit.line,
    )
    body57 = [r for r in seed.t57 if r.unit.kind != "total"]
    (total57,) = [r for r in seed.t57 if r.unit.kind == "total"]
    for index, (name, printed) in enumerate(total57.counts):
        c.compare(
            "T57",
            total57.unit,
            name,
            printed,
            _sum(r.counts[index][1] for r in body57),
            total57.unit.line,
        )
    t56 = {r.unit.name_en: r for r in seed.t56}
    for r in body57:
        c.compare(
            "T57",
            r.unit,
            "row sum vs T56",
            t56[r.unit.name_en].count or 0,
            _sum(n for _, n in r.counts),
            r.unit.line,
        )
    t58 = {r.unit.name_en: r for r in seed.t58}
    cities = {"Astana": "Astana city", "Almaty": "Almaty city", "Shymkent": "Shymkent city"}
    for city in seed.t53:
        if city.unit.kind == "city_republican":
            name = cities[city.unit.name_en.split()[0]]
            both = (t56[name].count or 0) + (t58[name].count or 0)
            c.compare(
                "T53",
                Unit(name, city.unit.name_kk, city.unit.kind, None, city.unit.line),
                "observers vs T56 + T58",
                city.count or 0,
                both,
                city.unit.line,
            )


def regenerate(seed: Seed | None = None) -> tuple[Comparison, ...]:
    """Every printed derived figure of the monograph's tables next to ours (issue #7 §2)."""
    data = seed or load_seed()
    collector = _Collector()
    _electorate(data, collector)
    _nomination(data, collector)
    _results(data, collector)
    _competitiveness(data, collector)
    _observers(data, collector)
    return tuple(collector.items)
