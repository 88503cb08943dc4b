"""The monograph's analytical indicators, each defined once (monograph-brief §9; issue #7 §1).

Pure functions over plain numbers: counts are ``int``, printed percentages enter as exact
``Fraction``/``Decimal`` values, and every result is an exact ``Fraction`` (a share is a fraction of
1; multiply by 100 for the monograph's percentages). Only the two indicators that need a square root
(standard deviation, Gallagher) return a ``Decimal``, computed from the exact radicand and rounded
by the documented rule below. Rounding for display is always half-up at the printed precision
(:func:`round_half_up`), the rule decision #18 fixes for the competitiveness index.

Nothing here imports more than the law core (the competitiveness index is the law's,
``saylau.law.competitiveness``, not reimplemented).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Context, Decimal
from fractions import Fraction
from typing import TypeVar

from saylau.law.competitiveness import (
    Competitiveness,
    CompetitivenessBand,
    band_of,
    round_half_up_tenths,
)

Number = int | Fraction | Decimal
K = TypeVar("K", bound=Hashable)

SQRT_CONTEXT = Context(prec=40)
"""Square roots are taken to 40 significant digits before rounding to the printed precision: an
irrational root is never exactly on a rounding boundary, so the rounded result is exact."""


def _f(value: Number) -> Fraction:
    return Fraction(value)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


# --- rounding ------------------------------------------------------------------------------------


def round_half_up(value: Number, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (0.25 → 0.3; −0.25 → −0.3).

    Computed on the exact value, so 1/8 at two places is 0.13 (never a binary-float 0.12). The
    result carries exactly ``places`` decimals, so ``str()`` prints it as the monograph would.
    """
    exact = _f(value)
    scale = Fraction(10) ** places
    magnitude = math.floor(abs(exact) * scale + Fraction(1, 2))
    signed = -magnitude if exact < 0 else magnitude
    return Decimal(signed).scaleb(-places)


def sqrt_decimal(value: Number) -> Decimal:
    """√value to 40 significant digits (:data:`SQRT_CONTEXT`), from the exact radicand."""
    exact = _f(value)
    _require(exact >= 0, f"no square root of a negative number ({exact})")
    radicand = SQRT_CONTEXT.divide(Decimal(exact.numerator), Decimal(exact.denominator))
    return SQRT_CONTEXT.sqrt(radicand)


# --- generic ratios ------------------------------------------------------------------------------


def ratio(numerator: Number, denominator: Number) -> Fraction:
    """numerator / denominator, exact; the denominator must be positive."""
    den = _f(denominator)
    _require(den > 0, f"a ratio needs a positive denominator, not {den}")
    return _f(numerator) / den


def share(part: Number, whole: Number) -> Fraction:
    """part / whole as a fraction of 1 (×100 for the monograph's "%")."""
    return ratio(part, whole)


def shares(counts: Mapping[K, Number]) -> dict[K, Fraction]:
    """Each key's share of the total: count / Σ counts. The shares sum to exactly 1."""
    total = sum((_f(v) for v in counts.values()), Fraction(0))
    for key, value in counts.items():
        _require(_f(value) >= 0, f"{key!r}: a count is never negative")
    _require(total > 0, "shares need a positive total")
    return {key: _f(value) / total for key, value in counts.items()}


def rounded_percentages(parts: Mapping[K, Number], places: int = 1) -> dict[K, Decimal]:
    """Each share in percent, rounded half-up independently (as the monograph prints them).

    Independent rounding can miss 100 by at most ``n × ½ × 10^-places`` (n keys): that bound, not
    exactly 100, is what a printed row of shares can promise.
    """
    return {key: round_half_up(value * 100, places) for key, value in shares(parts).items()}


def mean(values: Iterable[Number]) -> Fraction:
    """The plain (unweighted) arithmetic mean."""
    items = [_f(v) for v in values]
    _require(bool(items), "a mean needs at least one value")
    return sum(items, Fraction(0)) / len(items)


def weighted_mean(pairs: Iterable[tuple[Number, Number]]) -> Fraction:
    """Σ wᵢxᵢ / Σ wᵢ over (value, weight) pairs, e.g. regional turnout weighted by voters."""
    items = [(_f(x), _f(w)) for x, w in pairs]
    total = sum((w for _, w in items), Fraction(0))
    _require(total > 0, "a weighted mean needs a positive total weight")
    return sum((x * w for x, w in items), Fraction(0)) / total


# --- turnout (monograph-brief §9.2) --------------------------------------------------------------


