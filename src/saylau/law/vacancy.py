"""A seat left early: list successor or by-election (CL arts. 111-1 p. 6, 97-1 p. 6, 101, 113).

- A list seat goes to the next person *chosen by the party branch's governing body* from those
  remaining on the list; the list order does not bind it (art. 111-1 para 6; Mazhilis art. 97-1
  para 6). An empty list leaves the seat vacant until the next election. The law names no default
  successor, so without the branch's choice the outcome is "awaiting the party's decision".
- A Mazhilis list successor must keep the party's mandates at ≥ 30% women + youth + persons with
  disabilities (art. 97-1 para 6 part 1 with para 5 part 3). That check lives in the quota module;
  here the caller passes it in as ``keeps_quota`` so this module stays independent of it.
- A single-member seat is filled by a by-election ("выборы вместо выбывших", art. 101 para 1(4)),
  held on the last Sunday of March or October (art. 101 para 3-1, ``CalendarRules``), or on another
  date agreed with the CEC; none is held within the year before the maslikhat's term ends
  (art. 113 part 2).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from saylau.law.errors import LawInputError, require
from saylau.law.rules import DEFAULT_RULES, Body, RuleSet

SUNDAY = 6


class ListVacancyStatus(StrEnum):
    """What happens to a list seat left early."""

    FILLED = "filled"
    AWAITING_PARTY_DECISION = "awaiting_party_decision"
    VACANT_UNTIL_NEXT_ELECTION = "vacant_until_next_election"
    QUOTA_UNSATISFIABLE = "quota_unsatisfiable"
    """Mazhilis: nobody left on the list keeps the quota; the law is silent (art. 97-1 para 6)."""


@dataclass(frozen=True)
class ListVacancy:
    """The outcome for a list seat, the persons the branch may choose from and the list after."""

    status: ListVacancyStatus
    successor: str | None
    eligible: tuple[str, ...]
    remaining_after: tuple[str, ...]
    reason: str
    articles: tuple[str, ...]


def _list_articles(body: Body) -> tuple[str, ...]:
    if body is Body.MAZHILIS:
        return ("CL art. 97-1 para 6", "CL art. 97-1 para 5 part 3")
    return ("CL art. 111-1 para 6",)


def fill_list_vacancy(
    remaining: Sequence[str],
    choice: str | None = None,
    *,
    body: Body = Body.MASLIKHAT,
    keeps_quota: Callable[[str], bool] | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> ListVacancy:
    """Give a list seat left early to the person the party branch chose (art. 111-1 para 6).

    ``remaining`` are the persons still on the party's list (not already deputies); ``choice`` is
    the governing body's decision, if taken. For the Mazhilis under a rule set whose quota applies
    to mandates, ``keeps_quota(person)`` must say whether the party's mandates would still meet the
    three-category quota with that person (art. 97-1 para 6); a choice that breaks it is refused.
    Maslikhat mandates carry no quota (art. 111-1 has none; the list quota of art. 104 para 4 binds
    the list at registration), so ``keeps_quota`` is not consulted for them.
    """
    names = tuple(remaining)
    for name in names:
        require(
            isinstance(name, str) and bool(name.strip()),
            "remaining",
            name,
            "every person on the list needs a name",
        )
    require(
        len(set(names)) == len(names), "remaining", list(names), "a person appears on a list once"
    )
    articles = _list_articles(body)
    if not names:
        require(choice is None, "choice", choice, "nobody is left on the list to choose")
        return ListVacancy(
            status=ListVacancyStatus.VACANT_UNTIL_NEXT_ELECTION,
            successor=None,
            eligible=(),
            remaining_after=(),
            reason="nobody is left on the party list: the seat stays vacant until the next "
            "election of the body (para 6 part 2)",
            articles=articles,
        )
    quota_applies = (
        body is Body.MAZHILIS
        and rules.quota is not None
        and rules.quota.applies_to_mazhilis_mandates
    )
    eligible = names
    if quota_applies:
        if keeps_quota is None:
            raise LawInputError(
                "keeps_quota",
                None,
                "a Mazhilis list successor must keep the 30% three-category quota of the party's "
                "mandates (CL art. 97-1 para 6); pass the quota check",
            )
        eligible = tuple(n for n in names if keeps_quota(n))
    if choice is None:
        if not eligible:
            return ListVacancy(
                status=ListVacancyStatus.QUOTA_UNSATISFIABLE,
                successor=None,
                eligible=(),
                remaining_after=names,
                reason="nobody left on the list keeps the mandate quota; the law is silent",
                articles=articles,
            )
        return ListVacancy(
            status=ListVacancyStatus.AWAITING_PARTY_DECISION,
            successor=None,
            eligible=eligible,
            remaining_after=names,
            reason="the party branch's governing body chooses the successor; the law sets no "
            "default order",
            articles=articles,
        )
    require(choice in names, "choice", choice, "the successor must be on the party's list")
    require(
        choice in eligible,
        "choice",
        choice,
        "this successor would break the 30% quota of the party's mandates "
        "(CL art. 97-1 para 6, para 5 part 3)",
    )
    return ListVacancy(
        status=ListVacancyStatus.FILLED,
        successor=choice,
        eligible=eligible,
        remaining_after=tuple(n for n in names if n != choice),
        reason="the seat passes to the person chosen by the party branch's governing body",
        articles=articles,
    )


# --- by-elections ------------------------------------------------------------------------------


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - SUNDAY) % 7)


def next_by_election_day(on_or_after: date, rules: RuleSet = DEFAULT_RULES) -> date:
    """The first last-Sunday-of-March/October on or after a date (art. 101 para 3-1 part 2)."""
    months = sorted(rules.calendar.by_election_months)
    require(
        bool(months) and all(1 <= m <= 12 for m in months),
        "by_election_months",
        months,
        "by-election months are calendar months",
    )
    year = on_or_after.year
    while True:
        for month in months:
            day = last_sunday(year, month)
            if day >= on_or_after:
                return day
        year += 1


def _one_year_before(day: date) -> date:
    """The same day a year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


