"""Seat distribution among the lists admitted to allocation.

The statute's method is the Hare quota with largest remainders (CL art. 111-1 paras 1, 3–4; art.
97-1 for the Mazhilis). Droop largest remainders, D'Hondt and Sainte-Laguë are offered for
counterfactual analysis only; they are not the law. Which lists are admitted (threshold, one-party
rule) is decided in :mod:`saylau.law.allocation`; this module only shares seats among them.

All comparisons are exact (:class:`~fractions.Fraction`). A tie on the deciding value (equal
remainders, equal averages) that decides a seat goes to the list registered earlier (art. 111-1
para 4, applied to every method alike), and among lists registered at the same time to an auditable
lot (decisions #4, #9). A tie that does not decide a seat draws no lot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import floor
from types import MappingProxyType

from saylau.law.errors import LawInputError
from saylau.law.lot import Lot, draw_lot


class Method(StrEnum):
    """How seats are shared among the admitted lists."""

    HARE_LR = "hare_lr"
    """Statute: Hare quota over the passing lists, largest remainders (art. 111-1 paras 1, 3–4)."""
    DROOP_LR = "droop_lr"
    """Counterfactual: Droop quota floor(V / (S + 1)) + 1, largest remainders."""
    DHONDT = "dhondt"
    """Counterfactual: highest averages with divisors 1, 2, 3, …"""
    SAINTE_LAGUE = "sainte_lague"
    """Counterfactual: highest averages with divisors 1, 3, 5, …"""

    @property
    def statutory(self) -> bool:
        return self is Method.HARE_LR

    @property
    def is_divisor_method(self) -> bool:
        return self in (Method.DHONDT, Method.SAINTE_LAGUE)


@dataclass(frozen=True)
class PartyList:
    """A registered party list and its votes.

    ``registered`` is the registration order (1 = earliest); lists registered at the same time may
    share a number, and are then separated by lot where it matters (decision #4).
    """

    party: str
    votes: int
    registered: int


class AwardReason(StrEnum):
    """Why a list received a seat beyond its whole quotas (for the result protocol)."""

    LARGEST_REMAINDER = "largest_remainder"
    """Its remainder is among the largest (art. 111-1 para 4)."""
    EARLIER_REGISTRATION = "earlier_registration"
    """Equal value, list registered earlier (art. 111-1 para 4)."""
    LOT = "lot"
    """Equal value and equal registration order: auditable lot (decisions #4, #9)."""
    HIGHEST_AVERAGE = "highest_average"
    """Divisor methods (counterfactual): the highest average votes / divisor."""
    EVERY_LIST = "every_list"
    """More seats left than lists (Droop quota, very few votes): one each, then by remainder."""
    ONE_PARTY_RULE = "one_party_rule"
    """Only one list passed: all seats left after para 3 go to it (art. 111-1 para 4)."""


@dataclass(frozen=True)
class SeatAward:
    """One seat given after the whole-quota step (or, for divisor methods, every seat)."""

    number: int
    """1-based order in which the seat was given."""
    party: str
    reason: AwardReason
    value: Fraction
    """The remainder (largest-remainder methods) or the average (divisor methods) that won it."""
    tied_with: tuple[str, ...]
    """Lists with the same value that did not get this seat (empty unless a tie was broken)."""
    lot: Lot | None
    article: str


@dataclass(frozen=True)
class QuotientRow:
    """A list's exact quotient votes / quota and what it yields (art. 111-1 paras 3–4)."""

    party: str
    votes: int
    quotient: Fraction
    quota_seats: int
    """floor(quotient): the seats won by whole quotas (para 3)."""
    remainder: Fraction
    """quotient − quota_seats: what competes for the remaining seats (para 4)."""
    seats: int


@dataclass(frozen=True)
class Distribution:
    """The seats of the admitted lists and how they were obtained."""

    method: Method
    seats: Mapping[str, int]
    quota: Fraction | None
    """The quota for largest-remainder methods; ``None`` for divisor methods."""
    rows: tuple[QuotientRow, ...]
    """One per admitted list for largest-remainder methods; empty for divisor methods."""
    awards: tuple[SeatAward, ...]


def hare_quota(votes: int, seats: int) -> Fraction:
    """Passing lists' votes / seats, exact: the "first electoral quotient" (art. 111-1 para 1)."""
    return Fraction(votes, seats)


def droop_quota(votes: int, seats: int) -> Fraction:
    """floor(votes / (seats + 1)) + 1 (counterfactual only; the usual integer Droop quota)."""
    return Fraction(votes // (seats + 1) + 1)


def _dhondt_divisor(held: int) -> int:
    return held + 1


def _sainte_lague_divisor(held: int) -> int:
    return 2 * held + 1


_DIVISORS: Mapping[Method, Callable[[int], int]] = MappingProxyType(
    {Method.DHONDT: _dhondt_divisor, Method.SAINTE_LAGUE: _sainte_lague_divisor}
)


@dataclass(frozen=True)
class TieBreak:
    """A decisive tie's outcome: who won, why each won, who lost, and the lot if one was drawn."""

    winners: tuple[PartyList, ...]
    reasons: tuple[AwardReason, ...]
    losers: tuple[str, ...]
    lot: Lot | None


def break_tie(
    tied: Sequence[PartyList], places: int, purpose: str, lot_seed: str | None
) -> TieBreak:
    """Choose ``places`` of the ``tied`` lists (0 < places < len(tied)).

    Earlier registration wins (art. 111-1 para 4); among lists with the same registration order that
    the cut separates, an auditable lot decides (decisions #4, #9). Without a ``lot_seed`` such a
    tie cannot be decided and raises :class:`LawInputError` on ``lot_seed``: the commission must
    publish a seed and re-run, so the result is never a silent guess.
    """
    ordered = sorted(tied, key=lambda p: (p.registered, p.party))
    cut = ordered[places - 1].registered
    sure = [p for p in ordered if p.registered < cut]
    contested = [p for p in ordered if p.registered == cut]
    need = places - len(sure)
    lot: Lot | None = None
    if need == len(contested):
        chosen = contested
        contested_reason = AwardReason.EARLIER_REGISTRATION
    else:
        names = [p.party for p in contested]
        if lot_seed is None:
            raise LawInputError(
                "lot_seed",
                None,
                f"{purpose}: lists {names} are tied and were registered at the same time "
                f"(order {cut}); {need} of them get a seat by lot (decisions #4, #9): "
                "give the seed the commission published",
            )
        lot = draw_lot(lot_seed, purpose, names)
        by_name = {p.party: p for p in contested}
        chosen = [by_name[name] for name in lot.winners(need)]
        contested_reason = AwardReason.LOT
    winners = (*sure, *chosen)
    reasons = (AwardReason.EARLIER_REGISTRATION,) * len(sure) + (contested_reason,) * len(chosen)
    won = {p.party for p in winners}
    losers = tuple(p.party for p in ordered if p.party not in won)
    return TieBreak(winners=winners, reasons=reasons, losers=losers, lot=lot)


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def largest_remainder(
    lists: Sequence[PartyList],
    seats: int,
    quota: Fraction,
    *,
    method: Method,
    lot_seed: str | None,
    article: str,
) -> Distribution:
    """Whole quotas first, then one seat each to the largest remainders (art. 111-1 paras 3–4).

    With the Hare quota at most len(lists) − 1 seats remain, since the exact quotients sum to the
    seats. With the Droop quota and very few votes more seats than lists may remain: every list then
    gets one seat per full round before the remainders decide the rest (no statute covers this
    counterfactual; documented so the seats always add up).
    """
    rows: list[QuotientRow] = []
    extra = {p.party: 0 for p in lists}
    for p in lists:
        quotient = Fraction(p.votes) / quota
        whole = floor(quotient)
        rows.append(QuotientRow(p.party, p.votes, quotient, whole, quotient - whole, whole))
    left = seats - sum(r.quota_seats for r in rows)
    remainder = {r.party: r.remainder for r in rows}
    awards: list[SeatAward] = []

    def give(party: str, reason: AwardReason, tied_with: tuple[str, ...], lot: Lot | None) -> None:
        extra[party] += 1
        awards.append(
            SeatAward(len(awards) + 1, party, reason, remainder[party], tied_with, lot, article)
        )

    by_remainder = sorted(lists, key=lambda p: (-remainder[p.party], p.registered, p.party))
    while left >= len(lists):
        for p in by_remainder:
            give(p.party, AwardReason.EVERY_LIST, (), None)
        left -= len(lists)
    if left > 0:
        cut = remainder[by_remainder[left - 1].party]
        above = [p for p in by_remainder if remainder[p.party] > cut]
        tied = [p for p in by_remainder if remainder[p.party] == cut]
        for p in above:
            give(p.party, AwardReason.LARGEST_REMAINDER, (), None)
        places = left - len(above)
        if places == len(tied):
            for p in tied:
                give(p.party, AwardReason.LARGEST_REMAINDER, (), None)
        else:
            purpose = f"{method.value}: remainder seats, equal remainder {_fraction_text(cut)}"
            outcome = break_tie(tied, places, purpose, lot_seed)
            for p, reason in zip(outcome.winners, outcome.reasons, strict=True):
                give(p.party, reason, outcome.losers, outcome.lot)
    final = tuple(
        QuotientRow(
            r.party, r.votes, r.quotient, r.quota_seats, r.remainder, r.quota_seats + extra[r.party]
        )
        for r in rows
    )
    return Distribution(
        method=method,
        seats=MappingProxyType({r.party: r.seats for r in final}),
        quota=quota,
        rows=final,
        awards=tuple(awards),
    )


def highest_averages(
    lists: Sequence[PartyList],
    seats: int,
    *,
    method: Method,
    lot_seed: str | None,
    article: str,
) -> Distribution:
    """Each seat to the highest average votes / divisor(seats held) (counterfactual only).

    When k lists share the highest average and at least k seats are left, each gets one (their order
    does not change the result); only when fewer seats are left than tied lists is the tie broken.
    """
    divisor = _DIVISORS[method]
    held = {p.party: 0 for p in lists}
    awards: list[SeatAward] = []
    left = seats
    while left > 0:
        average = {p.party: Fraction(p.votes, divisor(held[p.party])) for p in lists}
        best = max(average.values())
        group = sorted(
            (p for p in lists if average[p.party] == best), key=lambda p: (p.registered, p.party)
        )
        if len(group) <= left:
            chosen: Sequence[tuple[PartyList, AwardReason]] = [
                (p, AwardReason.HIGHEST_AVERAGE) for p in group
            ]
            losers: tuple[str, ...] = ()
            lot: Lot | None = None
        else:
            purpose = (
                f"{method.value}: seat {seats - left + 1}, equal average {_fraction_text(best)}"
            )
            outcome = break_tie(group, left, purpose, lot_seed)
            chosen = list(zip(outcome.winners, outcome.reasons, strict=True))
            losers, lot = outcome.losers, outcome.lot
        for p, reason in chosen:
            held[p.party] += 1
            awards.append(SeatAward(len(awards) + 1, p.party, reason, best, losers, lot, article))
            left -= 1
    return Distribution(
        method=method,
        seats=MappingProxyType(dict(held)),
        quota=None,
        rows=(),
        awards=tuple(awards),
    )


def distribute(
    lists: Sequence[PartyList],
    seats: int,
    method: Method,
    *,
    lot_seed: str | None,
    article: str,
) -> Distribution:
    """Share ``seats`` among the admitted ``lists`` (each with votes > 0) by ``method``."""
    if method.is_divisor_method:
        return highest_averages(lists, seats, method=method, lot_seed=lot_seed, article=article)
    total = sum(p.votes for p in lists)
    quota = hare_quota(total, seats) if method is Method.HARE_LR else droop_quota(total, seats)
    return largest_remainder(lists, seats, quota, method=method, lot_seed=lot_seed, article=article)
