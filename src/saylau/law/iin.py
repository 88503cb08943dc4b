"""The individual identification number (ИИН / ЖСН): a 12-digit number that encodes birth and sex.

Why here: ages for eligibility and quotas come from dates of birth, and a commission must be able
to see that the stated date of birth agrees with the candidate's IIN. No well-kept library for
Kazakh IINs exists in our package index (python-stdnum has no ``kz`` module), so the structure is
implemented here from its published description (Law "On national registers of identification
numbers" of 12.01.2007 No. 223-III and the rules for forming identification numbers made under
it; article not verified):

* digits 1–6: date of birth ``YYMMDD``;
* digit 7: century of birth and sex — 1/2 male/female born 1800–1899, 3/4 born 1900–1999, 5/6 born
  2000–2099 (odd = male, even = female). ``0`` is found on IINs issued to some foreign nationals
  and in legacy records; it encodes neither century nor sex, so no date of birth can be derived from
  it and :func:`parse_iin` refuses it (a candidate must be a citizen anyway, Constitution art. 33).
  7, 8, 9 are not defined;
* digits 8–11: serial number;
* digit 12: check digit — the first 11 digits weighted 1, 2, …, 11, summed, modulo 11; if that gives
  10, weights 3, 4, …, 11, 1, 2 are used instead; if that also gives 10 the number is never issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from saylau.law.errors import LawInputError

IIN_LENGTH = 12
_DIGITS = frozenset("0123456789")
_FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY_START = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class Sex(StrEnum):
    """Sex as recorded in the IIN and in the quota categories (CL art. 104 para 4)."""

    MALE = "male"
    FEMALE = "female"


class IinProblem(StrEnum):
    """Why a text is not a valid IIN; stable codes for interfaces."""

    NOT_TEXT = "not_text"
    LENGTH = "length"
    NON_DIGIT = "non_digit"
    CENTURY_DIGIT = "century_digit"
    DATE = "date"
    CHECKSUM = "checksum"
    CHECKSUM_UNDEFINED = "checksum_undefined"


class IinError(LawInputError):
    """A :class:`LawInputError` for an IIN, with a machine-readable ``reason``."""

    def __init__(self, field: str, value: object, rule: str, reason: IinProblem) -> None:
        super().__init__(field, value, rule)
        self.reason = reason


@dataclass(frozen=True)
class Iin:
    """A parsed, valid IIN."""

    text: str
    birth_date: date
    sex: Sex
    century_digit: int
    serial: str
    """Digits 8–11."""
    check_digit: int


@dataclass(frozen=True)
class IinMismatch:
    """A stated personal datum that disagrees with what the IIN encodes."""

    field: str
    stated: object
    encoded: object


def iin_check_digit(first_eleven: str) -> int | None:
    """The check digit for the first 11 digits, or ``None`` if both weightings give 10."""
    if len(first_eleven) != IIN_LENGTH - 1 or not set(first_eleven) <= _DIGITS:
        raise LawInputError("iin", first_eleven, "the check digit needs exactly 11 digits")
    digits = [int(c) for c in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def _fail(text: object, reason: IinProblem, rule: str) -> IinError:
    return IinError(field="iin", value=text, rule=rule, reason=reason)


def parse_iin(text: str) -> Iin:
    """Parse and validate an IIN; raise :class:`IinError` naming the first defect found.

    Checked in this order: type, length (12), digits only (ASCII 0–9, no spaces), century/sex digit,
    calendar date, check digit.
    """
    if not isinstance(text, str):
        raise _fail(text, IinProblem.NOT_TEXT, "an IIN is given as text of 12 digits")
    if len(text) != IIN_LENGTH:
        raise _fail(text, IinProblem.LENGTH, f"an IIN has exactly 12 digits, not {len(text)}")
    if not set(text) <= _DIGITS:
        bad = sorted(set(text) - _DIGITS)
        raise _fail(text, IinProblem.NON_DIGIT, f"an IIN consists of digits 0–9 only; found {bad}")
    century_digit = int(text[6])
    if century_digit == 0:
        raise _fail(
            text,
            IinProblem.CENTURY_DIGIT,
            "digit 7 is 0 (foreign national / legacy record): it encodes neither century nor sex, "
            "so the date of birth cannot be derived",
        )
    if century_digit not in _CENTURY_START:
        raise _fail(
            text,
            IinProblem.CENTURY_DIGIT,
            f"digit 7 must be 1–6 (century and sex of birth), not {century_digit}",
        )
    year = _CENTURY_START[century_digit] + int(text[0:2])
    month, day = int(text[2:4]), int(text[4:6])
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise _fail(
            text,
            IinProblem.DATE,
            f"digits 1–6 with digit 7 give {year:04d}-{month:02d}-{day:02d}, not a calendar date",
        ) from None
    expected = iin_check_digit(text[:11])
    if expected is None:
        raise _fail(
            text,
            IinProblem.CHECKSUM_UNDEFINED,
            "both check-digit weightings give 10: no IIN is issued with these 11 digits",
        )
    if int(text[11]) != expected:
        raise _fail(
            text,
            IinProblem.CHECKSUM,
            f"check digit is {text[11]}, the first 11 digits need {expected}",
        )
    return Iin(
        text=text,
        birth_date=birth_date,
        sex=Sex.MALE if century_digit % 2 == 1 else Sex.FEMALE,
        century_digit=century_digit,
        serial=text[7:11],
        check_digit=expected,
    )


def check_iin_matches(
    iin: Iin | str, date_of_birth: date, sex: Sex | None = None
) -> tuple[IinMismatch, ...]:
    """Every stated datum (date of birth, and sex if given) that disagrees with the IIN.

    An empty result means the IIN agrees. An invalid IIN raises :class:`IinError`.
    """
    parsed = iin if isinstance(iin, Iin) else parse_iin(iin)
    mismatches: list[IinMismatch] = []
    if parsed.birth_date != date_of_birth:
        mismatches.append(IinMismatch("date_of_birth", date_of_birth, parsed.birth_date))
    if sex is not None and parsed.sex is not sex:
        mismatches.append(IinMismatch("sex", sex, parsed.sex))
    return tuple(mismatches)
