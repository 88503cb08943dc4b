"""Eligibility of candidates (Constitution arts. 33, 51, 86; CL arts. 4, 86, 102, 103)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.eligibility import (
    CandidateFacts,
    DistrictNomination,
    EligibilityProblem,
    age_on,
    check_candidate_eligibility,
    check_one_district_per_candidate,
)
from saylau.law.errors import LawInputError
from saylau.law.rules import RULES_2023, AgeReference, Body

POLLING_DAY = date(2023, 3, 19)


def facts(birth: date, **changes: object) -> CandidateFacts:
    """An eligible citizen, with the given facts changed."""
    base = CandidateFacts(
        birth_date=birth,
        citizen=True,
        incapacitated_by_court=False,
        imprisoned_by_sentence=False,
        corruption_crime_conviction=False,
        unexpunged_conviction=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def problems(person: CandidateFacts, body: Body = Body.MASLIKHAT) -> set[EligibilityProblem]:
    return {p.problem for p in check_candidate_eligibility(person, body, POLLING_DAY, RULES_2023)}


# --- age ---------------------------------------------------------------------------------------


def test_age_counts_from_the_birthday_itself() -> None:
    """Whole years; the birthday is the first day of the new age."""
    assert age_on(date(2003, 3, 19), date(2023, 3, 19)) == 20
    assert age_on(date(2003, 3, 19), date(2023, 3, 18)) == 19
    assert age_on(date(2003, 3, 19), date(2003, 3, 19)) == 0


def test_leap_day_birthday() -> None:
    """Born 29 February: new age on 28 February in common years (end-of-month rule, CL art. 85
    para 3), on 29 February in leap years."""
    born = date(2004, 2, 29)
    assert age_on(born, date(2023, 2, 27)) == 18
    assert age_on(born, date(2023, 2, 28)) == 19
    assert age_on(born, date(2024, 2, 28)) == 19
    assert age_on(born, date(2024, 2, 29)) == 20
    # 2100 is not a leap year: the 20th birthday of a person born 29.02.2080 is 28.02.2100
    assert age_on(date(2080, 2, 29), date(2100, 2, 27)) == 19
    assert age_on(date(2080, 2, 29), date(2100, 2, 28)) == 20


def test_age_before_birth_is_refused() -> None:
    """No age exists before birth: input error."""
    with pytest.raises(LawInputError) as caught:
        age_on(date(2023, 3, 20), POLLING_DAY)
    assert caught.value.field == "birth_date"


@settings(max_examples=300)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2050, 12, 31)),
    years=st.integers(min_value=1, max_value=100),
)
def test_age_is_reached_on_the_anniversary(birth: date, years: int) -> None:
    """Age n is reached on the n-th anniversary (28 Feb when there is no 29th) and not a day
    before."""
    try:
        anniversary = birth.replace(year=birth.year + years)
    except ValueError:  # 29 February into a common year
        anniversary = date(birth.year + years, 2, 28)
    assert age_on(birth, anniversary) == years
    assert age_on(birth, anniversary - timedelta(days=1)) == years - 1


@settings(max_examples=200)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    a=st.integers(min_value=0, max_value=40_000),
    b=st.integers(min_value=0, max_value=40_000),
)
def test_age_never_decreases(birth: date, a: int, b: int) -> None:
    """Age is monotone in the day of reference."""
    first, second = sorted((a, b))
    assert age_on(birth, birth + timedelta(days=first)) <= age_on(
        birth, birth + timedelta(days=second)
    )


def test_maslikhat_age_boundary_on_polling_day() -> None:
    """Constitution art. 86 para 3, decision #17: 20 on polling day 19.03.2023 is enough."""
    assert problems(facts(date(2003, 3, 19))) == set()
    assert problems(facts(date(2003, 3, 20))) == {EligibilityProblem.UNDER_AGE}


