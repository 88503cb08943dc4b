"""Bodies and seats: split by system, caps, competence, term, one seat per person, contests."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.bodies import (
    ContestKind,
    check_one_seat_per_person,
    check_seat_cap,
    competence,
    contests_for_precinct,
    is_competent,
    mazhilis_seats,
    seat_split,
    term_end,
)
from saylau.law.errors import LawInputError
from saylau.law.rules import (
    RULES_2016,
    RULES_2021,
    RULES_2023,
    Body,
    ElectoralSystem,
    Level,
    MaslikhatKind,
    SeatCapPolicy,
)

FIRST_LEVEL = [MaslikhatKind.OBLAST, MaslikhatKind.REPUBLICAN_CITY, MaslikhatKind.CAPITAL]
SECOND_LEVEL = [MaslikhatKind.CITY, MaslikhatKind.DISTRICT]

# --- seat split ----------------------------------------------------------------------------------


def test_karaganda_oblast_36_is_18_list_and_18_smd() -> None:
    """CL art. 9 para 3: half list, half SMD; Karaganda oblast 2023 had 36 = 18 + 18 (§5)."""
    split = seat_split(MaslikhatKind.OBLAST, 36, RULES_2023)
    assert (split.list_seats, split.smd_seats) == (18, 18)
    assert split.system is ElectoralSystem.MIXED
    assert split.total == 36


def test_odd_seat_goes_to_the_single_member_part() -> None:
    """CL art. 9 para 3 part 3: the seat above half is elected in a single-member district."""
    split = seat_split(MaslikhatKind.CAPITAL, 35, RULES_2023)
    assert (split.list_seats, split.smd_seats) == (17, 18)
    one = seat_split(MaslikhatKind.REPUBLICAN_CITY, 1, RULES_2023)
    assert (one.list_seats, one.smd_seats) == (0, 1)


@pytest.mark.parametrize("kind", SECOND_LEVEL)
def test_second_level_is_all_single_member_in_2023(kind: MaslikhatKind) -> None:
    """CL art. 9 para 4: district and city maslikhats are elected only in SMDs."""
    split = seat_split(kind, 25, RULES_2023)
    assert (split.list_seats, split.smd_seats) == (0, 25)
    assert split.system is ElectoralSystem.SINGLE_MEMBER


@pytest.mark.parametrize("kind", FIRST_LEVEL + SECOND_LEVEL)
def test_2021_is_all_list_and_2016_all_single_member(kind: MaslikhatKind) -> None:
    """2021 rules: both levels by party list; 2016 rules: both levels single-member."""
    s21 = seat_split(kind, 21, RULES_2021)
    s16 = seat_split(kind, 21, RULES_2016)
    assert (s21.list_seats, s21.smd_seats) == (21, 0)
    assert (s16.list_seats, s16.smd_seats) == (0, 21)


@pytest.mark.parametrize("bad", [0, -3, True, 2.0])
def test_seat_split_refuses_bad_seat_numbers(bad: object) -> None:
    """A body has a whole number of seats, at least one."""
    with pytest.raises(LawInputError) as exc:
        seat_split(MaslikhatKind.OBLAST, bad, RULES_2023)  # type: ignore[arg-type]
    assert exc.value.field == "seats"


@settings(max_examples=200)
@given(st.sampled_from(FIRST_LEVEL), st.integers(min_value=1, max_value=500))
def test_mixed_split_properties(kind: MaslikhatKind, seats: int) -> None:
    """CL art. 9 para 3: parts add up; SMD part equals the list part or exceeds it by one."""
    split = seat_split(kind, seats, RULES_2023)
    assert split.list_seats + split.smd_seats == seats
    assert split.smd_seats - split.list_seats == seats % 2


def test_mazhilis_69_plus_29_in_2023_and_98_list_before() -> None:
    """CL art. 9 para 2: the 2023 Mazhilis is mixed, 69 list + 29 SMD; 2021 all 98 by list."""
    m23 = mazhilis_seats(RULES_2023)
    assert (m23.list_seats, m23.smd_seats, m23.total) == (69, 29, 98)
    assert m23.system is ElectoralSystem.MIXED
    m21 = mazhilis_seats(RULES_2021)
    assert (m21.list_seats, m21.smd_seats) == (98, 0)
    assert m21.system is ElectoralSystem.PARTY_LIST


# --- seat caps -----------------------------------------------------------------------------------


def test_aktobe_city_32_exceeds_the_city_cap_and_needs_an_override() -> None:
    """LSA art. 5 para 3 (cap 30 for a city) vs the real 2023 Aktobe city maslikhat (32 seats);
    decision #10: a warning, accepted only with a stated reason."""
    check = check_seat_cap(MaslikhatKind.CITY, 32, RULES_2023)
    assert check.cap == 30
    assert not check.within_cap
    assert not check.accepted
    assert check.warning is not None and "30" in check.warning
    overridden = check_seat_cap(MaslikhatKind.CITY, 32, RULES_2023, "CEC resolution, 2023 seats")
    assert overridden.accepted
    assert overridden.override_reason == "CEC resolution, 2023 seats"
    assert overridden.warning == check.warning


