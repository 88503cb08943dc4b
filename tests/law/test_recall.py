"""Recall of SMD deputies: CL arts. 113-12 – 113-16 and decision #16, worked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.recall import (
    RecallBar,
    RecallInitiation,
    add_months,
    add_working_days,
    decide_recall_vote,
    may_initiate_recall,
    petition_sufficient,
    recall_timeline,
    recall_vote_valid,
    signatures_needed,
    turnout_needed,
    votes_needed_to_recall,
)
from saylau.law.rules import (
    RULES_2016,
    RULES_2021,
    RULES_2023,
    Body,
    RecallRules,
    RecallTurnoutBase,
)

# --- petition (art. 113-14 para 2) --------------------------------------------------------------


def test_exactly_ten_percent_of_signatures_is_insufficient() -> None:
    """Art. 113-14 para 2 sub 1: *more than* 10%; 100 of 1000 is not more."""
    assert not petition_sufficient(100, 1000)


def test_ten_percent_plus_one_is_sufficient() -> None:
    """Art. 113-14 para 2 sub 1: 101 of 1000 is more than 10%."""
    assert petition_sufficient(101, 1000)
    assert signatures_needed(1000) == 101


def test_ten_percent_of_an_odd_electorate() -> None:
    """10% of 1005 is 100.5: 100 is short, 101 is more; 10% of 1009 = 100.9 → 101 needed."""
    assert not petition_sufficient(100, 1005)
    assert petition_sufficient(101, 1005)
    assert signatures_needed(1005) == 101
    assert signatures_needed(1009) == 101
    assert signatures_needed(1010) == 102


# --- validity and outcome (art. 113-16 paras 3–4) -----------------------------------------------


def test_exactly_one_third_turnout_makes_the_vote_valid() -> None:
    """Art. 113-16 para 3: *at least* one third; 300 of 900 is exactly a third."""
    assert decide_recall_vote(900, 300, 0).valid
    assert not decide_recall_vote(900, 299, 0).valid
    assert recall_vote_valid(900, 300) and not recall_vote_valid(900, 299)
    assert turnout_needed(900) == 300


def test_one_third_of_a_non_multiple_of_three() -> None:
    """A third of 1000 is 333 1/3: 333 is short, 334 suffices."""
    assert not decide_recall_vote(1000, 333, 333).valid
    assert decide_recall_vote(1000, 334, 0).valid
    assert turnout_needed(1000) == 334


def test_exactly_half_for_recall_is_not_a_recall() -> None:
    """Art. 113-16 para 4: *more than* 50% of those who took part; 150 of 300 is not."""
    vote = decide_recall_vote(900, 300, 150)
    assert vote.valid and not vote.recalled
    assert decide_recall_vote(900, 300, 151).recalled
    assert votes_needed_to_recall(300) == 151
    assert votes_needed_to_recall(301) == 151


def test_an_invalid_vote_recalls_nobody() -> None:
    """Art. 113-16 paras 3–4: 299 of 900 took part, so even 299 votes for recall keep the seat."""
    vote = decide_recall_vote(900, 299, 299)
    assert not vote.valid and not vote.recalled


def test_invalid_ballots_count_as_taking_part_by_default() -> None:
    """Decision #16: "took part" = ballots in the boxes (invalid included): 300 of 900 is valid,
    and 151 of 300 recalls even though 2 ballots were invalid."""
    vote = decide_recall_vote(900, 300, 151, invalid=2)
    assert vote.valid and vote.recalled and vote.took_part == 300


def test_valid_ballots_alternative_takes_invalid_ones_off_both_tests() -> None:
    """Decision #16 alternative: 300 in the boxes, 2 invalid → 298 took part. Of 900 voters that is
    short of a third (300); of 894 it is exactly a third (valid), and 149 of 298 is half: kept."""
    rules = replace(RULES_2023, recall=RecallRules(turnout_base=RecallTurnoutBase.VALID_BALLOTS))
    assert not decide_recall_vote(900, 300, 151, invalid=2, rules=rules).valid
    vote = decide_recall_vote(894, 300, 149, invalid=2, rules=rules)
    assert vote.valid and not vote.recalled and vote.took_part == 298


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((900, 901, 0), {}, "took_part"),
        ((900, 300, 301), {}, "for_recall"),
        ((900, -1, 0), {}, "took_part"),
        ((900, 300, -1), {}, "for_recall"),
        ((0, 0, 0), {}, "district_voters"),
        ((900, 300, 299), {"invalid": 2}, "for_recall"),
        ((900, 300, 0), {"invalid": 301}, "invalid"),
        ((900, 300, 0), {"rules": RULES_2016}, "rules"),
    ],
)
def test_impossible_vote_counts_are_refused(
    args: tuple[int, int, int], kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(LawInputError) as err:
        decide_recall_vote(*args, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


def test_impossible_petitions_are_refused() -> None:
    """One signature per citizen (art. 113-14 para 3); no recall under rule sets before 2022."""
    with pytest.raises(LawInputError) as err:
        petition_sufficient(1001, 1000)
    assert err.value.field == "valid_signatures"
    with pytest.raises(LawInputError) as err:
        petition_sufficient(-1, 1000)
    assert err.value.field == "valid_signatures"
    with pytest.raises(LawInputError) as err:
        petition_sufficient(10, 1000, RULES_2021)
    assert err.value.field == "rules"


@settings(max_examples=300)
@given(st.integers(1, 10**7), st.data())
def test_thresholds_match_their_integer_statements(voters: int, data: st.DataObject) -> None:
    """Arts. 113-14, 113-16: signatures·10 > voters; took_part·3 ≥ voters; for·2 > took_part."""
    signatures = data.draw(st.integers(0, voters))
    took_part = data.draw(st.integers(0, voters))
    for_recall = data.draw(st.integers(0, took_part))
    assert petition_sufficient(signatures, voters) == (signatures * 10 > voters)
    vote = decide_recall_vote(voters, took_part, for_recall)
    assert vote.valid == (took_part * 3 >= voters)
    assert vote.recalled == (took_part * 3 >= voters and for_recall * 2 > took_part)
    assert petition_sufficient(signatures_needed(voters), voters)
    assert not petition_sufficient(signatures_needed(voters) - 1, voters)
    assert decide_recall_vote(voters, turnout_needed(voters), 0).valid
    assert not decide_recall_vote(voters, turnout_needed(voters) - 1, 0).valid


# --- timeline (arts. 113-13 – 113-15) ------------------------------------------------------------


def test_timeline_from_registration_worked_by_hand() -> None:
    """Registered Fri 1 Mar 2024: collection to 31 Mar (30 days, 113-14 p.1), verification to
    10 Apr (10 days, 113-14 p.2), decision by Thu 11 Apr (1 day, 113-15 p.1), notice by Tue 16 Apr
    (3 working days: Fri 12, Mon 15, Tue 16; 113-15 p.2), campaign 11–14 Apr (3 days, p.4),
    vote by 11 Jun (2 months, p.3). Application filed 27 Feb: decided by 1 Mar (113-13 p.2)."""
    t = recall_timeline(date(2024, 3, 1), application_filed=date(2024, 2, 27))
    assert t.application_decision_by == date(2024, 3, 1)
    assert t.collection_ends == date(2024, 3, 31)
    assert t.lists_submitted == date(2024, 3, 31)
    assert t.verification_ends == date(2024, 4, 10)
    assert t.vote_decision_by == date(2024, 4, 11) == t.vote_decision
    assert t.notice_by == date(2024, 4, 16)
    assert (t.campaign_starts, t.campaign_ends) == (date(2024, 4, 11), date(2024, 4, 14))
    assert t.vote_by == date(2024, 6, 11)


def test_mazhilis_deputy_gets_five_campaign_days() -> None:
    """Art. 113-15 para 4: five calendar days for a Mazhilis deputy."""
    t = recall_timeline(date(2024, 3, 1), body=Body.MAZHILIS)
    assert t.campaign_ends == date(2024, 4, 16)


def test_notice_skips_public_holidays_given_as_input() -> None:
    """Decision Mon 6 May 2024; 7 May and 9 May are public holidays in Kazakhstan: the three working
    days are 8, 10 and 13 May. Without the holidays: 7, 8, 9 May."""
    holidays = {date(2024, 5, 7), date(2024, 5, 9)}
    t = recall_timeline(date(2024, 3, 26), vote_decision=date(2024, 5, 6), holidays=holidays)
    assert t.vote_decision_by == date(2024, 5, 6)
    assert t.notice_by == date(2024, 5, 13)
    assert recall_timeline(date(2024, 3, 26)).notice_by == date(2024, 5, 9)


def test_vote_deadline_clamps_to_the_end_of_february() -> None:
    """Art. 113-15 para 3: two months from 31 Dec 2023 is 29 Feb 2024 (no 31 Feb)."""
    t = recall_timeline(date(2023, 11, 20))
    assert t.vote_decision == date(2023, 12, 31)
    assert t.vote_by == date(2024, 2, 29)
    assert add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)


def test_actual_submission_moves_the_later_deadlines() -> None:
    """Lists submitted 2 Apr: verification to 12 Apr, decision by 13 Apr (art. 113-14, 113-15)."""
    t = recall_timeline(date(2024, 3, 1), lists_submitted=date(2024, 4, 2))
    assert (t.verification_ends, t.vote_decision_by) == (date(2024, 4, 12), date(2024, 4, 13))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"application_filed": date(2024, 3, 2)}, "application_filed"),
        ({"application_filed": date(2024, 2, 20)}, "registered"),
        ({"vote_decision": date(2024, 4, 12)}, "vote_decision"),
        ({"lists_submitted": date(2024, 2, 1)}, "lists_submitted"),
        ({"rules": RULES_2016}, "rules"),
    ],
)
def test_timeline_refuses_dates_that_break_a_deadline(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(LawInputError) as err:
        recall_timeline(date(2024, 3, 1), **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


@settings(max_examples=200)
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 15))
def test_working_days_skip_weekends(start: date, count: int) -> None:
    """Decision #12: exactly ``count`` Monday–Friday days in (start, result], result a weekday."""
    end = add_working_days(start, count)
    days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 for d in days) == count
    assert count == 0 or end.weekday() < 5


