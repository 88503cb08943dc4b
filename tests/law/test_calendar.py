"""The election calendar (monograph-brief §2.1–§2.3; CL arts. 22, 111-1 p.5; decisions #12–#14).

Every expected date below was counted by hand on a paper calendar from the offsets the sources give,
not taken from the implementation.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.calendar import (
    STAGE_ORDER,
    Calendar,
    ElectionKind,
    StageOverride,
    add_months,
    election_calendar,
    observer_accreditation,
)
from saylau.law.errors import LawInputError
from saylau.law.rules import RULES_2023, Body, CallTiming
from saylau.reference.regions import region, region_zone

RULES = RULES_2023.calendar
PLUS6 = timezone(timedelta(hours=6))
PLUS5 = timezone(timedelta(hours=5))
E_2023 = date(2023, 3, 19)


def at(cal: Calendar, stage_id: str) -> datetime:
    return cal.stage(stage_id).at


def local(y: int, m: int, d: int, h: int = 0, tz: tzinfo = PLUS6) -> datetime:
    return datetime(y, m, d, h, tzinfo=tz)


def codes(cal: Calendar) -> list[str]:
    return [p.code for p in cal.problems]


# --- the 2023 worked example ----------------------------------------------------------------


def test_worked_example_2023() -> None:
    """E = Sun 19 Mar 2023, monograph [L232, L236, L264, L266, L268, L282, L288, L290, L292].

    E−60 = 18 Jan; E−30 = 17 Feb 18:00; E−25 = 22 Feb 18:00; E−1 = 18 Mar; E+7 = 26 Mar;
    extension limit 17 Feb + 20 = 9 Mar; publications until 22 Feb + 7 = 1 Mar;
    platform notice 22 Feb − 5 = 17 Feb 18:00; branch decision 26 Mar + 5 = 31 Mar (art. 111-1 p.5).
    """
    cal = election_calendar(E_2023, PLUS6, RULES)
    assert at(cal, "nomination_opens") == local(2023, 1, 18)
    assert at(cal, "registration_opens") == local(2023, 1, 18)
    assert at(cal, "nomination_closes") == local(2023, 2, 17, 18)
    assert cal.stage("nomination_extension_limit").until == local(2023, 3, 9, 18)
    assert at(cal, "registration_closes") == local(2023, 2, 22, 18)
    publication = cal.stage("registration_publication_within")
    assert publication.within == timedelta(days=7)
    assert publication.until == local(2023, 3, 1, 18)
    assert at(cal, "platform_notice_by") == local(2023, 2, 17, 18)
    assert at(cal, "campaign_starts") == local(2023, 2, 22, 18)
    assert at(cal, "campaign_ends") == local(2023, 3, 18)
    silence = cal.stage("silence_day")
    assert (silence.at, silence.until) == (local(2023, 3, 18), local(2023, 3, 19))
    assert at(cal, "polling_opens") == local(2023, 3, 19, 7)
    assert at(cal, "turnout_reports") == local(2023, 3, 19, 10)
    assert at(cal, "polling_closes") == local(2023, 3, 19, 20)
    assert at(cal, "counting_starts") == local(2023, 3, 19, 20)
    assert at(cal, "exit_polls_publishable_from") == local(2023, 3, 20)
    assert at(cal, "results_deadline") == local(2023, 3, 26, 18)
    assert at(cal, "party_branch_seat_decision") == local(2023, 3, 31, 18)
    assert cal.problems == ()


def test_required_stage_ids_and_no_call_stages_without_a_call() -> None:
    """Issue #2 §3: the stable ids; districts need the call date (CL art. 22 para 2)."""
    cal = election_calendar(E_2023, PLUS6, RULES)
    required = {
        "nomination_opens",
        "nomination_closes",
        "nomination_extension_limit",
        "registration_opens",
        "registration_closes",
        "registration_publication_within",
        "platform_notice_by",
        "campaign_starts",
        "campaign_ends",
        "silence_day",
        "polling_opens",
        "polling_closes",
        "counting_starts",
        "turnout_reports",
        "exit_polls_publishable_from",
        "results_deadline",
        "party_branch_seat_decision",
    }
    assert required <= set(cal.ids)
    assert "election_called" not in cal.ids
    assert "districts_published_by" not in cal.ids
    with pytest.raises(LookupError, match="districts_published_by"):
        cal.stage("districts_published_by")