def test_karasay_district_30_exceeds_the_district_cap() -> None:
    """LSA art. 5 para 3: a district cap of 25; Karasay district had 30 in 2023 (decision #10)."""
    check = check_seat_cap(MaslikhatKind.DISTRICT, 30, RULES_2023)
    assert (check.cap, check.within_cap, check.accepted) == (25, False, False)


@pytest.mark.parametrize(
    ("kind", "cap"),
    [
        (MaslikhatKind.OBLAST, 50),
        (MaslikhatKind.REPUBLICAN_CITY, 50),
        (MaslikhatKind.CAPITAL, 50),
        (MaslikhatKind.CITY, 30),
        (MaslikhatKind.DISTRICT, 25),
    ],
)
def test_cap_boundary(kind: MaslikhatKind, cap: int) -> None:
    """LSA art. 5 para 3: "up to" the cap is inclusive; one more is over."""
    at = check_seat_cap(kind, cap, RULES_2023)
    assert at.within_cap and at.accepted and at.warning is None
    over = check_seat_cap(kind, cap + 1, RULES_2023)
    assert not over.within_cap and not over.accepted


def test_error_policy_refuses_even_with_a_reason() -> None:
    """decision #10 alternative ``seat_cap_policy = error``: an excess is refused."""
    strict = dataclasses.replace(RULES_2023, seat_cap_policy=SeatCapPolicy.ERROR)
    with pytest.raises(LawInputError) as exc:
        check_seat_cap(MaslikhatKind.DISTRICT, 26, strict, "any reason")
    assert exc.value.field == "seats"
    assert check_seat_cap(MaslikhatKind.DISTRICT, 25, strict).accepted


def test_blank_override_reason_is_refused() -> None:
    """decision #10: accepting an excess needs an explicit reason for the audit log."""
    with pytest.raises(LawInputError) as exc:
        check_seat_cap(MaslikhatKind.CITY, 31, RULES_2023, "   ")
    assert exc.value.field == "override_reason"


# --- competence ----------------------------------------------------------------------------------


def test_competence_at_exactly_three_quarters() -> None:
    """LSA art. 5 para 4: at least 3/4 elected; 24 of 32 is exactly 3/4 and enough."""
    c = competence(32, 24, RULES_2023)
    assert (c.required, c.competent, c.missing) == (24, True, 0)
    c = competence(32, 23, RULES_2023)
    assert (c.competent, c.missing) == (False, 1)


def test_competence_rounds_the_requirement_up() -> None:
    """LSA art. 5 para 4: 3/4 of 25 is 18.75, so 19 deputies are needed; 18 are not enough."""
    assert competence(25, 19, RULES_2023).competent
    c = competence(25, 18, RULES_2023)
    assert (c.required, c.competent, c.missing) == (19, False, 1)
    assert competence(25, 10, RULES_2023).missing == 9
    assert is_competent(1, 1, RULES_2023) and not is_competent(1, 0, RULES_2023)


