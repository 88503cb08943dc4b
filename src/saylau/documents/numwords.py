"""Whole numbers in words, in Kazakh and in Russian, for the figures of a protocol.

Every figure of a result protocol is written in digits and repeated in words (CL art. 43 para 8),
so that a figure cannot be changed by a stroke of the pen. Counts of voters, ballots and votes are
cardinal numbers from zero up; the words are those of an official document:

- Kazakh: tens before units ("он бір", "жиырма бес"); "жүз" alone for one hundred ("жүз бір") but
  "бір мың", "бір миллион", "бір миллиард" for the larger scales, as Kazakh spelling rules write
  them ("бір мың тоғыз жүз сексен бес").
- Russian: the masculine forms for counts ("один", "два", as in "число бюллетеней — двадцать один"),
  the feminine ones before "тысяча" ("одна тысяча", "две тысячи"), and the plural of each scale
  word chosen by the last two digits of its count ("тысяча / тысячи / тысяч", "миллион / миллиона /
  миллионов"); scales of one are written with their count ("одна тысяча", "один миллион") as money
  and protocol figures are.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["kk", "ru"]
LIMIT = 10**12
"""Numbers below a trillion have words (a protocol's figures are far smaller)."""

_KK_UNITS = ("", "бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз")
_KK_TENS = ("", "он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан")
_KK_SCALES = ("", "мың", "миллион", "миллиард")

_RU_UNITS = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_RU_UNITS_FEMININE = ("", "одна", "две", *_RU_UNITS[3:])
_RU_TEENS = (
    "десять",
    "одиннадцать",
    "двенадцать",
    "тринадцать",
    "четырнадцать",
    "пятнадцать",
    "шестнадцать",
    "семнадцать",
    "восемнадцать",
    "девятнадцать",
)
_RU_TENS = (
    "",
    "",
    "двадцать",
    "тридцать",
    "сорок",
    "пятьдесят",
    "шестьдесят",
    "семьдесят",
    "восемьдесят",
    "девяносто",
)
_RU_HUNDREDS = (
    "",
    "сто",
    "двести",
    "триста",
    "четыреста",
    "пятьсот",
    "шестьсот",
    "семьсот",
    "восемьсот",
    "девятьсот",
)
_RU_SCALES: tuple[tuple[str, str, str], ...] = (
    ("", "", ""),
    ("тысяча", "тысячи", "тысяч"),
    ("миллион", "миллиона", "миллионов"),
    ("миллиард", "миллиарда", "миллиардов"),
)


def words(number: int, language: Language) -> str:
    """``number`` (0 ≤ number < 10¹²) in words in ``language`` (``"kk"`` or ``"ru"``)."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"a whole number is expected, not {number!r}")
    if not 0 <= number < LIMIT:
        raise ValueError(f"{number}: numbers from 0 to {LIMIT - 1} have words here")
    if language == "kk":
        return _kazakh(number)
    if language == "ru":
        return _russian(number)
    raise ValueError(f"language {language!r}: 'kk' or 'ru'")


def _groups(number: int) -> list[tuple[int, int]]:
    """(scale index, group of three digits) from the largest scale down, zero groups left out."""
    groups: list[tuple[int, int]] = []
    scale = 0
    while number:
        number, group = divmod(number, 1000)
        if group:
            groups.append((scale, group))
        scale += 1
    return groups[::-1]


def _kazakh_below_thousand(group: int) -> list[str]:
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    parts: list[str] = []
    if hundreds:
        # "жүз" alone for one hundred ("жүз бір"), "екі жүз", "үш жүз" …
        if hundreds > 1:
            parts.append(_KK_UNITS[hundreds])
        parts.append("жүз")
    if tens:
        parts.append(_KK_TENS[tens])
    if units:
        parts.append(_KK_UNITS[units])
    return parts


def _kazakh(number: int) -> str:
    if number == 0:
        return "нөл"
    parts: list[str] = []
    for scale, group in _groups(number):
        # A scale always has its count in words: "бір мың", "жүз мың", "бір миллион".
        parts += _kazakh_below_thousand(group)
        if scale:
            parts.append(_KK_SCALES[scale])
    return " ".join(parts)


def _russian_plural(count: int, forms: tuple[str, str, str]) -> str:
    """The form of a noun after ``count``: 1, 21 → one; 2–4, 22 → few; 0, 5–20, 11–14 → many."""
    if 11 <= count % 100 <= 14:
        return forms[2]
    last = count % 10
    if last == 1:
        return forms[0]
    if 2 <= last <= 4:
        return forms[1]
    return forms[2]


def _russian_below_thousand(group: int, *, feminine: bool) -> list[str]:
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    parts: list[str] = []
    if hundreds:
        parts.append(_RU_HUNDREDS[hundreds])
    if tens == 1:
        parts.append(_RU_TEENS[units])
        return parts
    if tens:
        parts.append(_RU_TENS[tens])
    if units:
        parts.append((_RU_UNITS_FEMININE if feminine else _RU_UNITS)[units])
    return parts


def _russian(number: int) -> str:
    if number == 0:
        return "ноль"
    parts: list[str] = []
    for scale, group in _groups(number):
        # "тысяча" is feminine: "одна тысяча", "две тысячи"; the other scales are masculine.
        parts += _russian_below_thousand(group, feminine=scale == 1)
        if scale:
            parts.append(_russian_plural(group, _RU_SCALES[scale]))
    return " ".join(parts)


def both(number: int) -> dict[str, str]:
    """The number in digits grouped in threes and in words in both languages, for a document."""
    return {"digits": digits(number), "kk": words(number, "kk"), "ru": words(number, "ru")}


def digits(number: int) -> str:
    """Digits grouped in threes by a no-break space, as Kazakh and Russian documents write them."""
    return f"{number:,}".replace(",", "\u00a0")
