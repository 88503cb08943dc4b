"""The stored result documents that tabulation builds directly (issue #8, B2) are the documents
the generic JSON walk made: same keys in the same order, same values, the same stored text."""

from __future__ import annotations

import json
import random
from dataclasses import fields, replace
from fractions import Fraction

import pytest
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from saylau.law.district import ContestRound, DistrictResult, decide_district
from saylau.law.rules import RULES_2016, RULES_2023, SmdMajority, ThresholdBase, TwoCandidateTie
from saylau.services.context import Actor
from saylau.services.tabulation import (
    _district_document,
    _json,
    _ratio,
    _same,
    plain,
    tabulate_election,
)
from saylau.storage.models import AuditEvent, ContestResult
from saylau.storage.types import JSONText
from tests.services.count_world import double_entry, figures, run, setup

Factory = sessionmaker[Session]

ABSOLUTE = replace(RULES_2023, smd_majority=SmdMajority.ABSOLUTE)

OUTCOMES = {
    "plurality": lambda: decide_district({"Асанов": 120, "Бекова": 100, "Дәулетов": 80}, 50),
    "against all beats everyone": lambda: decide_district({"A": 30, "B": 20}, against_all=100),
    "sole candidate": lambda: decide_district({"Жалғыз": 0}, 7),
    "runoff": lambda: decide_district({"C": 10, "B": 40, "A": 40}),
    "runoff by lot": lambda: decide_district(
        {"A": 50, "B": 50, "C": 50, "D": 10}, 5, lot_seed="TEC-7 sitting 21.03"
    ),
    "lot required": lambda: decide_district({"A": 50, "B": 50, "C": 50, "D": 10}),
    "second place lot": lambda: decide_district({"A": 60, "B": 50, "C": 50}, 3),
    "two tied: repeat": lambda: decide_district({"A": 40, "B": 40}, 10),
    "two tied: runoff": lambda: decide_district(
        {"A": 40, "B": 40}, rules=replace(RULES_2023, two_candidate_tie=TwoCandidateTie.RUNOFF)
    ),
    "absolute majority": lambda: decide_district({"A": 60, "B": 30}, 5, rules=ABSOLUTE),
    "no absolute majority": lambda: decide_district(
        {"A": 40, "B": 35, "C": 30},
        20,
        rules=replace(ABSOLUTE, smd_majority_base=ThresholdBase.TOOK_PART),
        invalid=4,
    ),
    "runoff round": lambda: decide_district(
        {"A": 40, "B": 30}, 5, contest_round=ContestRound.RUNOFF, on_ballot=2
    ),
    "runoff round tied": lambda: decide_district(
        {"A": 30, "B": 30}, contest_round=ContestRound.RUNOFF
    ),
    "2016 rules, nobody voted": lambda: decide_district({"A": 0, "B": 0, "C": 0}, rules=RULES_2016),
    "withdrawn on the ballot": lambda: decide_district({"A": 5, "B": 5}, on_ballot=3, lot_seed="s"),
}


def walked(result: DistrictResult) -> dict[str, object]:
    """The decision document as the generic walk made it before (issue #8, B2)."""
    document = plain(result)
    assert isinstance(document, dict)
    document["against_all_beats_every_candidate"] = result.against_all_beats_every_candidate
    return document


@pytest.mark.parametrize("name", sorted(OUTCOMES))
def test_the_district_decision_document_is_the_walked_one(name: str) -> None:
    result = OUTCOMES[name]()
    built = _district_document(result)
    expected = walked(result)
    assert built == expected
    assert list(built) == list(expected)  # the stored text keeps the key order
    assert json.dumps(built) == json.dumps(expected)


def test_the_outcomes_cover_every_status_and_optional_part() -> None:
    results = [make() for make in OUTCOMES.values()]
    assert {r.status.value for r in results} == {
        "elected",
        "runoff",
        "repeat_election",
        "lot_required",
    }
    assert any(r.lot is not None for r in results)
    assert any(r.lot_needed is not None for r in results)
    assert any(r.majority_base is not None for r in results)
    assert any(r.explanation.values for r in results)


