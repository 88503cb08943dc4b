"""``saylau mandate | vacancy | recall | observer``: after the results, as a commission scripts it.

Every command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite file), brings its
schema up to date, acts as the console operator unless ``--as USER --role ROLE --commission ID``
names a user's role, and prints JSON. A refusal by a service exits with code 2 and
``error: <message>`` on standard error (a refused permission is also logged in the audit chain).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, TypeVar

import typer

from saylau.cli.common import AsCommission, AsRole, AsUser, act, read
from saylau.cli.jsonio import fail, write_output
from saylau.services import mandates, observers, recall, vacancies
from saylau.services.audit import snapshot
from saylau.services.jsonable import plain

T = TypeVar("T")


def _required_day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected a date YYYY-MM-DD")


def _day(option: str, value: str | None) -> date | None:
    return None if value is None else _required_day(option, value)


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    return [snapshot(item) for item in items]


# --- mandate -----------------------------------------------------------------------------------

mandate_app = typer.Typer(
    help="List seats given to persons, deputies registered, competence.", no_args_is_help=True
)


@mandate_app.command("assign")
def mandate_assign(
    contest: Annotated[int, typer.Argument(help="The list contest.")],
    party: Annotated[int, typer.Argument(help="The party whose seats are assigned.")],
    persons: Annotated[list[int], typer.Argument(help="Listed persons who take the seats.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """The party branch's decision on who takes its list seats (CL art. 111-1 para 5)."""
    result = act(
        (as_user, as_role, as_commission), mandates.assign_list_mandates, contest, party, persons
    )
    write_output({"mandates": _rows(result)})


