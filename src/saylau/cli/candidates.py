"""``saylau party | nomination | ballots``: admission, nomination, registration and ballots as a
commission scripts them.

Every command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite file), brings its
schema up to date, acts as the console operator unless ``--as USER --role ROLE --commission ID``
names a user's role, and prints JSON. A refusal by a service exits with code 2 and
``error: <message>`` on standard error (a refused permission is also logged in the audit chain).

Candidacies are named ``list:ID`` (a party list) or ``smd:ID`` (a district nomination).

Files. A party list is one JSON object: ``contest``, ``party`` (code or id), optional
``previous_result`` (the party's previous share, e.g. ``"4/100"``), ``documents`` (the list's own
documents) and ``persons`` in list order. District nominations are a JSON list (or
``{"nominations": [...]}``) or a CSV file of rows with ``contest``, ``nominator``
(``political_party``, ``public_association``, ``citizen``), ``party``, ``association``,
``documents`` (separated by ``;`` in CSV) and the person's fields. A person has ``iin``,
``surname``, ``name``, ``patronymic``, ``surname_ru``, ``name_ru``, ``patronymic_ru``,
``birth_date`` (YYYY-MM-DD), ``sex`` (male/female), the eligibility facts ``citizen``,
``incapacitated_by_court``, ``imprisoned_by_sentence``, ``corruption_crime_conviction``,
``unexpunged_conviction`` (each stated, true/false), and optionally ``disability``,
``residence_years`` (Mazhilis), ``member_of`` (party code or id) and ``documents``. A file is
submitted all or nothing; a bad row is named.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from saylau.cli.common import AsCommission, AsRole, AsUser, Who, act
from saylau.cli.jsonio import fail, write_output
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, Nominator, RefusalReason
from saylau.services import registration
from saylau.services.ballots import (
    ContestBallot,
    ballot_of,
    freeze_ballot,
    prepare_ballots,
)
from saylau.services.candidacy import CandidacyRef
from saylau.services.context import Context
from saylau.services.documents import check_nomination_documents
from saylau.services.errors import ServiceError
from saylau.services.jsonable import plain
from saylau.services.nomination import (
    DocumentReceipt,
    PartyListInput,
    SmdNominationInput,
    documents_status,
    record_documents,
    submit_nominations,
    submit_party_list,
)
from saylau.services.parties import (
    PartyRecord,
    admit_party,
    find_party,
    record_branch,
    record_party,
)
from saylau.services.persons import PersonInput

T = TypeVar("T")

CandidacyArg = Annotated[str, typer.Argument(help="list:ID (party list) or smd:ID (district).")]

party_app = typer.Typer(
    help="Parties: registered parties, regional branches, admission to an election.",
    no_args_is_help=True,
)
nomination_app = typer.Typer(
    help="Nominations: lists and district candidates, documents, deposits, registration.",
    no_args_is_help=True,
)
ballots_app = typer.Typer(
    help="Ballots: party order by lot, layout, freezing.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``party``, ``nomination`` and ``ballots`` groups."""
    app.add_typer(party_app, name="party")
    app.add_typer(nomination_app, name="nomination")
    app.add_typer(ballots_app, name="ballots")


# --- plumbing ------------------------------------------------------------------------------------


def clock() -> datetime:
    """The moment of a command: now, in UTC (tests replace this function)."""
    return datetime.now(UTC)


def _act(who: Who, operation: Callable[..., T], *args: Any) -> T:
    """Run one service call as ``who`` at the moment of :func:`clock`."""
    return act(who, operation, *args, clock=lambda: clock())


def _ref(text: str) -> CandidacyRef:
    try:
        return CandidacyRef.parse(text)
    except ServiceError as error:
        fail(error.message)


def _document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"cannot read {path}: {error}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"{path} is not valid JSON: {error}")


def _describe(error: ValidationError, where: str) -> str:
    problems = []
    for item in error.errors():
        place = ".".join(str(p) for p in item["loc"]) or "(row)"
        problems.append(f"{where}{place}: {item['msg']} (got {item.get('input')!r})")
    return "invalid input: " + "; ".join(problems)


# --- input files ---------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonRow(_Model):
    iin: StrictStr
    surname: str
    name: str
    patronymic: str = ""
    surname_ru: str = ""
    name_ru: str = ""
    patronymic_ru: str = ""
    birth_date: date
    sex: Sex
    citizen: bool
    incapacitated_by_court: bool
    imprisoned_by_sentence: bool
    corruption_crime_conviction: bool
    unexpunged_conviction: bool
    disability: bool = False
    residence_years: int | None = None
    member_of: str | None = None
    documents: list[str] = []
    synthetic: bool = False


class ListFile(_Model):
    contest: int
    party: str
    previous_result: str | None = None
    documents: list[str] = []
    persons: list[PersonRow]


class NominationRow(PersonRow):
    contest: int
    nominator: Nominator
    party: str | None = None
    association: str = ""


