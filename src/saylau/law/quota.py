"""The combined list quota: women, youth (and, for the Mazhilis, persons with disabilities) ≥ 30%.

Sources: CL art. 104 para 4 (maslikhat lists: women + youth), art. 89 para 4 part 2 (Mazhilis
lists: women + youth + persons with disabilities), art. 97-1 para 5 part 3 (the same for the
mandates a party receives in the Mazhilis); decisions #7 (youth = age ≤ 35 on polling day) and
#8 (a person in two categories counts once). The report says exactly who counts and how far the
list is from the quota, so that a party can fix its list before registration.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from saylau.law.eligibility import age_on
from saylau.law.errors import LawInputError, require
from saylau.law.iin import Sex
from saylau.law.rules import Body, QuotaRules


class QuotaCategory(StrEnum):
    """A category that counts towards the quota; the rule set names which apply to which body."""

    WOMEN = "women"
    YOUTH = "youth"
    DISABILITY = "disability"


@dataclass(frozen=True)
class ListPerson:
    """A person on a party list (or holding a party's mandate), as the quota needs them."""

    id: str
    sex: Sex
    birth_date: date
    disability: bool = False
    """Has a recognised disability (certificate, CL art. 89 para 3 part 2); Mazhilis quota only."""


@dataclass(frozen=True)
class QuotaMember:
    """A person who counts, with every category they fall in (they still count once)."""

    person: str
    categories: tuple[QuotaCategory, ...]


@dataclass(frozen=True)
class QuotaCheck:
    """The quota report for one list (or one party's mandates)."""

    body: Body
    categories: tuple[QuotaCategory, ...]
    members: tuple[QuotaMember, ...]
    """Persons who count, in list order."""
    count: int
    size: int
    share: Fraction
    """count / size, exact."""
    required_share: Fraction
    required: int
    """ceil(required_share × size): the fewest persons who must count."""
    met: bool
    shortfall: int
    """How many persons who do not count must be replaced by persons who do (size unchanged)."""
    additions_needed: int | None
    """Alternatively, how many persons who count must be added to the list (size grows);
    ``None`` if adding cannot help (a required share of 1)."""
    article: str


def _categories(body: Body, rules: QuotaRules) -> tuple[QuotaCategory, ...]:
    names = rules.maslikhat_categories if body is Body.MASLIKHAT else rules.mazhilis_categories
    known = {c.value for c in QuotaCategory}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise LawInputError(
            "quota.categories", unknown, f"unknown quota category; known: {sorted(known)}"
        )
    return tuple(QuotaCategory(n) for n in names)


def _member_categories(
    person: ListPerson,
    categories: tuple[QuotaCategory, ...],
    polling_day: date,
    youth_max_age: int,
) -> tuple[QuotaCategory, ...]:
    holds = {
        QuotaCategory.WOMEN: person.sex is Sex.FEMALE,
        QuotaCategory.YOUTH: age_on(person.birth_date, polling_day) <= youth_max_age,
        QuotaCategory.DISABILITY: person.disability,
    }
    return tuple(c for c in categories if holds[c])


def _check(
    persons: Sequence[ListPerson],
    polling_day: date,
    body: Body,
    rules: QuotaRules,
    article: str,
) -> QuotaCheck:
    require(len(persons) >= 1, "persons", len(persons), "a list has at least one person")
    ids = [p.id for p in persons]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    require(not duplicates, "persons", duplicates, "a person appears on a list once")
    required_share = rules.share
    require(0 < required_share <= 1, "quota.share", required_share, "must lie in (0, 1]")
    categories = _categories(body, rules)
    members: list[QuotaMember] = []
    for person in persons:
        found = _member_categories(person, categories, polling_day, rules.youth_max_age)
        if found:
            members.append(QuotaMember(person.id, found))
    count, size = len(members), len(persons)
    n, d = required_share.numerator, required_share.denominator
    required = -((-n * size) // d)
    shortfall = max(0, required - count)
    additions_needed: int | None
    if shortfall == 0:
        additions_needed = 0
    elif n >= d:
        additions_needed = None
    else:
        # smallest k with (count + k) * d >= n * (size + k)
        additions_needed = math.ceil(Fraction(n * size - d * count, d - n))
    return QuotaCheck(
        body=body,
        categories=categories,
        members=tuple(members),
        count=count,
        size=size,
        share=Fraction(count, size),
        required_share=required_share,
        required=required,
        met=count >= required,
        shortfall=shortfall,
        additions_needed=additions_needed,
        article=article,
    )


def check_list_quota(
    persons: Sequence[ListPerson], polling_day: date, body: Body, rules: QuotaRules
) -> QuotaCheck:
    """Check a party list's combined quota (CL art. 104 para 4; art. 89 para 4 part 2).

    Categories by body from ``rules`` (maslikhat: women + youth; Mazhilis: + disability, decision
    #8); youth = age ≤ ``rules.youth_max_age`` on polling day (decision #7). A person in two
    categories counts once. Met iff count ≥ ceil(share × size), i.e. exactly 30% is enough.
    """
    article = "CL art. 104 para 4" if body is Body.MASLIKHAT else "CL art. 89 para 4 part 2"
    return _check(persons, polling_day, body, rules, article)


def check_mandate_quota(
    persons: Sequence[ListPerson], polling_day: date, rules: QuotaRules
) -> QuotaCheck:
    """Check who gets a party's Mazhilis mandates (CL art. 97-1 para 5 part 3, para 6).

    Same categories and counting as the Mazhilis list; refused if the rule set has no such rule.
    Maslikhat mandates have no quota (art. 111-1 is silent).
    """
    require(
        rules.applies_to_mazhilis_mandates,
        "quota.applies_to_mazhilis_mandates",
        rules.applies_to_mazhilis_mandates,
        "this rule set has no quota on a party's Mazhilis mandates",
    )
    return _check(persons, polling_day, Body.MAZHILIS, rules, "CL art. 97-1 para 5 part 3")