# --- when a recall may be initiated (art. 113-12 para 2) ----------------------------------------


def in_term(on: date, failed: date | None = None) -> RecallInitiation:
    """A deputy whose work runs from 1 Apr 2023 to 1 Apr 2028."""
    return may_initiate_recall(
        on,
        term_start=date(2023, 4, 1),
        term_end=date(2028, 4, 1),
        last_failed_recall_published=failed,
    )


def test_not_in_the_first_year() -> None:
    """Art. 113-12 para 2: the first year of work is 1 Apr 2023 – 31 Mar 2024."""
    barred = in_term(date(2024, 3, 31))
    assert not barred.allowed and barred.bars == (RecallBar.FIRST_YEAR,)
    assert in_term(date(2024, 4, 1)).allowed


def test_not_in_the_last_year() -> None:
    """Art. 113-12 para 2: the last year of work runs from 1 Apr 2027 to the end of the term."""
    assert in_term(date(2027, 3, 31)).allowed
    barred = in_term(date(2027, 4, 1))
    assert not barred.allowed and barred.bars == (RecallBar.LAST_YEAR,)


def test_not_within_a_year_of_a_failed_recall() -> None:
    """Art. 113-12 para 2 part 2: result kept the mandate, published 10 May 2025; the year expires
    at the end of 10 May 2026, so a new initiative is possible from 11 May 2026."""
    barred = in_term(date(2026, 5, 10), failed=date(2025, 5, 10))
    assert barred.bars == (RecallBar.AFTER_FAILED_RECALL,)
    allowed = in_term(date(2026, 5, 11), failed=date(2025, 5, 10))
    assert allowed.allowed and allowed.window == (date(2026, 5, 11), date(2027, 3, 31))


