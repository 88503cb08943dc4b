"""The combined list quota (CL art. 104 para 4; art. 89 para 4; art. 97-1 para 5; decisions #7, #8).

Polling day 19.03.2023. Youth (2023): age ≤ 35 on polling day, so born on or after 20.03.1987
(a person born 20.03.1987 is still 35; born 19.03.1987 is 36).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.iin import Sex
from saylau.law.quota import (
    ListPerson,
    QuotaCategory,
    check_list_quota,
    check_mandate_quota,
)
from saylau.law.rules import RULES_2021, RULES_2023, Body, QuotaRules

POLLING_DAY = date(2023, 3, 19)
Q2023 = RULES_2023.quota
assert Q2023 is not None
Q = Q2023

OLD = date(1970, 5, 5)  # 52 on polling day: not youth


def man(i: int, born: date = OLD) -> ListPerson:
    return ListPerson(f"m{i}", Sex.MALE, born)


def woman(i: int, born: date = OLD) -> ListPerson:
    return ListPerson(f"w{i}", Sex.FEMALE, born)


def test_exactly_thirty_percent_is_met() -> None:
    """Art. 104 para 4: "not less than 30%" — 3 women of 10 is exactly 30%: met."""
    persons = [woman(i) for i in range(3)] + [man(i) for i in range(7)]
    check = check_list_quota(persons, POLLING_DAY, Body.MASLIKHAT, Q)
    assert (check.count, check.size, check.required, check.met) == (3, 10, 3, True)
    assert check.share == Fraction(3, 10)
    assert (check.shortfall, check.additions_needed) == (0, 0)
    assert check.article == "CL art. 104 para 4"


def test_one_below_thirty_percent() -> None:
    """2 of 10 (20%): short by one; or add 2 qualifying persons (4/12 = 33%; 3/11 = 27% is not
    enough)."""
    persons = [woman(i) for i in range(2)] + [man(i) for i in range(8)]
    check = check_list_quota(persons, POLLING_DAY, Body.MASLIKHAT, Q)
    assert (check.met, check.shortfall, check.additions_needed) == (False, 1, 2)


def test_required_is_rounded_up() -> None:
    """30% of 7 is 2.1, so 3 persons are needed: 2 of 7 (28.6%) fails. Almaty city's 2023 AMANAT
    list had 63 persons (monograph Appendix C): 18.9 → 19 needed."""
    seven = [woman(0), woman(1)] + [man(i) for i in range(5)]
    check = check_list_quota(seven, POLLING_DAY, Body.MASLIKHAT, Q)
    assert (check.required, check.met, check.shortfall) == (3, False, 1)
    sixty_three = [woman(i) for i in range(19)] + [man(i) for i in range(44)]
    assert check_list_quota(sixty_three, POLLING_DAY, Body.MASLIKHAT, Q).required == 19
    assert check_list_quota(sixty_three[1:], POLLING_DAY, Body.MASLIKHAT, Q).met is False


def test_youth_age_boundary() -> None:
    """Decision #7: age exactly 35 on polling day counts; 36 does not."""
    aged_35_turning_36_tomorrow = man(1, date(1987, 3, 20))
    aged_35 = man(2, date(1988, 3, 19))
    aged_36 = man(3, date(1987, 3, 19))
    check = check_list_quota(
        [aged_35_turning_36_tomorrow, aged_35, aged_36], POLLING_DAY, Body.MASLIKHAT, Q
    )
    assert [m.person for m in check.members] == ["m1", "m2"]
    assert all(m.categories == (QuotaCategory.YOUTH,) for m in check.members)


def test_young_woman_counts_once() -> None:
    """Decision #8: a person in two categories counts once."""
    young_woman = woman(1, date(2000, 1, 1))
    check = check_list_quota([young_woman, man(1), man(2), man(3)], POLLING_DAY, Body.MASLIKHAT, Q)
    assert check.count == 1
    assert check.members[0].categories == (QuotaCategory.WOMEN, QuotaCategory.YOUTH)
    # 1 of 4 = 25% < 30%: required ceil(1.2) = 2
    assert (check.required, check.met) == (2, False)


def test_2021_youth_is_under_29() -> None:
    """2020 wording (CL No. 335-VI): youth = under 29, i.e. ≤ 28; polling day 10.01.2021."""
    day = date(2021, 1, 10)
    q2021 = RULES_2021.quota
    assert q2021 is not None
    aged_28 = man(1, date(1992, 1, 11))
    aged_29 = man(2, date(1992, 1, 10))
    check = check_list_quota([aged_28, aged_29], day, Body.MASLIKHAT, q2021)
    assert [m.person for m in check.members] == ["m1"]
    # the same 29-year-old counts under the 2023 rules (≤ 35)
    assert check_list_quota([aged_29], day, Body.MASLIKHAT, Q).count == 1


