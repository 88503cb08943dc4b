"""Made-up persons for the acceptance election: valid IINs and the facts eligibility asks for.

The IIN is built here from its published structure (birth date YYMMDD, a century-and-sex digit, a
four-digit serial and a check digit: weights 1–11, or 3–11, 1, 2 when the first sum leaves 10), not
with the law core's helper, so that the services' IIN check is exercised against an independent
construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from saylau.law.iin import Sex
from saylau.services.persons import PersonInput

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
PERSON_DOCUMENTS = ("biography", "asset_declaration_certificate", "consent", "party_membership")
"""What each person on a party list hands in (CL art. 104 para 3)."""


def check_digit(first_eleven: str) -> int | None:
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def make_iin(birth: date, sex: Sex, serial: int) -> tuple[str, int]:
    """A valid IIN for ``birth`` and ``sex`` with the first usable serial from ``serial``, and the
    serial used."""
    century = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (sex is Sex.FEMALE)
    for number in range(serial, serial + 50):
        head = f"{birth:%y%m%d}{century}{number:04d}"
        digit = check_digit(head)
        if digit is not None:
            return f"{head}{digit}", number
    raise AssertionError("no serial gives a valid IIN")


@dataclass
class People:
    """Hands out eligible persons with fresh IINs (one serial sequence per election story)."""

    serial: int = 1
    iins: dict[str, str] = field(default_factory=dict)
    """Full name → IIN, to find a person again."""

    def person(
        self,
        full_name: str,
        sex: Sex,
        birth: date,
        *,
        party_id: int | None = None,
        mazhilis: bool = False,
        on_list: bool = False,
    ) -> PersonInput:
        surname, name = full_name.split(" ", 1)
        iin, used = make_iin(birth, sex, self.serial)
        self.serial = used + 1
        self.iins[full_name] = iin
        return PersonInput(
            iin=iin,
            surname=surname,
            name=name,
            birth_date=birth,
            sex=sex,
            citizen=True,
            incapacitated_by_court=False,
            imprisoned_by_sentence=False,
            corruption_crime_conviction=False,
            unexpunged_conviction=False,
            party_id=party_id,
            residence_years=30 if mazhilis else None,
            documents=PERSON_DOCUMENTS if on_list else (),
        )
