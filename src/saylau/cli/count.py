"""``saylau protocol | turnout | tabulate | results``: election night as a commission scripts it.

Every command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite file), brings its
schema up to date, acts as the console operator unless ``--as USER --role ROLE --commission ID``
names a user's role, and prints JSON. A refusal by a service exits with code 2 and
``error: <message>`` on standard error (a refused permission is also logged in the audit chain).

Protocol files: one JSON object with the lines of CL art. 43 (``voters_on_list``,
``ballots_received``, ``ballots_issued``, ``ballots_cancelled``, ``ballots_in_boxes``,
``portable_box_ballots``, ``portable_box_requests``, ``against_all``, ``invalid``, optionally
``portable_box_invalidated``, ``valid``, ``extra``) and ``votes``: ballot choice id → votes. A bulk
import is a JSON list of such objects with ``contest`` and ``precinct`` ids, or a CSV file with the
columns ``contest``, ``precinct``, the lines, and one ``votes[<choice id>]`` column per ballot line
(empty cells are lines the row's ballot does not have). The whole file is read and checked first
(a malformed row names its number and nothing is written); a file of at most ``--batch-size`` rows
(or any file with ``--all-or-nothing``) is then one transaction, a larger one commits batch by
batch. Either way the import is idempotent: a row already recorded by the same user with the same
figures is skipped, so running the file again after an interruption (even ``kill -9``) continues
where it stopped and never enters anything twice (issue #9 §5).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from saylau.cli.approvals import requested
from saylau.cli.common import AsCommission, AsUser, act, actor, database, read
from saylau.cli.export import sign_written
from saylau.cli.jsonio import fail, write_output
from saylau.law.allocation import decimal_text
from saylau.services import approvals
from saylau.services.context import execute
from saylau.services.errors import InvalidInput, ServiceError
from saylau.services.protocols import (
    ProtocolData,
    ProtocolStatus,
    Submission,
    correct_definitive,
    enter_protocol,
    import_protocols,
    resolve_protocol,
    status_document,
)
from saylau.services.results import export_results, publish_results
from saylau.services.tabulation import (
    ContestTally,
    contest_progress,
    election_totals,
    record_lot,
    tabulate_contest,
    tabulate_election,
)
from saylau.services.turnout import TurnoutLine, report_turnout, turnout_summary
from saylau.services.verification import verify_results

T = TypeVar("T")

AsRole = Annotated[str | None, typer.Option("--role", help="The user's role, e.g. pec_typist.")]
Acknowledge = Annotated[
    list[str] | None,
    typer.Option("--ack", help="Acknowledge a warning by its name (repeatable)."),
]

protocol_app = typer.Typer(
    help="Precinct protocols: double entry, resolution, corrections.", no_args_is_help=True
)
turnout_app = typer.Typer(
    help="Turnout reports at 10:00, 16:00 and the close.", no_args_is_help=True
)
results_app = typer.Typer(
    help="Results: progress, lots, publication and the open-data export.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``protocol``, ``turnout`` and ``results`` groups and the ``tabulate`` command."""
    app.add_typer(protocol_app, name="protocol")
    app.add_typer(turnout_app, name="turnout")
    app.command("tabulate", help="Tabulate an election's contests (or one, with --contest).")(
        tabulate
    )
    app.add_typer(results_app, name="results")


# --- plumbing ------------------------------------------------------------------------------------


def _document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read {path}: {exc}")
    except (ValueError, RecursionError) as exc:  # bad JSON or UTF-8, 4,301 digits, deep nesting
        fail(f"{path} is not valid JSON: {exc}")


def _protocol_file(path: Path) -> ProtocolData:
    document = _document(path)
    if not isinstance(document, dict):
        fail(f"{path}: a protocol is one JSON object")
    try:
        return ProtocolData.from_json(document)
    except InvalidInput as exc:
        fail(exc.message)


def _fraction(value: Fraction) -> dict[str, str]:
    return {
        "exact": f"{value.numerator}/{value.denominator}",
        "percent": decimal_text(value * 100, 2),
    }


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--follow-up-day {text!r}: a date YYYY-MM-DD is expected")


def _tally(t: ContestTally) -> dict[str, Any]:
    return {
        "contest_id": t.contest_id,
        "kind": t.kind.value,
        "final": t.final,
        "status": t.status,
        "precincts_counted": t.precincts_counted,
        "precincts_total": t.precincts_total,
        "progress": t.progress,
        "follow_up_contest_id": t.follow_up_contest_id,
    }


