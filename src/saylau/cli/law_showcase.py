"""``saylau law showcase``: the law core applied to the real structure of the 19 March 2023 elections.

For every region, what the law derives from the figures the monograph prints (seat splits, seat-cap
warnings, ballots per voter, print runs), the 2023 calendar in local time, the competitiveness of
Almaty city's districts from the vote shares of Table 34, and the 2023 Mazhilis list allocation from
the official votes. Pure: it reads no database (``saylau demo`` builds a whole synthetic election).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import typer

from saylau.law.allocation import PartyList, allocate
from saylau.law.ballots import with_reserve
from saylau.law.bodies import check_seat_cap, contests_for_precinct, seat_split
from saylau.law.calendar import election_calendar
from saylau.law.competitiveness import competitiveness, mean_competitiveness
from saylau.law.rules import DEFAULT_RULES, Body, RuleSet
from saylau.reference.regions import CAPITAL_CODE, region, region_zone
from saylau.reference.structure import RegionStructure, monograph_table, structure_2023

POLLING_DAY_2023 = date(2023, 3, 19)
CALENDAR_STAGES = (
    "nomination_opens",
    "nomination_closes",
    "registration_closes",
    "campaign_starts",
    "silence_day",
    "polling_opens",
    "polling_closes",
    "results_deadline",
)

# The 2023 Mazhilis party-list result: votes and "against all" as announced by the CEC on
# 27.03.2023 (final results), reported by The Astana Times ("Six parties elected to parliament
# according to final results of Central Election Commission") and newtimes.kz (vybory-2023/166548).
# No two remainders are equal, so the registration order given here decides nothing.
MAZHILIS_2023 = (
    ("AMANAT", 3_431_510, 1),
    ("Auyl", 693_938, 2),
    ("Respublica", 547_154, 3),
    ("People's Party of Kazakhstan", 432_920, 4),
    ("Baytaq", 146_431, 5),
    ("Ak Zhol", 535_139, 6),
    ("OSDP", 331_058, 7),
)
MAZHILIS_2023_AGAINST_ALL = 248_291


@dataclass(frozen=True)
class RegionRow:
    """What the law derives for one region from the printed figures."""

    unit: RegionStructure
    list_seats: int
    smd_seats: int
    split_matches_print: bool
    bodies_over_cap: tuple[str, ...]
    ballots_per_voter: int
    ballots_to_print: int


def derive_region(unit: RegionStructure, rules: RuleSet) -> RegionRow:
    """Apply the law core (CL art. 9, art. 37; LSA art. 5) to one region's printed figures."""
    split = seat_split(unit.region.kind, unit.first_level_seats, rules)
    over_cap = tuple(
        f"{body.name_en} ({body.seats} > {check.cap})"
        for body in unit.second_level
        if not (check := check_seat_cap(body.kind, body.seats, rules)).within_cap
    )
    contests = contests_for_precinct(unit.region.kind, rules)
    return RegionRow(
        unit=unit,
        list_seats=split.list_seats,
        smd_seats=split.smd_seats,
        split_matches_print=(split.smd_seats, split.list_seats)
        == (unit.first_level_smd_printed, unit.first_level_list_printed),
        bodies_over_cap=over_cap,
        ballots_per_voter=len(contests),
        ballots_to_print=len(contests) * with_reserve(unit.voters, rules),
    )


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def showcase_document(rules: RuleSet = DEFAULT_RULES) -> dict[str, Any]:
    """The whole showcase as one JSON-friendly document."""
    rows = [derive_region(unit, rules) for unit in structure_2023()]
    capital = region(CAPITAL_CODE)
    calendar = election_calendar(POLLING_DAY_2023, region_zone(capital), rules.calendar)
    aktobe = election_calendar(POLLING_DAY_2023, region_zone(region("KZ-15")), rules.calendar)
    almaty = [row for row in monograph_table("t34") if row["kind"] == "district"]
    indices = [
        competitiveness(
            Fraction(row["winner_vote_share_pct"]), Fraction(row["runner_up_vote_share_pct"])
        )
        for row in almaty
    ]
    mazhilis = allocate(
        [PartyList(party, votes, registered) for party, votes, registered in MAZHILIS_2023],
        seats=rules.mazhilis_list_seats,
        against_all=MAZHILIS_2023_AGAINST_ALL,
        rules=rules.list_rules(Body.MAZHILIS),
    )
    return {
        "rules": rules.name,
        "source": "monograph 'Maslikhat deputies' elections 2023', Tables 6, 26, 34, 35-51",
        "regions": [
            {
                "code": r.unit.region.code,
                "name": r.unit.region.name_en,
                "voters": r.unit.voters,
                "precincts": r.unit.polling_stations,
                "first_level_seats": r.unit.first_level_seats,
                "first_level_list_seats": r.list_seats,
                "first_level_smd_seats": r.smd_seats,
                "split_matches_print": r.split_matches_print,
                "second_level_maslikhats": len(r.unit.second_level),
                "second_level_seats": sum(b.seats for b in r.unit.second_level),
                "second_level_over_cap": list(r.bodies_over_cap),
                "ballots_per_voter": r.ballots_per_voter,
                "ballots_to_print": r.ballots_to_print,
            }
            for r in rows
        ],
        "calendar": {
            "region": capital.code,
            "stages": {s.id: s.at.isoformat() for s in calendar.stages if s.id in CALENDAR_STAGES},
            "polling_opens_aktobe": aktobe.stage("polling_opens").at.isoformat(),
        },
        "almaty_city_competitiveness": {
            "districts": [
                {"district": row["district_no"], "rounded": str(k.rounded), "band": k.band.value}
                for row, k in zip(almaty, indices, strict=True)
            ],
            "mean": str(mean_competitiveness(indices).rounded),
        },
        "mazhilis_2023": {
            "status": mazhilis.status.value,
            "quota": _fraction(mazhilis.quota) if mazhilis.quota is not None else None,
            "seats": dict(mazhilis.seats),
        },
    }


