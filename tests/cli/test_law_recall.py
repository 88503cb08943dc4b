"""``saylau law recall``: the JSON contract (issue #2 §3), exit 0 for outcomes, 2 for bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from saylau.cli import law_recall

app = typer.Typer()


@app.callback()
def _group() -> None:
    """A local stand-in for the ``saylau law`` group."""


law_recall.register(app)
runner = CliRunner()


def invoke(document: Any) -> tuple[int, str, str]:
    text = document if isinstance(document, str) else json.dumps(document)
    result = runner.invoke(app, ["recall"], input=text)
    return result.exit_code, result.stdout, result.stderr


def ok(document: Any) -> dict[str, Any]:
    code, out, err = invoke(document)
    assert code == 0, err
    parsed: dict[str, Any] = json.loads(out)
    return parsed


def test_exactly_ten_percent_is_insufficient_and_one_more_is_sufficient() -> None:
    """CL art. 113-14 para 2: more than 10% of 1000 voters means at least 101 signatures."""
    short = ok({"district_voters": 1000, "valid_signatures": 100})
    assert short["petition"] == "insufficient"
    assert short["vote_valid"] is None and short["recalled"] is None
    assert short["thresholds"]["signatures"]["minimum"] == 101
    assert short["thresholds"]["signatures"]["rule"] == "more than 1/10 of the district's voters"
    assert ok({"district_voters": 1000, "valid_signatures": 101})["petition"] == "sufficient"


def test_exactly_a_third_is_valid_and_exactly_half_is_not_a_recall() -> None:
    """Art. 113-16 paras 3–4: 300 of 900 took part (valid); 150 of 300 for recall (kept)."""
    doc = ok({"district_voters": 900, "valid_signatures": 91, "took_part": 300, "for_recall": 150})
    assert doc["petition"] == "sufficient"
    assert doc["vote_valid"] is True
    assert doc["recalled"] is False
    assert doc["thresholds"]["turnout"]["minimum"] == 300
    assert doc["thresholds"]["recall"]["minimum"] == 151
    assert doc["turnout_base"] == "ballots_in_boxes"
    recalled = ok(
        {"district_voters": 900, "valid_signatures": 91, "took_part": 300, "for_recall": 151}
    )
    assert recalled["recalled"] is True


def test_without_for_recall_an_invalid_vote_is_already_decided() -> None:
    """Art. 113-16 para 3: 299 of 900 is not a third, so nobody can be recalled."""
    invalid = ok({"district_voters": 900, "valid_signatures": 91, "took_part": 299})
    assert invalid["vote_valid"] is False and invalid["recalled"] is False
    valid = ok({"district_voters": 900, "valid_signatures": 91, "took_part": 300})
    assert valid["vote_valid"] is True and valid["recalled"] is None


@pytest.mark.parametrize(
    ("document", "needle"),
    [
        ({"district_voters": -5, "valid_signatures": 0}, "district_voters"),
        ({"district_voters": 100, "valid_signatures": -1}, "valid_signatures"),
        ({"district_voters": 100, "valid_signatures": 101}, "valid_signatures"),
        ({"district_voters": 100, "valid_signatures": 1, "took_part": 101}, "took_part"),
        (
            {"district_voters": 100, "valid_signatures": 1, "took_part": 50, "for_recall": 51},
            "for_recall",
        ),
        ({"district_voters": 100, "valid_signatures": 1, "for_recall": 5}, "for_recall"),
        ({"district_voters": 100, "valid_signatures": 1, "signatures": 5}, "signatures"),
        ({"district_voters": 100, "valid_signatures": True}, "valid_signatures"),
        ({"district_voters": 100}, "valid_signatures"),
        ({"district_voters": 100, "valid_signatures": 1, "rules": "2016"}, "rules"),
    ],
)
def test_bad_input_exits_2_naming_the_field(document: Any, needle: str) -> None:
    code, out, err = invoke(document)
    assert code == 2
    assert out == ""
    assert needle in err
