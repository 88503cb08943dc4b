"""``saylau replay``: a stored election's list seats re-allocated under other rules (issue #7 §4).

``saylau replay --election ID [--rules 2021|2023] [--threshold 7/100]
[--method hare|droop|dhondt|sainte-lague] [--format table|json]`` reads the stored tabulation of
every list contest of the election, lets the law core allocate its votes again under the rule set,
threshold or method given (default: the election's own rules, threshold and the statute's Hare
quota), and prints per body and party the seats actually held next to the replayed ones with the
proportionality indices of both (:mod:`saylau.analytics.replay`). Exit 0 for every replay, 2 with
``field=value: rule`` for a bad option, an unknown election or the refused 2016 rule set.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any

import typer

from saylau.analytics.indicators import round_half_up
from saylau.analytics.replay import (
    BodyReplay,
    Indices,
    Replay,
    ReplayOptions,
    parse_method,
    parse_rules,
    parse_threshold,
    read_stored,
    replay,
)
from saylau.cli.common import database
from saylau.cli.jsonio import law_error, write_output
from saylau.law.errors import LawInputError


class Format(StrEnum):
    """Output of ``saylau replay``."""

    TABLE = "table"
    JSON = "json"


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _indices(value: Indices | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "gallagher": None if value.gallagher is None else str(value.gallagher),
        "loosemore_hanby": _fraction(value.loosemore_hanby),
        "enp_votes": _fraction(value.enp_votes),
        "enp_seats": _fraction(value.enp_seats),
    }


def body_document(body: BodyReplay) -> dict[str, Any]:
    """One body's replay as JSON: exact fractions as ``"n/d"``, Gallagher as a decimal."""
    c = body.contest
    return {
        "body_id": c.body_id,
        "body": c.body_name,
        "kind": c.body_kind,
        "contest_id": c.contest_id,
        "final": c.final,
        "scope": body.scope.value,
        "seats_actual": body.seats_actual,
        "seats_replayed": body.seats_replayed,
        "status_actual": c.status,
        "status_replayed": body.status,
        "threshold": _fraction(body.threshold),
        "parties": [
            {
                "party": r.party,
                "votes": r.votes,
                "actual": r.actual,
                "replayed": r.replayed,
                "change": r.change,
            }
            for r in body.rows
        ],
        "indices": {"actual": _indices(body.actual), "replayed": _indices(body.replayed)},
    }


def replay_document(result: Replay) -> dict[str, Any]:
    """The whole replay as one JSON document (the command's ``--format json``)."""
    options = result.options
    return {
        "election": {
            "id": result.election_id,
            "name": result.election_name,
            "rules": result.stored_rules,
        },
        "replay": {
            "rules": options.rules.name,
            "threshold": _fraction(options.threshold),
            "method": options.method.value,
        },
        "assumptions": list(result.assumptions),
        "bodies": [body_document(b) for b in result.bodies],
        "skipped": [
            {"contest_id": s.contest_id, "body": s.body_name, "reason": s.reason}
            for s in result.skipped
        ],
    }


def _number(value: Fraction | Decimal | None, places: int = 2, scale: int = 1) -> str:
    if value is None:
        return "—"
    return str(round_half_up(Fraction(value) * scale, places))


def _grid(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def replay_table(result: Replay) -> str:
    """The replay for people: one block per body, seats and indices side by side."""
    o = result.options
    threshold = "of the rule set" if o.threshold is None else _fraction(o.threshold)
    lines = [
        f"Election {result.election_id} ({result.election_name}), held under the "
        f"{result.stored_rules} rules; replayed under the {o.rules.name} rules, threshold "
        f"{threshold}, method {o.method.value}.",
    ]
    for b in result.bodies:
        c = b.contest
        lines += [
            "",
            f"{c.body_name} — contest {c.contest_id}, {b.scope.value} seats: "
            f"{b.seats_actual} actual, {b.seats_replayed} replayed (the body has "
            f"{c.body_seats}); threshold {_fraction(b.threshold)}; {b.status}"
            + ("" if c.final else " (count not final)"),
        ]
        rows: list[tuple[str, ...]] = [("party", "votes", "actual", "replayed", "change")]
        for r in b.rows:
            change = "—" if r.change is None else f"{r.change:+d}" if r.change else "0"
            replayed = "—" if r.replayed is None else str(r.replayed)
            rows.append((r.party, str(r.votes), str(r.actual), replayed, change))
        lines += _grid(rows)
        a, p = b.actual, b.replayed
        lines += _grid(
            [
                ("index", "actual", "replayed"),
                (
                    "Gallagher (pp)",
                    _number(a.gallagher, scale=100),
                    _number(p.gallagher if p else None, scale=100),
                ),
                (
                    "Loosemore-Hanby (%)",
                    _number(a.loosemore_hanby, scale=100),
                    _number(p.loosemore_hanby if p else None, scale=100),
                ),
                ("ENP by votes", _number(a.enp_votes), _number(p.enp_votes if p else None)),
                ("ENP by seats", _number(a.enp_seats), _number(p.enp_seats if p else None)),
            ]
        )
    if result.skipped:
        lines += ["", "Not replayed:"]
        lines += [f"- {s.body_name} (contest {s.contest_id}): {s.reason}" for s in result.skipped]
    lines += ["", "Assumptions:"] + [f"- {a}" for a in result.assumptions]
    return "\n".join(lines)


def run_replay(election: int, rules: str | None, threshold: str | None, method: str) -> Replay:
    """Read the stored election and replay it; :class:`LawInputError` for a bad option."""
    options_threshold = parse_threshold(threshold) if threshold is not None else None
    parsed_method = parse_method(method)
    if rules is not None:
        parse_rules(rules)
    with database() as factory, factory() as session:
        stored, contests = read_stored(session, election)
        target = parse_rules(rules if rules is not None else stored.rules)
        options = ReplayOptions(target, options_threshold, parsed_method)
        return replay(stored.id, stored.name, stored.rules, contests, options)


def register(app: typer.Typer) -> None:
    """Add the ``replay`` command."""

    @app.command("replay")
    def replay_command(
        election: Annotated[int, typer.Option("--election", help="The stored election's id.")],
        rules: Annotated[
            str | None,
            typer.Option(
                "--rules", help="2021 or 2023 (default: the election's own; 2016 is refused)."
            ),
        ] = None,
        threshold: Annotated[
            str | None,
            typer.Option("--threshold", help="An exact share, e.g. 7/100 (default: the rules')."),
        ] = None,
        method: Annotated[
            str,
            typer.Option("--method", help="hare (the statute), droop, dhondt or sainte-lague."),
        ] = "hare",
        output: Annotated[
            Format, typer.Option("--format", help="table (default) or json.")
        ] = Format.TABLE,
    ) -> None:
        """Re-allocate a stored election's list seats under other rules, threshold or method."""
        try:
            result = run_replay(election, rules, threshold, method)
        except LawInputError as exc:
            law_error(exc)
        if output is Format.JSON:
            write_output(replay_document(result))
        else:
            typer.echo(replay_table(result))
