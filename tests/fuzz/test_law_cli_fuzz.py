"""The JSON ``saylau law …`` commands under hostile input (mutated valid documents, any text).

Contract (README, "Command-line contracts"): exit 0 with a JSON document, or exit 2 with
``error: …`` naming the field on standard error — never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from saylau.cli.main import app
from tests.fuzz.hostile import bounded, count, hostile_bytes, mutated

ALLOCATE: dict[str, Any] = {
    "body": "maslikhat",
    "seats": 15,
    "against_all": 40,
    "lists": [
        {"party": "Alpha", "votes": 900, "registered": 10},
        {"party": "Beta", "votes": 500, "registered": 6},
        {"party": "Gamma", "votes": 30, "registered": 3},
    ],
    "method": "dhondt",
    "lot_seed": "seed",
}
DISTRICT: dict[str, Any] = {
    "candidates": [{"name": "A", "votes": 300}, {"name": "B", "votes": 300}],
    "against_all": 10,
    "lot_seed": "seed",
}
RECALL: dict[str, Any] = {
    "district_voters": 10_000,
    "valid_signatures": 1_200,
    "took_part": 6_000,
    "for_recall": 3_100,
}
COMMANDS = {"allocate": ALLOCATE, "district": DISTRICT, "recall": RECALL}
runner = CliRunner()


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    valid = COMMANDS[command]
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return command, draw(hostile_bytes).decode("utf-8", "replace")
    document = draw(mutated(valid))
    first = next((k for k, v in document.items() if isinstance(v, list) and v), None)
    if kind >= 2 and first is not None and isinstance(document[first][0], dict):
        document[first] = [draw(mutated(document[first][0])), *document[first][1:]]
    return command, json.dumps(document)


@bounded(60)
@given(case=documents())
def test_a_law_command_answers_or_exits_2_with_a_message(case: tuple[str, str]) -> None:
    command, text = case
    count(f"law CLI: saylau law {command}")
    result = runner.invoke(app, ["law", command], input=text)
    if result.exit_code == 0:
        json.loads(result.stdout)
        return
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.exception!r}"
    assert "error: " in result.output
