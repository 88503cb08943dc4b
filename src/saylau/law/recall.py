"""Recall of a deputy elected in a single-member district (CL arts. 113-12 – 113-16; decision #16).

Thresholds come from :class:`~saylau.law.rules.RecallRules` and are tested in integers:

- petition: *more than* 10% of the district's voters signed (art. 113-14 para 2 sub 1). The text
  says "less than 10%" ends the recall (sub 2) and is silent on exactly 10%; "more than" is the
  condition to go on, so exactly 10% is insufficient;
- validity: *at least* one third of the district's voters took part (art. 113-16 para 3);
- outcome: *more than* 50% of those who took part voted for the recall (art. 113-16 para 4).

"Voters of the district" are those on the district's list on the recall polling day; "took part" are
the ballots found in the boxes, invalid included (decision #16, ``RecallRules.turnout_base``).

Dates: a period of N days "from" an event starts the next day, so it ends on event + N days; a
period of months ends on the same-numbered day, or the month's last day if there is none.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from saylau.law.errors import LawInputError, require, require_non_negative
from saylau.law.rules import DEFAULT_RULES, Body, RecallRules, RecallTurnoutBase, RuleSet


def recall_rules(rules: RuleSet) -> RecallRules:
    """The recall parameters of a rule set; recall exists only since CL No. 156-VII (2022)."""
    if rules.recall is None:
        raise LawInputError("rules", rules.name, "this rule set has no recall (CL ch. 13-2, 2022)")
    return rules.recall


# --- thresholds --------------------------------------------------------------------------------


def _require_voters(district_voters: int) -> None:
    require_non_negative("district_voters", district_voters)
    require(
        district_voters > 0,
        "district_voters",
        district_voters,
        "a recall needs a district with voters on its list",
    )


def signatures_needed(district_voters: int, rules: RuleSet = DEFAULT_RULES) -> int:
    """The fewest valid signatures that are *more than* the share of voters (art. 113-14 p. 2)."""
    _require_voters(district_voters)
    share = recall_rules(rules).signature_share
    return math.floor(share * district_voters) + 1


def petition_sufficient(
    valid_signatures: int, district_voters: int, rules: RuleSet = DEFAULT_RULES
) -> bool:
    """More than 10% of the district's voters signed (art. 113-14 para 2); exactly 10% is not."""
    _require_voters(district_voters)
    require_non_negative("valid_signatures", valid_signatures)
    require(
        valid_signatures <= district_voters,
        "valid_signatures",
        valid_signatures,
        f"cannot exceed the district's {district_voters} voters: one signature per citizen "
        "(art. 113-14 para 3)",
    )
    return valid_signatures > recall_rules(rules).signature_share * district_voters


def turnout_needed(district_voters: int, rules: RuleSet = DEFAULT_RULES) -> int:
    """The fewest participants that make a recall vote valid: ⌈voters / 3⌉ (art. 113-16 para 3)."""
    _require_voters(district_voters)
    return math.ceil(recall_rules(rules).turnout_share * district_voters)


def votes_needed_to_recall(took_part: int, rules: RuleSet = DEFAULT_RULES) -> int:
    """The fewest votes for recall that are *more than* half of the participants (113-16 p. 4)."""
    require_non_negative("took_part", took_part)
    return math.floor(recall_rules(rules).recall_share * took_part) + 1


def participants(took_part: int, invalid: int, rules: RuleSet = DEFAULT_RULES) -> int:
    """Who "took part" under ``RecallRules.turnout_base`` (decision #16).

    ``took_part`` is always the number of ballots found in the boxes; with the ``valid_ballots``
    alternative the invalid ones are taken off.
    """
    require_non_negative("took_part", took_part)
    require_non_negative("invalid", invalid)
    require(
        invalid <= took_part,
        "invalid",
        invalid,
        f"cannot exceed the {took_part} ballots found in the boxes",
    )
    if recall_rules(rules).turnout_base is RecallTurnoutBase.VALID_BALLOTS:
        return took_part - invalid
    return took_part


def recall_vote_valid(
    district_voters: int, took_part: int, *, invalid: int = 0, rules: RuleSet = DEFAULT_RULES
) -> bool:
    """At least one third of the district's voters took part (art. 113-16 para 3; inclusive)."""
    _require_voters(district_voters)
    base = participants(took_part, invalid, rules)
    require(
        took_part <= district_voters,
        "took_part",
        took_part,
        f"cannot exceed the district's {district_voters} voters (decision #16)",
    )
    return base >= recall_rules(rules).turnout_share * district_voters