def test_mazhilis_age_boundary() -> None:
    """Constitution art. 51 para 4: 25 for the Mazhilis (with 10 years' residence)."""
    ok = facts(date(1998, 3, 19), residence_years=25)
    young = facts(date(1998, 3, 20), residence_years=24)
    assert problems(ok, Body.MAZHILIS) == set()
    assert problems(young, Body.MAZHILIS) == {EligibilityProblem.UNDER_AGE}
    # the same young person may stand for a maslikhat
    assert problems(young) == set()


def test_age_on_nomination_day_alternative() -> None:
    """Decision #17 parameter: a rule set may check age on nomination day instead."""
    rules = dataclasses.replace(RULES_2023, age_reference=AgeReference.NOMINATION_DAY)
    person = facts(date(2003, 3, 1))  # turns 20 between nomination (E−60) and polling day
    nominated = date(2023, 1, 18)
    found = check_candidate_eligibility(
        person, Body.MASLIKHAT, POLLING_DAY, rules, nomination_day=nominated
    )
    assert [p.problem for p in found] == [EligibilityProblem.UNDER_AGE]
    assert "aged 19 on 2023-01-18" in found[0].detail
    assert check_candidate_eligibility(person, Body.MASLIKHAT, POLLING_DAY, RULES_2023) == ()
    with pytest.raises(LawInputError) as caught:
        check_candidate_eligibility(person, Body.MASLIKHAT, POLLING_DAY, rules)
    assert caught.value.field == "nomination_day"


# --- exclusions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problem", "article"),
    [
        ({"citizen": False}, EligibilityProblem.NOT_CITIZEN, "Constitution art. 33"),
        ({"incapacitated_by_court": True}, EligibilityProblem.INCAPACITATED, "art. 33 para 3"),
        ({"imprisoned_by_sentence": True}, EligibilityProblem.IMPRISONED, "art. 33 para 3"),
        (
            {"corruption_crime_conviction": True},
            EligibilityProblem.CORRUPTION_CONVICTION,
            "CL art. 4 para 4 subpara 2",
        ),
        (
            {"unexpunged_conviction": True},
            EligibilityProblem.UNEXPUNGED_CONVICTION,
            "CL art. 4 para 4 subpara 1",
        ),
    ],
)
def test_each_exclusion(change: dict[str, bool], problem: EligibilityProblem, article: str) -> None:
    """Constitution art. 33 para 3; CL art. 4 paras 2–4: each exclusion alone is reported."""
    found = check_candidate_eligibility(
        facts(date(1980, 1, 1), **change), Body.MASLIKHAT, POLLING_DAY, RULES_2023
    )
    assert [p.problem for p in found] == [problem]
    assert article in found[0].article


def test_all_problems_not_only_the_first() -> None:
    """A person failing every requirement gets every reason (registration must list them all)."""
    person = facts(
        date(2000, 1, 1),
        citizen=False,
        incapacitated_by_court=True,
        imprisoned_by_sentence=True,
        corruption_crime_conviction=True,
        unexpunged_conviction=True,
        residence_years=9,
    )
    assert problems(person, Body.MAZHILIS) == set(EligibilityProblem)


def test_mazhilis_residence_boundary() -> None:
    """Constitution art. 51 para 4: the last 10 years — 10 suffices, 9 does not."""
    assert problems(facts(date(1980, 1, 1), residence_years=10), Body.MAZHILIS) == set()
    assert problems(facts(date(1980, 1, 1), residence_years=9), Body.MAZHILIS) == {
        EligibilityProblem.INSUFFICIENT_RESIDENCE
    }


def test_residence_needed_for_mazhilis_only() -> None:
    """Maslikhats have no residence requirement (monograph §3.3); the Mazhilis check needs it."""
    assert problems(facts(date(1980, 1, 1), residence_years=0)) == set()
    with pytest.raises(LawInputError) as caught:
        problems(facts(date(1980, 1, 1)), Body.MAZHILIS)
    assert caught.value.field == "residence_years"