def test_outside_the_term_and_window() -> None:
    result = in_term(date(2028, 4, 1))
    assert result.bars == (RecallBar.OUTSIDE_TERM,)
    assert result.window == (date(2024, 4, 1), date(2027, 3, 31))
    assert len(result.reasons) == 1


def test_a_short_term_has_no_window() -> None:
    """A deputy elected at a by-election with 18 months left: first and last years overlap."""
    result = may_initiate_recall(
        date(2027, 6, 1), term_start=date(2026, 10, 1), term_end=date(2028, 4, 1)
    )
    assert result.window is None
    assert set(result.bars) == {RecallBar.FIRST_YEAR, RecallBar.LAST_YEAR}


def test_leap_day_start() -> None:
    """A term starting 29 Feb 2024: the first year ends with 27 Feb 2025 (28 Feb is a new year)."""
    start, end = date(2024, 2, 29), date(2029, 2, 28)
    assert not may_initiate_recall(date(2025, 2, 27), term_start=start, term_end=end).allowed
    assert may_initiate_recall(date(2025, 2, 28), term_start=start, term_end=end).allowed


def test_term_must_be_ordered() -> None:
    with pytest.raises(LawInputError) as err:
        may_initiate_recall(
            date(2025, 1, 1), term_start=date(2025, 1, 1), term_end=date(2024, 1, 1)
        )
    assert err.value.field == "term_end"
