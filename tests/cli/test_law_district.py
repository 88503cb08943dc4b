"""``saylau law district``: the JSON contract (issue #2 §3); exit 0 on outcomes, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from saylau.cli import law_district

app = typer.Typer()


@app.callback()
def _group() -> None:
    """A local stand-in for the ``saylau law`` group."""


law_district.register(app)
runner = CliRunner()


def invoke(document: Any, *args: str) -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    result = runner.invoke(app, ["district", *args], input=text)
    return result.exit_code, result.stdout, result.stderr


def ok(document: Any) -> dict[str, Any]:
    code, out, err = invoke(document)
    assert code == 0, err
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_elected_with_competitiveness() -> None:
    """CL art. 9 para 4; decision #18: KB = 210/313 ≈ 0.67 → "0.7", high."""
    doc = ok(
        {
            "candidates": [{"name": "Бекова", "votes": 210}, {"name": "Асанов", "votes": 313}],
            "against_all": 477,
        }
    )
    assert doc["status"] == "elected"
    assert doc["winner"] == "Асанов"
    assert doc["runoff"] is None
    assert doc["competitiveness"]["index"] == "210/313"
    assert doc["competitiveness"]["rounded"] == "0.7"
    assert doc["competitiveness"]["band"] == "high"
    assert doc["valid_votes"] == 1000
    assert [c["share"] for c in doc["ranking"]] == ["313/1000", "21/100"]
    assert doc["against_all"] == {"votes": 477, "share": "477/1000", "beats_every_candidate": True}
    assert doc["rules"] == "2023"
    assert "decision #5" in doc["articles"]


def test_runoff_of_the_two_tied_leaders() -> None:
    """CL art. 109-1 para 1: 3 on the ballot, A and B tie → runoff; KB of a tie is 1.0."""
    doc = ok(
        {
            "candidates": [
                {"name": "A", "votes": 40},
                {"name": "B", "votes": 40},
                {"name": "C", "votes": 5},
            ],
            "against_all": 0,
        }
    )
    assert doc["status"] == "runoff"
    assert sorted(doc["runoff"]) == ["A", "B"]
    assert doc["winner"] is None
    assert doc["competitiveness"]["rounded"] == "1.0"
    assert doc["competitiveness"]["basis"] == "top_two_without_winner"


def test_three_way_tie_needs_a_seed_and_then_records_the_lot() -> None:
    """Decisions #6, #9: without lot_seed → lot_required naming the tied; with it → the draw."""
    base = {"candidates": [{"name": n, "votes": 7} for n in ("A", "B", "C")], "against_all": 2}
    pending = ok(base)
    assert pending["status"] == "lot_required"
    assert pending["lot_required"]["tied"] == ["A", "B", "C"]
    assert pending["lot_required"]["places"] == 2
    drawn = ok({**base, "lot_seed": "TEC sitting 2023-03-21"})
    assert drawn["status"] == "runoff"
    assert drawn["lot"]["seed"] == "TEC sitting 2023-03-21"
    assert drawn["runoff"] == drawn["lot"]["order"][:2]


def test_two_candidate_tie_is_a_repeat_election() -> None:
    """Decision #6 default."""
    doc = ok(
        {"candidates": [{"name": "A", "votes": 9}, {"name": "B", "votes": 9}], "against_all": 1}
    )
    assert doc["status"] == "repeat_election"
    assert doc["winner"] is None and doc["runoff"] is None


def test_runoff_round_and_unopposed() -> None:
    """Art. 109-1: the runoff is won by plurality; a sole candidate is elected with KB 0."""
    runoff = ok(
        {
            "candidates": [{"name": "A", "votes": 9}, {"name": "B", "votes": 11}],
            "against_all": 30,
            "round": "runoff",
        }
    )
    assert runoff["status"] == "elected" and runoff["winner"] == "B"
    alone = ok({"candidates": [{"name": "A", "votes": 0}], "against_all": 10})
    assert alone["status"] == "elected" and alone["unopposed"] is True
    assert alone["competitiveness"]["rounded"] == "0.0"
    assert alone["competitiveness"]["band"] == "low"


def test_nobody_voted_leaves_competitiveness_undefined() -> None:
    doc = ok(
        {"candidates": [{"name": "A", "votes": 0}, {"name": "B", "votes": 0}], "against_all": 0}
    )
    assert doc["competitiveness"] is None


def test_rule_set_without_against_all_and_input_file(tmp_path: Path) -> None:
    """2016 rules: no 'against all' line, so it may be omitted; --input reads a file."""
    path = tmp_path / "district.json"
    path.write_text(
        json.dumps(
            {"candidates": [{"name": "A", "votes": 5}, {"name": "B", "votes": 3}], "rules": "2016"}
        ),
        encoding="utf-8",
    )
    code, out, err = invoke("", "--input", str(path))
    assert code == 0, err
    assert json.loads(out)["winner"] == "A"


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        ({"candidates": [{"name": "A", "votes": -1}], "against_all": 0}, "candidates[A].votes"),
        ({"candidates": [{"name": "A", "votes": 1}], "against_all": -2}, "against_all"),
        ({"candidates": [{"name": "A", "votes": 1}]}, "against_all"),
        ({"candidates": [{"name": "A", "votes": 1}], "against_all": 0, "extra": 1}, "extra"),
        ({"candidates": [{"name": "A", "votes": "1"}], "against_all": 0}, "votes"),
        ({"candidates": [], "against_all": 0}, "candidates"),
        (
            {
                "candidates": [{"name": "A", "votes": 1}, {"name": "A", "votes": 2}],
                "against_all": 0,
            },
            "candidates",
        ),
        ({"candidates": [{"name": "A", "votes": 1}], "against_all": 0, "rules": "1999"}, "rules"),
        (
            {"candidates": [{"name": "A", "votes": 1}], "against_all": 3, "rules": "2016"},
            "against_all",
        ),
        ("[1, 2]", "JSON object"),
        ("{", "not valid JSON"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(document: Any, needle: str) -> None:
    code, out, err = invoke(document)
    assert code == 2
    assert out == ""
    assert needle in err
