"""Precinct protocol arithmetic: every control relation of CL art. 43 (decision #19)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.protocol import (
    PROTOCOL_FIELDS,
    RELATIONS,
    PortableBox,
    PrecinctProtocol,
    Severity,
    apply_portable_box_rule,
    check_protocol,
    errors,
    turnout,
    valid_ballots,
)
from saylau.law.rules import RULES_2021, RULES_2023

# A protocol worked out by hand:
#   received 1212 = issued 800 + cancelled 412
#   in boxes 795 = votes (400 + 250 + 100 = 750) + against all 30 + invalid 15
#   795 ≤ 800 issued ≤ 1200 on the list ≤ 3000; portable 20 ≤ 22 requests and ≤ 795 in boxes
GOOD = PrecinctProtocol(
    voters_on_list=1200,
    ballots_received=1212,
    ballots_issued=800,
    ballots_cancelled=412,
    ballots_in_boxes=795,
    portable_box_ballots=20,
    portable_box_requests=22,
    votes={"A": 400, "B": 250, "C": 100},
    against_all=30,
    invalid=15,
)


def names(p: PrecinctProtocol, **kwargs: Any) -> list[str]:
    return [v.name for v in check_protocol(p, **kwargs)]


def test_a_correct_protocol_has_no_violations() -> None:
    """CL art. 43 paras 3-1, 4, 4-1: all figures agree."""
    assert check_protocol(GOOD) == ()


def test_valid_ballots_and_turnout() -> None:
    """Art. 43 para 5: valid = 750 + 30 = 780 (invalid excluded); turnout 795 / 1200 = 53/80."""
    assert valid_ballots(GOOD) == 780
    assert turnout(GOOD) == Fraction(53, 80)


def test_turnout_needs_voters() -> None:
    """Art. 43 para 4-1(1) over para 4(1): turnout of an empty list is undefined, not zero."""
    empty = dataclasses.replace(
        GOOD,
        voters_on_list=0,
        ballots_received=0,
        ballots_issued=0,
        ballots_cancelled=0,
        ballots_in_boxes=0,
        portable_box_ballots=0,
        votes={},
        against_all=0,
        invalid=0,
    )
    assert check_protocol(empty) == ()
    with pytest.raises(LawInputError):
        turnout(empty)


# --- each relation broken alone ------------------------------------------------------------------


def test_received_not_equal_issued_plus_cancelled() -> None:
    """Art. 43 paras 4, 4-1(4)–(5): received 1213 ≠ 800 + 412."""
    [v] = check_protocol(dataclasses.replace(GOOD, ballots_received=1213))
    assert v.name == "received_equals_issued_plus_cancelled"
    assert (v.left, v.right) == (1213, 1212)
    assert "art. 43" in v.article and "ballots_received" in v.relation
    assert v.severity is Severity.ERROR


def test_in_boxes_not_equal_votes_against_all_invalid() -> None:
    """Art. 43 para 4-1(1)–(3): 796 ballots in the boxes but 750 + 30 + 15 = 795 counted."""
    [v] = check_protocol(dataclasses.replace(GOOD, ballots_in_boxes=796))
    assert v.name == "in_boxes_equals_votes_plus_against_all_plus_invalid"
    assert (v.left, v.right) == (796, 795)


def test_more_in_boxes_than_issued() -> None:
    """Art. 43 para 4-1, last part: 795 in the boxes but only 790 issued (cancelled 422)."""
    p = dataclasses.replace(GOOD, ballots_issued=790, ballots_cancelled=422)
    [v] = check_protocol(p)
    assert v.name == "in_boxes_at_most_issued"
    assert (v.left, v.right) == (795, 790)
    assert "each commission member" in v.note


def test_more_issued_than_voters_on_list() -> None:
    """Art. 43 para 4(1)–(2): 800 received ballots but only 799 on the list."""
    assert names(dataclasses.replace(GOOD, voters_on_list=799)) == ["issued_at_most_voters_on_list"]
    assert names(dataclasses.replace(GOOD, voters_on_list=800)) == []  # exactly equal is fine


def test_portable_box_with_more_ballots_than_requests() -> None:
    """Art. 43 para 3-1: 20 ballots in portable boxes but only 19 written requests."""
    [v] = check_protocol(dataclasses.replace(GOOD, portable_box_requests=19))
    assert v.name == "portable_at_most_requests"
    assert (v.left, v.right) == (20, 19)
    assert "invalid" in v.note
    assert names(dataclasses.replace(GOOD, portable_box_requests=20)) == []  # boundary


def test_more_portable_ballots_than_ballots_in_boxes() -> None:
    """Art. 43 paras 3-1, 4-1(1): portable-box ballots are among the ballots in the boxes."""
    p = PrecinctProtocol(
        voters_on_list=10,
        ballots_received=10,
        ballots_issued=5,
        ballots_cancelled=5,
        ballots_in_boxes=5,
        portable_box_ballots=6,
        portable_box_requests=6,
        votes={"A": 5},
        against_all=0,
        invalid=0,
    )
    assert names(p) == ["portable_at_most_in_boxes"]


def test_invalidated_portable_ballots_out_of_range() -> None:
    """Art. 43 para 3-1: invalidated box ballots are at most the box ballots and among invalid."""
    too_many = dataclasses.replace(
        GOOD, votes={"A": 385, "B": 250, "C": 100}, invalid=30, portable_box_invalidated=25
    )
    assert names(too_many) == ["portable_invalidated_at_most_portable"]
    not_in_invalid = dataclasses.replace(GOOD, portable_box_invalidated=20)
    assert names(not_in_invalid) == ["portable_invalidated_at_most_invalid"]


def test_valid_line_when_the_form_has_one() -> None:
    """Art. 43 para 5: valid = in boxes − invalid = Σ votes + against all (780)."""
    assert names(dataclasses.replace(GOOD, valid=780)) == []
    assert names(dataclasses.replace(GOOD, valid=781)) == [
        "valid_equals_in_boxes_minus_invalid",
        "valid_equals_votes_plus_against_all",
    ]
    # The three relations are dependent: a wrong invalid count breaks the first two…
    assert names(dataclasses.replace(GOOD, valid=780, invalid=16)) == [
        "in_boxes_equals_votes_plus_against_all_plus_invalid",
        "valid_equals_in_boxes_minus_invalid",
    ]
    # …and a wrong vote count the first and the third.
    assert names(dataclasses.replace(GOOD, valid=780, votes={"A": 401, "B": 250, "C": 100})) == [
        "in_boxes_equals_votes_plus_against_all_plus_invalid",
        "valid_equals_votes_plus_against_all",
    ]


def test_against_all_where_the_ballot_has_no_such_line() -> None:
    """CL art. 37 para 1: under the 2021 rules there was no "against all" line to mark."""
    assert names(GOOD, rules=RULES_2021) == ["against_all_only_if_on_ballot"]
    no_aa = dataclasses.replace(GOOD, votes={"A": 430, "B": 250, "C": 100}, against_all=0)
    assert names(no_aa, rules=RULES_2021) == []


def test_precinct_over_3000_voters_is_a_warning() -> None:
    """CL art. 23: at most 3,000 voters per precinct; voters added on the day can exceed it, so
    it is a warning, not an error."""
    assert names(dataclasses.replace(GOOD, voters_on_list=3000)) == []
    found = check_protocol(dataclasses.replace(GOOD, voters_on_list=3001))
    assert [v.name for v in found] == ["voters_on_list_at_most_precinct_max"]
    assert found[0].severity is Severity.WARNING
    assert (found[0].left, found[0].right) == (3001, RULES_2023.max_precinct_voters)
    assert errors(found) == ()


def test_several_broken_relations_are_all_reported() -> None:
    """Decision #19: every violated relation is reported, not just the first."""
    p = dataclasses.replace(
        GOOD,
        ballots_received=1300,
        ballots_in_boxes=900,
        portable_box_requests=3,
        voters_on_list=850,
    )
    assert names(p) == [
        "received_equals_issued_plus_cancelled",
        "in_boxes_equals_votes_plus_against_all_plus_invalid",
        "in_boxes_at_most_issued",
        "portable_at_most_requests",
    ]
    p = dataclasses.replace(p, voters_on_list=700)
    assert "issued_at_most_voters_on_list" in names(p)
    assert len(names(p)) == 5