def test_every_field_of_the_law_result_is_in_the_document() -> None:
    """A field added to :class:`DistrictResult` must be added to the document too."""
    document = _district_document(OUTCOMES["runoff by lot"]())
    assert list(document) == [
        *(f.name for f in fields(DistrictResult)),
        "against_all_beats_every_candidate",
    ]


@pytest.mark.parametrize(
    ("numerator", "denominator"), [(0, 7), (6, 4), (237510, 416191), (5, 5), (-3, 6)]
)
def test_a_ratio_is_the_fraction_in_lowest_terms(numerator: int, denominator: int) -> None:
    fraction = Fraction(numerator, denominator)
    assert _ratio(numerator, denominator) == f"{fraction.numerator}/{fraction.denominator}"


def test_results_are_serialised_as_the_json_column_serialises_them() -> None:
    document = walked(OUTCOMES["runoff by lot"]())
    document["nested"] = [{"Ә": None, "b": [1, 2.5, True]}, "тест — №2"]
    assert _json(document) == json.dumps(document)


def test_a_stored_document_is_compared_by_its_json_value() -> None:
    document = {"status": "elected", "votes": {"1": 10, "2": 3}, "name": "Әлия"}
    text = _json(document)
    assert _same(text, text, document)
    # the same value stored as other text (e.g. normalised by the database) is the same result
    assert _same(json.dumps(document, ensure_ascii=False, indent=1), text, document)
    assert not _same(_json({**document, "status": "runoff"}), text, document)
    assert not _same(None, text, document)


# --- a forced tabulation compares the stored documents by value (SQLite and PostgreSQL) ---------


def test_forced_tabulation_rewrites_only_a_result_whose_document_changed(
    factory: Factory,
) -> None:
    cw = setup(factory)
    election = cw.world.election
    assert election is not None
    rng = random.Random(8)
    for contest, precinct in (("oblast_list", "p1"), ("district_d1", "p1"), ("capital_c1", "p5")):
        ids = cw.choices[contest]
        votes = {choice: rng.randrange(1, 300) for choice in ids.values()}
        double_entry(factory, cw, contest, precinct, figures(votes, voters=3000, against_all=3))
    operator = Actor.operator()
    first = run(factory, operator, tabulate_election, election)
    district, listed = cw.contest("district_d1"), cw.contest("oblast_list")
    with factory() as session, session.begin():
        stored = {
            r.contest_id: (r.id, r.totals, r.outcome)
            for r in session.scalars(
                select(ContestResult).where(ContestResult.contest_id.in_([district, listed]))
            )
        }
        as_text = bindparam("text", type_=JSONText())
        # the same value stored as other text: not a change
        session.execute(
            update(ContestResult).where(ContestResult.contest_id == listed).values(outcome=as_text),
            {"text": json.dumps(stored[listed][2], ensure_ascii=False, indent=2)},
        )
        # another value: a change that a verification finds and undoes
        session.execute(
            update(ContestResult)
            .where(ContestResult.contest_id == district)
            .values(outcome=as_text),
            {"text": json.dumps({**stored[district][2], "status": "runoff"})},
        )
        last = int(session.scalar(select(func.max(AuditEvent.id))) or 0)
    assert run(factory, operator, tabulate_election, election, force=True) == first
    with factory() as session:
        written = session.scalars(select(AuditEvent).where(AuditEvent.id > last)).all()
        now = {
            r.contest_id: (r.totals, r.outcome)
            for r in session.scalars(
                select(ContestResult).where(ContestResult.contest_id.in_([district, listed]))
            )
        }
    assert [(e.action, e.entity_id) for e in written] == [("tabulate", str(stored[district][0]))]
    event = written[0]
    assert event.before is not None and event.after is not None
    assert event.before["outcome"] == {"status": "runoff"}  # the document as it was stored
    assert event.before["totals"] == stored[district][1] == event.after["totals"]
    assert event.after["outcome"] == {"status": stored[district][2]["status"]}
    assert now == {c: (totals, outcome) for c, (_, totals, outcome) in stored.items()}
