"""Seat distribution among the lists admitted to allocation.

The statute's method is the Hare quota with largest remainders (CL art. 111-1 paras 1, 3–4; art.
97-1 for the Mazhilis). Droop largest remainders, D'Hondt and Sainte-Laguë are offered for
counterfactual analysis only; they are not the law. Which lists are admitted (threshold, one-party
rule) is decided in :mod:`saylau.law.allocation`; this module only shares seats among them.

All comparisons are exact: largest remainders are compared as integers over the quota's common
numerator (votes × quota denominator = whole × quota numerator + remainder), and
:class:`~fractions.Fraction` objects are built only for the account of the result. A tie on the deciding value (equal
remainders, equal averages) that decides a seat goes to the list registered earlier (art. 111-1
para 4, applied to every method alike), and among lists registered at the same time to an auditable
lot (decisions #4, #9). A tie that does not decide a seat draws no lot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
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


class RemainderShares:
    """Whole quotas and remainder seats decided in integers; the exact fractions are built only
    when :meth:`distribution` is asked for (the account of the result, art. 111-1 paras 3–4).

    With quota = ``qnum / qden``, list i's quotient is votes_i × qden / qnum: its whole quotas are
    ``wholes[i]`` = (votes_i × qden) // qnum and its remainder is ``rems[i]`` / qnum, so remainders
    share one denominator and compare exactly as integers. ``won[i]`` is its seats.
    """

    __slots__ = ("_gifts", "article", "lists", "method", "qden", "qnum", "rems", "wholes", "won")

    def __init__(
        self,
        lists: Sequence[PartyList],
        qnum: int,
        qden: int,
        method: Method,
        article: str,
        wholes: Sequence[int],
        rems: Sequence[int],
        won: Sequence[int],
        gifts: list[_Gift] | None,
    ) -> None:
        self.lists, self.qnum, self.qden = lists, qnum, qden
        self.method, self.article = method, article
        self.wholes, self.rems, self.won, self._gifts = wholes, rems, won, gifts

    @property
    def gifts(self) -> list[_Gift]:
        """The remainder seats in the order given: (list index, reason, tied with, lot).

        ``None`` was stored when no equal remainder straddled the cut: every list with more seats
        than whole quotas then won one by its remainder, and they are listed by largest
        remainder, earlier registration, name (the order :func:`remainder_shares` gives them)."""
        if self._gifts is None:
            lists, rems = self.lists, self.rems
            winners = [
                i for i, (w, n) in enumerate(zip(self.wholes, self.won, strict=True)) if n > w
            ]
            winners.sort(key=lambda i: (-rems[i], lists[i].registered, lists[i].party))
            self._gifts = [(i, AwardReason.LARGEST_REMAINDER, (), None) for i in winners]
        return self._gifts

    def distribution(self) -> Distribution:
        """The seats with their exact quotients, remainders and awards."""
        qnum, qden = self.qnum, self.qden
        remainders = [Fraction(r, qnum) for r in self.rems]
        rows = tuple(
            QuotientRow(p.party, p.votes, Fraction(p.votes * qden, qnum), w, rem, n)
            for p, w, rem, n in zip(self.lists, self.wholes, remainders, self.won, strict=True)
        )
        awards = tuple(
            SeatAward(k, self.lists[i].party, reason, remainders[i], tied_with, lot, self.article)
            for k, (i, reason, tied_with, lot) in enumerate(self.gifts, start=1)
        )
        return Distribution(
            method=self.method,
            seats=MappingProxyType({r.party: r.seats for r in rows}),
            quota=Fraction(qnum, qden),
            rows=rows,
            awards=awards,
        )


_Gift = tuple[int, AwardReason, tuple[str, ...], Lot | None]


def remainder_shares(
    lists: Sequence[PartyList],
    seats: int,
    qnum: int,
    qden: int,
    *,
    method: Method,
    lot_seed: str | None,
    article: str,
) -> RemainderShares:
    """Whole quotas first, then one seat each to the largest remainders (art. 111-1 paras 3–4),
    for the quota ``qnum / qden`` (> 0, not necessarily in lowest terms), all in integers.

    With the Hare quota at most len(lists) − 1 seats remain, since the exact quotients sum to the
    seats. With the Droop quota and very few votes more seats than lists may remain: every list then
    gets one seat per full round before the remainders decide the rest (no statute covers this
    counterfactual; documented so the seats always add up). Equal remainders at the cut go to the
    list registered earlier, then by lot (:func:`break_tie`).
    """
    wholes: list[int] = []
    rems: list[int] = []
    for p in lists:
        whole, rem = divmod(p.votes * qden, qnum)
        wholes.append(whole)
        rems.append(rem)
    left = seats - sum(wholes)
    n = len(lists)
    if left <= 0:
        return RemainderShares(lists, qnum, qden, method, article, wholes, rems, wholes, [])
    if left < n:
        ranked = sorted(rems, reverse=True)
        cut = ranked[left - 1]
        if ranked[left] != cut:  # no equal remainder straddles the cut: the `left` largest win
            won = [w + 1 if r >= cut else w for w, r in zip(wholes, rems, strict=True)]
            return RemainderShares(lists, qnum, qden, method, article, wholes, rems, won, None)
    # rounds of one seat each (Droop, very few votes), or equal remainders at the cut
    won = list(wholes)
    gifts: list[_Gift] = []
    order = sorted(range(n), key=lambda i: (-rems[i], lists[i].registered, lists[i].party))
    while left >= n:
        for i in order:
            won[i] += 1
            gifts.append((i, AwardReason.EVERY_LIST, (), None))
        left -= n
    if left > 0:
        cut = rems[order[left - 1]]
        above = [i for i in order if rems[i] > cut]
        tied = [i for i in order if rems[i] == cut]
        for i in above:
            won[i] += 1
            gifts.append((i, AwardReason.LARGEST_REMAINDER, (), None))
        places = left - len(above)
        if places == len(tied):
            for i in tied:
                won[i] += 1
                gifts.append((i, AwardReason.LARGEST_REMAINDER, (), None))
        else:
            equal = _fraction_text(Fraction(cut, qnum))
            purpose = f"{method.value}: remainder seats, equal remainder {equal}"
            outcome = break_tie([lists[i] for i in tied], places, purpose, lot_seed)
            index = {lists[i].party: i for i in tied}
            for p, reason in zip(outcome.winners, outcome.reasons, strict=True):
                won[index[p.party]] += 1
                gifts.append((index[p.party], reason, outcome.losers, outcome.lot))
    return RemainderShares(lists, qnum, qden, method, article, wholes, rems, won, gifts)


def largest_remainder(
    lists: Sequence[PartyList],
    seats: int,
    quota: Fraction,
    *,
    method: Method,
    lot_seed: str | None,
    article: str,
) -> Distribution:
    """Whole quotas first, then one seat each to the largest remainders (art. 111-1 paras 3–4);
    see :func:`remainder_shares`."""
    shares = remainder_shares(
        lists,
        seats,
        quota.numerator,
        quota.denominator,
        method=method,
        lot_seed=lot_seed,
        article=article,
    )
    return shares.distribution()


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