@pytest.mark.parametrize(("total", "filled"), [(10, 11), (10, -1), (0, 0)])
def test_competence_refuses_impossible_counts(total: int, filled: int) -> None:
    """Filled seats lie between 0 and the body's seats; a body has at least one seat."""
    with pytest.raises(LawInputError):
        competence(total, filled, RULES_2023)


@settings(max_examples=300)
@given(
    st.integers(min_value=1, max_value=200).flatmap(
        lambda total: st.tuples(st.just(total), st.integers(min_value=0, max_value=total))
    )
)
def test_competence_properties(case: tuple[int, int]) -> None:
    """LSA art. 5 para 4 in integers: competent ⇔ 4 × filled ≥ 3 × total."""
    total, filled = case
    c = competence(total, filled, RULES_2023)
    assert c.competent == (4 * filled >= 3 * total)
    assert 4 * c.required >= 3 * total > 4 * (c.required - 1)
    assert c.missing == (0 if c.competent else c.required - filled)


# --- term ----------------------------------------------------------------------------------------


def test_term_is_five_years() -> None:
    """LSA art. 5 para 1: a five-year term."""
    assert term_end(date(2023, 3, 29), RULES_2023) == date(2028, 3, 29)


def test_term_begun_on_29_february_ends_on_28_february() -> None:
    """A term from 29.02.2024 ends on 28.02.2029: February 2029 has no 29th (CL art. 85 para 3
    states the same last-day-of-the-month rule)."""
    assert term_end(date(2024, 2, 29), RULES_2023) == date(2029, 2, 28)


@settings(max_examples=200)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
def test_term_end_properties(start: date) -> None:
    """Five years later, same month, 1825–1827 days (5 × 365 plus 0–2 leap days)."""
    end = term_end(start, RULES_2023)
    assert end.year == start.year + 5 and end.month == start.month
    assert timedelta(days=1825) <= end - start <= timedelta(days=1827)


# --- one seat per person -------------------------------------------------------------------------


def test_one_maslikhat_per_person() -> None:
    """LSA art. 5 para 2: a citizen may be a deputy of only one maslikhat."""
    conflicts = check_one_seat_per_person(
        [("p1", "oblast:KZ-35"), ("p2", "oblast:KZ-35"), ("p1", "district:Karasay")]
    )
    assert len(conflicts) == 1
    assert conflicts[0].person_id == "p1"
    assert conflicts[0].body_ids == ("district:Karasay", "oblast:KZ-35")


def test_mazhilis_and_maslikhat_together_is_a_conflict() -> None:
    """Constitution art. 52 para 3: a Parliament deputy may not sit in another representative
    body."""
    conflicts = check_one_seat_per_person([("p9", "mazhilis"), ("p9", "city:Aktobe")])
    assert [c.person_id for c in conflicts] == ["p9"]


def test_two_mandates_in_the_same_body_is_a_conflict_and_distinct_people_are_fine() -> None:
    """One person, one mandate: a list seat and an SMD seat of the same maslikhat conflict."""
    assert check_one_seat_per_person([("p1", "b"), ("p2", "b"), ("p3", "c")]) == ()
    conflicts = check_one_seat_per_person([("p1", "b"), ("p1", "b")])
    assert conflicts[0].body_ids == ("b", "b")


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(st.sampled_from(["p1", "p2", "p3", "p4"]), st.sampled_from(["a", "b", "c"])),
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_one_seat_per_person_ignores_input_order(
    mandates: list[tuple[str, str]], rnd: random.Random
) -> None:
    """The result depends only on the mandates, and flags exactly the people with > 1 mandate."""
    shuffled = list(mandates)
    rnd.shuffle(shuffled)
    assert check_one_seat_per_person(mandates) == check_one_seat_per_person(shuffled)
    people = [p for p, _ in mandates]
    expected = sorted({p for p in people if people.count(p) > 1})
    assert [c.person_id for c in check_one_seat_per_person(mandates)] == expected


