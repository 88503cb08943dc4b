"""Kazakh alphabetical order (CL art. 37 para 1: candidates "in the alphabetical order of the state
language").

The 42 letters of the Kazakh Cyrillic alphabet, in order::

    А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я

Python's default string order (code points) puts Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І after Я, and locale/ICU
collation is not reliably installed, so the order is implemented here as data.

The rule (tested in ``tests/law/test_collation.py``) compares three levels, each only when all
earlier levels are equal:

1. **Letters, letter by letter, case-insensitive.** Separators (space, hyphen, dashes, apostrophes,
   dot) are *ignored* at this level, so "Әли-Ахмет" sorts as "Әлиахмет" (the letter-by-letter rule
   of dictionaries and library catalogues). A text that is a prefix of another sorts first.
   Characters outside the alphabet: digits sort before all letters; Latin letters (case-insensitive)
   after Я; anything else after that, by code point.
2. **Separators.** Among texts with the same letters, the one without a separator at the first
   place where they differ sorts first ("Нұрсұлтан" < "Нұр Сұлтан" < "Нұр-Сұлтан").
3. **Case.** Among texts that differ only in case, lower case first. Case never decides between
   texts that differ in anything else; this level only makes the order total, so that a ballot's
   order never depends on the order in which names were typed in.

Texts are normalised to Unicode NFC first, so "Й" typed as "И" + combining breve is the letter Й.
No look-alike folding is done (a Latin "I" typed for the Kazakh "І" is a Latin letter).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

KAZAKH_ALPHABET: tuple[str, ...] = tuple("АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ")
"""The 42 capital letters of the Kazakh Cyrillic alphabet, in alphabetical order."""

SEPARATORS: tuple[str, ...] = (
    " ",
    "\u00a0",  # no-break space
    "-",
    "\u2010",  # hyphen
    "\u2011",  # non-breaking hyphen
    "\u2013",  # en dash
    "\u2014",  # em dash
    "'",
    "\u2019",  # right single quotation mark, used as an apostrophe
    "\u02bc",  # modifier letter apostrophe
    ".",
)
"""Characters ignored at the first level and compared, in this order, at the second."""

_END = 0
"""Ends each level, below every other rank, so that a prefix sorts first."""
_DIGIT_BASE = 1
_KAZAKH_BASE = _DIGIT_BASE + 10
_LATIN_BASE = _KAZAKH_BASE + len(KAZAKH_ALPHABET)
_OTHER_BASE = _LATIN_BASE + 26
_LETTER_SECONDARY = 1
_SEPARATOR_SECONDARY_BASE = 2


def _letter_ranks() -> Mapping[str, int]:
    ranks: dict[str, int] = {}
    for i, digit in enumerate("0123456789"):
        ranks[digit] = _DIGIT_BASE + i
    for i, letter in enumerate(KAZAKH_ALPHABET):
        ranks[letter] = ranks[letter.lower()] = _KAZAKH_BASE + i
    for i, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        ranks[letter] = ranks[letter.lower()] = _LATIN_BASE + i
    return MappingProxyType(ranks)


_RANKS = _letter_ranks()
_SEPARATOR_RANKS: Mapping[str, int] = MappingProxyType(
    {sep: _SEPARATOR_SECONDARY_BASE + i for i, sep in enumerate(SEPARATORS)}
)


def _primary_rank(char: str) -> int:
    rank = _RANKS.get(char)
    return rank if rank is not None else _OTHER_BASE + ord(char)


def _is_upper_letter(char: str) -> bool:
    return char in _RANKS and char != char.lower()


def collation_levels(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The three comparison levels of ``text`` (letters, separators, case), each ending in 0."""
    normalised = unicodedata.normalize("NFC", text)
    primary = tuple(_primary_rank(c) for c in normalised if c not in _SEPARATOR_RANKS)
    secondary = tuple(_SEPARATOR_RANKS.get(c, _LETTER_SECONDARY) for c in normalised)
    tertiary = tuple(1 if _is_upper_letter(c) else 0 for c in normalised)
    return (*primary, _END), (*secondary, _END), (*tertiary, _END)


def kazakh_sort_key(text: str) -> tuple[int, ...]:
    """A key that orders texts in Kazakh alphabetical order (see the module docstring).

    ``sorted(names, key=kazakh_sort_key)`` gives the order of CL art. 37 para 1.
    """
    primary, secondary, tertiary = collation_levels(text)
    return primary + secondary + tertiary


def candidate_sort_key(
    surname: str, name: str, patronymic: str | None = None
) -> tuple[tuple[int, ...], ...]:
    """Order of candidates on a ballot: surname, then name, then patronymic (CL art. 37 para 1).

    Letters of all three parts are compared before separators and case of any part, so that a
    capitalisation difference in the surname never overrides a different name. A missing
    patronymic sorts before any patronymic.
    """
    parts = [collation_levels(part) for part in (surname, name, patronymic or "")]
    return tuple(levels[level] for level in range(3) for levels in parts)
