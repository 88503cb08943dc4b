"""Seats left early: CL arts. 111-1 para 6, 97-1 para 6, 101 paras 1(4) and 3-1, 113."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.rules import RULES_2016, RULES_2023, Body, CalendarRules
from saylau.law.vacancy import (
    ByElectionStatus,
    ListVacancyStatus,
    fill_list_vacancy,
    last_sunday,
    next_by_election_day,
    schedule_by_election,
)

LIST = ("Асанов", "Бекова", "Жұмабаев")

# --- list seats ----------------------------------------------------------------------------------


def test_branch_may_choose_anyone_left_on_the_list() -> None:
    """Art. 111-1 para 6: the branch's governing body picks from the list, not the next in line."""
    result = fill_list_vacancy(LIST, "Жұмабаев")
    assert result.status is ListVacancyStatus.FILLED
    assert result.successor == "Жұмабаев"
    assert result.remaining_after == ("Асанов", "Бекова")
    assert result.articles == ("CL art. 111-1 para 6",)


def test_without_the_branch_decision_nobody_is_presumed() -> None:
    """Art. 111-1 para 6 names no default successor: the seat awaits the party's decision."""
    result = fill_list_vacancy(LIST)
    assert result.status is ListVacancyStatus.AWAITING_PARTY_DECISION
    assert result.successor is None and result.eligible == LIST


def test_an_empty_list_leaves_the_seat_vacant_until_the_next_election() -> None:
    """Art. 111-1 para 6 part 2."""
    result = fill_list_vacancy(())
    assert result.status is ListVacancyStatus.VACANT_UNTIL_NEXT_ELECTION
    assert result.successor is None


@pytest.mark.parametrize(
    ("remaining", "choice", "field"),
    [
        (LIST, "Досов", "choice"),
        ((), "Асанов", "choice"),
        (("Асанов", "Асанов"), None, "remaining"),
        (("Асанов", ""), None, "remaining"),
    ],
)
def test_bad_list_input_names_the_field(
    remaining: tuple[str, ...], choice: str | None, field: str
) -> None:
    with pytest.raises(LawInputError) as err:
        fill_list_vacancy(remaining, choice)
    assert err.value.field == field


def test_mazhilis_successor_must_keep_the_mandate_quota() -> None:
    """Art. 97-1 para 6 with para 5 part 3: only persons keeping ≥ 30% women + youth + disability
    among the party's mandates may take the seat; the check is supplied by the caller."""
    keeps = {"Бекова"}.__contains__
    pending = fill_list_vacancy(LIST, body=Body.MAZHILIS, keeps_quota=keeps)
    assert pending.status is ListVacancyStatus.AWAITING_PARTY_DECISION
    assert pending.eligible == ("Бекова",)
    assert pending.articles[0] == "CL art. 97-1 para 6"
    filled = fill_list_vacancy(LIST, "Бекова", body=Body.MAZHILIS, keeps_quota=keeps)
    assert filled.status is ListVacancyStatus.FILLED
    with pytest.raises(LawInputError) as err:
        fill_list_vacancy(LIST, "Асанов", body=Body.MAZHILIS, keeps_quota=keeps)
    assert err.value.field == "choice"


def test_mazhilis_quota_check_is_required_and_may_be_unsatisfiable() -> None:
    """Art. 97-1 para 6: the quota must be checked; if nobody keeps it the law is silent."""
    with pytest.raises(LawInputError) as err:
        fill_list_vacancy(LIST, "Асанов", body=Body.MAZHILIS)
    assert err.value.field == "keeps_quota"
    stuck = fill_list_vacancy(LIST, body=Body.MAZHILIS, keeps_quota=lambda _: False)
    assert stuck.status is ListVacancyStatus.QUOTA_UNSATISFIABLE


def test_maslikhat_and_quota_free_rule_sets_do_not_check_the_mandate_quota() -> None:
    """Art. 111-1 has no mandate quota; the 2016 rule set has no quota at all."""
    maslikhat = fill_list_vacancy(LIST, "Асанов", keeps_quota=lambda _: False)
    assert maslikhat.status is ListVacancyStatus.FILLED
    mazhilis_2016 = fill_list_vacancy(LIST, "Асанов", body=Body.MAZHILIS, rules=RULES_2016)
    assert mazhilis_2016.status is ListVacancyStatus.FILLED


# --- by-elections --------------------------------------------------------------------------------

TERM_END = date(2028, 3, 19)  # a hypothetical end of the 2023 convocation's five-year term


def test_vacancy_in_june_2023_goes_to_29_october_2023() -> None:
    """Art. 101 para 3-1: last Sunday of October 2023 = 29 Oct, the real by-election day."""
    result = schedule_by_election(date(2023, 6, 10), term_end=TERM_END)
    assert result.status is ByElectionStatus.SCHEDULED
    assert result.polling_day == date(2023, 10, 29)