def test_every_stage_cites_a_statute_article_or_a_monograph_line() -> None:
    """Each stage names its source; only the two rules law-2023.md gives carry an article."""
    cal = election_calendar(
        E_2023, PLUS6, RULES, ElectionKind.EARLY, date(2023, 1, 19), terminated=date(2023, 1, 19)
    )
    for stage in cal.stages:
        assert re.fullmatch(r"CL art\. .+|monograph \[L\d+.*\]", stage.article), stage
        assert stage.actor
    assert cal.stage("districts_published_by").article.startswith("CL art. 22")
    assert cal.stage("party_branch_seat_decision").article == "CL art. 111-1 para 5"
    assert cal.stage("nomination_opens").article == "monograph [L232]"


def test_districts_published_ten_days_after_the_call() -> None:
    """CL art. 22 paras 2, 2-1: no later than 10 days after the call; 18:00 by decision #12.

    Called 19 Jan 2023 → 29 Jan 2023 18:00; called 25 Dec 2022 → 4 Jan 2023 18:00.
    """
    cal = election_calendar(E_2023, PLUS6, RULES, called=date(2023, 1, 19))
    assert at(cal, "election_called") == local(2023, 1, 19)
    assert at(cal, "districts_published_by") == local(2023, 1, 29, 18)
    cal = election_calendar(E_2023, PLUS6, RULES, called=date(2022, 12, 25))
    assert at(cal, "districts_published_by") == local(2023, 1, 4, 18)
    assert cal.stage("districts_published_by").actor == "territorial election commission"


def test_mazhilis_party_decision_ten_days() -> None:
    """CL art. 97-1 para 5: the party distributes Mazhilis mandates within 10 days (26 Mar + 10)."""
    cal = election_calendar(E_2023, PLUS6, RULES, body=Body.MAZHILIS, called=date(2023, 1, 19))
    stage = cal.stage("party_branch_seat_decision")
    assert stage.at == local(2023, 4, 5, 18)
    assert stage.article == "CL art. 97-1 para 5"
    assert cal.stage("districts_published_by").actor == "CEC"


# --- time zones (decision #14) --------------------------------------------------------------


def test_astana_is_utc_plus_6_in_march_2023() -> None:
    """Decision #14: in March 2023 Astana (Asia/Almaty) was UTC+6: 07:00 local = 01:00 UTC."""
    tz = region_zone(region("KZ-71"))
    opens = at(election_calendar(E_2023, tz, RULES), "polling_opens")
    assert opens.utcoffset() == timedelta(hours=6)
    assert opens.astimezone(UTC) == datetime(2023, 3, 19, 1, tzinfo=UTC)


def test_aktobe_is_utc_plus_5_in_march_2023() -> None:
    """Decision #14: Aktobe (KZ-15, Asia/Aqtobe) was UTC+5: 07:00 local = 02:00 UTC."""
    tz = region_zone(region("KZ-15"))
    cal = election_calendar(E_2023, tz, RULES)
    assert at(cal, "polling_opens").utcoffset() == timedelta(hours=5)
    assert at(cal, "polling_opens").astimezone(UTC) == datetime(2023, 3, 19, 2, tzinfo=UTC)
    assert at(cal, "nomination_closes") == local(2023, 2, 17, 18, PLUS5)


