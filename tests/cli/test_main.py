"""The ``saylau law …`` contracts and the law showcase through the real, fully wired command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from saylau.cli.main import app

runner = CliRunner()


def _run(args: list[str], document: object | None = None) -> tuple[int, str, str]:
    stdin = json.dumps(document) if document is not None else None
    result = runner.invoke(app, args, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_allocate_contract() -> None:
    """CL art. 111-1: 10 seats, A 6000, B 3000, C 1000 (passes: 1000 × 20 = 20000 ≥ 10000);
    quota 1000: A 6, B 3, C 1, no remainders."""
    code, out, _ = _run(
        ["law", "allocate"],
        {
            "body": "maslikhat",
            "seats": 10,
            "threshold_percent": 5,
            "against_all": 0,
            "lists": [
                {"party": "A", "votes": 6000, "registered": 1},
                {"party": "B", "votes": 3000, "registered": 2},
                {"party": "C", "votes": 1000, "registered": 3},
            ],
        },
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["status"] == "allocated"
    assert doc["seats"] == {"A": 6, "B": 3, "C": 1}
    assert doc["quota"] == "1000/1"


def test_district_contract() -> None:
    """CL art. 9: plurality; KB = 300/500 = 0.6, medium (decision #18)."""
    code, out, _ = _run(
        ["law", "district"],
        {
            "candidates": [{"name": "Асанов", "votes": 500}, {"name": "Бекова", "votes": 300}],
            "against_all": 900,
        },
    )
    assert code == 0
    doc = json.loads(out)
    assert (doc["status"], doc["winner"]) == ("elected", "Асанов")
    assert doc["competitiveness"]["rounded"] == "0.6"
    assert doc["competitiveness"]["band"] == "medium"


def test_recall_contract() -> None:
    """Arts. 113-14, 113-16: 1001 of 10000 signatures (> 10%); 3334 took part (≥ 1/3);
    1668 for (> 3334 / 2 = 1667; exactly 1667 would not recall)."""
    code, out, _ = _run(
        ["law", "recall"],
        {"district_voters": 10000, "valid_signatures": 1001, "took_part": 3334, "for_recall": 1668},
    )
    assert code == 0
    doc = json.loads(out)
    assert (doc["petition"], doc["vote_valid"], doc["recalled"]) == ("sufficient", True, True)


def test_calendar_contract() -> None:
    code, out, _ = _run(["law", "calendar", "--polling-day", "2023-03-19", "--region", "KZ-15"])
    assert code == 0
    stages = {s["id"]: s for s in json.loads(out)["stages"]}
    assert stages["polling_opens"]["at"] == "2023-03-19T07:00:00+05:00"
    assert stages["nomination_closes"]["at"] == "2023-02-17T18:00:00+05:00"


@pytest.mark.parametrize(
    ("args", "document", "named"),
    [
        (["law", "allocate"], {"body": "maslikhat", "seats": 0, "lists": []}, "seats"),
        (
            ["law", "district"],
            {"candidates": [{"name": "A", "votes": -1}], "against_all": 0},
            "votes",
        ),
        (["law", "recall"], {"district_voters": 10, "valid_signatures": 1, "extra": 1}, "extra"),
        (["law", "calendar", "--polling-day", "2023-13-40"], None, "polling-day"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    args: list[str], document: object | None, named: str
) -> None:
    code, _, err = _run(args, document)
    assert code == 2
    assert named in err


def test_showcase_reports_the_2023_structure_and_the_official_mazhilis_seats() -> None:
    """The totals of Table 6 and the CEC's 2023 Mazhilis seats (40/8/6/6/5/4/0)."""
    code, out, _ = _run(["law", "showcase", "--json"])
    assert code == 0
    doc = json.loads(out)
    assert len(doc["regions"]) == 20
    assert sum(r["voters"] for r in doc["regions"]) == 12_027_454
    assert sum(r["first_level_seats"] for r in doc["regions"]) == 668
    assert sum(r["second_level_maslikhats"] for r in doc["regions"]) == 203
    assert all(r["split_matches_print"] for r in doc["regions"])
    assert doc["mazhilis_2023"]["seats"] == {
        "AMANAT": 40,
        "Auyl": 8,
        "Respublica": 6,
        "People's Party of Kazakhstan": 5,
        "Baytaq": 0,
        "Ak Zhol": 6,
        "OSDP": 4,
    }


def test_installed_module_entry_point_runs() -> None:
    """``python -m saylau`` is the same program as the ``saylau`` console script."""
    done = subprocess.run(
        [sys.executable, "-m", "saylau", "law", "district"],
        input=json.dumps({"candidates": [{"name": "A", "votes": 3}], "against_all": 5}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["winner"] == "A"