# --- malformed input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"invalid": -1}, "invalid"),
        ({"voters_on_list": -5}, "voters_on_list"),
        ({"ballots_issued": True}, "ballots_issued"),
        ({"against_all": 1.0}, "against_all"),
        ({"votes": {"A": -1}}, "votes[A]"),
        ({"votes": {"": 3}}, "votes"),
        ({"extra": {"absentee_certificates": -2}}, "extra[absentee_certificates]"),
        ({"valid": -1}, "valid"),
    ],
)
def test_negative_or_non_integer_counts_are_refused_by_field(
    change: dict[str, Any], field: str
) -> None:
    """A count is a whole number ≥ 0; the error names the field (documented choice)."""
    with pytest.raises(LawInputError) as exc:
        dataclasses.replace(GOOD, **change)
    assert exc.value.field == field


def test_protocol_is_immutable() -> None:
    """Decision #19 protocol is immutable: later changes to the caller's dict do not leak in."""
    votes = {"A": 1}
    p = dataclasses.replace(GOOD, votes=votes, extra={"absentee_certificates": 3})
    votes["A"] = 99
    assert p.votes["A"] == 1
    with pytest.raises(TypeError):
        p.votes["A"] = 2  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.invalid = 0  # type: ignore[misc]
    assert p.extra["absentee_certificates"] == 3


