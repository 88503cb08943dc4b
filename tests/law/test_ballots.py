"""Ballots: colours, order of lines, "against all", paper, print run, ballots per voter."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.ballots import (
    AGAINST_ALL_ID,
    BALLOT_COLOURS_2023,
    Candidate,
    RowKind,
    ballot_colour,
    ballot_layout,
    ballots_per_voter,
    party_order_by_lot,
    print_run,
    recorded_party_order,
    with_reserve,
)
from saylau.law.bodies import ContestKind
from saylau.law.errors import LawInputError
from saylau.law.lot import draw_lot
from saylau.law.rules import RULES_2016, RULES_2021, RULES_2023, MaslikhatKind

# --- colours and number of ballots ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("contest", "kk", "ru", "en"),
    [
        (ContestKind.MAZHILIS_LIST, "көк", "голубой", "blue"),
        (ContestKind.MAZHILIS_SMD, "жасыл", "зеленый", "green"),
        (ContestKind.FIRST_LEVEL_LIST, "күлгін", "пурпурный", "purple"),
        (ContestKind.FIRST_LEVEL_SMD, "қызғылт сары", "оранжевый", "orange"),
        (ContestKind.SECOND_LEVEL_SMD, "сұр", "серый", "grey"),
    ],
)
def test_2023_ballot_colours(contest: ContestKind, kk: str, ru: str, en: str) -> None:
    """CEC decision of 27.02.2023 (law-2023.md §11; monograph [L306–L312])."""
    colour = ballot_colour(contest)
    assert colour is not None
    assert (colour.name_kk, colour.name_ru, colour.name_en) == (kk, ru, en)
    assert re.fullmatch(r"#[0-9A-F]{6}", colour.rgb_hex)


def test_five_distinct_colours_and_none_for_the_2021_second_level_list() -> None:
    """Five kinds, five colours; no colour is recorded for a kind that did not exist in 2023."""
    assert len(BALLOT_COLOURS_2023) == 5
    assert len({c.rgb_hex for c in BALLOT_COLOURS_2023.values()}) == 5
    assert ballot_colour(ContestKind.SECOND_LEVEL_LIST) is None


@pytest.mark.parametrize(
    ("region", "rules", "expected"),
    [
        (MaslikhatKind.OBLAST, RULES_2023, 5),
        (MaslikhatKind.CAPITAL, RULES_2023, 4),
        (MaslikhatKind.REPUBLICAN_CITY, RULES_2023, 4),
        (MaslikhatKind.OBLAST, RULES_2021, 3),
        (MaslikhatKind.REPUBLICAN_CITY, RULES_2021, 2),
        (MaslikhatKind.OBLAST, RULES_2016, 3),
    ],
)
def test_ballots_per_voter(region: MaslikhatKind, rules: object, expected: int) -> None:
    """law-2023.md §11: 5 ballots in oblasts, 4 in Astana/Almaty/Shymkent in 2023; monograph
    [L290]: 2–3 ballots in 2021."""
    assert ballots_per_voter(region, rules) == expected  # type: ignore[arg-type]


# --- candidate ballots ---------------------------------------------------------------------------

CANDIDATES = [
    Candidate("c1", "Бекова", "Әсел", "Нұрланқызы"),
    Candidate("c2", "Әбенов", "Ерлан"),
    Candidate("c3", "Асанов", "Бауыржан", "Қайратұлы"),
    Candidate("c4", "Іргебаев", "Марат"),
    Candidate("c5", "Ыбыраев", "Талғат"),
    Candidate("c6", "Асанов", "Айдар"),
]


def test_candidates_in_kazakh_order_and_against_all_last() -> None:
    """CL art. 37 para 1: registered candidates in Kazakh alphabetical order (surname, name,
    patronymic) and the "against all" line, which art. 42 para 2 lets the voter mark."""
    layout = ballot_layout(ContestKind.SECOND_LEVEL_SMD, RULES_2023, candidates=CANDIDATES)
    assert [r.choice_id for r in layout.rows] == [
        "c6",
        "c3",
        "c2",
        "c1",
        "c5",
        "c4",
        AGAINST_ALL_ID,
    ]
    assert [r.position for r in layout.rows] == [1, 2, 3, 4, 5, 6, 7]
    last = layout.rows[-1]
    assert last.kind is RowKind.AGAINST_ALL
    assert (last.label_kk, last.label_ru) == ("Бәріне қарсымын", "Против всех")
    assert layout.rows[0].label_kk == "Асанов Айдар"
    assert layout.rows[1].label_ru == "Асанов Бауыржан Қайратұлы"
    assert layout.choices == 6 and layout.row_count == 7
    assert layout.colour == ballot_colour(ContestKind.SECOND_LEVEL_SMD)
    assert layout.paper == "A5 148×210 mm" and not layout.extended


def test_order_does_not_depend_on_input_order() -> None:
    """CL art. 37 para 1: the order is the alphabet's, not the order of registration or input."""
    forward = ballot_layout(ContestKind.FIRST_LEVEL_SMD, RULES_2023, candidates=CANDIDATES)
    backward = ballot_layout(
        ContestKind.FIRST_LEVEL_SMD, RULES_2023, candidates=list(reversed(CANDIDATES))
    )
    assert forward == backward


