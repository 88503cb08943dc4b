"""Auditable lots (decision #9).

Where the law or our decisions call for a lot (party order on ballots, CL art. 37 para 1; equal
remainders with equal registration order, decision #4; more than two candidates tied for the two
runoff places, decision #6), the draw is a documented deterministic function of a seed that the
commission publishes (agreed at its sitting) and of the inputs, so that anyone can re-run it.

Method ``sha256-v1``: each candidate's key is the SHA-256 digest of ``seed ␟ purpose ␟ candidate``
(UTF-8, ␟ = U+001F); candidates are ordered by ascending key. Changing the seed, the purpose or the
set of candidates changes the draw; the order in which candidates are given does not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from saylau.law.errors import require

LOT_METHOD = "sha256-v1"
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Lot:
    """The printable record of a draw: seed, inputs, method and result."""

    purpose: str
    seed: str
    candidates: tuple[str, ...]
    order: tuple[str, ...]
    method: str = LOT_METHOD

    def winners(self, count: int) -> tuple[str, ...]:
        """The first ``count`` names drawn."""
        return self.order[:count]


def lot_key(seed: str, purpose: str, candidate: str) -> str:
    """The hexadecimal key that places ``candidate`` in the draw."""
    data = _SEPARATOR.join((seed, purpose, candidate)).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def draw_lot(seed: str, purpose: str, candidates: Sequence[str]) -> Lot:
    """Order ``candidates`` by lot; reproducible from ``seed`` and ``purpose``."""
    require(bool(seed), "seed", seed, "a lot needs a published, non-empty seed (decision #9)")
    require(
        len(set(candidates)) == len(candidates),
        "candidates",
        list(candidates),
        "names in a lot must be distinct",
    )
    ordered = sorted(candidates, key=lambda c: (lot_key(seed, purpose, c), c))
    return Lot(
        purpose=purpose, seed=seed, candidates=tuple(sorted(candidates)), order=tuple(ordered)
    )
