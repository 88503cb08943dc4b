"""The data of the acceptance election: territory files, districts, candidates and the count.

Two regions: Testoblast (KZ-35, an oblast with the district "Raion" and the city of oblast
significance "Town") and Testcapital (KZ-71, the capital). Six precincts, 10,000 voters:

    o1 KZ-35 №1 Raion 1,000   o2 KZ-35 №2 Raion 1,000   o3 KZ-35 №3 Town 2,000
    o4 KZ-35 №4 Town  2,000   c1 KZ-71 №1       2,050   c2 KZ-71 №2       1,950

Bodies (2023 rules): the Mazhilis (98 = 69 list + 29 SMD), the oblast maslikhat (6 = 3 list +
3 SMD), the capital maslikhat (4 = 2 + 2), the Raion and Town maslikhats (2 SMD each).
"""

from __future__ import annotations

import json
from datetime import date

from saylau.law.iin import Sex

# --- territory -----------------------------------------------------------------------------------

TERRITORY_JSON = json.dumps(
    {
        "regions": [
            {
                "code": "KZ-35",
                "kind": "oblast",
                "name_kk": "Тестоблысы",
                "name_ru": "Тестовская область",
                "name_en": "Testoblast",
                "iana_zone": "Asia/Almaty",
            },
            {
                "code": "KZ-71",
                "kind": "capital",
                "name_kk": "Тестастана",
                "name_en": "Testcapital",
                "iana_zone": "Asia/Almaty",
            },
        ],
        "units": [
            {"region": "KZ-35", "kind": "district", "name_kk": "Аудан", "name_en": "Raion"},
            {"region": "KZ-35", "kind": "city", "name_kk": "Қала", "name_en": "Town"},
        ],
        "bodies": [
            {"kind": "mazhilis", "seats": 98},
            {"kind": "oblast", "region": "KZ-35", "seats": 6},
            {"kind": "capital", "region": "KZ-71", "seats": 4},
            {"kind": "district", "region": "KZ-35", "unit": "Raion", "seats": 2},
            {"kind": "city", "region": "KZ-35", "unit": "Town", "seats": 2},
        ],
    },
    ensure_ascii=False,
)

PRECINCTS_CSV = """region,unit,number,address,voters
KZ-35,Raion,1,School No. 1,1000
KZ-35,Raion,2,School No. 2,1000
KZ-35,Town,3,School No. 3,2000
KZ-35,Town,4,School No. 4,2000
KZ-71,,1,Lyceum No. 1,2050
KZ-71,,2,Lyceum No. 2,1950
"""

BAD_PRECINCTS_CSV = PRECINCTS_CSV.replace("School No. 3,2000", "School No. 3,3100")
"""Row 3 (line 4 of the file) has 3,100 voters: more than the 3,000 of CL art. 23."""

PRECINCTS = {
    # key: (region code, number, voters)
    "o1": ("KZ-35", 1, 1000),
    "o2": ("KZ-35", 2, 1000),
    "o3": ("KZ-35", 3, 2000),
    "o4": ("KZ-35", 4, 2000),
    "c1": ("KZ-71", 1, 2050),
    "c2": ("KZ-71", 2, 1950),
}
OBLAST_PRECINCTS = ("o1", "o2", "o3", "o4")
CAPITAL_PRECINCTS = ("c1", "c2")

# --- districts -----------------------------------------------------------------------------------

DISTRICTS_CSV = """body,number,name,precincts
KZ-35,1,Oblast district 1,1;2
KZ-35,2,Oblast district 2,3
KZ-35,3,Oblast district 3,4
KZ-71,1,Capital district 1,1
KZ-71,2,Capital district 2,2
KZ-35/Raion,1,Raion district 1,1
KZ-35/Raion,2,Raion district 2,2
KZ-35/Town,1,Town district 1,3
KZ-35/Town,2,Town district 2,4
mazhilis,1,Mazhilis district 1,KZ-35:1 KZ-35:2 KZ-35:3 KZ-35:4
mazhilis,2,Mazhilis district 2,KZ-71:1 KZ-71:2
"""