@dataclass(frozen=True)
class RecallVote:
    """The result of a recall vote as the commission's protocol states it (art. 113-16 para 5)."""

    district_voters: int
    took_part: int
    """Participants under the rule set's turnout base (decision #16)."""
    for_recall: int
    valid: bool
    recalled: bool
    turnout_needed: int
    votes_needed: int
    articles: tuple[str, ...] = ("CL art. 113-16 para 3", "CL art. 113-16 para 4", "decision #16")


def decide_recall_vote(
    district_voters: int,
    took_part: int,
    for_recall: int,
    *,
    invalid: int = 0,
    rules: RuleSet = DEFAULT_RULES,
) -> RecallVote:
    """Valid at ≥ 1/3 turnout (inclusive); recalled at > 50% of participants (exactly half: kept).

    A vote that is not valid recalls nobody: the deputy keeps the mandate (art. 113-16 paras 3–4).
    """
    valid = recall_vote_valid(district_voters, took_part, invalid=invalid, rules=rules)
    require_non_negative("for_recall", for_recall)
    base = participants(took_part, invalid, rules)
    require(
        for_recall <= base,
        "for_recall",
        for_recall,
        f"cannot exceed the {base} voters who took part",
    )
    require(
        for_recall + invalid <= took_part,
        "for_recall",
        for_recall,
        f"votes for recall and {invalid} invalid ballots exceed the {took_part} in the boxes",
    )
    recalled = valid and for_recall > recall_rules(rules).recall_share * base
    return RecallVote(
        district_voters=district_voters,
        took_part=base,
        for_recall=for_recall,
        valid=valid,
        recalled=recalled,
        turnout_needed=turnout_needed(district_voters, rules),
        votes_needed=votes_needed_to_recall(base, rules),
    )


# --- dates -------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same-numbered day ``months`` later, or that month's last day (31 Dec + 2 → 29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


def add_working_days(day: date, count: int, holidays: Iterable[date] = ()) -> date:
    """The ``count``-th working day after ``day``: Saturdays, Sundays and ``holidays`` skipped.

    Decision #12: days are calendar days unless the article says "working days", as art. 113-15
    para 2 does. Public holidays are input, since they (and transfers of days off) change yearly.
    """
    require_non_negative("count", count)
    off = frozenset(holidays)
    current = day
    left = count
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


@dataclass(frozen=True)
class RecallTimeline:
    """Every deadline of a recall, latest dates unless the actual date of a step is given."""

    application_decision_by: date | None
    """Registration or refusal notified within 3 days of the application (art. 113-13 para 2)."""
    registered: date
    collection_ends: date
    """Signatures collected for 30 calendar days from registration (art. 113-14 para 1)."""
    lists_submitted: date
    verification_ends: date
    """Signatures verified within 10 days (art. 113-14 para 2)."""
    vote_decision_by: date
    """Decision to hold the vote ≤ 1 day after verification (art. 113-15 para 1)."""
    vote_decision: date
    notice_by: date
    """Notice to the deputy within 3 working days of the decision (art. 113-15 para 2)."""
    campaign_starts: date
    campaign_ends: date
    """Campaign from the decision for 3 (maslikhat) / 5 (Mazhilis) calendar days (113-15 p. 4)."""
    vote_by: date
    """Vote within 2 months of the decision (art. 113-15 para 3)."""
    body: Body
    articles: tuple[str, ...] = (
        "CL art. 113-13 para 2",
        "CL art. 113-14 paras 1–2",
        "CL art. 113-15 paras 1–4",
        "decision #12",
    )


def recall_timeline(
    registered: date,
    *,
    body: Body = Body.MASLIKHAT,
    application_filed: date | None = None,
    lists_submitted: date | None = None,
    vote_decision: date | None = None,
    holidays: Iterable[date] = (),
    rules: RuleSet = DEFAULT_RULES,
) -> RecallTimeline:
    """The recall timeline from the registration of the application.

    Steps not yet taken are placed at their latest lawful date (lists submitted when collection
    ends; decision one day after verification ends); give actual dates as they happen. The law
    gives no deadline to submit the lists after collection ends: submission defaults to that day.
    """
    r = recall_rules(rules)
    decision_by_application = None
    if application_filed is not None:
        require(
            application_filed <= registered,
            "application_filed",
            application_filed.isoformat(),
            "the application is filed before it is registered",
        )
        decision_by_application = application_filed + timedelta(days=r.application_review_days)
        require(
            registered <= decision_by_application,
            "registered",
            registered.isoformat(),
            f"registration is decided within {r.application_review_days} days of the application "
            "(art. 113-13 para 2)",
        )
    collection_ends = registered + timedelta(days=r.signature_collection_days)
    submitted = collection_ends if lists_submitted is None else lists_submitted
    require(
        submitted >= registered,
        "lists_submitted",
        submitted.isoformat(),
        "the signature lists are submitted after the application is registered",
    )
    verification_ends = submitted + timedelta(days=r.verification_days)
    decision_by = verification_ends + timedelta(days=r.decision_days)
    decision = decision_by if vote_decision is None else vote_decision
    require(
        submitted <= decision <= decision_by,
        "vote_decision",
        decision.isoformat(),
        f"the decision follows verification, at the latest {decision_by.isoformat()} "
        "(art. 113-15 para 1)",
    )
    campaign_days = r.campaign_days_mazhilis if body is Body.MAZHILIS else r.campaign_days_maslikhat
    return RecallTimeline(
        application_decision_by=decision_by_application,
        registered=registered,
        collection_ends=collection_ends,
        lists_submitted=submitted,
        verification_ends=verification_ends,
        vote_decision_by=decision_by,
        vote_decision=decision,
        notice_by=add_working_days(decision, r.notice_working_days, holidays),
        campaign_starts=decision,
        campaign_ends=decision + timedelta(days=campaign_days),
        vote_by=add_months(decision, r.vote_within_months),
        body=body,
    )