def test_astana_is_utc_plus_5_after_1_march_2024_and_days_are_wall_clock_days() -> None:
    """Decision #14: a single UTC+5 zone from 1 Mar 2024; decision #12: calendar days.

    E = 31 Mar 2024 (a by-election Sunday): E−60 = 31 Jan 2024 00:00, still UTC+6; E−30 = 1 Mar
    18:00, already UTC+5. Days are counted on the local calendar, so the 1-hour change does not
    move nomination opening to 23:00.
    """
    tz = region_zone(region("KZ-71"))
    cal = election_calendar(date(2024, 3, 31), tz, RULES)
    assert at(cal, "polling_opens").isoformat() == "2024-03-31T07:00:00+05:00"
    assert at(cal, "nomination_opens").isoformat() == "2024-01-31T00:00:00+06:00"
    assert at(cal, "nomination_closes").isoformat() == "2024-03-01T18:00:00+05:00"


# --- calling windows ([L212]) ---------------------------------------------------------------


def test_early_election_within_two_months_of_termination() -> None:
    """Monograph [L212]: early polling no later than two months after early termination.

    Terminated 19 Jan 2023 → latest polling day 19 Mar 2023: polling that day is lawful (boundary),
    polling on 20 Mar 2023 is too late.
    """
    cal = election_calendar(E_2023, PLUS6, RULES, ElectionKind.EARLY, terminated=date(2023, 1, 19))
    window = cal.stage("early_polling_window")
    assert (window.at, window.until) == (local(2023, 1, 19), local(2023, 3, 19))
    assert cal.problems == ()
    late = election_calendar(
        date(2023, 3, 20), PLUS6, RULES, ElectionKind.EARLY, terminated=date(2023, 1, 19)
    )
    assert codes(late) == ["early_polling_too_late"]
    assert "2023-03-19" in late.problems[0].message


def test_early_election_called_before_termination_is_a_problem() -> None:
    """[L212]: the CEC calls an early election on the decree ending the powers, so not before it."""
    cal = election_calendar(
        E_2023,
        PLUS6,
        RULES,
        ElectionKind.EARLY,
        called=date(2023, 1, 17),
        terminated=date(2023, 1, 18),
    )
    assert "early_called_before_termination" in codes(cal)


def test_nomination_before_the_call_is_reported() -> None:
    """[L212, L232]; decision #13: in 2023 the call (19 Jan) came after E−60 (18 Jan).

    The offsets cannot apply; the calling decision must set the date, so the calendar says so.
    Called on 18 Jan itself, nomination opens that day: no problem.
    """
    cal = election_calendar(E_2023, PLUS6, RULES, ElectionKind.EARLY, date(2023, 1, 19))
    assert codes(cal) == ["nomination_opens_before_call"]
    assert election_calendar(E_2023, PLUS6, RULES, called=date(2023, 1, 18)).problems == ()


def test_regular_window_exact_reading() -> None:
    """[L212]: regular elections called three months before the term ends, held no later than one
    month before. Term ends 10 Apr 2028 → call on 10 Jan 2028, latest polling day 10 Mar 2028,
    whose E−60 is 10 Jan 2028 (21 + 29 + 10 days): the call day itself, so no conflict."""
    term_ends = date(2028, 4, 10)
    cal = election_calendar(
        date(2028, 3, 10), PLUS5, RULES, called=date(2028, 1, 10), term_ends=term_ends
    )
    window = cal.stage("regular_call_window")
    assert (window.at, window.until) == (local(2028, 1, 10, tz=PLUS5), local(2028, 3, 10, tz=PLUS5))
    assert cal.problems == ()
    on_the_day = election_calendar(date(2028, 3, 10), PLUS5, RULES, term_ends=term_ends)
    assert on_the_day.problems == ()
    too_late = election_calendar(date(2028, 3, 11), PLUS5, RULES, term_ends=term_ends)
    assert codes(too_late) == ["regular_polling_too_late"]
    early_call = election_calendar(
        date(2028, 3, 10), PLUS5, RULES, called=date(2028, 1, 9), term_ends=term_ends
    )
    assert codes(early_call) == ["regular_call_off_schedule"]