# --- contests ------------------------------------------------------------------------------------


def test_five_contests_in_an_oblast_in_2023() -> None:
    """law-2023.md §11: in the 17 oblasts a voter received 5 ballots."""
    assert contests_for_precinct(MaslikhatKind.OBLAST, RULES_2023) == (
        ContestKind.MAZHILIS_LIST,
        ContestKind.MAZHILIS_SMD,
        ContestKind.FIRST_LEVEL_LIST,
        ContestKind.FIRST_LEVEL_SMD,
        ContestKind.SECOND_LEVEL_SMD,
    )


@pytest.mark.parametrize("kind", [MaslikhatKind.CAPITAL, MaslikhatKind.REPUBLICAN_CITY])
def test_four_contests_in_astana_almaty_shymkent(kind: MaslikhatKind) -> None:
    """law-2023.md §11: 4 ballots in Astana, Almaty and Shymkent (no second-level maslikhat)."""
    assert contests_for_precinct(kind, RULES_2023) == (
        ContestKind.MAZHILIS_LIST,
        ContestKind.MAZHILIS_SMD,
        ContestKind.FIRST_LEVEL_LIST,
        ContestKind.FIRST_LEVEL_SMD,
    )


def test_contests_under_2021_and_2016_rules() -> None:
    """2021: Mazhilis and both maslikhat levels by list; 2016: Mazhilis list, maslikhats SMD."""
    assert contests_for_precinct(MaslikhatKind.OBLAST, RULES_2021) == (
        ContestKind.MAZHILIS_LIST,
        ContestKind.FIRST_LEVEL_LIST,
        ContestKind.SECOND_LEVEL_LIST,
    )
    assert contests_for_precinct(MaslikhatKind.CAPITAL, RULES_2021) == (
        ContestKind.MAZHILIS_LIST,
        ContestKind.FIRST_LEVEL_LIST,
    )
    assert contests_for_precinct(MaslikhatKind.OBLAST, RULES_2016) == (
        ContestKind.MAZHILIS_LIST,
        ContestKind.FIRST_LEVEL_SMD,
        ContestKind.SECOND_LEVEL_SMD,
    )


@pytest.mark.parametrize("kind", SECOND_LEVEL)
def test_a_region_is_a_first_level_unit(kind: MaslikhatKind) -> None:
    """A precinct's region is an oblast, a city of republican significance or the capital."""
    with pytest.raises(LawInputError) as exc:
        contests_for_precinct(kind, RULES_2023)
    assert exc.value.field == "region_kind"


@pytest.mark.parametrize("kind", list(ContestKind))
def test_contest_kind_parts_round_trip(kind: ContestKind) -> None:
    """Each kind is determined by body, level and system."""
    assert ContestKind.of(kind.body, kind.level, kind.system) is kind


def test_contest_kind_parts() -> None:
    """The 2023 first-level SMD ballot: maslikhat, first level, single-member."""
    k = ContestKind.FIRST_LEVEL_SMD
    assert (k.body, k.level, k.system, k.is_list) == (
        Body.MASLIKHAT,
        Level.FIRST,
        ElectoralSystem.SINGLE_MEMBER,
        False,
    )
    assert ContestKind.MAZHILIS_LIST.level is None and ContestKind.MAZHILIS_LIST.is_list
    with pytest.raises(LawInputError):
        ContestKind.of(Body.MASLIKHAT, Level.FIRST, ElectoralSystem.MIXED)
    with pytest.raises(LawInputError):
        ContestKind.of(Body.MASLIKHAT, None, ElectoralSystem.PARTY_LIST)
    with pytest.raises(LawInputError):
        ContestKind.of(Body.MAZHILIS, Level.FIRST, ElectoralSystem.PARTY_LIST)