def turnout(took_part: int, registered: int) -> Fraction:
    """Turnout = voters who took part / registered voters (§9.2; one figure for every level in 2023
    because the Mazhilis and maslikhats were elected together [L738])."""
    _require(0 <= took_part <= registered, "0 ≤ took part ≤ registered")
    return ratio(took_part, registered)


def evening_increment(at_1600: Number, final: Number) -> Fraction:
    """Final turnout − cumulative turnout at 16:00, in the unit of the inputs (percentage points for
    printed percentages; §9.2: Almaty city 25.86 − 19.14 = 6.72 pp, "6.7" [L742])."""
    return _f(final) - _f(at_1600)


def turnout_change(earlier: Number, later: Number) -> Fraction:
    """Change of turnout between two elections, later − earlier (§9.2, Figure 3 [L718, L740])."""
    return _f(later) - _f(earlier)


def national_turnout(regions: Iterable[tuple[Number, int]]) -> Fraction:
    """National turnout from (regional turnout, registered voters) pairs: the voter-weighted mean,
    which is the national took-part / registered exactly when the regional figures are exact."""
    return weighted_mean(regions)


# --- nomination and registration (§9.3) ----------------------------------------------------------


def candidates_per_seat(candidates: int, seats: int) -> Fraction:
    """Competition for a seat ("орын үшін бәсекелестік") = candidates / seats, at nomination and
    after registration, for all, party or non-party candidates (§9.3: 1,712/334 ≈ 5.1 [L810])."""
    return ratio(candidates, seats)


def refusal_rate(nominated: int, registered: int) -> Fraction:
    """Registration refusal rate = (nominated − registered) / nominated (§9.3 [L1007]), for all,
    party, self-nominated or women candidates alike (women: WKO 132 → 89 = 32.58% [L1196])."""
    _require(0 <= registered <= nominated, "0 ≤ registered ≤ nominated")
    return ratio(nominated - registered, nominated)


def registration_effectiveness(nominated: int, registered: int) -> Fraction:
    """A party's registered / nominated (§9.3: AMANAT 326/331 [L964])."""
    return 1 - refusal_rate(nominated, registered)


def women_share(women: int, total: int) -> Fraction:
    """Women among candidates or deputies = women / all (§9.3 [L1179], §9.4 [L1636])."""
    _require(0 <= women <= total, "0 ≤ women ≤ total")
    return ratio(women, total)


def list_length_ratio(list_size: int, seats: int) -> Fraction:
    """Party-list candidates per list seat (§9.3: AMANAT about 2× the seats [L1583])."""
    return ratio(list_size, seats)


def list_conversion_rate(seats_won: int, list_size: int) -> Fraction:
    """List conversion rate = list seats won / candidates on the list (§9.4: Auyl 32/133 = 24%,
    AMANAT 231/698 = 33% [L1589])."""
    _require(0 <= seats_won <= list_size, "0 ≤ seats won ≤ list size")
    return ratio(seats_won, list_size)


# --- results (§9.4) ------------------------------------------------------------------------------


def party_winner_share(party_winners: int, seats: int) -> Fraction:
    """Winners nominated by a party / seats (§9.4: 2,428/2,746 = 88.4% [L1675]); the non-party
    share is its complement."""
    _require(0 <= party_winners <= seats, "0 ≤ party winners ≤ seats")
    return ratio(party_winners, seats)


def seat_share(seats_won: int, seats: int) -> Fraction:
    """A party's seats / all seats of the body or region (§9.4: AMANAT 231 of 334 list seats
    [L1577]; Table 32's share per party and region [L1773])."""
    _require(0 <= seats_won <= seats, "0 ≤ seats won ≤ seats")
    return ratio(seats_won, seats)


def against_all_share(against_all: int, ballots: int) -> Fraction:
    """ "Against all" votes / ballots of the list contest (§9.4: 0.1%–6.2% by region [L1626])."""
    _require(0 <= against_all <= ballots, "0 ≤ against all ≤ ballots")
    return ratio(against_all, ballots)


# --- competitiveness (§9.5; decision #18) --------------------------------------------------------


def classify(index: Fraction) -> Competitiveness:
    """An exact KB with its value rounded half-up to one decimal and its band (decision #18)."""
    rounded = round_half_up_tenths(index)
    return Competitiveness(index=index, rounded=rounded, band=band_of(rounded))


def mean_competitiveness(
    parts: Sequence[tuple[Competitiveness | Fraction, int]],
) -> Competitiveness:
    """The mean KB over all districts of a body, region or level, from (mean KB, districts) parts.

    The law defines a maslikhat's KB as the mean over its districts (decision #18), so a region's
    or level's value is the district-weighted mean of its maslikhats' means, which equals the mean
    over all its districts. A part with one district is a single district's KB.
    """
    values = [(p.index if isinstance(p, Competitiveness) else Fraction(p), n) for p, n in parts]
    for value, districts in values:
        _require(0 <= value <= 1, f"every KB lies in [0, 1], not {value}")
        _require(districts > 0, "every part has at least one district")
    return classify(weighted_mean(values))