# --- when a recall may be started --------------------------------------------------------------


class RecallBar(StrEnum):
    """Why a recall may not be initiated on a date (art. 113-12 para 2)."""

    OUTSIDE_TERM = "outside_term"
    FIRST_YEAR = "first_year"
    LAST_YEAR = "last_year"
    AFTER_FAILED_RECALL = "after_failed_recall"


@dataclass(frozen=True)
class RecallInitiation:
    """Whether a recall may be initiated on ``on``, every bar that applies, and from when."""

    on: date
    allowed: bool
    bars: tuple[RecallBar, ...]
    reasons: tuple[str, ...]
    window: tuple[date, date] | None
    """First and last day on which initiation is possible in this term, if any."""
    articles: tuple[str, ...] = ("CL art. 113-12 para 2",)


def may_initiate_recall(
    on: date,
    *,
    term_start: date,
    term_end: date,
    last_failed_recall_published: date | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> RecallInitiation:
    """Art. 113-12 para 2: not in the deputy's first or last year of work, nor within a year of
    the publication of a vote that kept the mandate.

    ``term_start`` is the first day of the deputy's work; ``term_end`` the day the powers expire
    (the maslikhat's term, LSA art. 5 para 1). The first year is [start, start + 1 year); the
    last year is [end − 1 year, end). "Until one year from publication" has expired only after
    publication + 1 year, so a new initiative is possible the day after that.
    """
    require(
        term_start < term_end,
        "term_end",
        term_end.isoformat(),
        f"must be after term_start {term_start.isoformat()}",
    )
    r = recall_rules(rules)
    first_allowed = add_years(term_start, r.protected_years_at_start)
    last_year_starts = add_years(term_end, -r.protected_years_at_end)
    bars: list[RecallBar] = []
    reasons: list[str] = []
    if not term_start <= on < term_end:
        bars.append(RecallBar.OUTSIDE_TERM)
        reasons.append(
            f"{on.isoformat()} is outside the term {term_start.isoformat()}–{term_end.isoformat()}"
        )
    if term_start <= on < first_allowed:
        bars.append(RecallBar.FIRST_YEAR)
        reasons.append(f"first year of the deputy's work (until {first_allowed.isoformat()})")
    if last_year_starts <= on < term_end:
        bars.append(RecallBar.LAST_YEAR)
        reasons.append(f"last year of the deputy's work (from {last_year_starts.isoformat()})")
    repeat_from = first_allowed
    if last_failed_recall_published is not None:
        repeat_from = max(
            first_allowed,
            add_years(last_failed_recall_published, r.repeat_wait_years) + timedelta(days=1),
        )
        if on < repeat_from:
            bars.append(RecallBar.AFTER_FAILED_RECALL)
            reasons.append(
                f"within {r.repeat_wait_years} year(s) of the publication on "
                f"{last_failed_recall_published.isoformat()} of a vote that kept the mandate "
                f"(possible from {repeat_from.isoformat()})"
            )
    last_day = last_year_starts - timedelta(days=1)
    window = (repeat_from, last_day) if repeat_from <= last_day else None
    return RecallInitiation(
        on=on,
        allowed=not bars,
        bars=tuple(bars),
        reasons=tuple(reasons),
        window=window,
    )


def recall_share_text(share: Fraction, inclusive: bool) -> str:
    """Human wording of a threshold, e.g. "more than 1/10" or "at least 1/3"."""
    return f"{'at least' if inclusive else 'more than'} {share.numerator}/{share.denominator}"
