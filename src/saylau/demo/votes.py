"""The demo's voters: turnout through the day and a consistent protocol for every contest.

Deterministic given the random generator. Shares are drawn around the region's 2023 figures, and
every protocol produced satisfies all control relations of :mod:`saylau.law.protocol`, so the demo
exercises the happy path of election night; deliberate errors are added separately, if at all.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class PrecinctTurnout:
    voters: int
    at_1000: int
    at_1600: int
    final: int


def precinct_turnout(
    rng: random.Random, voters: int, at_1000: Fraction, at_1600: Fraction, final: Fraction
) -> PrecinctTurnout:
    """Turnout around the region's published rates (Table 13), monotone through the day."""
    noise = rng.uniform(-0.05, 0.05)
    final_rate = min(0.98, max(0.05, float(final) + noise))
    took_part = round(voters * final_rate)
    morning = min(took_part, round(took_part * float(at_1000 / final)))
    afternoon = max(morning, min(took_part, round(took_part * float(at_1600 / final))))
    return PrecinctTurnout(voters, morning, afternoon, took_part)


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` among keys in proportion to ``weights``, exactly (largest remainders)."""
    weight_sum = sum(weights.values())
    if total == 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    result = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(result.values())
    for key in sorted(exact, key=lambda k: (result[k] - exact[k], k))[:left]:
        result[key] += 1
    return result


def jitter(
    rng: random.Random, weights: Mapping[str, float], spread: float = 0.25
) -> dict[str, float]:
    """Precinct-level variation of party or candidate strength (gamma noise, mean 1)."""
    shape = 1 / (spread * spread)
    return {k: w * rng.gammavariate(shape, 1 / shape) for k, w in weights.items()}


def protocol_figures(
    rng: random.Random,
    voters: int,
    took_part: int,
    strengths: Mapping[str, float],
    against_all_share: float,
    invalid_share: float = 0.01,
) -> dict[str, Any]:
    """All figures of one contest's precinct protocol, consistent with every control relation.

    ``strengths`` maps each ballot choice id to its relative strength at this precinct.
    """
    received = math.ceil(voters * 101 / 100)
    in_boxes = took_part
    issued = min(voters, in_boxes + rng.randint(0, 2))  # a few take a ballot and leave
    invalid = min(in_boxes, round(in_boxes * invalid_share * rng.uniform(0.5, 1.5)))
    valid = in_boxes - invalid
    against_all = round(valid * against_all_share * rng.uniform(0.6, 1.4))
    votes = apportion(valid - against_all, jitter(rng, strengths))
    requests = round(in_boxes * rng.uniform(0.005, 0.03))
    portable = max(0, requests - rng.randint(0, 2))
    return {
        "voters_on_list": voters,
        "ballots_received": received,
        "ballots_issued": issued,
        "ballots_cancelled": received - issued,
        "ballots_in_boxes": in_boxes,
        "portable_box_ballots": min(portable, in_boxes),
        "portable_box_requests": requests,
        "votes": votes,
        "against_all": against_all,
        "invalid": invalid,
    }


def party_strengths(
    parties: Sequence[str], seats_won: Mapping[str, int], national: Mapping[str, float]
) -> dict[str, float]:
    """Relative strength of each party in a region: its 2023 list seats there blended with its
    national 2023 Mazhilis share, so that parties without seats still get votes."""
    seats = sum(seats_won.values()) or 1
    return {
        party: 0.6 * seats_won.get(party, 0) / seats + 0.4 * national.get(party, 0.02)
        for party in parties
    }


MAZHILIS_2023_SHARES = {
    # Shares of the valid list vote, CEC final results of 27.03.2023 (see saylau.cli.law_showcase).
    "amanat": 0.539,
    "auyl": 0.109,
    "respublica": 0.086,
    "ak_zhol": 0.084,
    "khp": 0.068,
    "zhsdp": 0.052,
    "baytaq": 0.023,
}
