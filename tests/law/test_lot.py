"""Auditable lots (decision #9): reproducible from the published seed, whatever the input order."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.lot import LOT_METHOD, draw_lot

names = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=8, unique=True)


def test_order_follows_published_sha256_keys() -> None:
    """Decision #9: anyone can re-run the draw with a plain SHA-256 tool."""
    lot = draw_lot("sitting-2023-02-19", "ballot-order", ["AMANAT", "Auyl", "Respublica"])
    keys = {
        name: hashlib.sha256(f"sitting-2023-02-19\x1fballot-order\x1f{name}".encode()).hexdigest()
        for name in ("AMANAT", "Auyl", "Respublica")
    }
    assert lot.order == tuple(sorted(keys, key=keys.__getitem__))
    assert lot.method == LOT_METHOD
    assert lot.winners(1) == lot.order[:1]


@given(names, st.randoms())
def test_input_order_does_not_matter(candidates: list[str], rnd: object) -> None:
    shuffled = list(candidates)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert draw_lot("seed", "p", candidates).order == draw_lot("seed", "p", shuffled).order


@given(names)
def test_draw_is_a_permutation(candidates: list[str]) -> None:
    assert sorted(draw_lot("s", "p", candidates).order) == sorted(candidates)


def test_seed_and_purpose_change_the_draw() -> None:
    many = [f"candidate {i}" for i in range(20)]
    base = draw_lot("a", "p", many).order
    assert draw_lot("b", "p", many).order != base
    assert draw_lot("a", "q", many).order != base


def test_empty_seed_and_duplicates_are_refused() -> None:
    with pytest.raises(LawInputError) as empty:
        draw_lot("", "p", ["x", "y"])
    assert empty.value.field == "seed"
    with pytest.raises(LawInputError) as dup:
        draw_lot("s", "p", ["x", "x"])
    assert dup.value.field == "candidates"