@mandate_app.command("register")
def mandate_register(
    mandate: Annotated[int, typer.Argument(help="The mandate whose holder is registered.")],
    application: Annotated[
        str, typer.Option("--application", help="Day the written application came in (YYYY-MM-DD).")
    ],
    term_start: Annotated[
        str | None, typer.Option("--term-start", help="First day of work (default: today).")
    ] = None,
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Register the holder of a mandate as a deputy."""
    result = act(
        (as_user, as_role, as_commission),
        mandates.register_deputy,
        mandate,
        _required_day("--application", application),
        _day("--term-start", term_start),
    )
    write_output({"mandate": snapshot(result)})


@mandate_app.command("competence")
def mandate_competence(body: Annotated[int, typer.Argument(help="The body (maslikhat).")]) -> None:
    """Whether at least 3/4 of the body's seats are held by registered deputies (LSA art. 5 p. 4)."""
    write_output({"body_id": body, **plain(read(mandates.competence, body))})


# --- vacancy -----------------------------------------------------------------------------------

vacancy_app = typer.Typer(
    help="Mandates ended early: list successors and by-elections.", no_args_is_help=True
)


@vacancy_app.command("terminate")
def vacancy_terminate(
    mandate: Annotated[int, typer.Argument(help="The mandate that ends.")],
    on: Annotated[str, typer.Option("--on", help="The day it ended (YYYY-MM-DD).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it ended.")],
    successor: Annotated[
        int | None, typer.Option("--successor", help="List seat: the person the branch chose.")
    ] = None,
    agreed_day: Annotated[
        str | None,
        typer.Option("--agreed-day", help="District seat: by-election day agreed with the CEC."),
    ] = None,
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """End a mandate early; fill the list seat or call the by-election (CL arts. 101, 111-1, 113)."""
    result = act(
        (as_user, as_role, as_commission),
        vacancies.terminate_mandate,
        mandate,
        _required_day("--on", on),
        reason,
        successor_person_id=successor,
        agreed_day=_day("--agreed-day", agreed_day),
    )
    write_output({"vacancy": snapshot(result)})


@vacancy_app.command("fill")
def vacancy_fill(
    vacancy: Annotated[int, typer.Argument(help="A list vacancy awaiting the party's choice.")],
    person: Annotated[int, typer.Argument(help="The person the party branch chose.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Record the party branch's choice of successor (CL art. 111-1 para 6)."""
    result = act(
        (as_user, as_role, as_commission), vacancies.choose_list_successor, vacancy, person
    )
    write_output({"vacancy": snapshot(result)})


# --- recall ------------------------------------------------------------------------------------

recall_app = typer.Typer(
    help="The recall of a district deputy (CL arts. 113-12 – 113-16).", no_args_is_help=True
)


def _case(result: Any) -> None:
    write_output({"recall_case": snapshot(result)})


@recall_app.command("apply")
def recall_apply(
    mandate: Annotated[int, typer.Argument(help="The district deputy's mandate.")],
    initiator: Annotated[str, typer.Option("--initiator", help="The voter who applies.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Record a voter's application to recall a deputy (art. 113-12)."""
    _case(act((as_user, as_role, as_commission), recall.apply_for_recall, mandate, initiator))


@recall_app.command("register")
def recall_register(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Register the application; signature collection starts (arts. 113-13, 113-14)."""
    _case(act((as_user, as_role, as_commission), recall.register_recall, case))


@recall_app.command("refuse")
def recall_refuse(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    reason: Annotated[str, typer.Option("--reason", help="Why registration is refused.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Refuse to register the application (art. 113-13 para 2)."""
    _case(act((as_user, as_role, as_commission), recall.refuse_recall, case, reason))


@recall_app.command("submit")
def recall_submit(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Record the submission of the signature lists (art. 113-14)."""
    _case(act((as_user, as_role, as_commission), recall.submit_signature_lists, case))


@recall_app.command("verify")
def recall_verify(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    signatures: Annotated[int, typer.Option("--signatures", help="Valid signatures found.")],
    voters: Annotated[
        int | None, typer.Option("--voters", help="District voters (default: the precinct lists).")
    ] = None,
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Record the verified signatures: more than 10% of the voters needed (art. 113-14 p. 2)."""
    _case(
        act((as_user, as_role, as_commission), recall.verify_signatures, case, signatures, voters)
    )


@recall_app.command("decide")
def recall_decide(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    vote_day: Annotated[
        str, typer.Option("--vote-day", help="The day of the recall vote (YYYY-MM-DD).")
    ],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Decide to hold the recall vote (art. 113-15)."""
    _case(
        act(
            (as_user, as_role, as_commission),
            recall.call_recall_vote,
            case,
            _required_day("--vote-day", vote_day),
        )
    )


@recall_app.command("notify")
def recall_notify(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Record the notice to the deputy (3 working days, art. 113-15 para 2)."""
    _case(act((as_user, as_role, as_commission), recall.notify_deputy, case))


@recall_app.command("result")
def recall_result(
    case: Annotated[int, typer.Argument(help="The recall case.")],
    took_part: Annotated[int, typer.Option("--took-part", help="Ballots found in the boxes.")],
    for_recall: Annotated[int, typer.Option("--for-recall", help="Votes for the recall.")],
    invalid: Annotated[int, typer.Option("--invalid", help="Invalid ballots.")] = 0,
    voters: Annotated[
        int | None, typer.Option("--voters", help="Voters on the list on the recall day.")
    ] = None,
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Publish the result: valid at ≥ 1/3 turnout, recalled at > 50% (art. 113-16)."""
    _case(
        act(
            (as_user, as_role, as_commission),
            recall.record_recall_result,
            case,
            took_part,
            for_recall,
            invalid=invalid,
            voters=voters,
        )
    )


# --- observer ----------------------------------------------------------------------------------

observer_app = typer.Typer(
    help="Observer organisations, credentials, assignments, coverage.", no_args_is_help=True
)


def _organisation(result: Any) -> None:
    write_output({"organisation": snapshot(result)})


@observer_app.command("apply")
def observer_apply(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    kind: Annotated[str, typer.Option("--kind", help="party, ngo, international or media.")],
    commission: Annotated[
        int, typer.Option("--accrediting-commission", help="The accrediting commission.")
    ],
    party: Annotated[
        int | None, typer.Option("--party", help="The party (party organisations).")
    ] = None,
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Record an application for accreditation (review due in 30 days)."""
    try:
        parsed = observers.ObserverKind(kind)
    except ValueError:
        fail(f"--kind {kind!r}: one of {', '.join(k.value for k in observers.ObserverKind)}")
    application = observers.AccreditationApplication(
        name=name, kind=parsed, commission_id=commission, party_id=party
    )
    _organisation(
        act((as_user, as_role, as_commission), observers.apply_for_accreditation, application)
    )


@observer_app.command("accredit")
def observer_accredit(
    organisation: Annotated[int, typer.Argument(help="The organisation.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Accredit an organisation for one year."""
    _organisation(
        act((as_user, as_role, as_commission), observers.accredit_organisation, organisation)
    )


@observer_app.command("refuse")
def observer_refuse(
    organisation: Annotated[int, typer.Argument(help="The organisation.")],
    reason: Annotated[str, typer.Option("--reason", help="Why accreditation is refused.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Refuse an organisation's accreditation, with the reason."""
    _organisation(
        act((as_user, as_role, as_commission), observers.refuse_accreditation, organisation, reason)
    )


@observer_app.command("credential")
def observer_credential(
    organisation: Annotated[int, typer.Argument(help="The accredited organisation.")],
    names: Annotated[list[str], typer.Argument(help="Full names of its observers.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Issue credentials (unique numbers) to observers of an accredited organisation."""
    result = act(
        (as_user, as_role, as_commission), observers.issue_credentials, organisation, names
    )
    write_output({"observers": _rows(result)})


@observer_app.command("assign")
def observer_assign(
    observer: Annotated[int, typer.Argument(help="The observer.")],
    election: Annotated[int, typer.Argument(help="The election.")],
    precincts: Annotated[list[int], typer.Argument(help="Precincts to observe.")],
    as_user: AsUser = None,
    as_role: AsRole = None,
    as_commission: AsCommission = None,
) -> None:
    """Assign an observer to precincts of an election."""
    result = act(
        (as_user, as_role, as_commission), observers.assign_observer, observer, election, precincts
    )
    write_output({"assignments": _rows(result)})


@observer_app.command("coverage")
def observer_coverage(election: Annotated[int, typer.Argument(help="The election.")]) -> None:
    """Observers per precinct and region, by category, and the share of precincts covered."""
    write_output(plain(read(observers.coverage_report, election)))


def register(app: typer.Typer) -> None:
    """Add the ``mandate``, ``vacancy``, ``recall`` and ``observer`` groups to ``app``."""
    app.add_typer(mandate_app, name="mandate")
    app.add_typer(vacancy_app, name="vacancy")
    app.add_typer(recall_app, name="recall")
    app.add_typer(observer_app, name="observer")
