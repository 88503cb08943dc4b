"""Party-list seat allocation: CL art. 111-1 (maslikhats) and art. 97-1 (Mazhilis); decisions #1–#4.

Steps, each recorded in the returned trace with its article for the result protocol:

1. threshold base (decision #1: valid ballots = party votes + "against all" by default);
2. a list passes with "5% and more" of the base, tested exactly and inclusively (para 1);
3. no list passes → ``no_party_passed``, nothing is allocated (decision #2: the law is silent);
4. one list passes → the next list by votes is admitted and gets floor(votes / quota × 0.7) seats
   but at least 1 (maslikhat) or 2 (Mazhilis); every other seat goes to the passing list
   (paras 2–4);
5. two or more pass → Hare quota over the passing lists, whole quotas, then largest remainders; an
   equal remainder goes to the list registered earlier, then to an auditable lot (paras 1, 3–4;
   decisions #4, #9).

Divisor methods and the Droop quota replace step 5 for counterfactual analysis only
(:mod:`saylau.law.methods`). Lists are not capped by their length: that is the administration's
concern when it fills the seats (para 5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from math import floor
from types import MappingProxyType

from saylau.law.errors import LawInputError, require, require_non_negative
from saylau.law.explain import Explanation, Value, decimal_text, settle
from saylau.law.lot import Lot
from saylau.law.methods import (
    AwardReason,
    Method,
    PartyList,
    QuotientRow,
    SeatAward,
    break_tie,
    distribute,
    hare_quota,
)
from saylau.law.rules import ListRules, ThresholdBase

__all__ = [
    "EXPLANATIONS",
    "Admission",
    "Allocation",
    "AllocationStatus",
    "Method",
    "OnePartyRule",
    "PartyList",
    "ThresholdTest",
    "TraceStep",
    "allocate",
    "decimal_text",
    "reaches_threshold",
    "threshold_base",
]


class AllocationStatus(StrEnum):
    """The outcome of an allocation."""

    ALLOCATED = "allocated"
    NO_PARTY_PASSED = "no_party_passed"
    """No list reached the threshold: nothing is allocated (decision #2)."""


class Admission(StrEnum):
    """How a list stands after the threshold test."""

    PASSED = "passed"
    """Reached the threshold (art. 111-1 para 1)."""
    BELOW_THRESHOLD = "below_threshold"
    SECOND_LIST = "second_list"
    """Below the threshold but admitted as the next list by votes (art. 111-1 para 2)."""


# --- the explanations (templates of saylau.law.explain; msgids of the interface's catalogue) ------

BASE_DEFINITIONS: Mapping[ThresholdBase, str] = MappingProxyType(
    {
        ThresholdBase.VALID: "valid ballots: party votes + against all (invalid excluded)",
        ThresholdBase.TOOK_PART: "ballots found in the boxes: party votes + against all + invalid",
        ThresholdBase.PARTY_VOTES: "party votes only",
    }
)
"""What each threshold base counts (decision #1)."""

STEP_BASE: Mapping[ThresholdBase, str] = MappingProxyType(
    {
        ThresholdBase.VALID: "Threshold base (valid): valid ballots: party votes + against all "
        "(invalid excluded) = {party_votes} + {against_all} = {base}.",
        ThresholdBase.TOOK_PART: "Threshold base (took_part): ballots found in the boxes: party "
        "votes + against all + invalid = {party_votes} + {against_all} + {invalid} = {base}.",
        ThresholdBase.PARTY_VOTES: "Threshold base (party_votes): party votes only = "
        "{party_votes} = {base}.",
    }
)
STEP_THRESHOLD = (
    "Threshold {threshold} ({percent:.4}%), inclusive: a list passes iff votes × {denominator} "
    "≥ {numerator} × {base} = {needed}."
)
STEP_PASSES = "{party}: {votes} × {denominator} = {product} ≥ {needed}: passes."
STEP_FAILS = "{party}: {votes} × {denominator} = {product} < {needed}: does not pass."
STEP_NO_VOTES = "{party}: {votes} × {denominator} = {product} < {needed} (no votes): does not pass."
STEP_NO_PARTY_PASSED = (
    "No list reached the threshold; the law is silent, so no seat is allocated and the "
    "commission is told so."
)
STEP_COUNTERFACTUAL = (
    "Method {method} replaces the statute's Hare quota and largest remainders for the {lists} "
    "passing lists; the threshold is the statute's."
)
STEP_HARE_QUOTA = (
    "Hare quota = {votes} votes of the passing lists / {seats} = {quota} ≈ {quota:.6}."
)
STEP_DROOP_QUOTA = "Droop quota = floor({votes} / ({seats} + 1)) + 1 = {quota} ≈ {quota:.6}."
STEP_QUOTIENT = (
    "{party}: {votes} / quota = {quotient} ≈ {quotient:.6}: {whole} seat(s), remainder "
    "{remainder:.6}."
)
STEP_AWARD: Mapping[tuple[AwardReason, bool], str] = MappingProxyType(
    {
        (AwardReason.LARGEST_REMAINDER, False): "Seat {number} → {party}: largest remainder "
        "{value} ≈ {value:.6}.",
        (AwardReason.EARLIER_REGISTRATION, False): "Seat {number} → {party}: remainder {value} "
        "≈ {value:.6} equal to {tied_with}; registered earlier.",
        (AwardReason.EARLIER_REGISTRATION, True): "Seat {number} → {party}: average {value} "
        "≈ {value:.6} equal to {tied_with}; registered earlier.",
        (AwardReason.LOT, False): "Seat {number} → {party}: value {value} ≈ {value:.6} equal to "
        "{tied_with} and same registration order; drawn by lot.",
        (AwardReason.HIGHEST_AVERAGE, True): "Seat {number} → {party}: highest average {value} "
        "≈ {value:.6}.",
        (AwardReason.EVERY_LIST, False): "Seat {number} → {party}: more seats left than lists: "
        "one to every list.",
        (AwardReason.ONE_PARTY_RULE, False): "Seat {number} → {party}: remaining seat to the only "
        "list that passed.",
    }
)
"""A seat given beyond the whole quotas, by reason and by whether the method divides (True)."""
STEP_ONE_PARTY_COUNTERFACTUAL = (
    "Method {method} has no variant of the one-party rule; paras 2–4 are applied as the statute "
    "says."
)
STEP_SECOND_ADMITTED = "Only {passing} passed; {second} admitted: next list by votes."
STEP_SECOND_BY_REGISTRATION = (
    "Only {passing} passed; {second} admitted: next list by votes, tied with {tied_with} and "
    "chosen registered earlier."
)
STEP_SECOND_BY_LOT = (
    "Only {passing} passed; {second} admitted: next list by votes, tied with {tied_with} and "
    "chosen by lot."
)
STEP_ONE_PARTY_QUOTA = (
    "Quota = ({passing_votes} + {second_votes}) / {seats} = {quota} ≈ {quota:.6}."
)
STEP_SECOND_SEATS = (
    "{second}: {votes} / quota × {factor} = {scaled} ≈ {scaled:.6}, floor {floor}, at least "
    "{minimum}: {seats} seat(s)."
)
STEP_SECOND_SEATS_CUT = (
    "{second}: {votes} / quota × {factor} = {scaled} ≈ {scaled:.6}, floor {floor}, at least "
    "{minimum}: {seats} seat(s); cut to {cut} so that {passing} keeps {keeps} (law silent: "
    "passing_list_min_seats)."
)
STEP_PASSING_SEATS = (
    "{passing}: {votes} / quota = {quotient} ≈ {quotient:.6}; it takes every remaining seat: "
    "{seats} − {second_seats} = {passing_seats}."
)
STEP_ALONE = (
    "Only {passing} passed and no other list has at least {min_votes} vote(s) to be admitted: "
    "{passing} takes all {seats} seat(s)."
)

TEST_PASSED = "share ≥ {threshold}"
TEST_SECOND_LIST = "next list by votes after the only passing one"
TEST_NO_VOTES = "no votes"
TEST_BELOW = "share < {threshold}"

SECOND_BY_VOTES = "next list by votes"
SECOND_BY_REGISTRATION = "next list by votes, tied with {tied_with} and chosen registered earlier"
SECOND_BY_LOT = "next list by votes, tied with {tied_with} and chosen by lot"
SECOND_NONE = "no other list with at least {min_votes} vote(s)"

EXPLANATIONS: tuple[str, ...] = (
    *BASE_DEFINITIONS.values(),
    *STEP_BASE.values(),
    STEP_THRESHOLD,
    STEP_PASSES,
    STEP_FAILS,
    STEP_NO_VOTES,
    STEP_NO_PARTY_PASSED,
    STEP_COUNTERFACTUAL,
    STEP_HARE_QUOTA,
    STEP_DROOP_QUOTA,
    STEP_QUOTIENT,
    *STEP_AWARD.values(),
    STEP_ONE_PARTY_COUNTERFACTUAL,
    STEP_SECOND_ADMITTED,
    STEP_SECOND_BY_REGISTRATION,
    STEP_SECOND_BY_LOT,
    STEP_ONE_PARTY_QUOTA,
    STEP_SECOND_SEATS,
    STEP_SECOND_SEATS_CUT,
    STEP_PASSING_SEATS,
    STEP_ALONE,
    TEST_PASSED,
    TEST_SECOND_LIST,
    TEST_NO_VOTES,
    TEST_BELOW,
    SECOND_BY_VOTES,
    SECOND_BY_REGISTRATION,
    SECOND_BY_LOT,
    SECOND_NONE,
)
"""Every template this module explains with (see :mod:`saylau.law.explain`)."""


@dataclass(frozen=True)
class ThresholdTest:
    """One list's threshold test: votes × denominator ≥ numerator × base (decision #1)."""

    party: str
    votes: int
    registered: int
    share: Fraction | None
    """votes / base exactly; ``None`` when the base is 0 (no votes at all)."""
    passed: bool
    admission: Admission
    reason: str
    """``explanation.text``: the reason in English."""
    article: str
    explanation: Explanation

    @property
    def admitted(self) -> bool:
        return self.admission is not Admission.BELOW_THRESHOLD


@dataclass(frozen=True)
class OnePartyRule:
    """How art. 111-1 paras 2–4 (art. 97-1 for the Mazhilis) were applied."""

    passing: str
    second: str | None
    """The admitted list, or ``None`` when no list is admissible (see ``second_list_min_votes``)."""
    second_reason: str
    """``second_explanation.text``: why, in English."""
    lot: Lot | None
    """The lot that chose the second list among lists tied on votes and registration, if any."""
    quota: Fraction
    second_quotient: Fraction | None
    factor: Fraction
    scaled_quotient: Fraction | None
    """second_quotient × factor (para 3)."""
    floor_seats: int
    min_seats: int
    second_seats: int
    capped: bool
    """True when the minimum was cut so the passing list keeps ``passing_list_min_seats``."""
    passing_seats: int
    article: str
    second_explanation: Explanation


@dataclass(frozen=True)
class TraceStep:
    """One line of the result protocol's account of the allocation: its article, and what was
    done as a template with exact values (``text``: in English; see :mod:`saylau.law.explain`)."""

    article: str
    template: str
    values: Mapping[str, Value] = field(default_factory=dict, hash=False)
    text: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        settle(self)


@dataclass(frozen=True)
class Allocation:
    """The seats of every list and the full trace of how they were allocated."""

    status: AllocationStatus
    seats: Mapping[str, int]
    """Every list, in input order; 0 for lists that got nothing."""
    total_seats: int
    method: Method
    base: int
    threshold_base: ThresholdBase
    base_definition: str
    threshold: Fraction
    tests: tuple[ThresholdTest, ...]
    quota: Fraction | None
    """Hare quota (or Droop, counterfactual); ``None`` if nothing allocated or a divisor method."""
    rows: tuple[QuotientRow, ...]
    awards: tuple[SeatAward, ...]
    one_party: OnePartyRule | None
    steps: tuple[TraceStep, ...]
    article: str


def threshold_base(
    party_votes: int, against_all: int, invalid: int | None, base: ThresholdBase
) -> int:
    """The number the list threshold is a share of (decision #1; CL art. 111-1 para 1, art. 43).

    ``VALID`` (default): party votes + "against all"; invalid ballots are excluded (art. 43 para 5).
    ``TOOK_PART``: every ballot found in the boxes, invalid included (needs ``invalid``).
    ``PARTY_VOTES``: party votes only. Deposit refunds use the same base (decision #15).
    """
    if base is ThresholdBase.VALID:
        return party_votes + against_all
    if base is ThresholdBase.TOOK_PART:
        if invalid is None:
            raise LawInputError(
                "invalid",
                None,
                "threshold base 'took_part' (decision #1) needs the invalid ballots",
            )
        return party_votes + against_all + invalid
    return party_votes


def reaches_threshold(votes: int, base: int, threshold: Fraction) -> bool:
    """ "5% and more" of the base, inclusive and exact: votes × d ≥ n × base (art. 111-1 para 1).

    A list with no votes never passes, so an empty base (or a zero counterfactual threshold) cannot
    admit lists nobody voted for.
    """
    return votes > 0 and votes * threshold.denominator >= threshold.numerator * base


def _base_definition(base: ThresholdBase) -> str:
    return BASE_DEFINITIONS[base]


def _validate(
    lists: Sequence[PartyList],
    seats: int,
    rules: ListRules,
    against_all: int,
    invalid: int | None,
    lot_seed: str | None,
) -> None:
    require(isinstance(seats, int) and not isinstance(seats, bool), "seats", seats, "whole number")
    require(seats >= 1, "seats", seats, "a body elects at least one deputy by party list")
    require_non_negative("against_all", against_all)
    if invalid is not None:
        require_non_negative("invalid", invalid)
    require(len(lists) > 0, "lists", [], "at least one party list must be registered")
    seen: set[str] = set()
    for i, p in enumerate(lists):
        require(
            isinstance(p.party, str) and p.party.strip() != "",
            f"lists[{i}].party",
            p.party,
            "a list needs its party's name",
        )
        require(
            p.party not in seen,
            f"lists[{i}].party",
            p.party,
            "duplicate party: a party has one list per district (CL art. 104 para 4)",
        )
        seen.add(p.party)
        require_non_negative(f"lists[{i}].votes", p.votes)
        require(
            isinstance(p.registered, int) and not isinstance(p.registered, bool),
            f"lists[{i}].registered",
            p.registered,
            "registration order is a whole number",
        )
        require(
            p.registered >= 1,
            f"lists[{i}].registered",
            p.registered,
            "registration order starts at 1 (= registered earliest)",
        )
    t = rules.threshold
    require(0 <= t <= 1, "threshold", t, "a share between 0 and 1 (art. 111-1 para 1)")
    require(
        rules.second_list_factor >= 0,
        "second_list_factor",
        rules.second_list_factor,
        "must not be negative (art. 111-1 para 3)",
    )
    require_non_negative("second_list_min_seats", rules.second_list_min_seats)
    require_non_negative("second_list_min_votes", rules.second_list_min_votes)
    require_non_negative("passing_list_min_seats", rules.passing_list_min_seats)
    if lot_seed is not None:
        require(lot_seed != "", "lot_seed", lot_seed, "a lot needs a non-empty seed (decision #9)")


def allocate(
    lists: Sequence[PartyList],
    seats: int,
    rules: ListRules,
    *,
    against_all: int = 0,
    invalid: int | None = None,
    method: Method = Method.HARE_LR,
    lot_seed: str | None = None,
) -> Allocation:
    """Allocate a body's party-list ``seats`` (CL art. 111-1 / 97-1 per ``rules.article``).

    ``invalid`` is needed only with ``ThresholdBase.TOOK_PART``. ``lot_seed`` is needed only if a
    seat (or the one-party rule's second list) is decided between lists tied on value *and*
    registration order; without it such a case raises :class:`LawInputError` on ``lot_seed``.
    ``method`` other than ``HARE_LR`` is a counterfactual; it replaces only the distribution among
    two or more passing lists, the threshold and the one-party rule being statutory.
    """
    _validate(lists, seats, rules, against_all, invalid, lot_seed)
    art = rules.article
    party_votes = sum(p.votes for p in lists)
    base = threshold_base(party_votes, against_all, invalid, rules.threshold_base)
    t = rules.threshold
    base_values: dict[str, Value] = {
        "party_votes": party_votes,
        "against_all": against_all,
        "base": base,
    }
    if rules.threshold_base is ThresholdBase.TOOK_PART:
        base_values["invalid"] = invalid or 0
    needed = t.numerator * base
    steps: list[TraceStep] = [
        TraceStep(f"{art} para 1; decision #1", STEP_BASE[rules.threshold_base], base_values),
        TraceStep(
            f"{art} para 1; decision #1",
            STEP_THRESHOLD,
            {
                "threshold": t,
                "percent": t * 100,
                "denominator": t.denominator,
                "numerator": t.numerator,
                "base": base,
                "needed": needed,
            },
        ),
    ]
    passed = {p.party: reaches_threshold(p.votes, base, t) for p in lists}
    passing = [p for p in lists if passed[p.party]]
    for p in lists:
        template = STEP_NO_VOTES if p.votes == 0 else STEP_FAILS
        if passed[p.party]:
            template = STEP_PASSES
        steps.append(
            TraceStep(
                f"{art} para 1",
                template,
                {
                    "party": p.party,
                    "votes": p.votes,
                    "denominator": t.denominator,
                    "product": p.votes * t.denominator,
                    "needed": needed,
                },
            )
        )
    common = _Common(lists, seats, rules, method, base, steps)
    if not passing:
        steps.append(TraceStep("decision #2", STEP_NO_PARTY_PASSED))
        return common.result(AllocationStatus.NO_PARTY_PASSED, {}, None, (), (), None, set())
    if len(passing) == 1 and rules.one_party_rule:
        return _one_party(common, passing[0], passed, lot_seed)
    return _general(common, passing, lot_seed)


@dataclass(frozen=True)
class _Common:
    lists: Sequence[PartyList]
    seats: int
    rules: ListRules
    method: Method
    base: int
    steps: list[TraceStep]

    def result(
        self,
        status: AllocationStatus,
        won: Mapping[str, int],
        quota: Fraction | None,
        rows: tuple[QuotientRow, ...],
        awards: tuple[SeatAward, ...],
        one_party: OnePartyRule | None,
        second: set[str],
    ) -> Allocation:
        t = self.rules.threshold
        tests = tuple(self._test(p, t, second) for p in self.lists)
        return Allocation(
            status=status,
            seats=MappingProxyType({p.party: won.get(p.party, 0) for p in self.lists}),
            total_seats=self.seats,
            method=self.method,
            base=self.base,
            threshold_base=self.rules.threshold_base,
            base_definition=_base_definition(self.rules.threshold_base),
            threshold=t,
            tests=tests,
            quota=quota,
            rows=rows,
            awards=awards,
            one_party=one_party,
            steps=tuple(self.steps),
            article=self.rules.article,
        )

    def _test(self, p: PartyList, t: Fraction, second: set[str]) -> ThresholdTest:
        art = f"{self.rules.article} para 1"
        share = Fraction(p.votes, self.base) if self.base else None
        if reaches_threshold(p.votes, self.base, t):
            admission, why = Admission.PASSED, Explanation(TEST_PASSED, {"threshold": t})
        elif p.party in second:
            admission, why = Admission.SECOND_LIST, Explanation(TEST_SECOND_LIST)
            art = f"{self.rules.article} para 2"
        elif p.votes == 0:
            admission, why = Admission.BELOW_THRESHOLD, Explanation(TEST_NO_VOTES)
        else:
            admission, why = Admission.BELOW_THRESHOLD, Explanation(TEST_BELOW, {"threshold": t})
        return ThresholdTest(
            p.party,
            p.votes,
            p.registered,
            share,
            admission is Admission.PASSED,
            admission,
            why.text,
            art,
            why,
        )


def _general(common: _Common, passing: Sequence[PartyList], lot_seed: str | None) -> Allocation:
    """Two or more lists passed (or one, with the one-party rule switched off): paras 1, 3–4."""
    art, method, steps = common.rules.article, common.method, common.steps
    total = sum(p.votes for p in passing)
    if method.statutory:
        award_article = f"{art} para 4"
    else:
        award_article = f"counterfactual {method.value}; ties as in {art} para 4"
        steps.append(
            TraceStep(
                "counterfactual",
                STEP_COUNTERFACTUAL,
                {"method": method.value, "lists": len(passing)},
            )
        )
    d = distribute(passing, common.seats, method, lot_seed=lot_seed, article=award_article)
    if d.quota is not None:
        template, where = (
            (STEP_HARE_QUOTA, art + " para 1")
            if method.statutory
            else (STEP_DROOP_QUOTA, "counterfactual")
        )
        steps.append(
            TraceStep(where, template, {"votes": total, "seats": common.seats, "quota": d.quota})
        )
        for r in d.rows:
            steps.append(
                TraceStep(
                    f"{art} para 3",
                    STEP_QUOTIENT,
                    {
                        "party": r.party,
                        "votes": r.votes,
                        "quotient": r.quotient,
                        "whole": r.quota_seats,
                        "remainder": r.remainder,
                    },
                )
            )
    for a in d.awards:
        steps.append(_award_step(a, method.is_divisor_method))
    return common.result(
        AllocationStatus.ALLOCATED, d.seats, d.quota, d.rows, d.awards, None, set()
    )


def _one_party(
    common: _Common, first: PartyList, passed: Mapping[str, bool], lot_seed: str | None
) -> Allocation:
    """Only one list passed: art. 111-1 paras 2–4 (art. 97-1 paras 2–4 for the Mazhilis)."""
    rules, seats, steps = common.rules, common.seats, common.steps
    art = rules.article
    if not common.method.statutory:
        steps.append(
            TraceStep(
                "counterfactual", STEP_ONE_PARTY_COUNTERFACTUAL, {"method": common.method.value}
            )
        )
    candidates = [
        p for p in common.lists if not passed[p.party] and p.votes >= rules.second_list_min_votes
    ]
    lot: Lot | None = None
    if not candidates:
        return _one_party_alone(common, first)
    most = max(p.votes for p in candidates)
    tied = [p for p in candidates if p.votes == most]
    if len(tied) == 1:
        second = tied[0]
        why = Explanation(SECOND_BY_VOTES)
        step = TraceStep(
            f"{art} para 2", STEP_SECOND_ADMITTED, {"passing": first.party, "second": second.party}
        )
    else:
        tb = break_tie(tied, 1, "one-party rule: next list by votes", lot_seed)
        second, lot = tb.winners[0], tb.lot
        why = Explanation(
            SECOND_BY_LOT if lot else SECOND_BY_REGISTRATION, {"tied_with": tb.losers}
        )
        step = TraceStep(
            f"{art} para 2",
            STEP_SECOND_BY_LOT if lot else STEP_SECOND_BY_REGISTRATION,
            {"passing": first.party, "second": second.party, "tied_with": tb.losers},
        )
    steps.append(step)
    quota = hare_quota(first.votes + second.votes, seats)
    q1 = Fraction(first.votes) / quota
    q2 = Fraction(second.votes) / quota
    scaled = q2 * rules.second_list_factor
    floor_seats = floor(scaled)
    second_seats = max(rules.second_list_min_seats, floor_seats)
    cap = max(0, seats - rules.passing_list_min_seats)
    capped = second_seats > cap
    second_seats = min(second_seats, cap)
    first_seats = seats - second_seats
    steps.append(
        TraceStep(
            f"{art} para 2",
            STEP_ONE_PARTY_QUOTA,
            {
                "passing_votes": first.votes,
                "second_votes": second.votes,
                "seats": seats,
                "quota": quota,
            },
        )
    )
    second_values: dict[str, Value] = {
        "second": second.party,
        "votes": second.votes,
        "factor": rules.second_list_factor,
        "scaled": scaled,
        "floor": floor_seats,
        "minimum": rules.second_list_min_seats,
        "seats": max(rules.second_list_min_seats, floor_seats),
    }
    if capped:
        second_values.update(
            cut=second_seats, passing=first.party, keeps=rules.passing_list_min_seats
        )
    steps.append(
        TraceStep(
            f"{art} para 3",
            STEP_SECOND_SEATS_CUT if capped else STEP_SECOND_SEATS,
            second_values,
        )
    )
    steps.append(
        TraceStep(
            f"{art} para 4",
            STEP_PASSING_SEATS,
            {
                "passing": first.party,
                "votes": first.votes,
                "quotient": q1,
                "seats": seats,
                "second_seats": second_seats,
                "passing_seats": first_seats,
            },
        )
    )
    whole1 = floor(q1)
    whole2 = floor(q2)
    rows = (
        QuotientRow(first.party, first.votes, q1, whole1, q1 - whole1, first_seats),
        QuotientRow(second.party, second.votes, q2, whole2, q2 - whole2, second_seats),
    )
    awards = tuple(
        SeatAward(
            i + 1, first.party, AwardReason.ONE_PARTY_RULE, q1 - whole1, (), None, f"{art} para 4"
        )
        for i in range(max(0, first_seats - whole1))
    )
    record = OnePartyRule(
        passing=first.party,
        second=second.party,
        second_reason=why.text,
        lot=lot,
        quota=quota,
        second_quotient=q2,
        factor=rules.second_list_factor,
        scaled_quotient=scaled,
        floor_seats=floor_seats,
        min_seats=rules.second_list_min_seats,
        second_seats=second_seats,
        capped=capped,
        passing_seats=first_seats,
        article=f"{art} paras 2–4",
        second_explanation=why,
    )
    won = {first.party: first_seats, second.party: second_seats}
    return common.result(
        AllocationStatus.ALLOCATED, won, quota, rows, awards, record, {second.party}
    )


def _one_party_alone(common: _Common, first: PartyList) -> Allocation:
    """One list passed and no other list is admissible: it takes every seat (law silent)."""
    rules, seats = common.rules, common.seats
    art = rules.article
    quota = hare_quota(first.votes, seats)
    common.steps.append(
        TraceStep(
            f"{art} para 2; second_list_min_votes",
            STEP_ALONE,
            {"passing": first.party, "min_votes": rules.second_list_min_votes, "seats": seats},
        )
    )
    why = Explanation(SECOND_NONE, {"min_votes": rules.second_list_min_votes})
    record = OnePartyRule(
        passing=first.party,
        second=None,
        second_reason=why.text,
        lot=None,
        quota=quota,
        second_quotient=None,
        factor=rules.second_list_factor,
        scaled_quotient=None,
        floor_seats=0,
        min_seats=rules.second_list_min_seats,
        second_seats=0,
        capped=False,
        passing_seats=seats,
        article=f"{art} paras 2–4",
        second_explanation=why,
    )
    row = QuotientRow(first.party, first.votes, Fraction(seats), seats, Fraction(0), seats)
    return common.result(
        AllocationStatus.ALLOCATED, {first.party: seats}, quota, (row,), (), record, set()
    )


def _award_step(a: SeatAward, divisor_method: bool) -> TraceStep:
    """The trace line of a seat given beyond the whole quotas (art. 111-1 para 4)."""
    key = (a.reason, divisor_method)
    if key not in STEP_AWARD:
        key = (a.reason, not divisor_method)
    return TraceStep(
        a.article,
        STEP_AWARD[key],
        {"number": a.number, "party": a.party, "value": a.value, "tied_with": a.tied_with},
    )