def test_regular_window_no_later_than_reading() -> None:
    """The alternative reading of [L212] ``regular_call_timing = no_later_than``: calling earlier
    is lawful, calling on 11 Jan 2028 (after 10 Jan) is too late, and then even the latest
    polling day (10 Mar, E−60 = 10 Jan) leaves nomination opening before the call."""
    rules = replace(RULES, regular_call_timing=CallTiming.NO_LATER_THAN)
    term_ends = date(2028, 4, 10)
    early_call = election_calendar(
        date(2028, 3, 5), PLUS5, rules, called=date(2028, 1, 3), term_ends=term_ends
    )
    assert early_call.problems == ()
    late_call = election_calendar(
        date(2028, 3, 10), PLUS5, rules, called=date(2028, 1, 11), term_ends=term_ends
    )
    assert codes(late_call) == ["regular_call_too_late", "nomination_opens_before_call"]


def test_regular_window_clamps_to_the_end_of_the_month() -> None:
    """31 May 2028 − 3 months = 29 Feb 2028 (leap year); − 1 month = 30 Apr 2028."""
    cal = election_calendar(date(2028, 4, 2), PLUS5, RULES, term_ends=date(2028, 5, 31))
    window = cal.stage("regular_call_window")
    assert window.at.date() == date(2028, 2, 29)
    assert window.until is not None and window.until.date() == date(2028, 4, 30)


def test_add_months_by_hand() -> None:
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 19), 2) == date(2023, 3, 19)
    assert add_months(date(2023, 2, 15), -3) == date(2022, 11, 15)
    assert add_months(date(2023, 12, 1), 1) == date(2024, 1, 1)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("called", [date(2023, 3, 19), date(2023, 3, 20)])
def test_polling_day_not_after_the_call_is_refused(called: date) -> None:
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, RULES, called=called)
    assert err.value.field == "polling_day"


def test_window_inputs_belong_to_their_kind() -> None:
    """[L212]: the term end ties regular elections, early termination ties early ones."""
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, RULES, ElectionKind.EARLY, term_ends=date(2023, 6, 1))
    assert err.value.field == "term_ends"
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, RULES, terminated=date(2023, 1, 19))
    assert err.value.field == "terminated"
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, RULES, ElectionKind.EARLY, terminated=E_2023)
    assert err.value.field == "polling_day"


def test_rules_out_of_sequence_are_refused() -> None:
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, replace(RULES, nomination_opens_days=30))
    assert err.value.field == "rules.calendar.nomination_opens_days"
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, replace(RULES, polling_closes_hour=7))
    assert err.value.field == "rules.calendar.polling_closes_hour"


# --- overrides (decision #13) ---------------------------------------------------------------


def test_override_carries_its_reason_and_dependants_follow() -> None:
    """Decision #13; [L266]: registration opens with nomination, so it follows the override.

    2023: nomination opened after the call; set to 20 Jan 2023 00:00 by the calling decision.
    """
    reason = "CEC resolution calling the election"
    cal = election_calendar(
        E_2023,
        PLUS6,
        RULES,
        ElectionKind.EARLY,
        date(2023, 1, 19),
        {"nomination_opens": StageOverride(local(2023, 1, 20), reason)},
    )
    opens = cal.stage("nomination_opens")
    assert (opens.at, opens.override_reason, opens.follows) == (local(2023, 1, 20), reason, None)
    registration = cal.stage("registration_opens")
    assert registration.at == local(2023, 1, 20)
    assert registration.override_reason is None
    assert registration.follows == "nomination_opens"
    assert "nomination_opens" in registration.note
    assert cal.stage("nomination_closes").follows is None
    assert cal.problems == ()


