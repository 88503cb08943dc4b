"""Rule sets are versioned data (issue #2 §2): the numbers the statute fixes, per version."""

from __future__ import annotations

from fractions import Fraction

import pytest

from saylau.law.errors import LawInputError
from saylau.law.rules import (
    RULE_SETS,
    Body,
    ElectoralSystem,
    Level,
    MaslikhatKind,
    rule_set,
)


def test_2023_mixed_first_level_single_member_second_level() -> None:
    """CL art. 9 paras 3–4 (2023): first level mixed, second level single-member only."""
    rules = rule_set("2023")
    assert rules.system_for(MaslikhatKind.OBLAST) is ElectoralSystem.MIXED
    assert rules.system_for(MaslikhatKind.CAPITAL) is ElectoralSystem.MIXED
    assert rules.system_for(MaslikhatKind.DISTRICT) is ElectoralSystem.SINGLE_MEMBER
    assert rules.system_for(MaslikhatKind.CITY) is ElectoralSystem.SINGLE_MEMBER
    assert (rules.mazhilis_list_seats, rules.mazhilis_smd_seats) == (69, 29)


def test_thresholds_by_version() -> None:
    """CL art. 111-1 / 97-1: 5% in 2023; 7% before the 2022 reform (monograph Table 3)."""
    assert rule_set("2023").list_rules(Body.MASLIKHAT).threshold == Fraction(5, 100)
    assert rule_set("2021").list_rules(Body.MASLIKHAT).threshold == Fraction(7, 100)
    assert rule_set("2016").list_rules(Body.MAZHILIS).threshold == Fraction(7, 100)


def test_second_list_minimum_differs_by_body() -> None:
    """Art. 111-1 para 3 (maslikhat: at least 1) vs art. 97-1 para 3 (Mazhilis: at least 2)."""
    rules = rule_set("2023")
    assert rules.list_rules(Body.MASLIKHAT).second_list_min_seats == 1
    assert rules.list_rules(Body.MAZHILIS).second_list_min_seats == 2


def test_levels_of_kinds() -> None:
    assert {k for k in MaslikhatKind if k.level is Level.FIRST} == {
        MaslikhatKind.OBLAST,
        MaslikhatKind.REPUBLICAN_CITY,
        MaslikhatKind.CAPITAL,
    }


def test_2021_and_2016_have_no_against_all_or_recall() -> None:
    """'Against all' first appeared in 2022; recall (ch. 13-2) was added by CL 156-VII in 2022."""
    for name in ("2021", "2016"):
        assert not RULE_SETS[name].against_all_on_ballot
        assert RULE_SETS[name].recall is None
    assert RULE_SETS["2023"].against_all_on_ballot


def test_unknown_rule_set_is_refused_with_the_known_names() -> None:
    with pytest.raises(LawInputError) as error:
        rule_set("1999")
    assert error.value.field == "rules"
    assert "2023" in error.value.rule
