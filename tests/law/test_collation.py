"""Kazakh alphabetical order of candidates (CL art. 37 para 1: "alphabetical order of the state
language")."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.collation import (
    KAZAKH_ALPHABET,
    candidate_sort_key,
    kazakh_sort_key,
)

# The alphabet typed independently of the module, from the issue text.
ALPHABET = list("АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ")


def ordered(*names: str) -> bool:
    keys = [kazakh_sort_key(n) for n in names]
    return all(a < b for a, b in itertools.pairwise(keys))


def test_alphabet_is_the_42_letters_of_the_issue() -> None:
    """CL art. 37 para 1: the Kazakh Cyrillic alphabet has 42 letters in this order."""
    assert list(KAZAKH_ALPHABET) == ALPHABET
    assert len(KAZAKH_ALPHABET) == 42


def test_abenov_between_asanov_and_bekova() -> None:
    """CL art. 37 para 1: А < Ә < Б, so Асанов < Әбенов < Бекова (code points would put Ә last)."""
    assert ordered("Асанов", "Әбенов", "Бекова")
    assert sorted(["Бекова", "Әбенов", "Асанов"], key=kazakh_sort_key) == [
        "Асанов",
        "Әбенов",
        "Бекова",
    ]


def test_irgebaev_after_ybyraev() -> None:
    """CL art. 37 para 1: Ы comes before І in the Kazakh alphabet."""
    assert ordered("Ыбыраев", "Іргебаев")
    assert ordered("Іргебаев", "Ьа", "Эмин")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Ұ", "Ү"),
        ("Г", "Ғ"),
        ("К", "Қ"),
        ("Н", "Ң"),
        ("О", "Ө"),
        ("Х", "Һ"),
        ("Е", "Ё"),
        ("А", "Ә"),
        ("Ы", "І"),
    ],
)
def test_kazakh_letter_pairs(before: str, after: str) -> None:
    """CL art. 37 para 1: each Kazakh letter follows its base letter directly."""
    assert ordered(before, after)
    # …and the difference decides between words too, before any later letter does.
    assert ordered(before + "я", after + "а")
    assert ordered(before.lower() + "я", after + "а")


@pytest.mark.parametrize(
    ("after", "next_letter"),
    [("Ғ", "Д"), ("Қ", "Л"), ("Ң", "О"), ("Ө", "П"), ("Ү", "Ф"), ("Һ", "Ц"), ("Ё", "Ж")],
)
def test_kazakh_letters_come_before_the_next_russian_letter(after: str, next_letter: str) -> None:
    """CL art. 37 para 1: Ғ < Д, Қ < Л, Ң < О, Ө < П, Ү < Ф, Һ < Ц, Ё < Ж."""
    assert ordered(after, next_letter)


def test_shorter_prefix_first() -> None:
    """CL art. 37 para 1 (dictionary order): a name that begins another sorts first."""
    assert ordered("Асан", "Асанов", "Асанова")
    assert ordered("", "А")


def test_case_insensitive() -> None:
    """CL art. 37 para 1: the alphabet has no case, so case does not decide between names."""
    assert ordered("асанов", "Бекова")
    assert ordered("АСАНОВ", "бекова")
    assert ordered("Әбенов", "БЕКОВА")
    # Names differing only in case are ordered lower case first, so the order is total.
    assert ordered("асанов", "Асанов", "АСАНОВ")


def test_separators_ignored_letter_by_letter() -> None:
    """CL art. 37 para 1, letter by letter: hyphens and spaces are skipped (collation.py rule 1)."""
    assert ordered("Әлиа", "Әли-Ахмет", "Әлиб")
    # Н Ұ Р А < Н Ұ Р Б: the space is skipped (were it a letter before А, "Нұр Бек" would be first).
    assert ordered("Нұра", "Нұр Бек", "Нұрбекова")


def test_separators_decide_only_between_same_letters() -> None:
    """CL art. 37 para 1, same letters: no separator < space < hyphen (collation.py rule 2)."""
    assert ordered("Нұрсұлтан", "Нұр Сұлтан", "Нұр-Сұлтан")


def test_digits_before_letters_and_latin_after_ya() -> None:
    """Outside the alphabet of CL art. 37 para 1: digits first, Latin letters after Я."""
    assert ordered("1-округ", "А", "Я", "A", "z")
    assert ordered("Яков", "Adam")


def test_decomposed_input_is_normalised() -> None:
    """CL art. 37 para 1 letters Й and Ё typed as И + breve, Е + diaeresis sort as Й and Ё."""
    decomposed = unicodedata.normalize("NFD", "Йод Ёлка")
    assert decomposed != "Йод Ёлка"
    assert kazakh_sort_key(decomposed) == kazakh_sort_key("Йод Ёлка")


def test_candidate_surname_then_name_then_patronymic() -> None:
    """CL art. 37 para 1: surname, name and patronymic, in that order of precedence."""
    people = [
        ("Сәрсенов", "Бақыт", "Ғаниұлы"),
        ("Сарсенов", "Бақыт", None),
        ("Сәрсенов", "Айдос", None),
        ("Сәрсенов", "Бақыт", None),
        ("Сәрсенов", "Бақыт", "Асқарұлы"),
    ]
    result = sorted(people, key=lambda p: candidate_sort_key(*p))
    assert result == [
        ("Сарсенов", "Бақыт", None),  # А < Ә in the second letter of the surname
        ("Сәрсенов", "Айдос", None),
        ("Сәрсенов", "Бақыт", None),  # no patronymic before any patronymic
        ("Сәрсенов", "Бақыт", "Асқарұлы"),
        ("Сәрсенов", "Бақыт", "Ғаниұлы"),
    ]


def test_case_of_surname_never_overrides_the_name() -> None:
    """Case is the last tie-break across all three parts, not within the surname first."""
    a = candidate_sort_key("АСАНОВ", "Айбек", None)
    b = candidate_sort_key("Асанов", "Бауыржан", None)
    assert a < b


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=200)
@given(st.permutations(ALPHABET))
def test_sorting_shuffled_alphabet_returns_the_alphabet(letters: list[str]) -> None:
    """The key orders the 42 letters exactly as the alphabet list (CL art. 37 para 1)."""
    assert sorted(letters, key=kazakh_sort_key) == ALPHABET
    lower = [c.lower() for c in letters]
    assert sorted(lower, key=kazakh_sort_key) == [c.lower() for c in ALPHABET]


kazakh_words = st.text(alphabet="".join(ALPHABET) + "".join(ALPHABET).lower(), max_size=8)


def oracle(word: str) -> list[int]:
    """An independent order: each letter's index in the alphabet list, case folded by upper()."""
    return [ALPHABET.index(c.upper()) for c in word]