DISTRICT_CONTESTS = {
    # (body key, district number): (contest key, its precincts)
    ("oblast", 1): ("O1", ("o1", "o2")),
    ("oblast", 2): ("O2", ("o3",)),
    ("oblast", 3): ("O3", ("o4",)),
    ("capital", 1): ("C1", ("c1",)),
    ("capital", 2): ("C2", ("c2",)),
    ("raion", 1): ("R1", ("o1",)),
    ("raion", 2): ("R2", ("o2",)),
    ("town", 1): ("T1", ("o3",)),
    ("town", 2): ("T2", ("o4",)),
    ("mazhilis", 1): ("M1", OBLAST_PRECINCTS),
    ("mazhilis", 2): ("M2", CAPITAL_PRECINCTS),
}
LIST_CONTESTS = {
    # contest key: (body key, its precincts)
    "mazhilis_list": ("mazhilis", OBLAST_PRECINCTS + CAPITAL_PRECINCTS),
    "oblast_list": ("oblast", OBLAST_PRECINCTS),
    "capital_list": ("capital", CAPITAL_PRECINCTS),
}

# --- parties and candidates ----------------------------------------------------------------------

PARTIES = (
    ("alpha", "Альфа партиясы", "Alpha"),
    ("beta", "Бета партиясы", "Beta"),
    ("gamma", "Гамма партиясы", "Gamma"),
    ("delta", "Дельта партиясы", "Delta"),
)
BRANCHES: dict[str, tuple[str, ...]] = {
    "alpha": ("KZ-35", "KZ-71"),
    "beta": ("KZ-35", "KZ-71"),
    "gamma": ("KZ-35", "KZ-71"),
}
BRANCHES["delta"] = ("KZ-35",)  # no branch in the capital: it cannot nominate there

F, M = Sex.FEMALE, Sex.MALE

LISTS: dict[tuple[str, str], tuple[tuple[str, Sex, date], ...]] = {
    # The first person of every list but delta's is a woman (and young): 1 of 3 ≥ 30%.
    ("mazhilis_list", "alpha"): (
        ("Ахметова Алия", F, date(1990, 6, 1)),
        ("Бекенов Асқар", M, date(1975, 2, 2)),
        ("Жұмабаев Ержан", M, date(1970, 3, 3)),
    ),
    ("mazhilis_list", "beta"): (
        ("Нұрғалиева Зарина", F, date(1988, 4, 4)),
        ("Омаров Қуаныш", M, date(1972, 5, 5)),
        ("Сапаров Нұрлыбек", M, date(1969, 6, 6)),
    ),
    ("mazhilis_list", "gamma"): (
        ("Тұрсынова Меруерт", F, date(1992, 7, 7)),
        ("Уразов Бақытжан", M, date(1968, 8, 8)),
        ("Хамитов Айдос", M, date(1980, 9, 9)),
    ),
    ("oblast_list", "alpha"): (
        ("Айтбаева Гүлмира", F, date(1985, 1, 11)),
        ("Балтабаев Нұржан", M, date(1974, 2, 12)),
        ("Дүйсенов Ғабит", M, date(1979, 3, 13)),
    ),
    ("oblast_list", "beta"): (
        ("Есенова Самал", F, date(1993, 4, 14)),
        ("Жанұзақов Бақыт", M, date(1971, 5, 15)),
        ("Кәрімов Асан", M, date(1966, 6, 16)),
    ),
    ("oblast_list", "gamma"): (
        ("Лұқпанова Дина", F, date(1991, 7, 17)),
        ("Мамыров Ерік", M, date(1967, 8, 18)),
        ("Нәбиев Олжас", M, date(1983, 9, 19)),
    ),
    # Three men over 35: neither women nor youth, 0 of 3 < 30% (CL art. 104 para 4).
    ("oblast_list", "delta"): (
        ("Оразбеков Талғат", M, date(1965, 10, 20)),
        ("Пернебаев Нұрсұлтан", M, date(1962, 11, 21)),
        ("Рахимов Жомарт", M, date(1970, 12, 22)),
    ),
    ("capital_list", "alpha"): (
        ("Сәрсенова Әсел", F, date(1994, 1, 23)),
        ("Тәжібаев Мұрат", M, date(1973, 2, 24)),
        ("Үсенов Дәурен", M, date(1976, 3, 25)),
    ),
    ("capital_list", "beta"): (
        ("Фазылова Камила", F, date(1989, 4, 26)),
        ("Шәкіров Ринат", M, date(1970, 5, 27)),
        ("Ыбыраев Серік", M, date(1978, 6, 28)),
    ),
    ("capital_list", "gamma"): (
        ("Әбенова Жанна", F, date(1990, 7, 29)),
        ("Іскаков Болат", M, date(1964, 8, 30)),
        ("Құдайбергенов Азамат", M, date(1981, 9, 1)),
    ),
}

