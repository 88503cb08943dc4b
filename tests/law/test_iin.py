"""The 12-digit IIN: structure, check digit and agreement with stated personal data.

Worked IINs below are built by hand: the arithmetic of each check digit is in the comments.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.iin import (
    Iin,
    IinError,
    IinProblem,
    Sex,
    check_iin_matches,
    iin_check_digit,
    parse_iin,
)

# Man born 1990-01-01 (digit 7 = 3: male, 1900s), serial 0012.
# digits 9 0 0 1 0 1 3 0 0 1 2, weights 1..11:
# 9·1 + 0·2 + 0·3 + 1·4 + 0·5 + 1·6 + 3·7 + 0·8 + 0·9 + 1·10 + 2·11 = 9+4+6+21+10+22 = 72
# 72 mod 11 = 6  → check digit 6.
MAN_1990 = "900101300126"

# Woman born 2003-02-28 (digit 7 = 6: female, 2000s), serial 0050.
# digits 0 3 0 2 2 8 6 0 0 5 0, weights 1..11:
# 0 + 6 + 0 + 8 + 10 + 48 + 42 + 0 + 0 + 50 + 0 = 164; 164 mod 11 = 10 → second weighting.
# weights 3 4 5 6 7 8 9 10 11 1 2:
# 0 + 12 + 0 + 12 + 14 + 64 + 54 + 0 + 0 + 5 + 0 = 161; 161 mod 11 = 7 → check digit 7.
WOMAN_2003 = "030228600507"

# Same prefix, serial 0804: first weighting 114 + 8·0 + 9·8 + 10·0 + 11·4 = 230 ≡ 10 (mod 11);
# second 156 + 10·0 + 11·8 + 1·0 + 2·4 = 252 ≡ 10 (mod 11) → no check digit exists.
NEVER_ISSUED_PREFIX = "03022860804"

# Man born 1899-12-31 (digit 7 = 1: male, 1800s), serial 0000:
# 9·1 + 9·2 + 1·3 + 2·4 + 3·5 + 1·6 + 1·7 = 9+18+3+8+15+6+7 = 66 ≡ 0 → check digit 0.
MAN_1899 = "991231100000"

# Woman-or-man born 2000-02-29 (digit 5: male, 2000s; 2000 is a leap year), serial 0000:
# 0 + 0 + 0 + 2·4 + 2·5 + 9·6 + 5·7 = 8+10+54+35 = 107; 107 mod 11 = 8 → check digit 8.
MAN_LEAP_2000 = "000229500008"


def test_worked_example_first_weighting() -> None:
    """IIN structure: YYMMDD, century/sex digit 3 = male born in the 1900s, check digit 6."""
    iin = parse_iin(MAN_1990)
    assert iin == Iin(
        text=MAN_1990,
        birth_date=date(1990, 1, 1),
        sex=Sex.MALE,
        century_digit=3,
        serial="0012",
        check_digit=6,
    )


def test_worked_example_second_weighting() -> None:
    """When the first weighting gives 10, weights 3..11, 1, 2 give the check digit (here 7)."""
    iin = parse_iin(WOMAN_2003)
    assert (iin.birth_date, iin.sex, iin.check_digit) == (date(2003, 2, 28), Sex.FEMALE, 7)
    assert iin_check_digit(WOMAN_2003[:11]) == 7


def test_both_weightings_ten_is_never_issued() -> None:
    """If both weightings give 10 the number is invalid, whatever its last digit."""
    assert iin_check_digit(NEVER_ISSUED_PREFIX) is None
    for last in "0123456789":
        with pytest.raises(IinError) as caught:
            parse_iin(NEVER_ISSUED_PREFIX + last)
        assert caught.value.reason is IinProblem.CHECKSUM_UNDEFINED


def test_nineteenth_century_and_leap_day() -> None:
    """Digit 7 = 1: male born 1800–1899; digit 5 with 000229 is 29.02.2000 (a leap day)."""
    assert parse_iin(MAN_1899).birth_date == date(1899, 12, 31)
    assert parse_iin(MAN_LEAP_2000).birth_date == date(2000, 2, 29)
    assert parse_iin(MAN_LEAP_2000).sex is Sex.MALE


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("90010130012", IinProblem.LENGTH),  # 11 digits
        ("9001013001260", IinProblem.LENGTH),  # 13 digits
        ("", IinProblem.LENGTH),
        ("90010130012a", IinProblem.NON_DIGIT),
        ("9001013001 6", IinProblem.NON_DIGIT),
        ("90010130012٦", IinProblem.NON_DIGIT),  # Arabic-Indic six: a digit, but not 0–9
        ("900101000126", IinProblem.CENTURY_DIGIT),  # 0: foreign national / legacy
        ("900101700126", IinProblem.CENTURY_DIGIT),
        ("900101900126", IinProblem.CENTURY_DIGIT),
        ("900230300126", IinProblem.DATE),  # 30 February
        ("901301300126", IinProblem.DATE),  # month 13
        ("000229300008", IinProblem.DATE),  # 29.02.1900: 1900 is not a leap year
        ("900101300127", IinProblem.CHECKSUM),  # 6 expected
    ],
)
def test_every_error_reason(text: str, reason: IinProblem) -> None:
    """Each defect is named: length, non-digit, century digit, calendar date, check digit."""
    with pytest.raises(IinError) as caught:
        parse_iin(text)
    assert caught.value.reason is reason
    assert caught.value.field == "iin"
    assert caught.value.value == text
    assert isinstance(caught.value, LawInputError)


def test_not_text() -> None:
    """An IIN is text; a number loses leading zeros (000229… would become 229…)."""
    with pytest.raises(IinError) as caught:
        parse_iin(900101300126)  # type: ignore[arg-type]
    assert caught.value.reason is IinProblem.NOT_TEXT


def test_century_zero_message_explains() -> None:
    """Digit 7 = 0 is refused with the reason: no century or sex can be derived."""
    with pytest.raises(IinError, match="cannot be derived"):
        parse_iin("900101000126")


def test_matches_stated_data() -> None:
    """The stated date of birth and sex must agree with the IIN (issue #2 §2.3)."""
    assert check_iin_matches(MAN_1990, date(1990, 1, 1), Sex.MALE) == ()
    assert check_iin_matches(parse_iin(MAN_1990), date(1990, 1, 1)) == ()
    wrong = check_iin_matches(MAN_1990, date(1990, 1, 2), Sex.FEMALE)
    assert [(m.field, m.stated, m.encoded) for m in wrong] == [
        ("date_of_birth", date(1990, 1, 2), date(1990, 1, 1)),
        ("sex", Sex.FEMALE, Sex.MALE),
    ]
    # sex not stated: only the date is compared
    assert check_iin_matches(WOMAN_2003, date(2003, 2, 28)) == ()


def test_match_check_refuses_invalid_iin() -> None:
    """An invalid IIN is an input error, not a mismatch."""
    with pytest.raises(IinError):
        check_iin_matches("900101300127", date(1990, 1, 1))


def _reference_check_digit(first_eleven: str) -> int | None:
    """Independent, deliberately plain restatement of the published algorithm."""
    total = 0
    for position, char in enumerate(first_eleven, start=1):
        total += position * int(char)
    if total % 11 != 10:
        return total % 11
    total = 0
    for position, char in enumerate(first_eleven):
        weight = position + 3 if position + 3 <= 11 else position + 3 - 11
        total += weight * int(char)
    if total % 11 != 10:
        return total % 11
    return None


@settings(max_examples=400)
@given(
    birth=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(Sex),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_round_trip(birth: date, sex: Sex, serial: int) -> None:
    """Any birth date 1800–2099, sex and serial encodes to an IIN that parses back exactly."""
    century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (sex is Sex.FEMALE)
    prefix = f"{birth:%y%m%d}{century}{serial:04d}"
    check = _reference_check_digit(prefix)
    if check is None:
        with pytest.raises(IinError) as caught:
            parse_iin(prefix + "0")
        assert caught.value.reason is IinProblem.CHECKSUM_UNDEFINED
        return
    iin = parse_iin(f"{prefix}{check}")
    assert (iin.birth_date, iin.sex, iin.serial, iin.century_digit) == (
        birth,
        sex,
        f"{serial:04d}",
        century,
    )
    assert check_iin_matches(iin, birth, sex) == ()
    wrong_digit = (check + 1) % 10
    with pytest.raises(IinError) as caught:
        parse_iin(f"{prefix}{wrong_digit}")
    assert caught.value.reason is IinProblem.CHECKSUM
