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
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import floor
from types import MappingProxyType

from saylau.law.errors import LawInputError, require, require_non_negative
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
    article: str

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


@dataclass(frozen=True)
class TraceStep:
    """One line of the result protocol's account of the allocation."""

    article: str
    text: str


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


def decimal_text(value: Fraction, places: int = 6) -> str:
    """``value`` rounded half away from zero to ``places`` decimals: for people, never decisions."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = floor(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = "-" if value < 0 and whole else ""
    if places == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole // scale}.{whole % scale:0{places}d}"


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
    return {
        ThresholdBase.VALID: "valid ballots: party votes + against all (invalid excluded)",
        ThresholdBase.TOOK_PART: "ballots found in the boxes: party votes + against all + invalid",
        ThresholdBase.PARTY_VOTES: "party votes only",
    }[base]


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
    base_sum = _base_sum(party_votes, against_all, invalid, rules.threshold_base)
    steps: list[TraceStep] = [
        TraceStep(
            f"{art} para 1; decision #1",
            f"Threshold base ({rules.threshold_base.value}): "
            f"{_base_definition(rules.threshold_base)} = {base_sum} = {base}.",
        ),
        TraceStep(
            f"{art} para 1; decision #1",
            f"Threshold {_frac(t)} ({decimal_text(t * 100, 4)}%), inclusive: a list passes iff "
            f"votes × {t.denominator} ≥ {t.numerator} × {base} = {t.numerator * base}.",
        ),
    ]
    passed = {p.party: reaches_threshold(p.votes, base, t) for p in lists}
    passing = [p for p in lists if passed[p.party]]
    for p in lists:
        verdict = "passes" if passed[p.party] else "does not pass"
        steps.append(
            TraceStep(
                f"{art} para 1",
                f"{p.party}: {p.votes} × {t.denominator} = {p.votes * t.denominator} "
                f"{'≥' if passed[p.party] else '<'} {t.numerator * base}"
                f"{' (no votes)' if p.votes == 0 else ''}: {verdict}.",
            )
        )
    common = _Common(lists, seats, rules, method, base, steps)
    if not passing:
        steps.append(
            TraceStep(
                "decision #2",
                "No list reached the threshold; the law is silent, so no seat is allocated "
                "and the commission is told so.",
            )
        )
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
            admission, reason = Admission.PASSED, f"share ≥ {_frac(t)}"
        elif p.party in second:
            admission, reason = (
                Admission.SECOND_LIST,
                "next list by votes after the only passing one",
            )
            art = f"{self.rules.article} para 2"
        elif p.votes == 0:
            admission, reason = Admission.BELOW_THRESHOLD, "no votes"
        else:
            admission, reason = Admission.BELOW_THRESHOLD, f"share < {_frac(t)}"
        return ThresholdTest(
            p.party,
            p.votes,
            p.registered,
            share,
            admission is Admission.PASSED,
            admission,
            reason,
            art,
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
                f"Method {method.value} replaces the statute's Hare quota and largest remainders "
                f"for the {len(passing)} passing lists; the threshold is the statute's.",
            )
        )
    d = distribute(passing, common.seats, method, lot_seed=lot_seed, article=award_article)
    if d.quota is not None:
        if method.statutory:
            how, where = (
                f"Hare quota = {total} votes of the passing lists / {common.seats}",
                art + " para 1",
            )
        else:
            how, where = (
                f"Droop quota = floor({total} / ({common.seats} + 1)) + 1",
                "counterfactual",
            )
        steps.append(TraceStep(where, f"{how} = {_frac(d.quota)} ≈ {decimal_text(d.quota)}."))
        for r in d.rows:
            steps.append(
                TraceStep(
                    f"{art} para 3",
                    f"{r.party}: {r.votes} / quota = {_frac(r.quotient)} ≈ "
                    f"{decimal_text(r.quotient)}: {r.quota_seats} seat(s), remainder "
                    f"{decimal_text(r.remainder)}.",
                )
            )
    label = "average" if method.is_divisor_method else "remainder"
    for a in d.awards:
        steps.append(TraceStep(a.article, _award_text(a, label)))
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
                "counterfactual",
                f"Method {common.method.value} has no variant of the one-party rule; "
                "paras 2–4 are applied as the statute says.",
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
        why = "next list by votes"
    else:
        tb = break_tie(tied, 1, "one-party rule: next list by votes", lot_seed)
        second, lot = tb.winners[0], tb.lot
        how = "by lot" if lot else "registered earlier"
        why = f"next list by votes, tied with {', '.join(tb.losers)} and chosen {how}"
    steps.append(
        TraceStep(f"{art} para 2", f"Only {first.party} passed; {second.party} admitted: {why}.")
    )
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
            f"Quota = ({first.votes} + {second.votes}) / {seats} = {_frac(quota)} ≈ "
            f"{decimal_text(quota)}.",
        )
    )
    cut = (
        f"; cut to {second_seats} so that {first.party} keeps {rules.passing_list_min_seats} "
        "(law silent: passing_list_min_seats)"
        if capped
        else ""
    )
    steps.append(
        TraceStep(
            f"{art} para 3",
            f"{second.party}: {second.votes} / quota × {_frac(rules.second_list_factor)} = "
            f"{_frac(scaled)} ≈ {decimal_text(scaled)}, floor {floor_seats}, at least "
            f"{rules.second_list_min_seats}: {max(rules.second_list_min_seats, floor_seats)} "
            f"seat(s){cut}.",
        )
    )
    steps.append(
        TraceStep(
            f"{art} para 4",
            f"{first.party}: {first.votes} / quota = {_frac(q1)} ≈ {decimal_text(q1)}; it takes "
            f"every remaining seat: {seats} − {second_seats} = {first_seats}.",
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
        second_reason=why,
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
            f"Only {first.party} passed and no other list has at least "
            f"{rules.second_list_min_votes} vote(s) to be admitted: {first.party} takes all "
            f"{seats} seat(s).",
        )
    )
    record = OnePartyRule(
        passing=first.party,
        second=None,
        second_reason=f"no other list with at least {rules.second_list_min_votes} vote(s)",
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
    )
    row = QuotientRow(first.party, first.votes, Fraction(seats), seats, Fraction(0), seats)
    return common.result(
        AllocationStatus.ALLOCATED, {first.party: seats}, quota, (row,), (), record, set()
    )


def _frac(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _base_sum(party_votes: int, against_all: int, invalid: int | None, base: ThresholdBase) -> str:
    if base is ThresholdBase.VALID:
        return f"{party_votes} + {against_all}"
    if base is ThresholdBase.TOOK_PART:
        return f"{party_votes} + {against_all} + {invalid}"
    return f"{party_votes}"


def _award_text(a: SeatAward, label: str) -> str:
    value = f"{_frac(a.value)} ≈ {decimal_text(a.value)}"
    text = {
        AwardReason.LARGEST_REMAINDER: f"largest remainder {value}",
        AwardReason.EARLIER_REGISTRATION: f"{label} {value} equal to {', '.join(a.tied_with)}"
        f"; registered earlier",
        AwardReason.LOT: f"value {value} equal to {', '.join(a.tied_with)} and same registration "
        "order; drawn by lot",
        AwardReason.HIGHEST_AVERAGE: f"highest average {value}",
        AwardReason.EVERY_LIST: "more seats left than lists: one to every list",
        AwardReason.ONE_PARTY_RULE: "remaining seat to the only list that passed",
    }[a.reason]
    return f"Seat {a.number} → {a.party}: {text}."