def test_no_against_all_line_under_2016_rules() -> None:
    """The "against all" line entered maslikhat ballots with the 2022 reform; 2016 had none."""
    layout = ballot_layout(ContestKind.SECOND_LEVEL_SMD, RULES_2016, candidates=CANDIDATES)
    assert all(r.kind is RowKind.CANDIDATE for r in layout.rows)
    assert layout.row_count == 6


def _many(n: int) -> list[Candidate]:
    return [Candidate(f"c{i}", f"Кандидат{i:02d}", "Аты") for i in range(n)]


def test_extended_ballot_above_16_candidates() -> None:
    """Monograph [L304]: with more than 16 candidates the A5 ballot is made longer; 16 fit."""
    sixteen = ballot_layout(ContestKind.FIRST_LEVEL_SMD, RULES_2023, candidates=_many(16))
    assert not sixteen.extended and sixteen.row_count == 17
    seventeen = ballot_layout(ContestKind.FIRST_LEVEL_SMD, RULES_2023, candidates=_many(17))
    assert seventeen.extended and seventeen.row_count == 18


@pytest.mark.parametrize(
    "candidates",
    [
        [],
        [Candidate("x", "Асанов", "Ерлан"), Candidate("x", "Бекова", "Әсел")],
        [Candidate(AGAINST_ALL_ID, "Асанов", "Ерлан")],
        [Candidate("x", "Асанов", " ")],
        [Candidate("", "Асанов", "Ерлан")],
    ],
)
def test_bad_candidate_lists_are_refused(candidates: list[Candidate]) -> None:
    """A ballot needs at least one candidate, distinct ids, and surname and name to print."""
    with pytest.raises(LawInputError):
        ballot_layout(ContestKind.MAZHILIS_SMD, RULES_2023, candidates=candidates)


def test_wrong_kind_of_choices_is_refused() -> None:
    """CL art. 37 para 1: a list contest lists parties, a single-member contest candidates."""
    order = recorded_party_order(["A", "B"], "test record")
    with pytest.raises(LawInputError):
        ballot_layout(ContestKind.MAZHILIS_LIST, RULES_2023, candidates=CANDIDATES)
    with pytest.raises(LawInputError):
        ballot_layout(ContestKind.MAZHILIS_SMD, RULES_2023, party_order=order)
    with pytest.raises(LawInputError):
        ballot_layout(
            ContestKind.MAZHILIS_LIST, RULES_2023, candidates=CANDIDATES, party_order=order
        )


# --- party ballots -------------------------------------------------------------------------------

PARTIES_2023 = ["AMANAT", "Auyl", "Respublica", "QHP", "Baytaq", "Ak Zhol", "JSDP"]


def test_recorded_2023_lot_order_with_against_all_last() -> None:
    """CL art. 37 para 1: parties in the order drawn by the CEC; the 2023 Mazhilis draw was
    AMANAT, Auyl, Respublica, QHP, Baytaq, Ak Zhol, JSDP (law-2023.md §11)."""
    order = recorded_party_order(PARTIES_2023, "CEC draw for the 19.03.2023 elections")
    layout = ballot_layout(
        ContestKind.MAZHILIS_LIST,
        RULES_2023,
        party_order=order,
        party_names={"AMANAT": ("«AMANAT» партиясы", "Партия «AMANAT»")},
    )
    assert [r.choice_id for r in layout.rows] == [*PARTIES_2023, AGAINST_ALL_ID]
    assert layout.rows[0].label_kk == "«AMANAT» партиясы"
    assert layout.rows[0].label_ru == "Партия «AMANAT»"
    assert layout.rows[1].label_kk == "Auyl"  # no name given: the id is printed
    assert layout.colour is not None and layout.colour.id == "blue"
    assert "CEC draw" in layout.order_basis