def test_vacancy_in_november_2023_goes_to_31_march_2024() -> None:
    """Art. 101 para 3-1: last Sunday of March 2024 = 31 Mar, the real by-election day."""
    result = schedule_by_election(date(2023, 11, 1), term_end=TERM_END)
    assert result.polling_day == date(2024, 3, 31)


def test_a_vacancy_on_a_by_election_day_waits_for_the_next_one() -> None:
    """The seat cannot be filled on the day it falls vacant: 29 Oct 2023 → 31 Mar 2024."""
    result = schedule_by_election(date(2023, 10, 29), term_end=TERM_END)
    assert result.polling_day == date(2024, 3, 31)
    assert schedule_by_election(date(2023, 10, 28), term_end=TERM_END).polling_day == date(
        2023, 10, 29
    )


def test_another_day_agreed_with_the_cec() -> None:
    """Art. 101 para 3-1 part 3: the commission may set another day with the CEC's agreement."""
    result = schedule_by_election(date(2023, 6, 10), term_end=TERM_END, agreed_day=date(2023, 9, 3))
    assert result.polling_day == date(2023, 9, 3)
    assert result.agreed_with_cec and result.regular_day == date(2023, 10, 29)


def test_no_by_election_in_the_final_year() -> None:
    """Art. 113 part 2: none within the year before the term ends (from 19 Mar 2027). A vacancy of
    1 Nov 2026 would go to 28 Mar 2027, inside that year; one of 1 Jun 2026 to 25 Oct 2026."""
    late = schedule_by_election(date(2026, 11, 1), term_end=TERM_END)
    assert late.status is ByElectionStatus.NOT_HELD and late.polling_day is None
    assert late.regular_day == date(2027, 3, 28)
    assert late.final_year_starts == date(2027, 3, 19)
    early = schedule_by_election(date(2026, 6, 1), term_end=TERM_END)
    assert early.polling_day == date(2026, 10, 25)
    assert schedule_by_election(date(2027, 6, 1), term_end=TERM_END).status is (
        ByElectionStatus.NOT_HELD
    )


def test_an_agreed_day_before_the_final_year_saves_the_by_election() -> None:
    """Art. 113 part 2 bars holding the vote in the final year, not an earlier agreed day."""
    result = schedule_by_election(
        date(2026, 11, 1), term_end=TERM_END, agreed_day=date(2027, 2, 14)
    )
    assert result.status is ByElectionStatus.SCHEDULED and result.polling_day == date(2027, 2, 14)


def test_final_year_boundary_is_inclusive() -> None:
    """Term ends 28 Mar 2028: the final year starts 28 Mar 2027, a by-election day → not held;
    ending 29 Mar 2028, the final year starts a day later and 28 Mar 2027 is still allowed."""
    vacancy = date(2026, 11, 1)
    on_boundary = schedule_by_election(vacancy, term_end=date(2028, 3, 28))
    assert on_boundary.status is ByElectionStatus.NOT_HELD
    day_after = schedule_by_election(vacancy, term_end=date(2028, 3, 29))
    assert day_after.polling_day == date(2027, 3, 28)


@pytest.mark.parametrize(
    ("vacancy", "kwargs", "field"),
    [
        (date(2028, 3, 19), {}, "vacancy"),
        (date(2024, 1, 10), {"earliest": date(2024, 1, 10)}, "earliest"),
        (date(2024, 1, 10), {"agreed_day": date(2024, 1, 9)}, "agreed_day"),
    ],
)
def test_bad_by_election_input_names_the_field(
    vacancy: date, kwargs: dict[str, date], field: str
) -> None:
    with pytest.raises(LawInputError) as err:
        schedule_by_election(vacancy, term_end=TERM_END, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_last_sundays() -> None:
    """Calendar facts: last Sundays of March/October 2023 and 2024."""
    assert last_sunday(2023, 3) == date(2023, 3, 26)
    assert last_sunday(2023, 10) == date(2023, 10, 29)
    assert last_sunday(2024, 3) == date(2024, 3, 31)
    assert last_sunday(2024, 10) == date(2024, 10, 27)


def test_by_election_months_are_a_rule_set_parameter() -> None:
    """CalendarRules.by_election_months: with October only, 1 Nov 2023 → 27 Oct 2024."""
    october_only = replace(RULES_2023, calendar=CalendarRules(by_election_months=(10,)))
    assert next_by_election_day(date(2023, 11, 1), october_only) == date(2024, 10, 27)


@settings(max_examples=200)
@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)))
def test_next_by_election_day_is_the_first_qualifying_sunday(start: date) -> None:
    """Art. 101 para 3-1: a last Sunday of March or October, on or after the date, none skipped."""

    def qualifies(d: date) -> bool:
        return d.weekday() == 6 and d.month in (3, 10) and (d + timedelta(days=7)).month != d.month

    result = next_by_election_day(start)
    assert result >= start and qualifies(result)
    assert not any(qualifies(start + timedelta(days=i)) for i in range((result - start).days))
