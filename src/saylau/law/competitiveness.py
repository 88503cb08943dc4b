"""The electoral competitiveness index KB of a single-member district (decision #18).

KB = K2 / K1, the runner-up's vote share over the winner's (monograph §9.5, [L1823–L1841]). Both
shares have the same base, so KB is simply votes2 / votes1 and the open question of the base
(monograph §12.25) does not change it. KB is kept exact; it is shown rounded half-up to one decimal
and banded on the rounded value: low ≤ 0.3, medium 0.4–0.6, high ≥ 0.7. An unopposed winner has
KB = 0 (low). A maslikhat's or region's value is the mean of its districts' unrounded KB, rounded
only for display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from saylau.law.errors import LawInputError, require, require_non_negative

LOW_MAX = Decimal("0.3")
"""Highest rounded KB still "low" (decision #18)."""
MEDIUM_MAX = Decimal("0.6")
"""Highest rounded KB still "medium"; from 0.7 on it is "high" (decision #18)."""
_TENTH = Decimal("0.1")


class CompetitivenessBand(StrEnum):
    """Bands of the rounded KB (decision #18; monograph [L1833–L1835])."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Competitiveness:
    """An exact KB, its value rounded to one decimal and its band."""

    index: Fraction
    rounded: Decimal
    """Exactly one decimal place, so ``str()`` prints it as published: ``"0.7"``, ``"1.0"``."""
    band: CompetitivenessBand

    @property
    def display(self) -> str:
        """The rounded value as printed, e.g. ``"0.7"``."""
        return str(self.rounded)


def round_half_up_tenths(value: Fraction) -> Decimal:
    """Round a non-negative exact value to one decimal, halves up (0.65 → 0.7; decision #18).

    Computed on the exact fraction; the result is a Decimal with one decimal place (exact too).
    """
    if not value >= 0:  # the message (the value as text) is built only when refused
        raise LawInputError("value", str(value), "KB values are never negative")
    if isinstance(value, (Fraction, int)):
        n, d = value.numerator, value.denominator  # ⌊10·n/d + 1/2⌋ = ⌊(20·n + d) / 2·d⌋
        return Decimal((20 * n + d) // (2 * d)).scaleb(-1)
    return Decimal(math.floor(value * 10 + Fraction(1, 2))).scaleb(-1)


def band_of(rounded: Decimal) -> CompetitivenessBand:
    """The band of a rounded KB: ≤ 0.3 low, 0.4–0.6 medium, ≥ 0.7 high (decision #18)."""
    if not (rounded.is_finite() and rounded >= 0 and rounded == rounded.quantize(_TENTH)):
        raise LawInputError("rounded", str(rounded), "bands apply to KB rounded to one decimal")
    if rounded <= LOW_MAX:
        return CompetitivenessBand.LOW
    if rounded <= MEDIUM_MAX:
        return CompetitivenessBand.MEDIUM
    return CompetitivenessBand.HIGH


def _classify(index: Fraction) -> Competitiveness:
    rounded = round_half_up_tenths(index)
    return Competitiveness(index=index, rounded=rounded, band=band_of(rounded))


def competitiveness(winner: int | Fraction, runner_up: int | Fraction | None) -> Competitiveness:
    """KB = K2 / K1 from the winner's and runner-up's votes or shares (decision #18).

    ``runner_up=None`` means the winner was unopposed: KB = 0, band low (decision #18; the
    monograph's "minimum 0.1" [L1831] ignores this case). Percentages may be given as exact
    decimals, e.g. ``Fraction("31.3")``.
    """
    k1 = Fraction(winner)
    # each message (values as text) is built only when the input is refused
    if not k1 > 0:
        raise LawInputError("winner", str(k1), "KB needs a winner with a positive vote share")
    if runner_up is None:
        return _classify(Fraction(0))
    k2 = Fraction(runner_up)
    if not k2 >= 0:
        raise LawInputError("runner_up", str(k2), "a vote share is never negative")
    if not k2 <= k1:
        raise LawInputError("runner_up", str(k2), f"the runner-up cannot exceed the winner ({k1})")
    return _classify(k2 / k1)


def district_competitiveness(votes: Sequence[int]) -> Competitiveness | None:
    """KB of a district from every candidate's votes (order irrelevant; "against all" excluded).

    The two largest counts are K1 and K2, so a first-place tie gives KB = 1 and the index is also
    defined when nobody is elected yet (runoff, repeat election). One candidate: KB = 0. ``None``
    when KB is undefined: two or more candidates and nobody received a vote (0 / 0).
    """
    require(bool(votes), "votes", [], "a district has at least one candidate")
    for v in votes:
        require_non_negative("votes", v)
    ordered = sorted(votes, reverse=True)
    if len(ordered) == 1:  # unopposed, whatever the votes (decision #18)
        return _classify(Fraction(0))
    if ordered[0] == 0:
        return None
    return competitiveness(ordered[0], ordered[1])


def mean_competitiveness(districts: Sequence[Competitiveness | Fraction]) -> Competitiveness:
    """A maslikhat's or region's KB: the mean of its districts' unrounded KB (decision #18)."""
    require(bool(districts), "districts", [], "a mean needs at least one district")
    values = [d.index if isinstance(d, Competitiveness) else Fraction(d) for d in districts]
    for k in values:
        require(0 <= k <= 1, "districts", str(k), "every KB lies in [0, 1]")
    return _classify(sum(values, Fraction(0)) / len(values))
