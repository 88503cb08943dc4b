"""The demo's observers at any scale (issue #8 growth, scale 3): an organisation names each observer
once, and the synthetic names are finite, so a region's observers beyond what one organisation
can name distinctly are sent as several organisations — the scale-3 build once drew names for ever
(Table 58's 2,328 civic observers of one region × 3 = 6,984 > the 6,336 distinct full names)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.demo.calibration import calibration
from saylau.demo.generator import (
    FULL_NAMES,
    NAMES_PER_ORGANISATION,
    _distinct_names,
    _groups,
)
from saylau.demo.synthetic import PersonMaker


def test_one_organisation_names_distinctly_well_within_the_names_there_are() -> None:
    assert FULL_NAMES == 6336
    assert NAMES_PER_ORGANISATION <= FULL_NAMES // 2  # rejection sampling stays cheap
    names = _distinct_names(PersonMaker(random.Random(7)), NAMES_PER_ORGANISATION)
    assert len(set(names)) == NAMES_PER_ORGANISATION
    with pytest.raises(ValueError, match="distinct names"):
        _distinct_names(PersonMaker(random.Random(7)), NAMES_PER_ORGANISATION + 1)


@given(st.integers(min_value=0, max_value=100_000))
def test_groups_sum_to_the_count_and_each_fits_one_organisation(count: int) -> None:
    groups = _groups(count)
    assert sum(groups) == count
    assert all(g <= NAMES_PER_ORGANISATION for g in groups)
    assert max(groups) - min(groups) <= 1
    assert len(groups) == max(1, -(-count // NAMES_PER_ORGANISATION))


def test_scale_1_keeps_one_organisation_per_sender_and_scale_3_splits() -> None:
    largest = max(r.ngo_observers for r in calibration().values())
    assert largest == 2328  # Table 58, one region
    assert _groups(largest) == [largest]
    assert _groups(3 * largest) == [2328, 2328, 2328]
