"""The shipped 2023 structure adds up the way the monograph's own tables say it should."""

from __future__ import annotations

from saylau.law.rules import MaslikhatKind
from saylau.reference.regions import regions
from saylau.reference.structure import monograph_table, structure_2023


def test_twenty_first_level_units_with_their_printed_totals() -> None:
    """Table 6 total row: 12,027,454 voters, 668 first-level seats; Table 26: 10,146 precincts."""
    structure = structure_2023()
    assert [s.region.code for s in structure] == [r.code for r in regions()]
    total = next(row for row in monograph_table("t06") if row["kind"] == "total")
    assert sum(s.voters for s in structure) == int(total["voters_2023_03_19"]) == 12_027_454
    assert sum(s.first_level_seats for s in structure) == 668
    assert sum(s.polling_stations for s in structure) == 10_146


def test_second_level_maslikhats_match_table_29() -> None:
    """Tables 35–51 list 203 second-level maslikhats (37 city, 166 district) with 2,746 seats,
    the sum of Table 29; Table 6 prints 2,747 (a known misprint, kept as printed)."""
    bodies = [m for s in structure_2023() for m in s.second_level]
    assert len(bodies) == 203
    assert sum(m.kind is MaslikhatKind.CITY for m in bodies) == 37
    assert sum(m.kind is MaslikhatKind.DISTRICT for m in bodies) == 166
    t29 = {row["name_en"]: int(row["smd_seats"]) for row in monograph_table("t29")}
    for unit in structure_2023():
        seats = sum(m.seats for m in unit.second_level)
        if unit.region.kind is MaslikhatKind.OBLAST:
            assert seats == t29[unit.region.name_en] == unit.second_level_seats_printed
        else:  # the three cities of republican significance have no second level
            assert seats == 0 and unit.second_level_seats_printed is None
    t06_total = next(row for row in monograph_table("t06") if row["kind"] == "total")
    assert int(t06_total["district_city_maslikhat_mandates"]) == 2747


def test_every_source_row_is_traceable() -> None:
    for unit in structure_2023():
        for body in unit.second_level:
            table, line = body.source.split(":")
            assert table.startswith("t") and int(line) > 0
