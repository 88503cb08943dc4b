"""``saylau law allocate``: the JSON contract (issue #2 §3); exit 0 if legal, 2 for bad input."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from saylau.cli import law_allocate

app = typer.Typer()


@app.callback()
def _group() -> None:
    """A local stand-in for the ``saylau law`` group."""


law_allocate.register(app)
runner = CliRunner()

MAZHILIS_2023: dict[str, Any] = {
    "body": "mazhilis",
    "seats": 69,
    "threshold_percent": 5,
    "against_all": 248_291,
    "lists": [
        {"party": "AMANAT", "votes": 3_431_510, "registered": 1},
        {"party": "Auyl", "votes": 693_938, "registered": 2},
        {"party": "Respublica", "votes": 547_154, "registered": 3},
        {"party": "Ak Zhol", "votes": 535_139, "registered": 4},
        {"party": "People's Party", "votes": 432_920, "registered": 5},
        {"party": "OSDP", "votes": 331_058, "registered": 6},
        {"party": "Baytaq", "votes": 146_431, "registered": 7},
    ],
}


def invoke(document: Any) -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    result = runner.invoke(app, ["allocate"], input=text)
    return result.exit_code, result.stdout, result.stderr


def test_mazhilis_2023_document() -> None:
    """CL art. 97-1: the official 2023 seats (sources in tests/law/test_allocation.py)."""
    code, out, _ = invoke(MAZHILIS_2023)
    assert code == 0
    doc = json.loads(out)
    assert doc["status"] == "allocated"
    assert doc["seats"] == {
        "AMANAT": 40,
        "Auyl": 8,
        "Respublica": 6,
        "Ak Zhol": 6,
        "People's Party": 5,
        "OSDP": 4,
        "Baytaq": 0,
    }
    assert Fraction(doc["quota"]) == Fraction(5_971_719, 69)
    assert doc["quota"] == "1990573/23"  # reduced: 5 971 719 = 3 × 1 990 573, 69 = 3 × 23
    assert (doc["rules"], doc["method"]) == ("2023", "hare_lr")
    trace = doc["trace"]
    assert trace["base"]["votes"] == 6_366_441
    assert trace["threshold"]["share"]["exact"] == "1/20"
    assert [x["party"] for x in trace["awards"]] == ["OSDP", "AMANAT"]
    assert trace["awards"][0]["reason"] == "largest_remainder"
    assert trace["quotients"][0]["quotient"]["decimal"].startswith("39.649")
    assert trace["lists"][6]["passed"] is False
    assert all(step["article"] for step in trace["steps"])


def test_input_file_option(tmp_path: Path) -> None:
    """``--input FILE`` reads the same document as standard input."""
    path = tmp_path / "in.json"
    path.write_text(json.dumps(MAZHILIS_2023), encoding="utf-8")
    result = runner.invoke(app, ["allocate", "--input", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["seats"]["AMANAT"] == 40


def test_no_party_passed_is_a_legal_outcome() -> None:
    """Decision #2: exit 0, status no_party_passed, quota null."""
    doc = {
        "body": "maslikhat",
        "seats": 5,
        "against_all": 9000,
        "lists": [{"party": "A", "votes": 100, "registered": 1}],
    }
    code, out, _ = invoke(doc)
    assert code == 0
    result = json.loads(out)
    assert result["status"] == "no_party_passed"
    assert result["quota"] is None and result["seats"] == {"A": 0}


def test_one_party_rule_in_the_trace() -> None:
    """Art. 111-1 paras 2–3: A 8000, B 450, C 350, against all 1200, 10 seats → 9, 1, 0."""
    doc = {
        "body": "maslikhat",
        "seats": 10,
        "against_all": 1200,
        "lists": [
            {"party": "A", "votes": 8000, "registered": 1},
            {"party": "B", "votes": 450, "registered": 2},
            {"party": "C", "votes": 350, "registered": 3},
        ],
    }
    result = json.loads(invoke(doc)[1])
    assert result["seats"] == {"A": 9, "B": 1, "C": 0}
    rule = result["trace"]["one_party_rule"]
    assert (rule["second"], rule["second_seats"], rule["quota"]["exact"]) == ("B", 1, "845/1")
    assert result["trace"]["lists"][1]["admission"] == "second_list"


