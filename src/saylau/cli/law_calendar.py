"""``saylau law calendar``: the stages of an election in a region's local time, as JSON.

The region's IANA zone (``reference/data/regions.csv``) is resolved here, at the edge, with
:mod:`zoneinfo` from the bundled ``tzdata`` package; the law core only receives a ``tzinfo``
(decision #14).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import typer

from saylau.cli.jsonio import fail, law_error, write_output
from saylau.law.calendar import Calendar, ElectionKind, Stage, election_calendar
from saylau.law.errors import LawInputError
from saylau.law.rules import RULE_SETS, rule_set
from saylau.reference.regions import CAPITAL_CODE, Region, region, region_zone

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(option: str, text: str) -> date:
    """A calendar date written YYYY-MM-DD, or exit 2 naming the option."""
    if not _ISO_DATE.fullmatch(text):
        fail(f"{option}: {text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        fail(f"{option}: {text!r} is not a valid date ({exc})")


def _optional_date(option: str, text: str | None) -> date | None:
    return None if text is None else _date(option, text)


def _moment(prefix: str, moment: datetime) -> dict[str, str]:
    return {
        prefix: moment.isoformat(),
        f"{prefix}_utc": moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }


def _stage(stage: Stage) -> dict[str, Any]:
    out: dict[str, Any] = {"id": stage.id, **_moment("at", stage.at)}
    if stage.until is not None:
        out.update(_moment("until", stage.until))
    if stage.within is not None:
        out["within_days"] = stage.within.days
    out.update(article=stage.article, actor=stage.actor, note=stage.note)
    if stage.override_reason is not None:
        out["override_reason"] = stage.override_reason
    if stage.follows is not None:
        out["follows"] = stage.follows
    return out


def _region(found: Region) -> dict[str, str]:
    return {
        "code": found.code,
        "kato": found.kato,
        "kind": found.kind.value,
        "name_kk": found.name_kk,
        "name_ru": found.name_ru,
        "name_en": found.name_en,
        "iana_zone": found.iana_zone,
    }


def document(calendar: Calendar, found: Region, rules_name: str) -> dict[str, Any]:
    """The command's output document."""
    return {
        "polling_day": calendar.polling_day.isoformat(),
        "region": _region(found),
        "kind": calendar.kind.value,
        "rules": rules_name,
        "stages": [_stage(stage) for stage in calendar.stages],
        "problems": [
            {"code": p.code, "stage": p.stage, "message": p.message, "article": p.article}
            for p in calendar.problems
        ],
    }


def register(app: typer.Typer) -> None:
    """Add ``calendar`` to the ``saylau law`` group."""

    @app.command("calendar")
    def calendar_command(
        polling_day: str = typer.Option(..., "--polling-day", help="Polling day, YYYY-MM-DD."),
        kind: str = typer.Option("regular", "--kind", help="regular or early."),
        called: str | None = typer.Option(
            None, "--called", help="Day the election is called, YYYY-MM-DD."
        ),
        region_code: str = typer.Option(
            CAPITAL_CODE, "--region", help="Region code, e.g. KZ-15 (default: Astana)."
        ),
        term_ends: str | None = typer.Option(
            None, "--term-ends", help="Regular elections: the day the term ends, YYYY-MM-DD."
        ),
        terminated: str | None = typer.Option(
            None, "--terminated", help="Early elections: day of early termination, YYYY-MM-DD."
        ),
        rules_name: str = typer.Option("2023", "--rules", help="Rule set: 2023, 2021 or 2016."),
    ) -> None:
        """Every stage of the election calendar, in the region's local time (JSON)."""
        day = _date("--polling-day", polling_day)
        called_day = _optional_date("--called", called)
        term_end_day = _optional_date("--term-ends", term_ends)
        terminated_day = _optional_date("--terminated", terminated)
        try:
            election_kind = ElectionKind(kind)
        except ValueError:
            fail(f"--kind: {kind!r} is not one of {[k.value for k in ElectionKind]}")
        if rules_name not in RULE_SETS:
            fail(f"--rules: unknown rule set {rules_name!r}; known: {sorted(RULE_SETS)}")
        try:
            found = region(region_code)
        except LookupError as exc:
            fail(f"--region: {exc.args[0]}")
        if called_day is not None and day <= called_day:
            fail(
                f"--polling-day: {day.isoformat()} is not after the day the election is called "
                f"(--called {called_day.isoformat()})"
            )
        try:
            result = election_calendar(
                day,
                region_zone(found),
                rule_set(rules_name).calendar,
                election_kind,
                called_day,
                term_ends=term_end_day,
                terminated=terminated_day,
            )
        except LawInputError as exc:
            law_error(exc)
        write_output(document(result, found, rules_name))