def _print_report(doc: dict[str, Any]) -> None:
    echo = typer.echo
    echo(
        f"Saylau — the {doc['rules']} law core on the real structure of the 19 March 2023 elections"
    )
    echo(f"Source figures: {doc['source']} (as printed).\n")
    header = (
        f"{'Code':<6} {'Region':<24} {'Voters':>10} {'Precincts':>9} {'1st level':>9} "
        f"{'list+SMD':>9} {'2nd lvl':>7} {'seats':>5} {'ballots':>7} {'to print':>10}"
    )
    echo(header)
    echo("-" * len(header))
    for r in doc["regions"]:
        split = f"{r['first_level_list_seats']}+{r['first_level_smd_seats']}"
        mark = "" if r["split_matches_print"] else " !"
        echo(
            f"{r['code']:<6} {r['name']:<24} {r['voters']:>10,} {r['precincts']:>9,} "
            f"{r['first_level_seats']:>9} {split:>9}{mark} {r['second_level_maslikhats']:>7} "
            f"{r['second_level_seats']:>5} {r['ballots_per_voter']:>7} {r['ballots_to_print']:>10,}"
        )
    regions = doc["regions"]
    echo("-" * len(header))
    echo(
        f"{'':<6} {'Total':<24} {sum(r['voters'] for r in regions):>10,} "
        f"{sum(r['precincts'] for r in regions):>9,} "
        f"{sum(r['first_level_seats'] for r in regions):>9} {'':>9} "
        f"{sum(r['second_level_maslikhats'] for r in regions):>7} "
        f"{sum(r['second_level_seats'] for r in regions):>5} {'':>7} "
        f"{sum(r['ballots_to_print'] for r in regions):>10,}"
    )
    over = [b for r in regions for b in r["second_level_over_cap"]]
    echo(
        "\nSeat caps (LSA art. 5 para 3; decision #10 — a warning that needs a recorded override): "
        + (", ".join(over) if over else "none exceeded")
    )
    cal = doc["calendar"]
    echo(f"\nCalendar for polling day 19 March 2023 ({cal['region']}, local time):")
    for stage, at in cal["stages"].items():
        echo(f"  {stage:<22} {at}")
    echo(f"  polling opens in Aktobe (UTC+5 in 2023): {cal['polling_opens_aktobe']}")
    comp = doc["almaty_city_competitiveness"]
    echo(
        "\nCompetitiveness KB = K2/K1 in Almaty city's 21 districts "
        "(Table 34 shares; decision #18): "
        + " ".join(f"{d['district']}:{d['rounded']}" for d in comp["districts"])
        + f"; mean {comp['mean']}"
    )
    maz = doc["mazhilis_2023"]
    echo(
        f"\nMazhilis 2023, 69 list seats (CL art. 97-1, Hare quota {maz['quota']}): "
        + ", ".join(f"{party} {seats}" for party, seats in maz["seats"].items())
    )


def register(law_app: typer.Typer) -> None:
    """Add ``showcase`` to the ``saylau law`` group."""

    @law_app.command("showcase")
    def showcase(
        as_json: bool = typer.Option(
            False, "--json", help="Write the result as one JSON document."
        ),
    ) -> None:
        """Show the law core at work on the real structure of the 2023 elections."""
        doc = showcase_document()
        if as_json:
            import json

            typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            _print_report(doc)