def test_override_of_registration_close_moves_campaign_and_platform_notice() -> None:
    """[L268]: the campaign starts when registration ends; [L280]: platforms notify 5 days before;
    [L264]: publications within 7 days. Registration closed 24 Feb 18:00 instead of 22 Feb:
    campaign 24 Feb 18:00, notice by 19 Feb 18:00, last publication by 3 Mar 18:00. The override
    is given in UTC (12:00Z) and returned in local time."""
    cal = election_calendar(
        E_2023,
        PLUS6,
        RULES,
        overrides={
            "registration_closes": StageOverride(
                datetime(2023, 2, 24, 12, tzinfo=UTC), "commission decision No. 1"
            )
        },
    )
    assert at(cal, "registration_closes").isoformat() == "2023-02-24T18:00:00+06:00"
    assert at(cal, "campaign_starts") == local(2023, 2, 24, 18)
    assert at(cal, "platform_notice_by") == local(2023, 2, 19, 18)
    assert cal.stage("registration_publication_within").until == local(2023, 3, 3, 18)
    assert cal.stage("registration_publication_within").follows == "registration_closes"
    assert cal.stage("silence_day").follows is None


def test_override_until_and_extension_limit_follow_the_close() -> None:
    """[L236]: the extension limit is counted from the actual close: closed 20 Feb 18:00 → limit
    12 Mar 18:00. An explicit ``until`` is kept as given."""
    cal = election_calendar(
        E_2023,
        PLUS6,
        RULES,
        overrides={
            "nomination_closes": StageOverride(local(2023, 2, 20, 18), "extended"),
            "silence_day": StageOverride(local(2023, 3, 18), "same", until=local(2023, 3, 19, 7)),
        },
    )
    assert cal.stage("nomination_extension_limit").until == local(2023, 3, 12, 18)
    assert cal.stage("silence_day").until == local(2023, 3, 19, 7)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"no_such_stage": StageOverride(local(2023, 1, 20), "x")}, "overrides"),
        ({"districts_published_by": StageOverride(local(2023, 1, 20), "x")}, "overrides"),
        (
            {"nomination_opens": StageOverride(local(2023, 1, 20), "  ")},
            "overrides.nomination_opens.reason",
        ),
        (
            {"nomination_opens": StageOverride(datetime(2023, 1, 20), "x")},
            "overrides.nomination_opens.at",
        ),
        (
            {"silence_day": StageOverride(local(2023, 3, 18), "x", until=local(2023, 3, 17))},
            "overrides.silence_day",
        ),
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, StageOverride], field: str) -> None:
    """Decision #13: an override names an existing stage, has a reason and a zoned time."""
    with pytest.raises(LawInputError) as err:
        election_calendar(E_2023, PLUS6, RULES, overrides=overrides)
    assert err.value.field == field


# --- observer accreditation (§2.3) ----------------------------------------------------------


def test_observer_accreditation_by_hand() -> None:
    """[L2399]: review 30 calendar days, state bodies answer within 20; [L2410]: valid 1 year.

    Applied 10 Jan 2023 → review by 9 Feb 2023; information requested 15 Jan → due 4 Feb;
    granted 1 Feb 2023 → valid until 1 Feb 2024.
    """
    acc = observer_accreditation(
        date(2023, 1, 10), RULES, granted=date(2023, 2, 1), information_requested=date(2023, 1, 15)
    )
    assert acc.review_deadline == date(2023, 2, 9)
    assert acc.information_due == date(2023, 2, 4)
    assert (acc.valid_from, acc.valid_until) == (date(2023, 2, 1), date(2024, 2, 1))
    pending = observer_accreditation(date(2023, 1, 10), RULES)
    assert (pending.valid_from, pending.valid_until) == (date(2023, 2, 9), date(2024, 2, 9))
    assert pending.information_due is None


def test_observer_accreditation_leap_day_and_bad_grant() -> None:
    """Granted 29 Feb 2024 → a year later is 28 Feb 2025 (no 29 Feb)."""
    leap = observer_accreditation(date(2024, 2, 1), RULES, granted=date(2024, 2, 29))
    assert leap.valid_until == date(2025, 2, 28)
    with pytest.raises(LawInputError) as err:
        observer_accreditation(date(2024, 2, 1), RULES, granted=date(2024, 1, 31))
    assert err.value.field == "granted"


