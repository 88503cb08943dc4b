"""Invariants of party-list allocation (CL art. 111-1, 97-1; decisions #1–#4), by Hypothesis."""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction
from math import ceil, floor

from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.allocation import (
    Admission,
    Allocation,
    AllocationStatus,
    PartyList,
    allocate,
    reaches_threshold,
)
from saylau.law.methods import Method
from saylau.law.rules import RULES_2021, RULES_2023, Body, ListRules

RULES = [
    RULES_2023.list_rules(Body.MASLIKHAT),
    RULES_2023.list_rules(Body.MAZHILIS),
    RULES_2021.list_rules(Body.MASLIKHAT),
]
SEED = "published-seed"


@st.composite
def elections(
    draw: st.DrawFn, distinct_registration: bool = False
) -> tuple[list[PartyList], int, int]:
    """Lists (distinct names), seats and "against all"; small vote ranges make ties likely."""
    max_votes = draw(st.sampled_from([10, 1000, 100_000]))
    n = draw(st.integers(1, 8))
    votes = draw(st.lists(st.integers(0, max_votes), min_size=n, max_size=n))
    if distinct_registration:
        registered = draw(st.permutations(list(range(1, n + 1))))
    else:
        registered = draw(st.lists(st.integers(1, n), min_size=n, max_size=n))
    data = [
        PartyList(f"P{i}", v, r) for i, (v, r) in enumerate(zip(votes, registered, strict=True))
    ]
    seats = draw(st.integers(1, 60))
    against_all = draw(st.integers(0, max_votes // 4))
    return data, seats, against_all


methods = st.sampled_from(list(Method))
rule_sets = st.sampled_from(RULES)


def run(
    case: tuple[list[PartyList], int, int], rules: ListRules, method: Method = Method.HARE_LR
) -> Allocation:
    data, seats, against_all = case
    return allocate(data, seats, rules, against_all=against_all, method=method, lot_seed=SEED)


@settings(max_examples=400, deadline=None)
@given(elections(), rule_sets, methods)
def test_seats_add_up_or_nothing_is_allocated(
    case: tuple[list[PartyList], int, int], rules: ListRules, method: Method
) -> None:
    """Every seat is allocated once a list passes (paras 1–4); none otherwise (decision #2)."""
    result = run(case, rules, method)
    data, seats, _ = case
    if any(t.passed for t in result.tests):
        assert result.status is AllocationStatus.ALLOCATED
        assert sum(result.seats.values()) == seats
    else:
        assert result.status is AllocationStatus.NO_PARTY_PASSED
        assert set(result.seats.values()) == {0}
    assert list(result.seats) == [p.party for p in data]
    assert all(n >= 0 for n in result.seats.values())


@settings(max_examples=300, deadline=None)
@given(elections(), rule_sets, methods, st.randoms(use_true_random=False))
def test_anonymity_permuting_lists_changes_nothing(
    case: tuple[list[PartyList], int, int], rules: ListRules, method: Method, rnd: random.Random
) -> None:
    """The order in which lists are entered is irrelevant; only votes and registration order count
    (art. 111-1 para 4; the lot depends on the seed and the tied names, not their order)."""
    data, seats, against_all = case
    shuffled = list(data)
    rnd.shuffle(shuffled)
    a = run(case, rules, method)
    b = run((shuffled, seats, against_all), rules, method)
    assert dict(a.seats) == dict(b.seats)
    assert a.status is b.status and a.quota == b.quota


@settings(max_examples=200, deadline=None)
@given(elections(distinct_registration=True), rule_sets, st.randoms(use_true_random=False))
def test_anonymity_renaming_parties_with_their_registration(
    case: tuple[list[PartyList], int, int], rules: ListRules, rnd: random.Random
) -> None:
    """Names carry no weight: permuting (name, registration) together with the votes relabels the
    result and nothing else."""
    data, seats, against_all = case
    names = [p.party for p in data]
    new_names = list(names)
    rnd.shuffle(new_names)
    rename = dict(zip(names, new_names, strict=True))
    renamed = [PartyList(rename[p.party], p.votes, p.registered) for p in data]
    a = allocate(data, seats, rules, against_all=against_all)
    b = allocate(renamed, seats, rules, against_all=against_all)
    assert {rename[k]: v for k, v in a.seats.items()} == dict(b.seats)


@settings(max_examples=400, deadline=None)
@given(elections(), rule_sets, methods)
def test_below_threshold_gets_no_seat_except_the_admitted_second_list(
    case: tuple[list[PartyList], int, int], rules: ListRules, method: Method
) -> None:
    """Para 1: only lists with ≥ the threshold share; para 2: plus the one admitted second list."""
    result = run(case, rules, method)
    for t in result.tests:
        share_passes = t.share is not None and t.votes > 0 and t.share >= rules.threshold
        assert t.passed == share_passes == reaches_threshold(t.votes, result.base, rules.threshold)
        if not t.passed and result.seats[t.party] > 0:
            assert t.admission is Admission.SECOND_LIST
    seconds = [t for t in result.tests if t.admission is Admission.SECOND_LIST]
    assert len(seconds) <= 1
    if seconds:
        assert sum(t.passed for t in result.tests) == 1


@settings(max_examples=400, deadline=None)
@given(elections(), rule_sets)
def test_hare_gives_floor_or_ceiling_of_the_exact_share(
    case: tuple[list[PartyList], int, int], rules: ListRules
) -> None:
    """Paras 1, 3–4 with ≥ 2 passing lists: seats ∈ {floor, ceil} of votes × seats / Σ passing."""
    data, seats, _ = case
    result = run(case, rules)
    passing = [p for p in data if next(t for t in result.tests if t.party == p.party).passed]
    if len(passing) < 2:
        return
    total = sum(p.votes for p in passing)
    for p in passing:
        exact = Fraction(p.votes * seats, total)
        assert result.seats[p.party] in (floor(exact), ceil(exact))


@settings(max_examples=300, deadline=None)
@given(elections(), rule_sets)
def test_one_party_rule_bounds(case: tuple[list[PartyList], int, int], rules: ListRules) -> None:
    """Paras 2–4: the second list gets max(min, floor(q × 0.7)) capped so that the passing list
    keeps a seat; it never gets more than its plain quota share; the passing list gets the rest."""
    data, seats, _ = case
    result = run(case, rules)
    rule = result.one_party
    if rule is None or rule.second is None:
        return
    second = result.seats[rule.second]
    assert second == min(max(rules.second_list_min_seats, rule.floor_seats), seats - 1)
    assert result.seats[rule.passing] == seats - second >= 1
    assert rule.second_quotient is not None
    assert rule.floor_seats <= rule.second_quotient
    others = [p for p in data if p.party not in (rule.passing, rule.second)]
    assert all(result.seats[p.party] == 0 for p in others)
    second_votes = next(p.votes for p in data if p.party == rule.second)
    assert all(p.votes <= second_votes for p in others)


@settings(max_examples=200, deadline=None)
@given(elections(), rule_sets, methods)
def test_determinism(
    case: tuple[list[PartyList], int, int], rules: ListRules, method: Method
) -> None:
    """Same input, same allocation and the same trace (decision #9: lots are reproducible)."""
    assert run(case, rules, method) == run(case, rules, method)


@settings(max_examples=300, deadline=None)
@given(elections(distinct_registration=True), rule_sets, st.data())
def test_more_votes_never_cost_a_passing_list_a_seat(
    case: tuple[list[PartyList], int, int], rules: ListRules, data: st.DataObject
) -> None:
    """Monotonicity where it truly holds: with the set of passing lists unchanged (≥ 2 lists), extra
    votes for one passing list never lower its seats under the Hare largest remainder (its quotient
    rises, all others fall) nor under D'Hondt or Sainte-Laguë."""
    lists_, seats, against_all = case
    before = run(case, rules)
    passing = [t.party for t in before.tests if t.passed]
    if len(passing) < 2:
        return
    who = data.draw(st.sampled_from(passing))
    extra = data.draw(st.integers(1, 50_000))
    more = [dataclasses.replace(p, votes=p.votes + extra) if p.party == who else p for p in lists_]
    for method in (Method.HARE_LR, Method.DHONDT, Method.SAINTE_LAGUE):
        a = run(case, rules, method)
        b = run((more, seats, against_all), rules, method)
        if [t.party for t in b.tests if t.passed] != passing:
            return
        assert b.seats[who] >= a.seats[who], method


@settings(max_examples=200, deadline=None)
@given(
    elections(distinct_registration=True),
    rule_sets,
    st.sampled_from([Method.DHONDT, Method.SAINTE_LAGUE]),
)
def test_divisor_methods_are_house_monotone(
    case: tuple[list[PartyList], int, int], rules: ListRules, method: Method
) -> None:
    """Counterfactual divisor methods: one more seat never takes a seat from any list (no Alabama
    paradox), with ≥ 2 passing lists (the threshold does not depend on the seats)."""
    data, seats, against_all = case
    a = run(case, rules, method)
    if sum(t.passed for t in a.tests) < 2:
        return
    b = run((data, seats + 1, against_all), rules, method)
    assert all(b.seats[p] >= a.seats[p] for p in a.seats)
