"""Who may stand: age, citizenship, suffrage, convictions, residence; one district per candidate.

A registration check must show a candidate *every* reason they cannot stand, not just the first, so
:func:`check_candidate_eligibility` collects all problems.

Sources: Constitution art. 33 para 3 (no suffrage for the legally incapable and for prisoners),
art. 51 para 4 (Mazhilis: 25 years, 10 years' residence), art. 86 para 3 (maslikhat: 20 years);
CL art. 4 paras 3–4 (incapacity, imprisonment; unexpunged conviction; corruption crime), art. 86 and
102 (requirements for Mazhilis and maslikhat deputies), art. 103 paras 3-1 and 6 (one district).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from saylau.law.errors import LawInputError, require
from saylau.law.rules import AgeReference, Body, RuleSet


def age_on(birth: date, day: date) -> int:
    """Age in whole years on ``day`` (a birthday counts from its own day).

    A person born on 29 February reaches each new age on 28 February in common years: a term
    "expires on the last day of the month" when the month has no corresponding date (the
    end-of-month rule of CL art. 85 para 3, as in the Civil Code's rule for terms). So a person born
    29.02.2004 is 18 on 27.02.2023 and 19 on 28.02.2023.
    """
    require(day >= birth, "birth_date", birth, f"must not be after the day of reference {day}")
    years = day.year - birth.year
    birthday_month, birthday_day = birth.month, birth.day
    if (birthday_month, birthday_day) == (2, 29) and not _is_leap(day.year):
        birthday_day = 28
    if (day.month, day.day) < (birthday_month, birthday_day):
        years -= 1
    return years


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True, kw_only=True)
class CandidateFacts:
    """What a commission knows about a person to be nominated.

    Every flag must be stated explicitly: nothing is assumed in the person's favour.
    """

    birth_date: date
    citizen: bool
    """Citizen of the Republic of Kazakhstan (Constitution art. 33; CL art. 4 para 2)."""
    incapacitated_by_court: bool
    """Declared legally incapable by a court (Constitution art. 33 para 3; CL art. 4 para 3)."""
    imprisoned_by_sentence: bool
    """Held in a place of deprivation of liberty under a court sentence (same articles)."""
    corruption_crime_conviction: bool
    """Found guilty of a corruption crime by a court, at any time (CL art. 4 para 4 subpara 2)."""
    unexpunged_conviction: bool
    """Has a criminal record not expunged or lifted (CL art. 4 para 4 subpara 1)."""
    residence_years: int | None = None
    """Whole years of permanent residence in Kazakhstan up to polling day; needed for the Mazhilis
    only (Constitution art. 51 para 4)."""


class EligibilityProblem(StrEnum):
    """A reason a person cannot stand; its article is in :data:`PROBLEM_ARTICLE`."""

    UNDER_AGE = "under_age"
    NOT_CITIZEN = "not_citizen"
    INCAPACITATED = "incapacitated"
    IMPRISONED = "imprisoned"
    CORRUPTION_CONVICTION = "corruption_conviction"
    UNEXPUNGED_CONVICTION = "unexpunged_conviction"
    INSUFFICIENT_RESIDENCE = "insufficient_residence"


PROBLEM_ARTICLE: Mapping[EligibilityProblem, str] = MappingProxyType(
    {
        EligibilityProblem.UNDER_AGE: (
            "Constitution art. 86 para 3 (maslikhat), art. 51 para 4 (Mazhilis)"
        ),
        EligibilityProblem.NOT_CITIZEN: "Constitution art. 33; CL art. 4 para 2",
        EligibilityProblem.INCAPACITATED: "Constitution art. 33 para 3; CL art. 4 para 3",
        EligibilityProblem.IMPRISONED: "Constitution art. 33 para 3; CL art. 4 para 3",
        EligibilityProblem.CORRUPTION_CONVICTION: "CL art. 4 para 4 subpara 2",
        EligibilityProblem.UNEXPUNGED_CONVICTION: "CL art. 4 para 4 subpara 1",
        EligibilityProblem.INSUFFICIENT_RESIDENCE: "Constitution art. 51 para 4",
    }
)


@dataclass(frozen=True)
class Ineligibility:
    """One problem found, with its article and the facts behind it."""

    problem: EligibilityProblem
    article: str
    detail: str


def check_candidate_eligibility(
    person: CandidateFacts,
    body: Body,
    polling_day: date,
    rules: RuleSet,
    *,
    nomination_day: date | None = None,
) -> tuple[Ineligibility, ...]:
    """Every reason ``person`` cannot stand for ``body``; empty if eligible.

    The minimum age (``rules.maslikhat_min_age`` / ``mazhilis_min_age``) must be reached on the
    day named by ``rules.age_reference`` (decision #17, default polling day); ``nomination_day`` is
    needed only when a rule set checks age on nomination day.
    """
    reference = _age_reference_day(rules, polling_day, nomination_day)
    problems: list[Ineligibility] = []

    def add(problem: EligibilityProblem, detail: str) -> None:
        problems.append(Ineligibility(problem, PROBLEM_ARTICLE[problem], detail))

    min_age = rules.maslikhat_min_age if body is Body.MASLIKHAT else rules.mazhilis_min_age
    age = age_on(person.birth_date, reference)
    if age < min_age:
        add(
            EligibilityProblem.UNDER_AGE,
            f"aged {age} on {reference.isoformat()} ({rules.age_reference.value}); "
            f"a {body.value} deputy must be at least {min_age}",
        )
    if not person.citizen:
        add(EligibilityProblem.NOT_CITIZEN, "only citizens of Kazakhstan may be elected")
    if person.incapacitated_by_court:
        add(EligibilityProblem.INCAPACITATED, "declared legally incapable by a court")
    if person.imprisoned_by_sentence:
        add(EligibilityProblem.IMPRISONED, "held in a place of deprivation of liberty by sentence")
    if person.corruption_crime_conviction:
        add(
            EligibilityProblem.CORRUPTION_CONVICTION,
            "found guilty of a corruption crime by a court",
        )
    if person.unexpunged_conviction:
        add(EligibilityProblem.UNEXPUNGED_CONVICTION, "criminal record not expunged or lifted")
    if body is Body.MAZHILIS:
        years = person.residence_years
        if years is None or isinstance(years, bool) or not isinstance(years, int) or years < 0:
            raise LawInputError(
                "residence_years",
                years,
                "a Mazhilis candidate's years of permanent residence in Kazakhstan must be stated "
                "as a whole number ≥ 0 (Constitution art. 51 para 4)",
            )
        if years < rules.mazhilis_min_residence_years:
            add(
                EligibilityProblem.INSUFFICIENT_RESIDENCE,
                f"{years} years of permanent residence; the last "
                f"{rules.mazhilis_min_residence_years} years are required",
            )
    return tuple(problems)


def _age_reference_day(rules: RuleSet, polling_day: date, nomination_day: date | None) -> date:
    if rules.age_reference is AgeReference.POLLING_DAY:
        return polling_day
    if nomination_day is None:
        raise LawInputError(
            "nomination_day",
            None,
            "this rule set checks the minimum age on nomination day (decision #17); give the day",
        )
    require(
        nomination_day <= polling_day,
        "nomination_day",
        nomination_day,
        f"must not be after polling day {polling_day}",
    )
    return nomination_day


@dataclass(frozen=True)
class DistrictNomination:
    """One nomination of a person in one electoral district of one maslikhat.

    ``person`` should be a stable identifier (the IIN). A party list counts as a nomination in the
    maslikhat's single territorial district (CL art. 9 para 3), e.g. ``district="party_list"``, so
    a person on a list who is also nominated in a single-member district is caught (art. 103
    para 3-1).
    """

    person: str
    maslikhat: str
    district: str


@dataclass(frozen=True)
class MultipleNomination:
    """A person nominated in more than one district of the same election."""

    person: str
    districts: tuple[tuple[str, str], ...]
    """(maslikhat, district) pairs, sorted."""
    article: str = "CL art. 103 paras 3-1, 6"


def check_one_district_per_candidate(
    nominations: Iterable[DistrictNomination],
) -> tuple[MultipleNomination, ...]:
    """Persons nominated in more than one district, across all maslikhats of one election.

    "Nobody may be nominated as a candidate in more than one electoral district" (CL art. 103
    para 6). Districts of different maslikhats elected on the same day (oblast and district
    maslikhat) are different districts. The same (maslikhat, district) given twice is one district.
    Result sorted by person.
    """
    seen: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    for nomination in nominations:
        require(bool(nomination.person), "person", nomination.person, "needs an identifier")
        seen[nomination.person].add((nomination.maslikhat, nomination.district))
    return tuple(
        MultipleNomination(person, tuple(sorted(districts)))
        for person, districts in sorted(seen.items())
        if len(districts) > 1
    )