class _Parties:
    """Resolves party codes (or ids) to ids, reading each once."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.ids: dict[str, int] = {}

    def __call__(self, ref: str | None) -> int | None:
        if ref is None or not ref.strip():
            return None
        if ref not in self.ids:
            self.ids[ref] = find_party(self.ctx, ref).id
        return self.ids[ref]


def _person(row: PersonRow, parties: _Parties) -> PersonInput:
    return PersonInput(
        iin=row.iin,
        surname=row.surname,
        name=row.name,
        patronymic=row.patronymic,
        surname_ru=row.surname_ru,
        name_ru=row.name_ru,
        patronymic_ru=row.patronymic_ru,
        birth_date=row.birth_date,
        sex=row.sex,
        citizen=row.citizen,
        incapacitated_by_court=row.incapacitated_by_court,
        imprisoned_by_sentence=row.imprisoned_by_sentence,
        corruption_crime_conviction=row.corruption_crime_conviction,
        unexpunged_conviction=row.unexpunged_conviction,
        disability=row.disability,
        party_id=parties(row.member_of),
        residence_years=row.residence_years,
        documents=tuple(row.documents),
        synthetic=row.synthetic,
    )


def _share(text: str | None) -> Fraction | None:
    if text is None:
        return None
    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        fail(f"previous_result={text!r}: give an exact share such as 4/100 or 0.04")


def _list_file(path: Path) -> ListFile:
    document = _document(path)
    if not isinstance(document, dict):
        fail(f"{path}: a party list is one JSON object")
    try:
        return ListFile.model_validate(document)
    except ValidationError as error:
        fail(_describe(error, ""))


def _csv_rows(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        fail(f"cannot read {path}: {error}")
    rows: list[dict[str, Any]] = []
    for raw in csv.DictReader(io.StringIO(text)):
        row: dict[str, Any] = {
            k.strip(): v.strip() for k, v in raw.items() if k and v and v.strip()
        }
        if "documents" in row:
            row["documents"] = [d.strip() for d in row["documents"].split(";") if d.strip()]
        rows.append(row)
    return rows


def _nomination_rows(path: Path) -> list[NominationRow]:
    if path.suffix.lower() == ".csv":
        raw = _csv_rows(path)
    else:
        document = _document(path)
        if isinstance(document, dict) and set(document) == {"nominations"}:
            document = document["nominations"]
        if not isinstance(document, list):
            fail(f"{path}: nominations are a JSON list (or {{'nominations': [...]}})")
        raw = document
    if not raw:
        fail(f"{path}: no nominations")
    rows = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            fail(f"row {number}: a nomination is an object")
        try:
            rows.append(NominationRow.model_validate(item))
        except ValidationError as error:
            fail(_describe(error, f"row {number}: "))
    return rows


# --- operations that resolve party codes inside the service's transaction -------------------------


def _submit_list(ctx: Context, file: ListFile) -> Any:
    parties = _Parties(ctx)
    party_id = parties(file.party)
    assert party_id is not None
    return submit_party_list(
        ctx,
        PartyListInput(
            contest_id=file.contest,
            party_id=party_id,
            persons=tuple(_person(p, parties) for p in file.persons),
            documents=tuple(file.documents),
            previous_result=_share(file.previous_result),
        ),
    )


_submit_list.__name__ = "submit_party_list"


def _submit_nominations(ctx: Context, rows: list[NominationRow]) -> Any:
    parties = _Parties(ctx)
    items = [
        SmdNominationInput(
            contest_id=row.contest,
            nominator=row.nominator,
            person=_person(row, parties),
            party_id=parties(row.party),
            association=row.association,
        )
        for row in rows
    ]
    return submit_nominations(ctx, items)


_submit_nominations.__name__ = "submit_nominations"


# --- party ---------------------------------------------------------------------------------------


@party_app.command("admit")
def party_admit(
    election: Annotated[int, typer.Argument(help="Election id.")],
    party: Annotated[str, typer.Argument(help="Party code or id.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Admit a party to an election (the CEC's decision, monograph [L224])."""

    def admit(ctx: Context) -> Any:
        return admit_party(ctx, election, find_party(ctx, party).id)

    admit.__name__ = "admit_party"
    write_output(plain(_act((user, role, commission), admit)))


