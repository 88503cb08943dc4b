"""Numbers in words in Kazakh and Russian, as a protocol writes its figures (CL art. 43 para 8).

A table of hand-checked values for both languages, and properties over every number below 10⁹:
deterministic, single spaces, words only from the vocabulary, and a round trip through a parser
written here independently (it reads words back by their values, not by the writer's tables).
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.documents.numwords import LIMIT, both, digits, words

TABLE: dict[int, tuple[str, str]] = {
    0: ("нөл", "ноль"),
    1: ("бір", "один"),
    2: ("екі", "два"),
    5: ("бес", "пять"),
    11: ("он бір", "одиннадцать"),
    19: ("он тоғыз", "девятнадцать"),
    20: ("жиырма", "двадцать"),
    21: ("жиырма бір", "двадцать один"),
    99: ("тоқсан тоғыз", "девяносто девять"),
    100: ("жүз", "сто"),
    101: ("жүз бір", "сто один"),
    110: ("жүз он", "сто десять"),
    999: ("тоғыз жүз тоқсан тоғыз", "девятьсот девяносто девять"),
    1_000: ("бір мың", "одна тысяча"),
    1_001: ("бір мың бір", "одна тысяча один"),
    1_985: ("бір мың тоғыз жүз сексен бес", "одна тысяча девятьсот восемьдесят пять"),
    2_000: ("екі мың", "две тысячи"),
    5_000: ("бес мың", "пять тысяч"),
    11_000: ("он бір мың", "одиннадцать тысяч"),
    21_000: ("жиырма бір мың", "двадцать одна тысяча"),
    22_000: ("жиырма екі мың", "двадцать две тысячи"),
    44_000: ("қырық төрт мың", "сорок четыре тысячи"),
    100_000: ("жүз мың", "сто тысяч"),
    1_000_000: ("бір миллион", "один миллион"),
    2_345_678: (
        "екі миллион үш жүз қырық бес мың алты жүз жетпіс сегіз",
        "два миллиона триста сорок пять тысяч шестьсот семьдесят восемь",
    ),
    5_000_000: ("бес миллион", "пять миллионов"),
    12_000_000: ("он екі миллион", "двенадцать миллионов"),
    1_000_000_000: ("бір миллиард", "один миллиард"),
    3_000_000_000: ("үш миллиард", "три миллиарда"),
}


@pytest.mark.parametrize(("number", "expected"), TABLE.items())
def test_hand_checked_values(number: int, expected: tuple[str, str]) -> None:
    assert (words(number, "kk"), words(number, "ru")) == expected


def test_digits_grouped_and_both_languages() -> None:
    assert digits(2_345_678) == "2\u00a0345\u00a0678"
    assert both(1_001) == {"digits": "1\u00a0001", "kk": "бір мың бір", "ru": "одна тысяча один"}


@pytest.mark.parametrize("bad", [-1, LIMIT])
def test_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="have words"):
        words(bad, "ru")


def test_not_a_whole_number_or_language_is_refused() -> None:
    with pytest.raises(TypeError):
        words(True, "kk")
    with pytest.raises(ValueError, match="language"):
        words(1, "en")  # type: ignore[arg-type]


# --- an independent reader -------------------------------------------------------------------

KK_VALUES = {
    "нөл": 0,
    **dict(
        zip(
            ["бір", "екі", "үш", "төрт", "бес", "алты", "жеті", "сегіз", "тоғыз"],
            range(1, 10),
            strict=True,
        )
    ),
    **dict(
        zip(
            ["он", "жиырма", "отыз", "қырық", "елу", "алпыс", "жетпіс", "сексен", "тоқсан"],
            range(10, 100, 10),
            strict=True,
        )
    ),
}
KK_SCALES = {"мың": 10**3, "миллион": 10**6, "миллиард": 10**9}

RU_VALUES = {
    "ноль": 0,
    "один": 1,
    "одна": 1,
    "два": 2,
    "две": 2,
    **dict(
        zip(
            ["три", "четыре", "пять", "шесть", "семь", "восемь", "девять"],
            range(3, 10),
            strict=True,
        )
    ),
    **dict(
        zip(
            [
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
            ],
            range(10, 20),
            strict=True,
        )
    ),
    **dict(
        zip(
            [
                "двадцать",
                "тридцать",
                "сорок",
                "пятьдесят",
                "шестьдесят",
                "семьдесят",
                "восемьдесят",
                "девяносто",
            ],
            range(20, 100, 10),
            strict=True,
        )
    ),
    **dict(
        zip(
            [
                "сто",
                "двести",
                "триста",
                "четыреста",
                "пятьсот",
                "шестьсот",
                "семьсот",
                "восемьсот",
                "девятьсот",
            ],
            range(100, 1000, 100),
            strict=True,
        )
    ),
}
RU_SCALES = {
    **dict.fromkeys(("тысяча", "тысячи", "тысяч"), 10**3),
    **dict.fromkeys(("миллион", "миллиона", "миллионов"), 10**6),
    **dict.fromkeys(("миллиард", "миллиарда", "миллиардов"), 10**9),
}


def read_kk(text: str) -> int:
    """Kazakh words → number: add values; "жүз" multiplies what precedes it in its group (or is
    100 alone); a scale word closes its group."""
    total, group = 0, 0
    for word in text.split():
        if word == "жүз":
            group = (group or 1) * 100
        elif word in KK_SCALES:
            assert group, f"{word!r} without a count in {text!r}"
            total += group * KK_SCALES[word]
            group = 0
        else:
            group += KK_VALUES[word]
    return total + group


def read_ru(text: str) -> int:
    """Russian words → number: add values; a scale word closes its group."""
    total, group = 0, 0
    for word in text.split():
        if word in RU_SCALES:
            assert group, f"{word!r} without a count in {text!r}"
            total += group * RU_SCALES[word]
            group = 0
        else:
            group += RU_VALUES[word]
    return total + group


def ru_form_is_right(text: str) -> bool:
    """Each scale word agrees with the last word before it (одна тысяча, две тысячи, пять тысяч)."""
    tokens = text.split()
    for before, word in pairwise(tokens):
        if word not in RU_SCALES:
            continue
        count = RU_VALUES[before]
        stem = word.rstrip("аиов")
        one, few, many = (
            ("тысяча", "тысячи", "тысяч")
            if stem.startswith("тысяч")
            else (stem, stem + "а", stem + "ов")
        )
        expected = one if count == 1 else few if count in (2, 3, 4) else many
        if word != expected:
            return False
        if stem.startswith("тысяч") and before in ("один", "два"):
            return False  # тысяча is feminine
        if not stem.startswith("тысяч") and before in ("одна", "две"):
            return False
    return True


numbers = st.integers(min_value=0, max_value=10**9 - 1)


@given(numbers)
def test_words_read_back_to_the_number(number: int) -> None:
    assert read_kk(words(number, "kk")) == number
    assert read_ru(words(number, "ru")) == number


@given(numbers)
def test_deterministic_single_spaced_and_agreeing(number: int) -> None:
    for language in ("kk", "ru"):
        text = words(number, language)
        assert text == words(number, language)
        assert text and text == text.strip() and "  " not in text
    assert ru_form_is_right(words(number, "ru"))


@given(numbers)
def test_a_teen_ends_its_group(number: int) -> None:
    """ "одиннадцать", never "десять один"; a Kazakh ten comes before its unit ("он бір")."""
    tokens = words(number, "ru").split()
    for before, after in pairwise(tokens):
        if 10 <= RU_VALUES.get(before, 0) <= 19:
            assert after in RU_SCALES, tokens
    kk = words(number, "kk").split()
    for before, after in pairwise(kk):
        if 1 <= KK_VALUES.get(before, 0) <= 9:
            assert after in KK_SCALES or after == "жүз", kk