# --- portable boxes ------------------------------------------------------------------------------


def test_overfull_portable_box_makes_all_its_ballots_invalid() -> None:
    """Art. 43 para 3-1: 6 ballots but 5 written requests → all 6 invalid, an act is drawn up.
    Before: votes A 400, B 250, C 100, invalid 15 (box: A 4, B 2).
    After:  votes A 396, B 248, C 100, invalid 15 + 6 = 21; still 795 in the boxes."""
    box = PortableBox(requests=5, votes={"A": 4, "B": 2}, against_all=0, invalid=0)
    assert box.ballots == 6 and box.overfull
    counted = dataclasses.replace(GOOD, portable_box_ballots=6, portable_box_requests=5)
    assert names(counted) == ["portable_at_most_requests"]
    applied = apply_portable_box_rule(counted, box)
    assert dict(applied.votes) == {"A": 396, "B": 248, "C": 100}
    assert (applied.invalid, applied.portable_box_invalidated) == (21, 6)
    assert applied.ballots_in_boxes == 795
    assert valid_ballots(applied) == 774
    assert check_protocol(applied) == ()


def test_box_with_invalid_and_against_all_ballots() -> None:
    """Art. 43 para 3-1: ballots already invalid stay invalid and are not counted twice."""
    box = PortableBox(requests=2, votes={"C": 1}, against_all=1, invalid=1)
    counted = dataclasses.replace(GOOD, portable_box_ballots=3, portable_box_requests=2)
    applied = apply_portable_box_rule(counted, box)
    assert (applied.votes["C"], applied.against_all, applied.invalid) == (99, 29, 17)
    assert check_protocol(applied) == ()


def test_box_within_requests_changes_nothing() -> None:
    """Art. 43 para 3-1 applies only when the box holds more ballots than requests."""
    box = PortableBox(requests=6, votes={"A": 4, "B": 2}, against_all=0, invalid=0)
    assert not box.overfull
    assert apply_portable_box_rule(GOOD, box) is GOOD


def test_box_must_already_be_counted_in() -> None:
    """The rule removes the box's votes from the protocol, so they must be there."""
    box = PortableBox(requests=0, votes={"Z": 1}, against_all=0, invalid=0)
    with pytest.raises(LawInputError):
        apply_portable_box_rule(GOOD, box)
    with pytest.raises(LawInputError):
        PortableBox(requests=-1, votes={}, against_all=0, invalid=0)


# --- the form ------------------------------------------------------------------------------------


def test_form_fields_match_the_protocol_model() -> None:
    """Art. 43 paras 4, 4-1: every count of the model has one line on the form, in kk/ru/en."""
    ids = [f.id for f in PROTOCOL_FIELDS]
    model = {f.name for f in dataclasses.fields(PrecinctProtocol)} - {
        "extra",
        "precinct_id",
        "contest",
    }
    assert sorted(ids) == sorted(model)
    assert [f.line for f in PROTOCOL_FIELDS] == list(range(1, len(PROTOCOL_FIELDS) + 1))
    for f in PROTOCOL_FIELDS:
        assert f.label_kk and f.label_ru and f.label_en and f.article.startswith("CL art.")
    assert [f.id for f in PROTOCOL_FIELDS if f.per_choice] == ["votes"]


def test_relation_names_are_stable_and_unique() -> None:
    """Decision #19: relations are reported by stable names."""
    relation_names = [r.name for r in RELATIONS]
    assert len(set(relation_names)) == len(relation_names)
    assert {
        "received_equals_issued_plus_cancelled",
        "in_boxes_equals_votes_plus_against_all_plus_invalid",
        "in_boxes_at_most_issued",
        "issued_at_most_voters_on_list",
        "portable_at_most_requests",
        "valid_equals_in_boxes_minus_invalid",
        "voters_on_list_at_most_precinct_max",
    } <= set(relation_names)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def consistent_protocols(draw: st.DrawFn) -> PrecinctProtocol:
    """Protocols built forward from the count, so every relation holds by construction."""
    n = draw(st.integers(min_value=0, max_value=5))
    votes = {f"c{i}": draw(st.integers(0, 400)) for i in range(n)}
    against_all = draw(st.integers(0, 100))
    invalid = draw(st.integers(0, 50))
    in_boxes = sum(votes.values()) + against_all + invalid
    issued = in_boxes + draw(st.integers(0, 50))
    voters = issued + draw(st.integers(0, 3000 - issued))
    cancelled = draw(st.integers(0, 300))
    requests = draw(st.integers(0, 50))
    portable = draw(st.integers(0, min(requests, in_boxes)))
    valid = draw(st.sampled_from([None, sum(votes.values()) + against_all]))
    return PrecinctProtocol(
        voters_on_list=voters,
        ballots_received=issued + cancelled,
        ballots_issued=issued,
        ballots_cancelled=cancelled,
        ballots_in_boxes=in_boxes,
        portable_box_ballots=portable,
        portable_box_requests=requests,
        votes=votes,
        against_all=against_all,
        invalid=invalid,
        valid=valid,
    )