def test_party_order_by_lot_is_the_recorded_auditable_draw() -> None:
    """Decision #9: the order is a reproducible lot with purpose ``ballot-order:<election>``."""
    order = party_order_by_lot(PARTIES_2023, "seed-2023-02-10", "2023-03-19")
    expected = draw_lot("seed-2023-02-10", "ballot-order:2023-03-19", PARTIES_2023)
    assert order.parties == expected.order
    assert order.lot == expected
    assert sorted(order.parties) == sorted(PARTIES_2023)
    # Re-running the draw from its record, with the parties in any order, gives the same order.
    again = party_order_by_lot(list(reversed(PARTIES_2023)), "seed-2023-02-10", "2023-03-19")
    assert again.parties == order.parties
    layout = ballot_layout(ContestKind.FIRST_LEVEL_LIST, RULES_2023, party_order=order)
    assert [r.choice_id for r in layout.rows[:-1]] == list(order.parties)


def test_party_orders_are_refused_without_seed_source_or_parties() -> None:
    """Decision #9: a lot needs a seed; a recorded order cites its record; parties are distinct."""
    with pytest.raises(LawInputError):
        party_order_by_lot(PARTIES_2023, "", "2023")
    with pytest.raises(LawInputError):
        party_order_by_lot([], "seed", "2023")
    with pytest.raises(LawInputError):
        recorded_party_order(PARTIES_2023, " ")
    with pytest.raises(LawInputError):
        recorded_party_order(["A", "A"], "record")


def test_no_against_all_on_2021_list_ballots() -> None:
    """The 2021 rules had no "against all" line."""
    order = recorded_party_order(["A", "B", "C"], "record")
    layout = ballot_layout(ContestKind.SECOND_LEVEL_LIST, RULES_2021, party_order=order)
    assert [r.choice_id for r in layout.rows] == ["A", "B", "C"]
    assert layout.colour is None


# --- print run -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("voters", "expected"),
    [
        (0, 0),
        (1, 2),  # 1.01 → 2
        (99, 100),  # 99.99 → 100
        (100, 101),  # exact
        (1000, 1010),  # exact
        (1001, 1012),  # 1011.01 → 1012
        (3000, 3030),
    ],
)
def test_print_run_is_voters_plus_one_percent_rounded_up(voters: int, expected: int) -> None:
    """CL art. 37 paras 2–3: voters plus a 1% reserve; whole ballots, so rounded up."""
    assert with_reserve(voters, RULES_2023) == expected


def test_print_run_for_a_district_and_its_precincts() -> None:
    """CL art. 37 para 2 (district: 300 voters → 303) and para 3 (precincts: 150 → 151.5 → 152
    each). Rounding each precinct up asks for 304, so 304 are printed."""
    run = print_run({"p2": 150, "p1": 150}, RULES_2023)
    assert run.district_voters == 300
    assert run.district_print == 303
    assert dict(run.precinct_delivery) == {"p1": 152, "p2": 152}
    assert run.delivered_total == 304
    assert run.to_print == 304


def test_print_run_refuses_bad_input() -> None:
    """Voter numbers are whole numbers ≥ 0; a district has precincts."""
    with pytest.raises(LawInputError):
        with_reserve(-1, RULES_2023)
    with pytest.raises(LawInputError):
        print_run({}, RULES_2023)
    with pytest.raises(LawInputError) as exc:
        print_run({"p1": -5}, RULES_2023)
    assert exc.value.field == "voters[p1]"


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**7))
def test_with_reserve_is_the_least_sufficient_number(voters: int) -> None:
    """ceil(voters × 101/100): the least n with 100 n ≥ 101 voters (exact integers)."""
    n = with_reserve(voters, RULES_2023)
    assert 100 * n >= 101 * voters
    assert n == 0 or 100 * (n - 1) < 101 * voters


@settings(max_examples=200)
@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 3000), min_size=1))
def test_print_run_covers_both_paragraphs(voters: dict[str, int]) -> None:
    """To print ≥ the para 2 figure and ≥ every para 3 delivery, over by < one per precinct."""
    run = print_run(voters, RULES_2023)
    assert run.to_print >= run.district_print
    assert run.to_print >= run.delivered_total
    assert run.to_print - run.district_print < len(voters)
