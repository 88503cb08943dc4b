"""The pages' fast number formatting (whole numbers, shares as percentages: a fast path for the
publication) writes exactly what Babel's ``format_decimal`` and ``format_percent`` write, in every
language of the site."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from saylau.web.i18n import LANGUAGES
from saylau.web.pages.public.results import percent_text
from saylau.web.pages.render import number_text


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(LANGUAGES))
def test_whole_numbers_are_written_as_babel_writes_them(value: int, language: str) -> None:
    assert number_text(value, language) == format_decimal(value, locale=language)


@given(st.sampled_from([0, 7, 999, 1000, 9999, 10_000, 123_456, 1_000_000, -1000]))
def test_boundaries_of_grouping(value: int) -> None:
    for language in LANGUAGES:
        assert number_text(value, language) == format_decimal(value, locale=language)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_other_numbers_are_left_to_babel(value: float) -> None:
    for language in LANGUAGES:
        assert number_text(value, language) == format_decimal(value, locale=language)


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
        st.fractions(min_value=0, max_value=1, max_denominator=10**6).map(float),
        st.sampled_from([0.0, -0.0, 0.00005, 0.000049999, 0.123450, 0.5, 1.0, 0.99995]),
    ),
    st.sampled_from(LANGUAGES),
)
def test_shares_are_written_as_babel_writes_them(value: float, language: str) -> None:
    expected = format_percent(value, format="#,##0.00%", locale=language)
    assert percent_text(value, language) == expected
