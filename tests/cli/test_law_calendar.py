"""``saylau law calendar`` (issue #2 §3): JSON out, exit 0 on every legal outcome, 2 on bad input.

The command is registered into a local Typer app, so this file does not depend on the other
``saylau law`` commands.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from saylau.cli import law_calendar

REQUIRED_IDS = {
    "nomination_opens",
    "nomination_closes",
    "registration_closes",
    "campaign_starts",
    "campaign_ends",
    "silence_day",
    "polling_opens",
    "polling_closes",
    "results_deadline",
}


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def law() -> None:
        """A group, as ``saylau law`` is."""

    law_calendar.register(app)
    return app


runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(_app(), ["calendar", *args])
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> dict[str, Any]:
    code, out, err = run(*args)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def stages(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {stage["id"]: stage for stage in document["stages"]}


def test_default_region_is_the_capital_with_the_2023_worked_example() -> None:
    """E = 19 Mar 2023 in Astana (UTC+6 then): monograph [L232, L266, L268, L288, L292]."""
    document = ok("--polling-day", "2023-03-19")
    assert document["polling_day"] == "2023-03-19"
    assert document["region"]["code"] == "KZ-71"
    assert document["region"]["iana_zone"] == "Asia/Almaty"
    assert (document["kind"], document["rules"]) == ("regular", "2023")
    by_id = stages(document)
    assert set(by_id) >= REQUIRED_IDS
    assert "districts_published_by" not in by_id
    assert by_id["nomination_opens"]["at"] == "2023-01-18T00:00:00+06:00"
    assert by_id["nomination_closes"]["at"] == "2023-02-17T18:00:00+06:00"
    assert by_id["registration_closes"]["at"] == "2023-02-22T18:00:00+06:00"
    assert by_id["silence_day"]["until"] == "2023-03-19T00:00:00+06:00"
    assert by_id["polling_opens"]["at"] == "2023-03-19T07:00:00+06:00"
    assert by_id["polling_opens"]["at_utc"] == "2023-03-19T01:00:00Z"
    assert by_id["results_deadline"]["at"] == "2023-03-26T18:00:00+06:00"
    assert by_id["registration_publication_within"]["within_days"] == 7
    for stage in document["stages"]:
        assert {"id", "at", "article", "actor", "note"} <= set(stage)
    assert document["problems"] == []


def test_called_adds_districts_and_the_2023_nomination_problem() -> None:
    """CL art. 22 paras 2, 2-1: districts by call + 10 days; the 2023 call came after E−60."""
    document = ok("--polling-day", "2023-03-19", "--called", "2023-01-19", "--kind", "early")
    by_id = stages(document)
    assert by_id["districts_published_by"]["at"] == "2023-01-29T18:00:00+06:00"
    assert by_id["districts_published_by"]["article"] == "CL art. 22 paras 2, 2-1"
    assert [p["code"] for p in document["problems"]] == ["nomination_opens_before_call"]


def test_aktobe_local_time() -> None:
    """Decision #14: Aktobe (KZ-15) was UTC+5 in March 2023."""
    document = ok("--polling-day", "2023-03-19", "--region", "KZ-15")
    assert document["region"]["name_en"] == "Aktobe Region"
    assert stages(document)["polling_opens"]["at"] == "2023-03-19T07:00:00+05:00"


def test_early_window_problem_is_a_legal_outcome() -> None:
    """[L212]: polling more than two months after early termination is reported, exit 0."""
    document = ok("--polling-day", "2023-03-20", "--kind", "early", "--terminated", "2023-01-19")
    assert [p["code"] for p in document["problems"]] == ["early_polling_too_late"]
    assert stages(document)["early_polling_window"]["until"] == "2023-03-19T00:00:00+06:00"


def test_unknown_region_exits_2_naming_it() -> None:
    code, out, err = run("--polling-day", "2023-03-19", "--region", "KZ-99")
    assert code == 2
    assert out == ""
    assert "KZ-99" in err
    assert "KZ-71" in err  # the known codes are listed


@pytest.mark.parametrize("bad", ["2023-3-19", "19.03.2023", "20230319", "2023-02-30", "soon"])
def test_malformed_date_exits_2(bad: str) -> None:
    code, out, err = run("--polling-day", bad)
    assert code == 2
    assert out == ""
    assert "--polling-day" in err and bad in err


@pytest.mark.parametrize("called", ["2023-03-19", "2023-04-01"])
def test_polling_day_not_after_call_exits_2(called: str) -> None:
    code, _, err = run("--polling-day", "2023-03-19", "--called", called)
    assert code == 2
    assert "--polling-day" in err and called in err


def test_bad_kind_and_misplaced_window_input_exit_2() -> None:
    code, _, err = run("--polling-day", "2023-03-19", "--kind", "snap")
    assert code == 2 and "snap" in err
    code, _, err = run(
        "--polling-day", "2023-03-19", "--kind", "early", "--term-ends", "2023-06-01"
    )
    assert code == 2 and "term_ends" in err
    code, _, err = run("--polling-day", "2023-03-19", "--rules", "1999")
    assert code == 2 and "1999" in err