SELF = "self"
ASSOCIATION = "Жастар одағы"  # a public association nominating in R2
SMD_CANDIDATES: tuple[tuple[str, str, Sex, date, str], ...] = (
    # (contest, full name, sex, birth, nominator: party code, SELF or ASSOCIATION)
    ("O1", "Әлиева Дана", F, date(1980, 1, 5), "alpha"),
    ("O1", "Бекова Сәуле", F, date(1982, 2, 6), "beta"),
    ("O2", "Абенов Ерлан", M, date(1977, 3, 7), "alpha"),
    ("O2", "Нұрланов Талғат", M, date(1979, 4, 8), "beta"),
    ("O3", "Оспанов Бауыржан", M, date(1976, 5, 9), "alpha"),
    ("O3", "Сейтқали Марат", M, date(1984, 6, 10), "beta"),
    ("C1", "Қасымов Арман", M, date(1981, 7, 11), "alpha"),
    ("C1", "Тоқтаров Ілияс", M, date(1983, 8, 12), "beta"),
    ("C2", "Жақсылықов Нұрлан", M, date(1978, 9, 13), "alpha"),
    ("C2", "Ғалымова Әйгерім", F, date(1986, 10, 14), "beta"),
    ("C2", "Ізбасаров Серік", M, date(1975, 11, 15), SELF),
    ("R1", "Мұратов Асқар", M, date(1980, 12, 16), "alpha"),
    ("R1", "Ахметова Гүлнар", F, date(1987, 1, 17), "beta"),
    ("R2", "Дәулетов Руслан", M, date(1979, 2, 18), "alpha"),
    ("R2", "Серікова Мадина", F, date(1990, 3, 19), ASSOCIATION),
    ("T1", "Бақытов Ерболат", M, date(1974, 4, 20), "alpha"),
    ("T1", "Кенжебаева Айнұр", F, date(1988, 5, 21), "beta"),
    ("T2", "Ермеков Данияр", M, date(1982, 6, 22), "alpha"),
    ("T2", "Исаева Жанар", F, date(1985, 7, 23), "beta"),
    ("M1", "Төлеуов Қайрат", M, date(1970, 8, 24), "alpha"),
    ("M1", "Байжанова Ләззат", F, date(1983, 9, 25), "beta"),
    ("M2", "Смағұлов Берік", M, date(1972, 10, 26), "alpha"),
    ("M2", "Уәлиева Арай", F, date(1981, 11, 27), "beta"),
)
REFUSED_CANDIDATE = ("T1", "Өмірзақов Сәкен", M, date(1973, 12, 28), SELF)
"""Self-nominated without the asset declaration certificate: refused, incomplete documents."""

BY_ELECTION_CANDIDATES: tuple[tuple[str, Sex, date, str], ...] = (
    ("Аманов Қанат", M, date(1984, 1, 29), "alpha"),
    ("Ысқақова Гаухар", F, date(1989, 2, 27), "beta"),
)

SMD_DOCUMENTS = (
    "nomination_minutes",
    "biography",
    "deposit_payment",
    "asset_declaration_certificate",
    "consent",
)
SELF_DOCUMENTS = (
    "intent_application",
    "biography",
    "deposit_payment",
    "asset_declaration_certificate",
)
LIST_DOCUMENTS = ("nomination_minutes", "deposit_payment")

# --- the count -----------------------------------------------------------------------------------