# --- properties -----------------------------------------------------------------------------

polling_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
fixed_zones = st.integers(min_value=-12 * 4, max_value=14 * 4).map(
    lambda q: timezone(timedelta(minutes=15 * q))
)
zones = st.one_of(
    fixed_zones,
    st.sampled_from(["KZ-71", "KZ-15", "KZ-27", "KZ-43"]).map(lambda c: region_zone(region(c))),
)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


@settings(max_examples=150, deadline=None)
@given(polling_days, zones)
def test_stages_follow_the_statutory_sequence(polling_day: date, tz: tzinfo) -> None:
    """Monograph-brief §2.2: for any polling day the stages come in statutory order, in time."""
    cal = election_calendar(polling_day, tz, RULES)
    expected = [i for i in STAGE_ORDER if i in cal.ids]
    assert list(cal.ids) == expected
    times = [s.at for s in cal.stages]
    assert times == sorted(times)
    for stage in cal.stages:
        assert stage.until is None or stage.until >= stage.at
        assert stage.at.tzinfo is tz


@settings(max_examples=150, deadline=None)
@given(polling_days, zones, st.integers(min_value=1, max_value=400))
def test_stages_are_chronological_with_a_call(polling_day: date, tz: tzinfo, back: int) -> None:
    cal = election_calendar(polling_day, tz, RULES, called=polling_day - timedelta(days=back))
    times = [s.at for s in cal.stages]
    assert times == sorted(times)
    assert ("nomination_opens_before_call" in codes(cal)) == (back < RULES.nomination_opens_days)


@settings(max_examples=150, deadline=None)
@given(polling_days, zones, st.integers(min_value=-400, max_value=400), st.booleans())
def test_shifting_polling_day_shifts_every_e_anchored_stage(
    polling_day: date, tz: tzinfo, n: int, with_call: bool
) -> None:
    """Decision #12 (calendar days): moving E by n days moves every stage anchored on E by n days
    of local wall-clock time; stages anchored on the call do not move."""
    called = date(1999, 6, 1) if with_call else None
    before = election_calendar(polling_day, tz, RULES, called=called)
    after = election_calendar(polling_day + timedelta(days=n), tz, RULES, called=called)
    call_anchored = {"election_called", "districts_published_by"}
    assert set(before.ids) == set(after.ids)
    for stage in before.stages:
        moved = after.stage(stage.id)
        shift = timedelta(0) if stage.id in call_anchored else timedelta(days=n)
        assert _naive(moved.at) == _naive(stage.at) + shift
        if stage.until is not None:
            assert moved.until is not None
            assert _naive(moved.until) == _naive(stage.until) + shift


@settings(max_examples=150, deadline=None)
@given(
    polling_days,
    fixed_zones,
    st.sampled_from([s for s in STAGE_ORDER if s not in {"silence_day"}]),
    st.integers(min_value=-10, max_value=10),
)
def test_override_touches_only_itself_and_its_dependants(
    polling_day: date, tz: tzinfo, stage_id: str, days: int
) -> None:
    """Decision #13: an override sets its stage; every stage not computed from it is unchanged."""
    called = polling_day - timedelta(days=90)
    base = election_calendar(polling_day, tz, RULES, called=called)
    if stage_id not in base.ids or base.stage(stage_id).until is not None:
        return
    target = base.stage(stage_id).at + timedelta(days=days)
    cal = election_calendar(
        polling_day,
        tz,
        RULES,
        called=called,
        overrides={stage_id: StageOverride(target, "test")},
    )
    assert cal.stage(stage_id).at == target
    assert cal.stage(stage_id).override_reason == "test"
    for stage in cal.stages:
        if stage.id != stage_id and stage.follows is None:
            assert stage == base.stage(stage.id)
        if stage.follows is not None:
            assert stage.follows == stage_id