@settings(max_examples=100)
@given(flags=st.lists(st.booleans(), min_size=5, max_size=5), young=st.booleans())
def test_problems_are_independent(flags: list[bool], young: bool) -> None:
    """Each failed requirement yields exactly its own problem, whatever else fails."""
    names = [
        ("citizen", EligibilityProblem.NOT_CITIZEN),
        ("incapacitated_by_court", EligibilityProblem.INCAPACITATED),
        ("imprisoned_by_sentence", EligibilityProblem.IMPRISONED),
        ("corruption_crime_conviction", EligibilityProblem.CORRUPTION_CONVICTION),
        ("unexpunged_conviction", EligibilityProblem.UNEXPUNGED_CONVICTION),
    ]
    failing = dict(zip(names, flags, strict=True))
    changes = {
        name: (not fail if name == "citizen" else fail) for (name, _), fail in failing.items()
    }
    birth = date(2010, 1, 1) if young else date(1980, 1, 1)
    expected = {problem for (_, problem), fail in failing.items() if fail}
    if young:
        expected.add(EligibilityProblem.UNDER_AGE)
    assert problems(facts(birth, **changes)) == expected


# --- one district per candidate ----------------------------------------------------------------


def test_two_maslikhats_same_day() -> None:
    """CL art. 103 para 6: an oblast SMD and a district SMD are two districts."""
    found = check_one_district_per_candidate(
        [
            DistrictNomination("900101300126", "Almaty oblast", "SMD 3"),
            DistrictNomination("900101300126", "Karasay district", "SMD 12"),
            DistrictNomination("030228600507", "Karasay district", "SMD 12"),
        ]
    )
    assert len(found) == 1
    assert found[0].person == "900101300126"
    assert found[0].districts == (("Almaty oblast", "SMD 3"), ("Karasay district", "SMD 12"))
    assert "103" in found[0].article


def test_list_and_single_member_district() -> None:
    """CL art. 103 para 3-1: a person on a party list may not also stand in an SMD."""
    found = check_one_district_per_candidate(
        [
            DistrictNomination("P", "Astana", "party_list"),
            DistrictNomination("P", "Astana", "SMD 1"),
        ]
    )
    assert [f.person for f in found] == ["P"]


def test_same_district_twice_is_one_district() -> None:
    """Art. 103 para 6 counts districts: the same district given twice is not a second one."""
    nominations = [DistrictNomination("P", "Astana", "SMD 1")] * 2
    assert check_one_district_per_candidate(nominations) == ()


def test_empty_person_refused() -> None:
    """A nomination must name the person (IIN)."""
    with pytest.raises(LawInputError):
        check_one_district_per_candidate([DistrictNomination("", "Astana", "SMD 1")])


nomination_st = st.builds(
    DistrictNomination,
    person=st.sampled_from(["A", "B", "C", "D"]),
    maslikhat=st.sampled_from(["oblast", "district"]),
    district=st.sampled_from(["1", "2", "list"]),
)


@settings(max_examples=200)
@given(nominations=st.lists(nomination_st, max_size=12), data=st.data())
def test_one_district_properties(
    nominations: list[DistrictNomination], data: st.DataObject
) -> None:
    """Flagged persons are exactly those in ≥ 2 distinct districts; input order is irrelevant."""
    found = check_one_district_per_candidate(nominations)
    by_person = {
        person: {(n.maslikhat, n.district) for n in group}
        for person, group in itertools.groupby(
            sorted(nominations, key=lambda n: n.person), key=lambda n: n.person
        )
    }
    assert {f.person for f in found} == {p for p, ds in by_person.items() if len(ds) >= 2}
    for f in found:
        assert set(f.districts) == by_person[f.person]
    shuffled = data.draw(st.permutations(nominations))
    assert check_one_district_per_candidate(shuffled) == found