def test_disability_counts_for_the_mazhilis_only() -> None:
    """Art. 89 para 4 part 2: Mazhilis quota adds persons with disabilities; art. 104 para 4
    (maslikhat) does not."""
    disabled_man = dataclasses.replace(man(1), disability=True)
    persons = [disabled_man, man(2), man(3)]
    maslikhat = check_list_quota(persons, POLLING_DAY, Body.MASLIKHAT, Q)
    mazhilis = check_list_quota(persons, POLLING_DAY, Body.MAZHILIS, Q)
    assert maslikhat.count == 0
    assert mazhilis.count == 1 and mazhilis.members[0].categories == (QuotaCategory.DISABILITY,)
    assert mazhilis.article == "CL art. 89 para 4 part 2"
    assert mazhilis.categories == (
        QuotaCategory.WOMEN,
        QuotaCategory.YOUTH,
        QuotaCategory.DISABILITY,
    )


def test_mazhilis_mandates() -> None:
    """Art. 97-1 para 5 part 3: the three-category quota also binds a party's Mazhilis mandates."""
    mandates = [woman(1), man(1, date(1995, 1, 1)), man(2), man(3), man(4), man(5), man(6)]
    check = check_mandate_quota(mandates, POLLING_DAY, Q)
    # 2 of 7: required ceil(2.1) = 3
    assert (check.count, check.required, check.met) == (2, 3, False)
    assert check.article == "CL art. 97-1 para 5 part 3"
    no_rule = dataclasses.replace(Q, applies_to_mazhilis_mandates=False)
    with pytest.raises(LawInputError):
        check_mandate_quota(mandates, POLLING_DAY, no_rule)


@pytest.mark.parametrize(
    ("persons", "rules", "field"),
    [
        ([], Q, "persons"),
        ([man(1), man(1)], Q, "persons"),
        ([man(1)], QuotaRules(maslikhat_categories=("women", "elders")), "quota.categories"),
        ([man(1)], QuotaRules(share=Fraction(0)), "quota.share"),
    ],
)
def test_bad_input(persons: list[ListPerson], rules: QuotaRules, field: str) -> None:
    """An empty list, a person listed twice, an unknown category or share are input errors."""
    with pytest.raises(LawInputError) as caught:
        check_list_quota(persons, POLLING_DAY, Body.MASLIKHAT, rules)
    assert caught.value.field == field


def test_born_after_polling_day_refused() -> None:
    """A date of birth after polling day is an input error, not a very young candidate."""
    with pytest.raises(LawInputError):
        check_list_quota([man(1, date(2024, 1, 1))], POLLING_DAY, Body.MASLIKHAT, Q)


person_st = st.builds(
    ListPerson,
    id=st.uuids().map(str),
    sex=st.sampled_from(Sex),
    birth_date=st.dates(min_value=date(1940, 1, 1), max_value=date(2003, 3, 19)),
    disability=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    persons=st.lists(person_st, min_size=1, max_size=60, unique_by=lambda p: p.id),
    body=st.sampled_from(Body),
    data=st.data(),
)
def test_quota_properties(persons: list[ListPerson], body: Body, data: st.DataObject) -> None:
    """Met iff 10 × count ≥ 3 × size; each person counted at most once; order irrelevant;
    the shortfall and additions fix the list exactly (one fewer does not)."""
    check = check_list_quota(persons, POLLING_DAY, body, Q)
    assert check.size == len(persons)
    assert check.met == (10 * check.count >= 3 * check.size)
    assert len({m.person for m in check.members}) == check.count <= check.size
    assert (check.shortfall == 0) == check.met
    shuffled = data.draw(st.permutations(persons))
    assert check_list_quota(shuffled, POLLING_DAY, body, Q).count == check.count
    k = check.additions_needed
    assert k is not None
    assert 10 * (check.count + k) >= 3 * (check.size + k)
    if k > 0:
        assert 10 * (check.count + k - 1) < 3 * (check.size + k - 1)
    # replacing `shortfall` non-counting persons by counting ones meets the quota, exactly
    assert 10 * (check.count + check.shortfall) >= 3 * check.size
    if check.shortfall > 0:
        assert 10 * (check.count + check.shortfall - 1) < 3 * check.size