class ByElectionStatus(StrEnum):
    """Whether a by-election fills a single-member seat left early."""

    SCHEDULED = "scheduled"
    NOT_HELD = "not_held"


@dataclass(frozen=True)
class ByElection:
    """The by-election day (or why none is held) for a single-member seat left early."""

    status: ByElectionStatus
    polling_day: date | None
    regular_day: date
    """The last Sunday of March/October that the law points to, shown even if another day is set."""
    agreed_with_cec: bool
    final_year_starts: date
    reason: str
    articles: tuple[str, ...]


def schedule_by_election(
    vacancy: date,
    *,
    term_end: date,
    earliest: date | None = None,
    agreed_day: date | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> ByElection:
    """The by-election for a maslikhat SMD seat that fell vacant on ``vacancy`` (art. 101, 113).

    The day is the next last Sunday of March or October on or after ``earliest`` (default: the day
    after the vacancy; the law sets no lead time, the commission fixes the deadlines, art. 113
    part 1), unless the commission sets ``agreed_day`` in agreement with the CEC (art. 101 para 3-1
    part 3). No by-election is held within the year before ``term_end``, the day the maslikhat's
    constitutional term expires (art. 113 part 2): what counts is the day the vote would be held.
    """
    require(
        vacancy < term_end,
        "vacancy",
        vacancy.isoformat(),
        f"must fall within the term, before {term_end.isoformat()}",
    )
    start = vacancy + timedelta(days=1) if earliest is None else earliest
    require(start > vacancy, "earliest", start.isoformat(), "must be after the vacancy")
    if agreed_day is not None:
        require(
            agreed_day > vacancy,
            "agreed_day",
            agreed_day.isoformat(),
            "a by-election is held after the seat falls vacant",
        )
    regular = next_by_election_day(start, rules)
    polling_day = regular if agreed_day is None else agreed_day
    final_year = _one_year_before(term_end)
    articles = ("CL art. 101 para 1(4)", "CL art. 101 para 3-1", "CL art. 113")
    if polling_day >= final_year:
        return ByElection(
            status=ByElectionStatus.NOT_HELD,
            polling_day=None,
            regular_day=regular,
            agreed_with_cec=agreed_day is not None,
            final_year_starts=final_year,
            reason=(
                f"the by-election would fall on {polling_day.isoformat()}, within the year "
                f"before the term ends on {term_end.isoformat()} (from "
                f"{final_year.isoformat()}): none is held (CL art. 113 part 2)"
            ),
            articles=articles,
        )
    return ByElection(
        status=ByElectionStatus.SCHEDULED,
        polling_day=polling_day,
        regular_day=regular,
        agreed_with_cec=agreed_day is not None,
        final_year_starts=final_year,
        reason=(
            f"by-election on {polling_day.isoformat()}: "
            + (
                "another day agreed with the CEC (art. 101 para 3-1 part 3)"
                if agreed_day is not None
                else "the next last Sunday of March/October (art. 101 para 3-1 part 2)"
            )
        ),
        articles=articles,
    )