@settings(max_examples=300)
@given(kazakh_words, kazakh_words)
def test_letter_order_matches_alphabet_index_order(a: str, b: str) -> None:
    """For words of Kazakh letters, the order is the lexicographic order of alphabet positions."""
    if oracle(a) != oracle(b):
        assert (kazakh_sort_key(a) < kazakh_sort_key(b)) == (oracle(a) < oracle(b))
    else:
        # Same letters: only case differs, and the order is still strict unless the texts match.
        assert (kazakh_sort_key(a) == kazakh_sort_key(b)) == (a == b)


names = st.text(alphabet="".join(ALPHABET) + "абвәғқ -ABCxyz019'", max_size=10)


@settings(max_examples=300)
@given(names, names)
def test_key_is_a_total_order(a: str, b: str) -> None:
    """CL art. 37 para 1 order is total: equal keys only for equal texts."""
    assert (kazakh_sort_key(a) == kazakh_sort_key(b)) == (a == b)


@settings(max_examples=200)
@given(names, names, names)
def test_candidate_key_is_deterministic_under_permutation(a: str, b: str, c: str) -> None:
    """CL art. 37 para 1: any input order of the same candidates gives the same ballot order."""
    people = [(a, b, c), (b, c, a), (c, a, b)]
    forward = sorted(people, key=lambda p: candidate_sort_key(*p))
    backward = sorted(reversed(people), key=lambda p: candidate_sort_key(*p))
    assert forward == backward
