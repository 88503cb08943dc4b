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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import compress
from math import floor
from types import MappingProxyType
from typing import TYPE_CHECKING

from saylau.law.errors import LawInputError, require, require_non_negative
from saylau.law.explain import Explanation, LazyText, Value, decimal_text, settle
from saylau.law.lot import Lot
from saylau.law.methods import (
    AwardReason,
    Distribution,
    Method,
    PartyList,
    QuotientRow,
    RemainderShares,
    SeatAward,
    TieBreak,
    break_tie,
    droop_quota,
    hare_quota,
    highest_averages,
    remainder_shares,
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
class TraceStep(LazyText):
    """One line of the result protocol's account of the allocation: its article, and what was
    done as a template with exact values (``text``: in English; see :mod:`saylau.law.explain`)."""

    article: str
    template: str
    values: Mapping[str, Value] = field(default_factory=dict, hash=False)
    text: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        settle(self)


_ACCOUNT = frozenset({"tests", "quota", "rows", "awards", "one_party", "steps"})
"""The fields of an :class:`Allocation` that explain it; written when first read."""


@dataclass(frozen=True)
class Allocation:
    """The seats of every list and the full trace of how they were allocated.

    The decisions (seats, status, any lot) are final when :func:`allocate` returns; the account
    (``tests``, ``quota``, ``rows``, ``awards``, ``one_party``, ``steps``, with their exact
    fractions) is written from those decisions when one of its fields is first read, so that
    counting seats does not pay for a protocol nobody prints. Reading it gives the same trace.
    """

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

    if not TYPE_CHECKING:  # hidden from type checkers, which would accept any attribute name

        def __getattr__(self, name: str) -> object:
            # called only for a field of the account not written yet (not in the instance's dict)
            state = self.__dict__
            if name in _ACCOUNT:
                pending = state.get("_account")
                if pending is not None:
                    common, write, args = pending
                    state.update(common.account(write, args))
                    state.pop("_account", None)
                if name in state:
                    return state[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


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


def _plainly_valid(
    lists: Sequence[PartyList],
    seats: int,
    rules: ListRules,
    against_all: int,
    invalid: int | None,
    lot_seed: str | None,
) -> tuple[list[str], list[int]] | None:
    """The parties and their votes if the input plainly needs none of :func:`_validate`'s
    refusals, else ``None`` (then :func:`_validate` looks closer and names the field and the rule).
    Never laxer than :func:`_validate`; one pass, as it runs on every allocation."""
    if type(seats) is not int or seats < 1 or type(against_all) is not int or against_all < 0:
        return None
    if invalid is not None and (type(invalid) is not int or invalid < 0):
        return None
    t, factor = rules.threshold, rules.second_list_factor
    if type(t) is not Fraction or not 0 <= t.numerator <= t.denominator:
        return None
    if type(factor) is not Fraction or factor.numerator < 0 or lot_seed == "":
        return None
    for count in (
        rules.second_list_min_seats,
        rules.second_list_min_votes,
        rules.passing_list_min_seats,
    ):
        if type(count) is not int or count < 0:
            return None
    names: list[str] = []
    votes: list[int] = []
    for p in lists:
        party, cast, registered = p.party, p.votes, p.registered
        if (
            type(cast) is not int
            or cast < 0
            or type(registered) is not int
            or registered < 1
            or type(party) is not str
            or not party.strip()
        ):
            return None
        names.append(party)
        votes.append(cast)
    if not names or len(set(names)) != len(names):
        return None
    return names, votes


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

    Every decision is taken here, in integers; the account (trace, quotients, awards) is written
    from those decisions when first read (see :class:`Allocation`).
    """
    plain = _plainly_valid(lists, seats, rules, against_all, invalid, lot_seed)
    if plain is None:
        _validate(lists, seats, rules, against_all, invalid, lot_seed)
        plain = [p.party for p in lists], [p.votes for p in lists]
    names, votes = plain
    base = threshold_base(sum(votes), against_all, invalid, rules.threshold_base)
    # para 1, "5% and more", inclusive and exact: votes × d ≥ n × base (see reaches_threshold)
    t = rules.threshold
    d, needed = t.denominator, t.numerator * base
    passed = [v > 0 and v * d >= needed for v in votes]
    common = _Common(lists, names, votes, seats, rules, method, base, against_all, invalid, passed)
    passing = list(compress(lists, passed))
    if not passing:  # decision #2: the law is silent, nothing is allocated
        return common.allocation(
            AllocationStatus.NO_PARTY_PASSED, common.seats_of(()), _nothing_account, ()
        )
    if len(passing) == 1 and rules.one_party_rule:
        return _one_party(common, passing[0], lot_seed)
    return _general(common, passing, lot_seed)


_Account = tuple[
    Fraction | None,
    tuple[QuotientRow, ...],
    tuple[SeatAward, ...],
    OnePartyRule | None,
    list[TraceStep],
    set[str],
]
"""What a path adds to the account: quota, rows, awards, one-party record, the steps after the
threshold test, and the list admitted under para 2 (if any)."""


class _Common:
    """The input and threshold decisions every path shares, and the account they start with."""

    __slots__ = (
        "against_all",
        "base",
        "invalid",
        "lists",
        "method",
        "names",
        "passed",
        "rules",
        "seats",
        "votes",
    )

    def __init__(
        self,
        lists: Sequence[PartyList],
        names: list[str],
        votes: list[int],
        seats: int,
        rules: ListRules,
        method: Method,
        base: int,
        against_all: int,
        invalid: int | None,
        passed: list[bool],
    ) -> None:
        # a tuple: the account is written later, from the lists as they were given
        self.lists, self.names, self.votes = tuple(lists), names, votes
        self.seats, self.rules, self.method = seats, rules, method
        self.base, self.against_all, self.invalid, self.passed = base, against_all, invalid, passed

    def allocation(
        self,
        status: AllocationStatus,
        seats: dict[str, int],
        write: Callable[..., _Account],
        args: tuple[object, ...],
    ) -> Allocation:
        """The final decisions now (``seats``: every list's, in input order), the account
        (``write(*args)``) when first read.

        :class:`Allocation` is frozen; it is filled here without its ``__init__`` so that the
        fields of the account stay unwritten until one is read (``Allocation.__getattr__``).
        """
        rules = self.rules
        result = object.__new__(Allocation)
        object.__setattr__(
            result,
            "__dict__",
            {
                "status": status,
                "seats": MappingProxyType(seats),
                "total_seats": self.seats,
                "method": self.method,
                "base": self.base,
                "threshold_base": rules.threshold_base,
                "base_definition": BASE_DEFINITIONS[rules.threshold_base],
                "threshold": rules.threshold,
                "article": rules.article,
                "_account": (self, write, args),
            },
        )
        return result

    def seats_of(self, won: Iterable[tuple[str, int]]) -> dict[str, int]:
        """Every list's seats in input order: ``won`` for the lists that got any, else 0."""
        seats = dict.fromkeys(self.names, 0)
        seats.update(won)
        return seats

    def account(
        self, write: Callable[..., _Account], args: tuple[object, ...]
    ) -> dict[str, object]:
        """The fields of the account of an :class:`Allocation` (see :meth:`allocation`)."""
        quota, rows, awards, one_party, steps, second = write(*args)
        return {
            "tests": tuple(self._test(p, second) for p in self.lists),
            "quota": quota,
            "rows": rows,
            "awards": awards,
            "one_party": one_party,
            "steps": (*self._threshold_steps(), *steps),
        }

    def _threshold_steps(self) -> list[TraceStep]:
        """Para 1 and decision #1: the base, the threshold, and every list's test."""
        art, t, base = self.rules.article, self.rules.threshold, self.base
        party_votes = sum(self.votes)
        base_values: dict[str, Value] = {
            "party_votes": party_votes,
            "against_all": self.against_all,
            "base": base,
        }
        if self.rules.threshold_base is ThresholdBase.TOOK_PART:
            base_values["invalid"] = self.invalid or 0
        needed = t.numerator * base
        steps = [
            TraceStep(
                f"{art} para 1; decision #1", STEP_BASE[self.rules.threshold_base], base_values
            ),
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
        for p, passed in zip(self.lists, self.passed, strict=True):
            template = STEP_NO_VOTES if p.votes == 0 else STEP_FAILS
            if passed:
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
        return steps

    def _test(self, p: PartyList, second: set[str]) -> ThresholdTest:
        t = self.rules.threshold
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


def _nothing_account() -> _Account:
    """No list reached the threshold (decision #2)."""
    return None, (), (), None, [TraceStep("decision #2", STEP_NO_PARTY_PASSED)], set()


def _general(common: _Common, passing: Sequence[PartyList], lot_seed: str | None) -> Allocation:
    """Two or more lists passed (or one, with the one-party rule switched off): paras 1, 3–4."""
    art, method, seats = common.rules.article, common.method, common.seats
    total = sum(compress(common.votes, common.passed))
    if method is Method.HARE_LR:
        # the statute: Hare quota = total / seats (para 1), kept as the pair (total, seats) since
        # the exact comparisons of the remainders need no Fraction (see remainder_shares)
        shares = remainder_shares(
            passing, seats, total, seats, method=method, lot_seed=lot_seed, article=f"{art} para 4"
        )
        if len(passing) == len(common.names):
            won = dict(zip(common.names, shares.won, strict=True))
        else:
            won = common.seats_of(
                zip(compress(common.names, common.passed), shares.won, strict=True)
            )
        args = (common, total, shares)
        return common.allocation(AllocationStatus.ALLOCATED, won, _remainder_account, args)
    award_article = f"counterfactual {method.value}; ties as in {art} para 4"
    if method.is_divisor_method:
        d = highest_averages(
            passing, seats, method=method, lot_seed=lot_seed, article=award_article
        )
        divisor_args: tuple[object, ...] = (common, len(passing), d)
        return common.allocation(
            AllocationStatus.ALLOCATED,
            common.seats_of(d.seats.items()),
            _divisor_account,
            divisor_args,
        )
    droop = droop_quota(total, seats)
    shares = remainder_shares(
        passing,
        seats,
        droop.numerator,
        droop.denominator,
        method=method,
        lot_seed=lot_seed,
        article=award_article,
    )
    won = common.seats_of(zip(compress(common.names, common.passed), shares.won, strict=True))
    args = (common, total, shares)
    return common.allocation(AllocationStatus.ALLOCATED, won, _remainder_account, args)


def _counterfactual_steps(common: _Common, lists: int) -> list[TraceStep]:
    if common.method.statutory:
        return []
    values: dict[str, Value] = {"method": common.method.value, "lists": lists}
    return [TraceStep("counterfactual", STEP_COUNTERFACTUAL, values)]


def _remainder_account(common: _Common, total: int, shares: RemainderShares) -> _Account:
    """The account of a largest-remainder distribution: quota, quotients, remainder seats."""
    art, method = common.rules.article, common.method
    d = shares.distribution()
    quota = Fraction(shares.qnum, shares.qden)
    steps = _counterfactual_steps(common, len(shares.lists))
    template, where = (
        (STEP_HARE_QUOTA, art + " para 1")
        if method.statutory
        else (STEP_DROOP_QUOTA, "counterfactual")
    )
    steps.append(
        TraceStep(where, template, {"votes": total, "seats": common.seats, "quota": quota})
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
    steps.extend(_award_step(a, False) for a in d.awards)
    return quota, d.rows, d.awards, None, steps, set()


def _divisor_account(common: _Common, lists: int, d: Distribution) -> _Account:
    """The account of a divisor method (counterfactual): every seat by highest average."""
    steps = _counterfactual_steps(common, lists)
    steps.extend(_award_step(a, True) for a in d.awards)
    return None, (), d.awards, None, steps, set()


def _one_party(common: _Common, first: PartyList, lot_seed: str | None) -> Allocation:
    """Only one list passed: art. 111-1 paras 2–4 (art. 97-1 paras 2–4 for the Mazhilis)."""
    rules, seats = common.rules, common.seats
    candidates = [
        p
        for p, passed in zip(common.lists, common.passed, strict=True)
        if not passed and p.votes >= rules.second_list_min_votes
    ]
    if not candidates:
        alone = common.seats_of(((first.party, seats),))
        return common.allocation(AllocationStatus.ALLOCATED, alone, _alone_account, (common, first))
    # para 2: the next list by votes; equal votes → registered earlier, then lot (decisions #4, #9)
    most = max(p.votes for p in candidates)
    tied = [p for p in candidates if p.votes == most]
    tie = (
        None
        if len(tied) == 1
        else break_tie(tied, 1, "one-party rule: next list by votes", lot_seed)
    )
    second = tied[0] if tie is None else tie.winners[0]
    # para 3: floor(votes / quota × factor), quota = (passing + second votes) / seats, in integers
    factor = rules.second_list_factor
    floor_seats = (second.votes * seats * factor.numerator) // (
        (first.votes + second.votes) * factor.denominator
    )
    second_seats = min(
        max(rules.second_list_min_seats, floor_seats),
        max(0, seats - rules.passing_list_min_seats),  # law silent: passing_list_min_seats
    )
    # para 4: every other seat to the passing list
    won = common.seats_of(((first.party, seats - second_seats), (second.party, second_seats)))
    args = (common, first, second, tie, floor_seats, second_seats)
    return common.allocation(AllocationStatus.ALLOCATED, won, _one_party_account, args)


def _one_party_counterfactual(common: _Common) -> list[TraceStep]:
    if common.method.statutory:
        return []
    values: dict[str, Value] = {"method": common.method.value}
    return [TraceStep("counterfactual", STEP_ONE_PARTY_COUNTERFACTUAL, values)]


def _one_party_account(
    common: _Common,
    first: PartyList,
    second: PartyList,
    tie: TieBreak | None,
    floor_seats: int,
    second_seats: int,
) -> _Account:
    """The account of paras 2–4 with the exact quota and quotients."""
    rules, seats = common.rules, common.seats
    art = rules.article
    steps = _one_party_counterfactual(common)
    lot = tie.lot if tie is not None else None
    if tie is None:
        why = Explanation(SECOND_BY_VOTES)
        steps.append(
            TraceStep(
                f"{art} para 2",
                STEP_SECOND_ADMITTED,
                {"passing": first.party, "second": second.party},
            )
        )
    else:
        why = Explanation(
            SECOND_BY_LOT if lot else SECOND_BY_REGISTRATION, {"tied_with": tie.losers}
        )
        steps.append(
            TraceStep(
                f"{art} para 2",
                STEP_SECOND_BY_LOT if lot else STEP_SECOND_BY_REGISTRATION,
                {"passing": first.party, "second": second.party, "tied_with": tie.losers},
            )
        )
    quota = hare_quota(first.votes + second.votes, seats)
    q1 = Fraction(first.votes) / quota
    q2 = Fraction(second.votes) / quota
    scaled = q2 * rules.second_list_factor
    minimum = max(rules.second_list_min_seats, floor_seats)
    capped = minimum > second_seats
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
        "seats": minimum,
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
    return quota, rows, awards, record, steps, {second.party}


def _alone_account(common: _Common, first: PartyList) -> _Account:
    """One list passed and no other list is admissible: it takes every seat (law silent)."""
    rules, seats = common.rules, common.seats
    art = rules.article
    quota = hare_quota(first.votes, seats)
    steps = _one_party_counterfactual(common)
    steps.append(
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
    return quota, (row,), (), record, steps, set()


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