AGAINST = "against_all"
INVALID = 10
"""Invalid ballots in every protocol of the general election."""
TURNOUT = {
    # precinct: (voted by 10:00, by 16:00, final = ballots in the boxes of every contest)
    "o1": (150, 400, 600),
    "o2": (180, 450, 700),
    "o3": (300, 800, 1200),
    "o4": (250, 700, 1000),
    "c1": (200, 650, 1000),
    "c2": (400, 1100, 1560),
}

# Votes per contest and precinct: party code or candidate → votes, and "against all". Every
# protocol of a precinct adds up to its final turnout: votes + against all + 10 invalid.
VOTES: dict[str, dict[str, dict[str, int]]] = {
    "mazhilis_list": {
        "o1": {"alpha": 330, "beta": 200, "gamma": 30, AGAINST: 30},
        "o2": {"alpha": 400, "beta": 230, "gamma": 30, AGAINST: 30},
        "o3": {"alpha": 700, "beta": 380, "gamma": 60, AGAINST: 50},
        "o4": {"alpha": 560, "beta": 330, "gamma": 50, AGAINST: 50},
        "c1": {"alpha": 560, "beta": 330, "gamma": 50, AGAINST: 50},
        "c2": {"alpha": 850, "beta": 530, "gamma": 80, AGAINST: 90},
    },
    "oblast_list": {
        "o1": {"alpha": 380, "beta": 160, "gamma": 20, AGAINST: 30},
        "o2": {"alpha": 440, "beta": 190, "gamma": 30, AGAINST: 30},
        "o3": {"alpha": 750, "beta": 330, "gamma": 50, AGAINST: 60},
        "o4": {"alpha": 630, "beta": 270, "gamma": 50, AGAINST: 40},
    },
    "capital_list": {
        "c1": {"alpha": 430, "beta": 350, "gamma": 160, AGAINST: 50},
        "c2": {"alpha": 670, "beta": 550, "gamma": 240, AGAINST: 90},
    },
    "O1": {
        "o1": {"Әлиева Дана": 350, "Бекова Сәуле": 200, AGAINST: 40},
        "o2": {"Әлиева Дана": 300, "Бекова Сәуле": 350, AGAINST: 40},
    },
    "O2": {"o3": {"Абенов Ерлан": 500, "Нұрланов Талғат": 600, AGAINST: 90}},
    "O3": {"o4": {"Оспанов Бауыржан": 600, "Сейтқали Марат": 320, AGAINST: 70}},
    "C1": {"c1": {"Қасымов Арман": 520, "Тоқтаров Ілияс": 400, AGAINST: 70}},
    "C2": {
        "c2": {
            "Жақсылықов Нұрлан": 500,
            "Ғалымова Әйгерім": 500,
            "Ізбасаров Серік": 500,
            AGAINST: 50,
        }
    },
    "R1": {"o1": {"Мұратов Асқар": 300, "Ахметова Гүлнар": 250, AGAINST: 40}},
    "R2": {"o2": {"Дәулетов Руслан": 320, "Серікова Мадина": 330, AGAINST: 40}},
    "T1": {"o3": {"Бақытов Ерболат": 700, "Кенжебаева Айнұр": 400, AGAINST: 90}},
    "T2": {"o4": {"Ермеков Данияр": 450, "Исаева Жанар": 470, AGAINST: 70}},
    "M1": {
        "o1": {"Төлеуов Қайрат": 320, "Байжанова Ләззат": 240, AGAINST: 30},
        "o2": {"Төлеуов Қайрат": 350, "Байжанова Ләззат": 300, AGAINST: 40},
        "o3": {"Төлеуов Қайрат": 600, "Байжанова Ләззат": 520, AGAINST: 70},
        "o4": {"Төлеуов Қайрат": 500, "Байжанова Ләззат": 420, AGAINST: 70},
    },
    "M2": {
        "c1": {"Смағұлов Берік": 500, "Уәлиева Арай": 430, AGAINST: 60},
        "c2": {"Смағұлов Берік": 700, "Уәлиева Арай": 780, AGAINST: 70},
    },
}
DIFFERING_PROTOCOL = ("capital_list", "c1", "alpha", 340)
"""The second typist of c1 types 340 for alpha on the capital list instead of 430."""
