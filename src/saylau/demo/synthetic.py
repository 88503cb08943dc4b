"""Deterministic synthetic data for the demo election: precincts, districts, people.

Every function takes a :class:`random.Random` seeded by the caller, so the same seed always gives the
same election. Nothing here is real; every row made from it is marked ``synthetic``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from saylau.law.iin import Sex, iin_check_digit

# (Kazakh, Russian) renderings. Surnames are given in their male form; the female form adds -а.
SURNAMES = (
    ("Асанов", "Асанов"),
    ("Әбенов", "Абенов"),
    ("Бекмұратов", "Бекмуратов"),
    ("Дәулетов", "Даулетов"),
    ("Ерланов", "Ерланов"),
    ("Жұмабаев", "Жумабаев"),
    ("Ғабитов", "Габитов"),
    ("Қасымов", "Касымов"),
    ("Нұрланов", "Нурланов"),
    ("Оспанов", "Оспанов"),
    ("Өтебаев", "Утебаев"),
    ("Сәрсенов", "Сарсенов"),
    ("Тоқтаров", "Токтаров"),
    ("Ұзақов", "Узаков"),
    ("Шәкіров", "Шакиров"),
    ("Ыбыраев", "Ибраев"),
    ("Іргебаев", "Ыргебаев"),
    ("Құдайбергенов", "Кудайбергенов"),
    ("Мұқанов", "Муканов"),
    ("Рахимов", "Рахимов"),
    ("Иванов", "Иванов"),
    ("Ким", "Ким"),
)
MALE_NAMES = (
    ("Асхат", "Асхат"),
    ("Бауыржан", "Бауыржан"),
    ("Дәурен", "Даурен"),
    ("Ерлан", "Ерлан"),
    ("Қайрат", "Кайрат"),
    ("Мұрат", "Мурат"),
    ("Нұржан", "Нуржан"),
    ("Серік", "Серик"),
    ("Талғат", "Талгат"),
    ("Әлихан", "Алихан"),
    ("Ғалым", "Галым"),
    ("Сергей", "Сергей"),
)
FEMALE_NAMES = (
    ("Айгүл", "Айгуль"),
    ("Гүлмира", "Гульмира"),
    ("Динара", "Динара"),
    ("Жанар", "Жанар"),
    ("Әсел", "Асель"),
    ("Мәдина", "Мадина"),
    ("Сәуле", "Сауле"),
    ("Ұлжан", "Улжан"),
    ("Ақмарал", "Акмарал"),
    ("Назерке", "Назерке"),
    ("Ольга", "Ольга"),
    ("Гаухар", "Гаухар"),
)


@dataclass(frozen=True)
class SyntheticPerson:
    iin: str
    surname: str
    name: str
    patronymic: str
    surname_ru: str
    name_ru: str
    patronymic_ru: str
    birth_date: date
    sex: Sex


def make_iin(birth: date, sex: Sex, serial: int) -> str | None:
    """A valid IIN for ``birth`` and ``sex`` with serial digits 8–11 (``None`` if no check digit)."""
    century = {19: 3, 20: 5}[birth.year // 100] + (1 if sex is Sex.FEMALE else 0)
    first = f"{birth:%y%m%d}{century}{serial % 10_000:04d}"
    check = iin_check_digit(first)
    return None if check is None else f"{first}{check}"


class PersonMaker:
    """Makes distinct synthetic persons with valid, unique IINs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0
        self.used: set[str] = set()

    def person(self, sex: Sex, born_between: tuple[date, date]) -> SyntheticPerson:
        rng = self.rng
        surname, surname_ru = rng.choice(SURNAMES)
        names = FEMALE_NAMES if sex is Sex.FEMALE else MALE_NAMES
        name, name_ru = rng.choice(names)
        father, father_ru = rng.choice(MALE_NAMES)
        if sex is Sex.FEMALE:
            surname += "а" if surname.endswith("в") else ""
            surname_ru += "а" if surname_ru.endswith("в") else ""
            patronymic, patronymic_ru = f"{father}қызы", f"{father_ru}овна"
        else:
            patronymic, patronymic_ru = f"{father}ұлы", f"{father_ru}ович"
        start, end = born_between
        while True:
            birth = start + timedelta(days=rng.randrange((end - start).days + 1))
            self.serial += 1
            iin = make_iin(birth, sex, self.serial)
            if iin is not None and iin not in self.used:
                self.used.add(iin)
                break
        return SyntheticPerson(
            iin, surname, name, patronymic, surname_ru, name_ru, patronymic_ru, birth, sex
        )


def split_voters(total: int, parts: int, rng: random.Random, cap: int) -> list[int]:
    """``total`` voters in ``parts`` precincts of unequal size, each at most ``cap``, summing exactly."""
    if parts * cap < total:
        raise ValueError(f"{total} voters do not fit in {parts} precincts of at most {cap}")
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [min(cap, max(1, int(w * scale))) for w in weights]
    difference = total - sum(sizes)
    index = 0
    while difference != 0:
        step = 1 if difference > 0 else -1
        candidate = sizes[index % parts] + step
        if 1 <= candidate <= cap:
            sizes[index % parts] = candidate
            difference -= step
        index += 1
    return sizes


def partition(voters: Sequence[int], parts: int) -> list[list[int]]:
    """Split consecutive precincts (by index) into ``parts`` groups of near-equal voters.

    Greedy on the running total: group k closes once the total passes k/parts of the whole. Every
    group gets at least one precinct, so ``parts`` must not exceed ``len(voters)``.
    """
    if not 1 <= parts <= len(voters):
        raise ValueError(f"cannot make {parts} districts from {len(voters)} precincts")
    total = sum(voters)
    groups: list[list[int]] = [[] for _ in range(parts)]
    running = 0
    group = 0
    for index, size in enumerate(voters):
        must_advance = len(voters) - index == parts - group - 1  # one precinct per later group
        past_share = (running + size / 2) * parts > total * (group + 1)
        if groups[group] and group < parts - 1 and (must_advance or past_share):
            group += 1
        groups[group].append(index)
        running += size
    return groups
