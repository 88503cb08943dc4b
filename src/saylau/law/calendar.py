"""The election calendar: every stage of a maslikhat election, anchored on polling day E.

Sources. ``law-2023.md`` gives statute articles for only two calendar rules: the publication of the
districts (CL art. 22 paras 2, 2-1) and the party's seat decision (art. 111-1 para 5; art. 97-1
para 5 for the Mazhilis). Every other stage comes from the monograph and cites its line
(``monograph [Lnnn]``, see monograph-brief §2.1–§2.3); a stage never claims an article it was not
checked against.

Conventions:

- Calendar days, never working days: no rule of this calendar says "working days" (decision #12).
  Days are added on the local wall clock, so "E−60" is the same local time sixty dates earlier.
- Deadlines fall at ``deadline_hour`` (18:00) local time; a stage that opens on a day opens at
  00:00; voting runs ``polling_opens_hour``–``polling_closes_hour`` (07:00–20:00) local
  (decision #12).
- Times are aware datetimes in the region's zone, which the caller passes in as a ``tzinfo``: the
  law core looks no zone up itself (decision #14).
- "n months" keeps the day of the month, clamped to the month's last day (31 May − 3 months =
  28/29 Feb): the sources give no finer rule.
- Any stage may be overridden for one election with a reason (decision #13); stages that the law
  computes from an overridden stage follow it, and say so.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from saylau.law.errors import require
from saylau.law.rules import Body, CalendarRules, CallTiming


class ElectionKind(StrEnum):
    """Regular elections at the end of a term, or early ones after early termination ([L212])."""

    REGULAR = "regular"
    EARLY = "early"


@dataclass(frozen=True)
class Stage:
    """One step of the calendar.

    ``at`` is the moment the stage happens or the deadline by which it must have happened;
    ``until`` closes a period (the silence day, a window); ``within`` marks a rolling deadline that
    runs from each triggering event (e.g. 7 days after each registration) rather than one date.
    """

    id: str
    at: datetime
    actor: str
    article: str
    note: str
    until: datetime | None = None
    within: timedelta | None = None
    override_reason: str | None = None
    """Set when this stage's dates were overridden for this election (decision #13)."""
    follows: str | None = None
    """The overridden stage this one was computed from, if any."""


@dataclass(frozen=True)
class StageOverride:
    """A date set by the calling decision or the commission instead of the offset (decision #13)."""

    at: datetime
    reason: str
    until: datetime | None = None


@dataclass(frozen=True)
class CalendarProblem:
    """A named breach of a calendar rule by the given dates (a legal outcome, not bad input)."""

    code: str
    stage: str
    message: str
    article: str


