"""Independent re-computations for the acceptance test: nothing here calls the law core.

The list seats are re-computed with a few lines of Hare quota and largest remainders (CL
art. 111-1 paras 1, 3), as a check on the figures worked out by hand in the test.

The lot is re-run from its published description (decision #9, method ``sha256-v1``): each name's
key is the SHA-256 of ``seed ␟ purpose ␟ name`` (UTF-8, ␟ = U+001F) and names are drawn in
ascending order of their keys. Anyone holding the commission's published seed can do the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from fractions import Fraction


def lot_order(seed: str, purpose: str, names: Iterable[str]) -> list[str]:
    def key(name: str) -> tuple[str, str]:
        digest = hashlib.sha256("\x1f".join((seed, purpose, name)).encode("utf-8")).hexdigest()
        return (digest, name)

    return sorted(names, key=key)


def hare_largest_remainders(
    votes: Mapping[str, int], against_all: int, seats: int, threshold: Fraction
) -> dict[str, int]:
    """Seats by the Hare quota and largest remainders among the lists with at least
    ``threshold`` of the valid votes (party votes + "against all"). Written for data without the
    special cases (one list passing, equal remainders), which the scenario avoids."""
    valid = sum(votes.values()) + against_all
    passing = {p: v for p, v in votes.items() if Fraction(v, valid) >= threshold}
    assert len(passing) >= 2, "the scenario keeps at least two lists above the threshold"
    quotients = {p: Fraction(v * seats, sum(passing.values())) for p, v in passing.items()}
    won = {p: int(q) for p, q in quotients.items()}
    remainders = sorted(passing, key=lambda p: quotients[p] - won[p], reverse=True)
    assert len({quotients[p] - won[p] for p in passing}) == len(passing), "no equal remainders"
    for party in remainders[: seats - sum(won.values())]:
        won[party] += 1
    return {p: won.get(p, 0) for p in votes}