def band_distribution(values: Iterable[Competitiveness]) -> dict[CompetitivenessBand, int]:
    """How many maslikhats (or districts) fall in each band (§9.5, Figure 8 [L2327–L2331])."""
    counts = dict.fromkeys(CompetitivenessBand, 0)
    for value in values:
        counts[value.band] += 1
    return counts


# --- observation (§9.6) --------------------------------------------------------------------------


def observers_per_precinct(observers: int, precincts: int) -> Fraction:
    """Observation coverage = observers / polling stations of a territory (§9.6)."""
    return ratio(observers, precincts)


def registration_check_coverage(with_service: int, stations: int) -> Fraction:
    """Stations with the registration-check service / all stations (§9.6, Table 26:
    4,055/10,146 ≈ 40% [L1534])."""
    _require(0 <= with_service <= stations, "0 ≤ stations with the service ≤ stations")
    return ratio(with_service, stations)


# --- dispersion (§9.1) ---------------------------------------------------------------------------


def population_variance(values: Sequence[Number], centre: Number | None = None) -> Fraction:
    """Σ(xᵢ − μ)² / N, exact. μ defaults to the plain mean of the values, which is how the
    monograph's printed standard deviations reproduce; its footnote states μ = the national average
    [L497–L500], available by passing ``centre`` (monograph-brief §9.1, §12.B item 26)."""
    items = [_f(v) for v in values]
    _require(bool(items), "a variance needs at least one value")
    mu = mean(items) if centre is None else _f(centre)
    return sum(((x - mu) ** 2 for x in items), Fraction(0)) / len(items)


def population_sd(values: Sequence[Number], places: int, centre: Number | None = None) -> Decimal:
    """The population standard deviation √(Σ(xᵢ − μ)² / N) over regional values (§9.1).

    Rounding rule: the variance is exact; its square root is taken to 40 significant digits and
    rounded half-up to ``places`` decimals, the precision the monograph prints (one decimal for
    Tables 7 and 10, two for Table 9).
    """
    return round_half_up(sqrt_decimal(population_variance(values, centre)), places)


# --- proportionality and fragmentation ----------------------------------------------------------


def _paired_shares(
    votes: Mapping[K, Number], seats: Mapping[K, Number]
) -> list[tuple[Fraction, Fraction]]:
    vote_shares = shares(votes)
    seat_shares = shares(seats)
    keys = list(dict.fromkeys([*vote_shares, *seat_shares]))
    return [(vote_shares.get(k, Fraction(0)), seat_shares.get(k, Fraction(0))) for k in keys]


def gallagher_squared(votes: Mapping[K, Number], seats: Mapping[K, Number]) -> Fraction:
    """LSq² = ½ Σ (vᵢ − sᵢ)² over vote and seat shares (fractions of 1), exact.

    A party missing from one mapping has share 0 there. Gallagher (1991), "Proportionality,
    disproportionality and electoral systems", Electoral Studies 10(1).
    """
    return sum(((v - s) ** 2 for v, s in _paired_shares(votes, seats)), Fraction(0)) / 2


def gallagher(votes: Mapping[K, Number], seats: Mapping[K, Number], places: int = 4) -> Decimal:
    """The Gallagher least-squares index LSq = √(½ Σ (vᵢ − sᵢ)²) in fractions of 1 (×100 for the
    usual percentage points), rounded half-up to ``places`` decimals from the exact LSq²."""
    return round_half_up(sqrt_decimal(gallagher_squared(votes, seats)), places)


def loosemore_hanby(votes: Mapping[K, Number], seats: Mapping[K, Number]) -> Fraction:
    """Loosemore–Hanby D = ½ Σ |vᵢ − sᵢ| over vote and seat shares, exact, in [0, 1] (Loosemore &
    Hanby 1971, British Journal of Political Science 1(4))."""
    return sum((abs(v - s) for v, s in _paired_shares(votes, seats)), Fraction(0)) / 2


def effective_number_of_parties(counts: Mapping[K, Number]) -> Fraction:
    """Laakso–Taagepera N = 1 / Σ pᵢ² over vote or seat shares, exact; 1 ≤ N ≤ number of parties
    with a positive share (Laakso & Taagepera 1979, Comparative Political Studies 12(1))."""
    return 1 / sum((p**2 for p in shares(counts).values()), Fraction(0))