@settings(max_examples=300)
@given(consistent_protocols())
def test_consistent_protocols_never_violate(p: PrecinctProtocol) -> None:
    """Decision #19: a protocol whose figures come from one real count passes every relation."""
    assert check_protocol(p) == ()
    assert valid_ballots(p) == p.ballots_in_boxes - p.invalid


EQUALITY_BOUND = (
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "against_all",
    "invalid",
)


@settings(max_examples=400)
@given(
    consistent_protocols(),
    st.sampled_from(
        [
            *EQUALITY_BOUND,
            "votes",
            "valid",
            "voters_on_list",
            "portable_box_ballots",
            "portable_box_requests",
        ]
    ),
    st.sampled_from([-1, 1]),
    st.data(),
)
def test_perturbing_one_field_by_one_is_detected(
    p: PrecinctProtocol, name: str, delta: int, data: st.DataObject
) -> None:
    """±1 on a field in an equality is always caught; on a field bounded by inequalities it is
    caught exactly when it crosses the bound (art. 43; art. 23)."""
    if name == "votes":
        if not p.votes:
            return
        key = data.draw(st.sampled_from(sorted(p.votes)))
        if p.votes[key] + delta < 0:
            return
        changed = dataclasses.replace(p, votes={**p.votes, key: p.votes[key] + delta})
        assert check_protocol(changed) != ()
        return
    if name == "valid":
        if p.valid is None or p.valid + delta < 0:
            return
        changed = dataclasses.replace(p, valid=p.valid + delta)
        assert check_protocol(changed) != ()
        return
    new = getattr(p, name) + delta
    if new < 0:
        return
    changed = dataclasses.replace(p, **{name: new})
    found = check_protocol(changed)
    if name in EQUALITY_BOUND:
        assert found != ()
    elif name == "voters_on_list":
        assert (found != ()) == (not changed.ballots_issued <= new <= 3000)
    elif name == "portable_box_ballots":
        assert (found != ()) == (new > p.portable_box_requests or new > p.ballots_in_boxes)
    else:  # portable_box_requests
        assert (found != ()) == (p.portable_box_ballots > new)


@settings(max_examples=200)
@given(
    consistent_protocols(),
    st.integers(0, 10),
    st.dictionaries(st.sampled_from(["c0", "c1", "x"]), st.integers(0, 5), max_size=3),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_portable_rule_restores_consistency(
    base: PrecinctProtocol,
    requests: int,
    box_votes: dict[str, int],
    box_against_all: int,
    box_invalid: int,
) -> None:
    """Art. 43 para 3-1: count a portable box into a consistent protocol; if the box is overfull,
    applying the rule gives a protocol that adds up again, with the same ballots in the boxes."""
    box = PortableBox(requests, box_votes, box_against_all, box_invalid)
    votes = dict(base.votes)
    for k, v in box_votes.items():
        votes[k] = votes.get(k, 0) + v
    extra = box.ballots
    counted = dataclasses.replace(
        base,
        votes=votes,
        against_all=base.against_all + box_against_all,
        invalid=base.invalid + box_invalid,
        ballots_in_boxes=base.ballots_in_boxes + extra,
        ballots_issued=base.ballots_issued + extra,
        ballots_received=base.ballots_received + extra,
        voters_on_list=base.voters_on_list + extra,
        portable_box_ballots=base.portable_box_ballots + extra,
        portable_box_requests=base.portable_box_requests + requests,
        valid=None,
    )
    result = apply_portable_box_rule(counted, box)
    assert result.ballots_in_boxes == counted.ballots_in_boxes
    assert errors(check_protocol(result)) == ()
    if box.overfull:
        assert valid_ballots(result) == valid_ballots(counted) - (box.ballots - box_invalid)
    else:
        assert result is counted