def test_decimal_threshold_is_read_exactly() -> None:
    """ "threshold_percent": 2.5 is the exact share 1/40, not a binary float: 25 of 1000 passes."""
    doc = {
        "body": "maslikhat",
        "seats": 10,
        "against_all": 0,
        "threshold_percent": 2.5,
        "lists": [
            {"party": "A", "votes": 975, "registered": 1},
            {"party": "B", "votes": 25, "registered": 2},
        ],
    }
    code, out, _ = invoke(doc)
    assert code == 0
    result = json.loads(out)
    assert result["threshold"] == "1/40"
    assert result["trace"]["lists"][1]["passed"] is True
    doc["lists"][1]["votes"] = 24
    doc["lists"][0]["votes"] = 976
    assert json.loads(invoke(doc)[1])["trace"]["lists"][1]["passed"] is False


def test_rules_2021_and_a_counterfactual_method() -> None:
    """Rule set 2021 (7%) and D'Hondt: A 10000, B 6100, C 2900, 5 seats → 3, 2, 0 (by hand)."""
    doc = {
        "body": "maslikhat",
        "seats": 5,
        "against_all": 0,
        "rules": "2021",
        "method": "dhondt",
        "lists": [
            {"party": "A", "votes": 10_000, "registered": 1},
            {"party": "B", "votes": 6100, "registered": 2},
            {"party": "C", "votes": 2900, "registered": 3},
        ],
    }
    result = json.loads(invoke(doc)[1])
    assert result["seats"] == {"A": 3, "B": 2, "C": 0}
    assert (result["rules"], result["method"], result["quota"]) == ("2021", "dhondt", None)
    assert result["threshold"] == "7/100"


def test_lot_seed_resolves_a_tie_and_is_recorded() -> None:
    """Decisions #4, #9: equal remainders and registration → exit 2 without a seed, a recorded lot
    with one."""
    doc: dict[str, Any] = {
        "body": "maslikhat",
        "seats": 2,
        "against_all": 0,
        "lists": [
            {"party": "A", "votes": 300, "registered": 1},
            {"party": "B", "votes": 300, "registered": 1},
            {"party": "C", "votes": 400, "registered": 2},
        ],
    }
    code, _, err = invoke(doc)
    assert code == 2 and "lot_seed" in err
    doc["lot_seed"] = "TEC sitting 2023-03-20"
    code, out, _ = invoke(doc)
    assert code == 0
    award = json.loads(out)["trace"]["awards"][-1]
    assert award["reason"] == "lot"
    assert award["lot"]["seed"] == "TEC sitting 2023-03-20"
    assert award["party"] == award["lot"]["order"][0]


def _with(**changes: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(MAZHILIS_2023))
    doc.update(changes)
    return doc


def _list_change(index: int, **changes: Any) -> dict[str, Any]:
    doc = _with()
    doc["lists"][index].update(changes)
    return doc


def _list_without(index: int, key: str) -> dict[str, Any]:
    doc = _with()
    del doc["lists"][index][key]
    return doc


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (_with(colour="blue"), "colour"),
        (_list_change(1, votes=-5), "lists[1].votes"),
        (_list_change(1, votes=5.0), "lists.1.votes"),
        (_list_change(1, votes="5"), "lists.1.votes"),
        (_list_without(2, "registered"), "lists.2.registered"),
        (_list_change(3, party="AMANAT"), "lists[3].party"),
        (_list_change(3, registered=0), "lists[3].registered"),
        (_with(seats=0), "seats"),
        (_with(against_all=-1), "against_all"),
        (_with(body="senate"), "body"),
        (_with(rules="2019"), "rules"),
        (_with(method="imperiali"), "method"),
        (_with(threshold_percent=101), "threshold_percent"),
        (_with(threshold_percent=-0.5), "threshold_percent"),
        (_with(threshold_percent="5"), "threshold_percent"),
        (_with(threshold_base="took_part"), "invalid"),
        (_with(lists=[]), "lists"),
        ("[1, 2]", "JSON object"),
        ("{not json", "not valid JSON"),
        ("", "no input"),
    ],
)
def test_bad_input_exits_2_naming_the_field(document: Any, field: str) -> None:
    """Issue #2 §3: invalid input → exit 2 and a message that names the field."""
    code, out, err = invoke(document)
    assert code == 2
    assert out == ""
    assert field in err
    assert err.startswith("error:")