@dataclass(frozen=True)
class Calendar:
    """The stages of one election in chronological order, and any problems with its dates."""

    polling_day: date
    kind: ElectionKind
    body: Body
    stages: tuple[Stage, ...]
    problems: tuple[CalendarProblem, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(stage.id for stage in self.stages)

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id (LookupError naming the known ids otherwise)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise LookupError(f"no stage {stage_id!r} in this calendar; stages: {list(self.ids)}")


@dataclass(frozen=True)
class Accreditation:
    """Deadlines of an observer organisation's accreditation (monograph §2.3, [L2399, L2410]).

    ``valid_until`` is the first anniversary of ``valid_from`` (the grant, or the last day of review
    while none is recorded); the source does not say whether the anniversary itself is covered.
    """

    applied: date
    review_deadline: date
    valid_from: date
    valid_until: date
    information_due: date | None
    article: str


# --- the stage definitions ------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """``anchor`` (E, an input date or another stage) plus an offset, optionally at a fixed hour."""

    anchor: str
    days: int = 0
    months: int = 0
    hour: int | None = None  # None: keep the anchor's time of day


@dataclass(frozen=True)
class _Spec:
    id: str
    at: _Point
    actor: str
    article: str
    note: str
    until: _Point | None = None
    within_days: int | None = None


_E = "E"  # polling day, 00:00 local
_CALLED = "called"
_TERM_ENDS = "term_ends"
_TERMINATED = "terminated"

STAGE_ORDER: tuple[str, ...] = (
    "regular_call_window",
    "early_polling_window",
    "election_called",
    "districts_published_by",
    "nomination_opens",
    "registration_opens",
    "registration_publication_within",
    "nomination_closes",
    "nomination_extension_limit",
    "platform_notice_by",
    "registration_closes",
    "campaign_starts",
    "campaign_ends",
    "silence_day",
    "polling_opens",
    "turnout_reports",
    "polling_closes",
    "counting_starts",
    "exit_polls_publishable_from",
    "results_deadline",
    "party_branch_seat_decision",
)
"""Every stage id, in statutory sequence; ties in time keep this order."""


def _specs(
    rules: CalendarRules,
    kind: ElectionKind,
    body: Body,
    *,
    called: bool,
    term_ends: bool,
    terminated: bool,
) -> tuple[_Spec, ...]:
    r = rules
    deadline = r.deadline_hour
    specs: list[_Spec] = []
    if term_ends:
        timing = "exactly" if r.regular_call_timing is CallTiming.EXACT else "no later than"
        specs.append(
            _Spec(
                "regular_call_window",
                _Point(_TERM_ENDS, months=-r.regular_call_months_before_term_end),
                "CEC",
                "monograph [L212]",
                f"Regular election: called {timing} {r.regular_call_months_before_term_end} "
                f"month(s) before the term ends (at = the call date, reading "
                f"'{r.regular_call_timing.value}'); polling no later than "
                f"{r.regular_polling_months_before_term_end} month(s) before the term ends "
                "(until = the latest lawful polling day).",
                until=_Point(_TERM_ENDS, months=-r.regular_polling_months_before_term_end),
            )
        )
    if terminated:
        specs.append(
            _Spec(
                "early_polling_window",
                _Point(_TERMINATED),
                "CEC, on the Presidential decree ending the maslikhat's powers early",
                "monograph [L212]",
                f"Early election: polling no later than "
                f"{r.early_polling_months_after_termination} month(s) after early termination "
                "(at = termination, until = the latest lawful polling day).",
                until=_Point(_TERMINATED, months=r.early_polling_months_after_termination),
            )
        )
    if called:
        specs.append(
            _Spec(
                "election_called",
                _Point(_CALLED),
                "CEC" if kind is ElectionKind.REGULAR else "CEC, on a Presidential decree",
                "monograph [L212]",
                "The day the election is called; the time of day is not fixed (00:00 shown).",
            )
        )
        specs.append(
            _Spec(
                "districts_published_by",
                _Point("election_called", days=r.districts_published_within_days, hour=deadline),
                "CEC" if body is Body.MAZHILIS else "territorial election commission",
                "CL art. 22 paras 2, 2-1",
                f"List of districts with boundaries and commission seats published no later than "
                f"{r.districts_published_within_days} days after the call; 18:00 local by "
                "decision #12.",
            )
        )
    nominators = (
        "political parties (lists); parties, public associations and self-nominees (districts)"
    )
    specs += [
        _Spec(
            "nomination_opens",
            _Point(_E, days=-r.nomination_opens_days),
            nominators,
            "monograph [L232]",
            f"Nomination opens E−{r.nomination_opens_days}.",
        ),
        _Spec(
            "registration_opens",
            _Point("nomination_opens"),
            "election commission",
            "monograph [L266]",
            "Registration of lists and district candidates opens the day nomination opens, "
            "unless the calling decision says otherwise.",
        ),
        _Spec(
            "registration_publication_within",
            _Point("registration_opens"),
            "election commission",
            "monograph [L264]",
            f"Each registration is published within {r.registration_publication_days} days "
            "after it (a rolling deadline; until = the last one, after registration closes).",
            until=_Point("registration_closes", days=r.registration_publication_days),
            within_days=r.registration_publication_days,
        ),
        _Spec(
            "nomination_closes",
            _Point(_E, days=-r.nomination_closes_days, hour=deadline),
            nominators,
            "monograph [L232]",
            f"Nomination closes E−{r.nomination_closes_days} at 18:00 local.",
        ),
        _Spec(
            "nomination_extension_limit",
            _Point("nomination_closes"),
            "election commission",
            "monograph [L236]",
            f"A limit, not a stage that happens: only if there are too few candidates or lists "
            f"may nomination be extended, by at most {r.max_nomination_extension_days} days "
            "(until = the latest extended close).",
            until=_Point("nomination_extension_limit", days=r.max_nomination_extension_days),
        ),
        _Spec(
            "platform_notice_by",
            _Point("campaign_starts", days=-r.platform_notice_days_before_campaign),
            "online platforms offering paid campaign space",
            "monograph [L280, L1323]",
            f"Terms and prices sent to the election commissions no later than "
            f"{r.platform_notice_days_before_campaign} days before the campaign starts.",
        ),
        _Spec(
            "registration_closes",
            _Point(_E, days=-r.registration_closes_days, hour=deadline),
            "election commission",
            "monograph [L266]",
            f"Registration closes E−{r.registration_closes_days} at 18:00 local, unless the "
            "calling decision says otherwise.",
        ),
        _Spec(
            "campaign_starts",
            _Point("registration_closes"),
            "candidates, parties and their proxies",
            "monograph [L268]",
            "The campaign starts when registration ends.",
        ),
        _Spec(
            "campaign_ends",
            _Point(_E, days=-1),
            "candidates, parties and their proxies",
            "monograph [L268, L282]",
            "The campaign runs until the day before polling: it ends when the silence day "
            "begins (E−1 00:00 local).",
        ),
        _Spec(
            "silence_day",
            _Point(_E, days=-1),
            "everyone: no campaigning",
            "monograph [L268, L282]",
            "Silence day E−1; campaigning of any kind is also banned on polling day.",
            until=_Point(_E),
        ),
        _Spec(
            "polling_opens",
            _Point(_E, hour=r.polling_opens_hour),
            "precinct election commission",
            "monograph [L288, L1530]",
            "Voting opens, local time.",
        ),
        _Spec(
            "turnout_reports",
            _Point(_E, hour=min(r.turnout_report_hours, default=r.polling_opens_hour)),
            "CEC",
            "monograph [L750–L756]",
            "Turnout as of "
            + ", ".join(f"{h:02d}:00" for h in r.turnout_report_hours)
            + " and the final figure after polling closes (2023 releases: 10:10, 16:10, "
            "22:10); hours shown in local time.",
        ),
        _Spec(
            "polling_closes",
            _Point(_E, hour=r.polling_closes_hour),
            "precinct election commission",
            "monograph [L288, L1530]",
            "Voting closes, local time.",
        ),
        _Spec(
            "counting_starts",
            _Point("polling_closes"),
            "precinct election commission (observers may attend)",
            "monograph [L290]",
            "Counting starts when voting ends (after 20:00, or the changed closing time).",
        ),
        _Spec(
            "exit_polls_publishable_from",
            _Point(_E, days=1),
            "accredited sociological organisations",
            "monograph [L292]",
            "No poll results may be published on polling day; exit polls of accredited "
            "organisations after 00:00 (local time of the region assumed).",
        ),
        _Spec(
            "results_deadline",
            _Point(_E, days=r.results_within_days, hour=deadline),
            "territorial election commission",
            "monograph [L292]",
            f"Results published no later than E+{r.results_within_days}; 18:00 local by "
            "decision #12.",
        ),
    ]
    if body is Body.MAZHILIS:
        specs.append(
            _Spec(
                "party_branch_seat_decision",
                _Point("results_deadline", days=r.mazhilis_party_decision_days),
                "party's governing body (else the CEC, in alphabetical order)",
                "CL art. 97-1 para 5",
                f"Within {r.mazhilis_party_decision_days} days the party distributes its "
                "mandates among its list; counted from the latest lawful publication of results.",
            )
        )
    else:
        specs.append(
            _Spec(
                "party_branch_seat_decision",
                _Point("results_deadline", days=r.party_branch_decision_days),
                "governing body of the party's regional branch",
                "CL art. 111-1 para 5",
                f"Within {r.party_branch_decision_days} days of the publication of results the "
                "branch decides which listed candidates take the seats; counted from the latest "
                "lawful publication. The law is silent if it does not decide.",
            )
        )
    return tuple(specs)


# --- arithmetic -----------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of the month clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _local(day: date, tz: tzinfo, hour: int = 0) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz)


def _shift(base: datetime, point: _Point, tz: tzinfo) -> datetime:
    """Wall-clock arithmetic in ``tz``: n calendar days later is the same local time."""
    local = base.astimezone(tz).replace(tzinfo=None)
    if point.months:
        local = datetime.combine(add_months(local.date(), point.months), local.time())
    local += timedelta(days=point.days)
    if point.hour is not None:
        local = datetime.combine(local.date(), time(point.hour))
    return local.replace(tzinfo=tz)


# --- validation -----------------------------------------------------------------------------


def _check_rules(rules: CalendarRules) -> None:
    """Offsets must keep the stages in their statutory sequence (monograph-brief §2.2)."""
    for name in ("deadline_hour", "polling_opens_hour", "polling_closes_hour"):
        hour = getattr(rules, name)
        require(0 <= hour <= 23, f"rules.calendar.{name}", hour, "an hour of the day is 0–23")
    require(
        rules.polling_opens_hour < rules.polling_closes_hour,
        "rules.calendar.polling_closes_hour",
        rules.polling_closes_hour,
        "polling closes after it opens",
    )
    for hour in rules.turnout_report_hours:
        require(
            rules.polling_opens_hour <= hour <= rules.polling_closes_hour,
            "rules.calendar.turnout_report_hours",
            rules.turnout_report_hours,
            "turnout is reported while polling is open",
        )
    require(
        rules.nomination_opens_days > rules.nomination_closes_days,
        "rules.calendar.nomination_opens_days",
        rules.nomination_opens_days,
        "nomination opens before it closes",
    )
    require(
        rules.nomination_closes_days >= rules.registration_closes_days > 1,
        "rules.calendar.registration_closes_days",
        rules.registration_closes_days,
        "registration closes after nomination and before the silence day (E−1)",
    )
    for name in (
        "max_nomination_extension_days",
        "registration_publication_days",
        "platform_notice_days_before_campaign",
        "districts_published_within_days",
        "results_within_days",
        "party_branch_decision_days",
        "mazhilis_party_decision_days",
        "accreditation_review_days",
        "accreditation_validity_years",
        "accreditation_information_days",
        "regular_call_months_before_term_end",
        "regular_polling_months_before_term_end",
        "early_polling_months_after_termination",
    ):
        value = getattr(rules, name)
        require(value >= 0, f"rules.calendar.{name}", value, "an offset is not negative")


def _check_aware(field: str, moment: datetime) -> None:
    require(
        moment.tzinfo is not None and moment.utcoffset() is not None,
        field,
        moment.isoformat(),
        "a time must carry its time zone (decision #14)",
    )


# --- the calendar ---------------------------------------------------------------------------


def election_calendar(
    polling_day: date,
    tz: tzinfo,
    rules: CalendarRules,
    kind: ElectionKind = ElectionKind.REGULAR,
    called: date | None = None,
    overrides: Mapping[str, StageOverride] | None = None,
    *,
    term_ends: date | None = None,
    terminated: date | None = None,
    body: Body = Body.MASLIKHAT,
) -> Calendar:
    """Every stage of the election on ``polling_day`` in the region whose zone is ``tz``.

    Offsets are those of the regular calendar for early elections too, unless overridden
    (decision #13; monograph [L266]). ``term_ends`` (regular) and ``terminated`` (early) add the
    calling window and report a named problem when the dates break it (monograph [L212]).
    ``body`` changes only the party's seat decision (art. 97-1 para 5) and who forms the districts
    (art. 22 para 1); the other offsets are the maslikhat ones.
    """
    _check_rules(rules)
    require(
        isinstance(tz, tzinfo) and _local(polling_day, tz).utcoffset() is not None,
        "tz",
        tz,
        "a time zone is required (decision #14)",
    )
    if called is not None:
        require(
            called < polling_day,
            "polling_day",
            polling_day.isoformat(),
            f"polling day must come after the day the election is called ({called.isoformat()})",
        )
    if term_ends is not None:
        require(
            kind is ElectionKind.REGULAR,
            "term_ends",
            term_ends.isoformat(),
            "only a regular election is tied to the end of the term (monograph [L212]); "
            "an early election takes 'terminated'",
        )
    if terminated is not None:
        require(
            kind is ElectionKind.EARLY,
            "terminated",
            terminated.isoformat(),
            "only an early election follows an early termination (monograph [L212])",
        )
        require(
            terminated < polling_day,
            "polling_day",
            polling_day.isoformat(),
            f"an early election is held after the early termination ({terminated.isoformat()})",
        )

    specs = _specs(
        rules,
        kind,
        body,
        called=called is not None,
        term_ends=term_ends is not None,
        terminated=terminated is not None,
    )
    by_id = {spec.id: spec for spec in specs}
    overrides = dict(overrides or {})
    for stage_id, override in overrides.items():
        require(
            stage_id in by_id,
            "overrides",
            stage_id,
            f"no such stage in this calendar; stages: {[s.id for s in specs]}",
        )
        require(
            bool(override.reason.strip()),
            f"overrides.{stage_id}.reason",
            override.reason,
            "an override needs a reason (decision #13)",
        )
        _check_aware(f"overrides.{stage_id}.at", override.at)
        if override.until is not None:
            _check_aware(f"overrides.{stage_id}.until", override.until)

    inputs: dict[str, datetime] = {_E: _local(polling_day, tz)}
    for name, value in ((_CALLED, called), (_TERM_ENDS, term_ends), (_TERMINATED, terminated)):
        if value is not None:
            inputs[name] = _local(value, tz)

    resolved: dict[str, Stage] = {}

    def follows(point: _Point | None, own: str) -> str | None:
        if point is None or point.anchor in inputs or point.anchor == own:
            return None
        anchor = resolve(point.anchor)
        return anchor.id if anchor.override_reason is not None else anchor.follows

    def moment(point: _Point, own_id: str, own_at: datetime | None) -> datetime:
        if point.anchor in inputs:
            base = inputs[point.anchor]
        elif point.anchor == own_id and own_at is not None:
            base = own_at  # an ``until`` counted from the stage's own ``at``
        else:
            base = resolve(point.anchor).at
        return _shift(base, point, tz)

    def resolve(stage_id: str) -> Stage:
        if stage_id in resolved:
            return resolved[stage_id]
        spec = by_id[stage_id]
        override = overrides.get(stage_id)
        at = override.at.astimezone(tz) if override else moment(spec.at, spec.id, None)
        if override and override.until is not None:
            until: datetime | None = override.until.astimezone(tz)
        elif spec.until is not None:
            until = moment(spec.until, spec.id, at)
        else:
            until = None
        upstream = None if override else follows(spec.at, spec.id)
        if upstream is None and not (override and override.until is not None):
            upstream = follows(spec.until, spec.id)
        note = spec.note
        if upstream is not None:
            note += f" Follows the overridden stage '{upstream}'."
        stage = Stage(
            id=spec.id,
            at=at,
            until=until,
            within=timedelta(days=spec.within_days) if spec.within_days is not None else None,
            actor=spec.actor,
            article=spec.article,
            note=note,
            override_reason=override.reason.strip() if override else None,
            follows=upstream,
        )
        if until is not None:
            require(
                until >= at,
                f"overrides.{stage_id}" if stage_id in overrides else f"stages.{stage_id}",
                until.isoformat(),
                f"a period cannot end before it starts ({at.isoformat()})",
            )
        resolved[stage_id] = stage
        return stage

    for spec in specs:
        resolve(spec.id)
    rank = {stage_id: i for i, stage_id in enumerate(STAGE_ORDER)}
    stages = tuple(sorted(resolved.values(), key=lambda s: (s.at, rank[s.id])))
    problems = _problems(polling_day, rules, resolved)
    return Calendar(polling_day=polling_day, kind=kind, body=body, stages=stages, problems=problems)


def _problems(
    polling_day: date, rules: CalendarRules, stages: Mapping[str, Stage]
) -> tuple[CalendarProblem, ...]:
    """Named breaches of the calling rules by the given (or overridden) dates ([L212])."""
    found: list[CalendarProblem] = []
    called = stages.get("election_called")
    window = stages.get("regular_call_window")
    if window is not None and window.until is not None:
        latest = window.until.date()
        if polling_day > latest:
            found.append(
                CalendarProblem(
                    "regular_polling_too_late",
                    window.id,
                    f"polling day {polling_day.isoformat()} is after {latest.isoformat()}, "
                    f"{rules.regular_polling_months_before_term_end} month(s) before the term "
                    "ends",
                    window.article,
                )
            )
        if called is not None:
            due = window.at.date()
            day = called.at.date()
            exact = rules.regular_call_timing is CallTiming.EXACT
            if (exact and day != due) or (not exact and day > due):
                found.append(
                    CalendarProblem(
                        "regular_call_off_schedule" if exact else "regular_call_too_late",
                        window.id,
                        f"called on {day.isoformat()}; the rule "
                        f"('{rules.regular_call_timing.value}') gives {due.isoformat()}, "
                        f"{rules.regular_call_months_before_term_end} month(s) before the term "
                        "ends",
                        window.article,
                    )
                )
    early = stages.get("early_polling_window")
    if early is not None and early.until is not None:
        latest = early.until.date()
        if polling_day > latest:
            found.append(
                CalendarProblem(
                    "early_polling_too_late",
                    early.id,
                    f"polling day {polling_day.isoformat()} is after {latest.isoformat()}, "
                    f"{rules.early_polling_months_after_termination} month(s) after the early "
                    "termination",
                    early.article,
                )
            )
        if called is not None and called.at < early.at:
            found.append(
                CalendarProblem(
                    "early_called_before_termination",
                    early.id,
                    f"called on {called.at.date().isoformat()}, before the early termination on "
                    f"{early.at.date().isoformat()}",
                    early.article,
                )
            )
    opens = stages["nomination_opens"]
    if called is not None and opens.at < called.at:
        found.append(
            CalendarProblem(
                "nomination_opens_before_call",
                opens.id,
                f"by the offsets nomination would open on {opens.at.date().isoformat()}, before "
                f"the election is called on {called.at.date().isoformat()}; the calling "
                "decision must set the date (override it, decision #13)",
                "monograph [L212, L232]; decision #13",
            )
        )
    return tuple(found)


# --- observer accreditation -----------------------------------------------------------------


def observer_accreditation(
    applied: date,
    rules: CalendarRules,
    granted: date | None = None,
    information_requested: date | None = None,
) -> Accreditation:
    """Deadlines of an observer organisation's accreditation (monograph §2.3).

    Review within ``accreditation_review_days`` (30) calendar days of the application [L2399];
    valid for ``accreditation_validity_years`` (1) year [L2410]; state bodies answer the
    commission's request within ``accreditation_information_days`` (20) calendar days [L2399].
    """
    _check_rules(rules)
    review_deadline = applied + timedelta(days=rules.accreditation_review_days)
    if granted is not None:
        require(
            granted >= applied,
            "granted",
            granted.isoformat(),
            f"accreditation is granted after the application ({applied.isoformat()})",
        )
    if information_requested is not None:
        require(
            information_requested >= applied,
            "information_requested",
            information_requested.isoformat(),
            f"information is requested after the application ({applied.isoformat()})",
        )
    valid_from = granted if granted is not None else review_deadline
    return Accreditation(
        applied=applied,
        review_deadline=review_deadline,
        valid_from=valid_from,
        valid_until=add_months(valid_from, 12 * rules.accreditation_validity_years),
        information_due=(
            information_requested + timedelta(days=rules.accreditation_information_days)
            if information_requested is not None
            else None
        ),
        article="monograph [L2399, L2410]",
    )


__all__ = [
    "STAGE_ORDER",
    "Accreditation",
    "Calendar",
    "CalendarProblem",
    "ElectionKind",
    "Stage",
    "StageOverride",
    "add_months",
    "election_calendar",
    "observer_accreditation",
]