@party_app.command("record")
def party_record(
    code: Annotated[str, typer.Argument(help="Short code, e.g. amanat.")],
    name_kk: Annotated[str, typer.Option("--kk", help="Name in Kazakh.")],
    name_en: Annotated[str, typer.Option("--en", help="Name in English.")],
    name_ru: Annotated[str, typer.Option("--ru", help="Name in Russian.")] = "",
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Record a registered political party (idempotent by code)."""
    record = PartyRecord(code=code, name_kk=name_kk, name_en=name_en, name_ru=name_ru)
    write_output(plain(_act((user, role, commission), record_party, record)))


@party_app.command("branch")
def party_branch(
    party: Annotated[str, typer.Argument(help="Party code or id.")],
    region: Annotated[int, typer.Argument(help="Region id.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Record a party's branch in a region (a party nominates there only through it)."""

    def branch(ctx: Context) -> Any:
        return {"created": record_branch(ctx, find_party(ctx, party).id, region)}

    branch.__name__ = "record_branch"
    write_output(plain(_act((user, role, commission), branch)))


# --- nomination ----------------------------------------------------------------------------------


@nomination_app.command("submit-list")
def nomination_submit_list(
    file: Annotated[Path, typer.Argument(help="The party list as a JSON object.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Submit a party list: quota report, missing documents and the deposit due."""
    data = _list_file(file)
    write_output(plain(_act((user, role, commission), _submit_list, data)))


@nomination_app.command("submit")
def nomination_submit(
    file: Annotated[Path, typer.Argument(help="District nominations: JSON list or CSV.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Submit district nominations, all or nothing (a bad row is named)."""
    rows = _nomination_rows(file)
    results = _act((user, role, commission), _submit_nominations, rows)
    write_output({"submitted": len(results), "nominations": plain(results)})


@nomination_app.command("check-documents")
def nomination_check_documents(
    route: Annotated[NominationRoute, typer.Argument(help="The nomination route.")],
    documents: Annotated[list[str] | None, typer.Argument(help="Documents at hand.")] = None,
) -> None:
    """Before submitting: which documents of the route's checklist are still missing."""
    try:
        report = check_nomination_documents(route, set(documents or []))
    except ServiceError as error:
        fail(error.message)
    write_output({"complete": report.complete, **plain(report)})


@nomination_app.command("documents")
def nomination_documents(
    candidacy: CandidacyArg,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """The documents a candidacy's file still lacks."""
    report = _act((user, role, commission), documents_status, _ref(candidacy))
    write_output({"candidacy": candidacy, "complete": report.complete, **plain(report)})


@nomination_app.command("receive")
def nomination_receive(
    candidacy: CandidacyArg,
    documents: Annotated[list[str], typer.Argument(help="Checklist ids of the documents.")],
    iin: Annotated[
        str | None, typer.Option("--iin", help="The list person these documents are for.")
    ] = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Record documents received (receiving one twice changes nothing)."""
    receipts = [DocumentReceipt(d, iin) for d in documents]
    report = _act((user, role, commission), record_documents, _ref(candidacy), receipts)
    write_output({"candidacy": candidacy, "complete": report.complete, **plain(report)})


@nomination_app.command("deposit")
def nomination_deposit(
    candidacy: CandidacyArg,
    amount: Annotated[
        int | None, typer.Argument(help="Tenge paid; omit to show the status.")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Payment reference.")] = "",
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Record a deposit payment, or show what is due, paid and outstanding."""
    who = (user, role, commission)
    if amount is None:
        status = _act(who, registration.deposit_status, _ref(candidacy))
    else:
        status = _act(who, registration.record_deposit, _ref(candidacy), amount, note)
    write_output(plain(status))


@nomination_app.command("register")
def nomination_register(
    candidacy: CandidacyArg,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Register a candidacy (a list short of the 30% quota is refused instead)."""
    write_output(plain(_act((user, role, commission), registration.register, _ref(candidacy))))


@nomination_app.command("refuse")
def nomination_refuse(
    candidacy: CandidacyArg,
    reason: Annotated[RefusalReason, typer.Option("--reason", help="The reason in law.")],
    note: Annotated[str, typer.Option("--note", help="Details.")] = "",
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Refuse registration for a reason of the law (CL art. 104 paras 6, 8)."""
    write_output(
        plain(_act((user, role, commission), registration.refuse, _ref(candidacy), reason, note))
    )


@nomination_app.command("withdraw")
def nomination_withdraw(
    candidacy: CandidacyArg,
    note: Annotated[str, typer.Option("--note", help="Details.")] = "",
    decision: Annotated[
        str | None,
        typer.Option("--decision", help="The decision striking the line of a frozen ballot."),
    ] = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Record a withdrawal by the candidate's own application (CL art. 105 para 1)."""
    write_output(
        plain(
            _act((user, role, commission), registration.withdraw, _ref(candidacy), note, decision)
        )
    )


# --- ballots -------------------------------------------------------------------------------------


def _ballot(ballot: ContestBallot) -> dict[str, Any]:
    document: dict[str, Any] = plain(ballot)
    return document


@ballots_app.command("prepare")
def ballots_prepare(
    election: Annotated[int, typer.Argument(help="Election id.")],
    seed: Annotated[str, typer.Option("--seed", help="The published seed of the party lot.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Draw the party order and lay out every contest's ballot with its print run."""
    prepared = _act((user, role, commission), prepare_ballots, election, seed)
    write_output(
        {
            "election_id": prepared.election_id,
            "party_order": plain(prepared.party_order),
            "contests": [_ballot(c) for c in prepared.contests],
        }
    )


@ballots_app.command("freeze")
def ballots_freeze(
    contest: Annotated[int, typer.Argument(help="Contest id.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Freeze a contest's ballot for printing; later changes need a recorded decision."""
    write_output(_ballot(_act((user, role, commission), freeze_ballot, contest)))


@ballots_app.command("show")
def ballots_show(
    contest: Annotated[int, typer.Argument(help="Contest id.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """A contest's ballot as stored."""
    write_output(_ballot(_act((user, role, commission), ballot_of, contest)))