# --- protocol --------------------------------------------------------------------------------------


@protocol_app.command("enter")
def protocol_enter(
    contest: Annotated[int, typer.Argument(help="Contest id.")],
    precinct: Annotated[int, typer.Argument(help="Precinct id.")],
    file: Annotated[Path, typer.Argument(help="The protocol as a JSON object.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Enter a protocol (first or second entry; the second by a different user)."""
    data = _protocol_file(file)
    status = act((user, role, commission), enter_protocol, contest, precinct, data)
    write_output(status_document(status))


IMPORT_BATCH = 500
"""Rows per transaction of a large import: small enough that an interruption loses little work,
large enough that the set-based entry path stays efficient (issue #8, B1)."""


@protocol_app.command("import")
def protocol_import(
    file: Annotated[Path, typer.Argument(help="Entries as a JSON list or a CSV file.")],
    batch_size: Annotated[
        int,
        typer.Option(
            "--batch-size",
            min=1,
            help="Rows per transaction. A file of at most this many rows is all or nothing; a "
            "larger one commits batch by batch (a refusal stops at its batch: the batches before "
            "it stay entered).",
        ),
    ] = IMPORT_BATCH,
    all_or_nothing: Annotated[
        bool,
        typer.Option(
            "--all-or-nothing", help="One transaction for the whole file, whatever its size."
        ),
    ] = False,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Enter many protocols at once, resumably (a bad row names its number and field).

    Every row is read and checked before anything is written. A row already recorded by the same
    user with the same figures is skipped ("already_recorded"), so running the same file again,
    e.g. after the import was interrupted, finishes it and never enters anything twice.
    """
    submissions = _submissions(file)
    size = len(submissions) if all_or_nothing else batch_size
    statuses: list[ProtocolStatus] = []
    recorded = 0
    try:
        with database() as factory:
            who = actor(factory, (user, role, commission))
            for start in range(0, len(submissions), size):
                batch = execute(
                    factory,
                    who,
                    import_protocols,
                    submissions[start : start + size],
                    first_row=start + 1,
                )
                statuses.extend(batch.statuses)
                recorded += batch.recorded
    except ServiceError as error:
        done = len(statuses) + recorded
        kept = f" (rows 1-{done} are entered; run the file again once corrected)" if done else ""
        fail(error.message + kept)
    states: dict[str, int] = {}
    for s in statuses:
        states[s.state.value] = states.get(s.state.value, 0) + 1
    write_output(
        {
            "entered": len(statuses),
            "already_recorded": recorded,
            "states": states,
            "protocols": [status_document(s) for s in statuses],
        }
    )


@protocol_app.command("resolve")
def protocol_resolve(
    protocol: Annotated[int, typer.Argument(help="Protocol id.")],
    keep: Annotated[int | None, typer.Option("--keep", help="Keep entry 1 or 2.")] = None,
    discard: Annotated[bool, typer.Option("--discard", help="Discard the entries.")] = False,
    ack: Acknowledge = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """The coordinator keeps one entry (acknowledging warnings) or discards the entries."""
    if (keep is None) == (not discard):
        fail("give exactly one of --keep 1|2 and --discard")
    status = act((user, role, commission), resolve_protocol, protocol, keep, ack or [])
    write_output(status_document(status))


@protocol_app.command("correct")
def protocol_correct(
    protocol: Annotated[int, typer.Argument(help="Protocol id.")],
    file: Annotated[Path, typer.Argument(help="The corrected protocol as a JSON object.")],
    decision: Annotated[
        str, typer.Option("--decision", help="The higher commission's decision (reference).")
    ],
    ack: Acknowledge = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Correct a definitive protocol by a decision of the higher commission (keeps both versions)."""
    data = _protocol_file(file)
    if approvals.policy() == approvals.REQUIRED:
        params = approvals.correction_params(protocol, data, decision, ack or [])
        return requested((user, role, commission), approvals.CORRECT_DEFINITIVE, params)
    status = act((user, role, commission), correct_definitive, protocol, data, decision, ack or [])
    write_output(status_document(status))


def _submissions(path: Path) -> list[Submission]:
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
            rows: list[Mapping[str, Any]] = [
                _csv_row(row, number)
                for number, row in enumerate(csv.DictReader(io.StringIO(text)), 1)
            ]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            fail(f"cannot read {path}: {exc}")
    else:
        document = _document(path)
        if isinstance(document, dict):
            document = document.get("entries")
        if not isinstance(document, list):
            fail(f'{path}: expected a JSON list of entries (or {{"entries": [...]}})')
        rows = document
    submissions = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            fail(f"row {number}: an entry is a JSON object")
        body = dict(row)
        ids = []
        for key in ("contest", "precinct"):
            value = body.pop(key, None)
            if isinstance(value, bool) or not isinstance(value, int):
                fail(f"row {number}: {key}={value!r}: the {key} id is a whole number")
            ids.append(value)
        try:
            data = ProtocolData.from_json(body, where=f"row {number}: ")
        except InvalidInput as exc:
            fail(exc.message)
        submissions.append(Submission(ids[0], ids[1], data))
    if not submissions:
        fail(f"{path}: no entries")
    return submissions


def _csv_row(row: Mapping[str, str | None], number: int) -> dict[str, Any]:
    """A CSV row as an entry document: whole numbers, ``votes[<id>]`` columns gathered."""
    document: dict[str, Any] = {"votes": {}}
    for column, cell in row.items():
        if column is None:
            fail(f"row {number}: more cells than columns")
        if cell is None or cell.strip() == "":
            continue
        try:
            value = int(cell.strip())
        except ValueError:
            fail(f"row {number}: {column}={cell!r}: a whole number is expected")
        if column.startswith("votes[") and column.endswith("]"):
            document["votes"][column[6:-1]] = value
        else:
            document[column] = value
    return document


# --- turnout ---------------------------------------------------------------------------------------


@turnout_app.command("report")
def turnout_report(
    election: Annotated[int, typer.Argument(help="Election id.")],
    precinct: Annotated[int, typer.Argument(help="Precinct id.")],
    at: Annotated[str, typer.Argument(help='"10:00", "16:00" or "final".')],
    voted: Annotated[int, typer.Argument(help="Voters who have voted so far.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Report a precinct's turnout (it never decreases and never exceeds the list)."""
    figure = act((user, role, commission), report_turnout, election, precinct, at, voted)
    write_output(
        {
            "election_id": figure.election_id,
            "precinct_id": figure.precinct_id,
            "at": figure.at,
            "voted": figure.voted,
            "voters": figure.voters,
            "share": _fraction(figure.share),
            "changed": figure.changed,
        }
    )


@turnout_app.command("summary")
def turnout_show(
    election: Annotated[int, typer.Argument(help="Election id.")],
    at: Annotated[str, typer.Option("--at", help='"10:00", "16:00" or "final".')] = "final",
) -> None:
    """Turnout per region and nationally, exact (share of the reporting precincts' voters)."""
    summary = read(lambda session: turnout_summary(session, election, at))

    def line(x: TurnoutLine) -> dict[str, Any]:
        return {
            "region_id": x.region_id,
            "name": x.name,
            "reported": x.reported,
            "precincts": x.precincts,
            "voted": x.voted,
            "voters": x.voters,
            "share": _fraction(x.share),
        }

    write_output(
        {
            "election_id": summary.election_id,
            "at": summary.at,
            "national": line(summary.national),
            "regions": [line(x) for x in summary.regions],
        }
    )


# --- tabulate ----------------------------------------------------------------------------------------


def tabulate(
    election: Annotated[int, typer.Argument(help="Election id.")],
    contest: Annotated[
        int | None, typer.Option("--contest", help="Tabulate this contest only.")
    ] = None,
    follow_up_day: Annotated[
        str | None,
        typer.Option(
            "--follow-up-day",
            help="Polling day (YYYY-MM-DD) of runoffs / repeat elections this creates.",
        ),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Write nothing: recompute every result from the stored protocols and list each "
            "difference from the stored results and mandates (exit 1 if any).",
        ),
    ] = False,
    published: Annotated[
        Path | None,
        typer.Option(
            "--published",
            help="With --verify: compare a published results.json (results export) as well.",
        ),
    ] = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Sum the definitive protocols and apply the law (list seats, district winners)."""
    if verify:
        _verify(election, contest, published, follow_up_day, (user, role, commission))
        return
    if published is not None:
        fail("--published is compared by --verify: give --verify too")
    day = _day(follow_up_day)
    who = (user, role, commission)
    if contest is not None:
        tallies = [act(who, tabulate_contest, contest, follow_up_day=day)]
    else:
        tallies = act(who, tabulate_election, election, follow_up_day=day)
    write_output(
        {
            "election_id": election,
            "contests": len(tallies),
            "final": sum(t.final for t in tallies),
            "tallies": [_tally(t) for t in tallies],
        }
    )


def _verify(
    election: int,
    contest: int | None,
    published: Path | None,
    follow_up_day: str | None,
    who: tuple[str | None, str | None, int | None],
) -> None:
    """``tabulate --verify`` (issue #9 §4): the recomputation is compared, nothing is written."""
    if follow_up_day is not None or any(x is not None for x in who):
        fail("--verify writes nothing: --follow-up-day, --as, --role and --commission do not apply")
    document = None
    if published is not None:
        document = _document(published)
        if not isinstance(document, dict):
            fail(f"{published}: a results export is one JSON object")
    try:
        with database() as factory:
            report = verify_results(factory, election, published=document)
    except ServiceError as error:
        fail(error.message)
    output = report.document()
    if contest is not None:
        output["differences"] = [d for d in output["differences"] if d["contest_id"] == contest]
        output["equal"] = not output["differences"]
    write_output(output)
    if not output["equal"]:
        for d in output["differences"]:
            typer.echo(
                f"contest {d['contest_id']} ({d['source']}) {d['field']}: stored "
                f"{json.dumps(d['stored'], ensure_ascii=False)}, recomputed "
                f"{json.dumps(d['recomputed'], ensure_ascii=False)}",
                err=True,
            )
        raise typer.Exit(1)


# --- results -----------------------------------------------------------------------------------------


@results_app.command("publish")
def results_publish(
    election: Annotated[int, typer.Argument(help="Election id.")],
    late_reason: Annotated[
        str | None,
        typer.Option("--late-reason", help="Why the results are published after the deadline."),
    ] = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Publish the final results (by E+7) and create the mandates won; under dual control
    (``SAYLAU_DUAL_CONTROL=required``) file the request a second member approves instead."""
    if approvals.policy() == approvals.REQUIRED:
        params = approvals.publish_params(election, late_reason)
        return requested((user, role, commission), approvals.PUBLISH_RESULTS, params)
    published = act((user, role, commission), publish_results, election, late_reason=late_reason)
    write_output(
        {
            "election_id": published.election_id,
            "contests": list(published.contests),
            "mandates": published.mandates,
            "deadline": published.deadline.isoformat(),
            "late": published.late,
            "election_status": published.election_status.value,
        }
    )


@results_app.command("export")
def results_export(
    election: Annotated[int, typer.Argument(help="Election id.")],
    out: Annotated[Path, typer.Option("--out", help="Write the JSON document to FILE.")],
) -> None:
    """Export every contest's result, the totals and the mandates as open data (JSON)."""
    document = read(lambda session: export_results(session, election))
    try:
        out.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")
    summary = {"election_id": election, "contests": len(document["contests"]), "out": str(out)}
    write_output({**summary, **sign_written(out)})  # <out>.sig (issue #9 §4)


@results_app.command("lot")
def results_lot(
    contest: Annotated[int, typer.Argument(help="Contest id.")],
    seed: Annotated[str, typer.Argument(help="The seed the commission published.")],
    follow_up_day: Annotated[
        str | None,
        typer.Option("--follow-up-day", help="Polling day (YYYY-MM-DD) of a runoff this creates."),
    ] = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Record the published seed of a lot the law requires, and apply it."""
    day = _day(follow_up_day)
    tally = act((user, role, commission), record_lot, contest, seed, follow_up_day=day)
    write_output(_tally(tally))


@results_app.command("show")
def results_show(election: Annotated[int, typer.Argument(help="Election id.")]) -> None:
    """Progress per contest and the totals per body, region and country."""

    def work(session: Session) -> dict[str, Any]:
        progress = contest_progress(session, election)
        return {
            "election_id": election,
            "progress": [
                {"contest_id": cid, "precincts_counted": n, "precincts_total": total}
                for cid, (n, total) in progress.items()
            ],
            "totals": [
                {
                    "scope": x.scope,
                    "key": x.key,
                    "kind": x.kind.value,
                    "protocols": x.protocols,
                    "voters_on_list": x.voters_on_list,
                    "ballots_in_boxes": x.ballots_in_boxes,
                    "valid": x.valid,
                    "against_all": x.against_all,
                    "invalid": x.invalid,
                    "turnout": _fraction(x.turnout),
                }
                for x in election_totals(session, election)
            ],
        }

    write_output(read(work))
