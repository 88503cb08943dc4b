"""Pre-filled precinct protocol forms: one per precinct and contest, ready for the count.

What a precinct commission fills in on election night (CL art. 43) is printed in advance with
everything already known: the precinct, its address and commission, the contest, the ballot's
lines in ballot order (art. 37 para 1), the voters on the list when the form was printed, and the
numbered lines of the protocol in their order (:data:`saylau.law.protocol.PROTOCOL_FIELDS`) with
empty boxes for the figure in digits and lines for it in words (art. 43 para 8), the control
relations the commission checks before signing (decision #19, written with the line numbers) and
the signature block with the commission's serving members, where they are recorded.

The official CEC form was not found (law-2023.md §10): the line order and numbers are ours.
The data is built here from the database (the template only lays it out); the helpers are shared
with the filled result protocol (:mod:`saylau.documents.protocols`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.documents.bulk import Job
from saylau.documents.engine import render_pdf
from saylau.documents.numwords import both
from saylau.law.protocol import PROTOCOL_FIELDS, RELATIONS, ProtocolField, Severity
from saylau.law.rules import RuleSet
from saylau.services.deadlines import election_rules
from saylau.services.errors import InvalidInput, NotFound
from saylau.services.protocols import contest_precincts
from saylau.storage.models import (
    BallotChoice,
    Commission,
    CommissionMember,
    Contest,
    Nomination,
    Party,
    PartyList,
    Person,
    Precinct,
)
from saylau.storage.models.organisation import CommissionPosition

TEMPLATE = "protocol_form"
DIGIT_BOXES = 5
"""Boxes for a figure on the form: a precinct's figures stay below 100 000 (CL art. 23)."""
BLANK_MEMBERS = 4
"""Blank member lines on a form whose commission has no members recorded."""

FORMULAS: dict[str, str] = {
    "received_equals_issued_plus_cancelled": "{ballots_received} = {ballots_issued} + "
    "{ballots_cancelled}",
    "in_boxes_equals_votes_plus_against_all_plus_invalid": "{ballots_in_boxes} = {votes_total} + "
    "{against_all} + {invalid}",
    "in_boxes_at_most_issued": "{ballots_in_boxes} ≤ {ballots_issued}",
    "issued_at_most_voters_on_list": "{ballots_issued} ≤ {voters_on_list}",
    "portable_at_most_requests": "{portable_box_ballots} − {portable_box_invalidated} ≤ "
    "{portable_box_requests}",
    "portable_at_most_in_boxes": "{portable_box_ballots} ≤ {ballots_in_boxes}",
    "portable_invalidated_at_most_portable": "{portable_box_invalidated} ≤ {portable_box_ballots}",
    "portable_invalidated_at_most_invalid": "{portable_box_invalidated} ≤ {invalid}",
    "valid_equals_in_boxes_minus_invalid": "{valid} = {ballots_in_boxes} − {invalid}",
    "valid_equals_votes_plus_against_all": "{valid} = {votes_total} + {against_all}",
    "against_all_only_if_on_ballot": "{against_all} = 0",
    "voters_on_list_at_most_precinct_max": "{voters_on_list} ≤ {max_voters}",
}
"""Each control relation of :data:`saylau.law.protocol.RELATIONS` written with the form's line
numbers ("2 = 3 + 4"), which need no translation."""

POSITIONS: dict[CommissionPosition, tuple[str, str]] = {
    CommissionPosition.CHAIR: ("Комиссия төрағасы", "Председатель комиссии"),
    CommissionPosition.DEPUTY_CHAIR: ("Төрағаның орынбасары", "Заместитель председателя"),
    CommissionPosition.SECRETARY: ("Комиссия хатшысы", "Секретарь комиссии"),
    CommissionPosition.MEMBER: ("Комиссия мүшесі", "Член комиссии"),
}


@dataclass(frozen=True)
class ChoiceLine:
    """A line of the ballot in ballot order, named in both languages."""

    choice_id: int
    position: int
    kk: str
    ru: str


def form_fields(rules: RuleSet) -> tuple[ProtocolField, ...]:
    """The lines of the form in their order; "against all" only under rules that print it
    (CL art. 37 para 1)."""
    return tuple(f for f in PROTOCOL_FIELDS if f.id != "against_all" or rules.against_all_on_ballot)


def relation_rows(rules: RuleSet) -> list[dict[str, Any]]:
    """The control relations that apply to the form, in the law core's order, as formulas."""
    numbers = {f.id: str(f.line) for f in PROTOCOL_FIELDS}
    numbers["votes_total"] = f"Σ{numbers['votes']}"
    rows = []
    for relation in RELATIONS:
        if relation.name == "against_all_only_if_on_ballot" and rules.against_all_on_ballot:
            continue  # the line exists: nothing to check
        formula = FORMULAS[relation.name].format(
            **numbers, max_voters=f"{rules.max_precinct_voters:,}".replace(",", "\u00a0")
        )
        rows.append(
            {
                "name": relation.name,
                "formula": formula,
                "warning": relation.severity is Severity.WARNING,
                "article": relation.article,
            }
        )
    return rows


def ballot_lines(session: Session, contest_id: int) -> list[ChoiceLine]:
    """The contest's ballot lines in ballot order, with the party's or the candidate's name in
    Kazakh and in Russian (the Kazakh label where no Russian name is recorded)."""
    rows = session.execute(
        select(BallotChoice, Party, Person)
        .outerjoin(PartyList, PartyList.id == BallotChoice.party_list_id)
        .outerjoin(Party, Party.id == PartyList.party_id)
        .outerjoin(Nomination, Nomination.id == BallotChoice.nomination_id)
        .outerjoin(Person, Person.id == Nomination.person_id)
        .where(BallotChoice.contest_id == contest_id)
        .order_by(BallotChoice.position)
    ).all()
    lines = []
    for choice, party, person in rows:
        ru = ""
        if party is not None:
            ru = party.name_ru
        elif person is not None:
            ru = " ".join(p for p in (person.surname_ru, person.name_ru, person.patronymic_ru) if p)
        lines.append(ChoiceLine(choice.id, choice.position, choice.label, ru or choice.label))
    return lines


def signatories(session: Session, precinct_id: int) -> list[dict[str, str]]:
    """The signature block: the precinct commission's serving members (chair, deputy chair,
    secretary, then members by name), or blank lines for them when none are recorded."""
    members = list(
        session.scalars(
            select(CommissionMember)
            .join(Commission, Commission.id == CommissionMember.commission_id)
            .where(Commission.precinct_id == precinct_id, CommissionMember.released_on.is_(None))
        )
    )
    order = list(CommissionPosition)
    members.sort(key=lambda m: (order.index(m.position), m.full_name.casefold(), m.id))
    if not members:
        blank = [
            CommissionPosition.CHAIR,
            CommissionPosition.DEPUTY_CHAIR,
            CommissionPosition.SECRETARY,
            *[CommissionPosition.MEMBER] * BLANK_MEMBERS,
        ]
        return [{"kk": POSITIONS[p][0], "ru": POSITIONS[p][1], "name": ""} for p in blank]
    return [
        {"kk": POSITIONS[m.position][0], "ru": POSITIONS[m.position][1], "name": m.full_name}
        for m in members
    ]


def contest_title(contest: Contest) -> dict[str, str]:
    """The contest as the protocol names it, in Kazakh and Russian: the body, then the district
    or the party-list contest (CL art. 9)."""
    body = contest.body
    body_kk = body.name_kk
    body_ru = body.name_ru or body.name_kk
    if contest.district is not None:
        number = contest.district.number
        return {
            "kk": f"{body_kk}: № {number} бір мандатты аумақтық сайлау округі",
            "ru": f"{body_ru}: одномандатный территориальный избирательный округ № {number}",
        }
    return {
        "kk": f"{body_kk}: партиялық тізімдер бойынша сайлау",
        "ru": f"{body_ru}: выборы по партийным спискам",
    }


def require_in_contest(session: Session, contest: Contest, precinct: Precinct) -> None:
    """Refuse a precinct whose voters do not receive this contest's ballot (CL arts. 9, 22)."""
    inside = session.scalar(
        select(Precinct.id).where(
            Precinct.id == precinct.id, Precinct.id.in_(contest_precincts(contest))
        )
    )
    if inside is None:
        raise InvalidInput(
            "precinct_outside_contest",
            f"precinct {precinct.number} (id {precinct.id}) does not vote in contest {contest.id}",
            field="precinct_id",
        )


def header(
    session: Session, contest: Contest, precinct: Precinct, rules: RuleSet
) -> dict[str, Any]:
    """What the form and the filled protocol share: election, region, precinct, contest, ballot
    lines, control relations and signature block."""
    election = contest.election
    region = precinct.region
    choices = ballot_lines(session, contest.id)
    return {
        "synthetic": bool(precinct.synthetic),
        "election": {
            "id": election.id,
            "name": election.name,
            "polling_day": election.polling_day.strftime("%d.%m.%Y"),
        },
        "region": {"code": region.code, "kk": region.name_kk, "ru": region.name_ru},
        "precinct": {
            "id": precinct.id,
            "number": precinct.number,
            "address": precinct.address,
        },
        "contest": {"id": contest.id, "kind": contest.kind.value, **contest_title(contest)},
        "list_contest": contest.district_id is None,
        "choices": [
            {"id": c.choice_id, "position": c.position, "kk": c.kk, "ru": c.ru} for c in choices
        ],
        "against_all": rules.against_all_on_ballot,
        "relations": relation_rows(rules),
        "signatories": signatories(session, precinct.id),
    }


def line_rows(rules: RuleSet, choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The numbered lines; the votes line is followed by one sub-line per ballot line."""
    rows: list[dict[str, Any]] = []
    for f in form_fields(rules):
        rows.append(
            {"id": f.id, "number": str(f.line), "kk": f.label_kk, "ru": f.label_ru, "head": True}
        )
        if f.per_choice:
            rows.extend(
                {
                    "id": f"votes[{c['id']}]",
                    "number": f"{f.line}.{c['position']}",
                    "kk": c["kk"],
                    "ru": c["ru"],
                    "head": False,
                }
                for c in choices
            )
    return rows


def protocol_form_data(session: Session, contest_id: int, precinct_id: int) -> dict[str, Any]:
    """The pre-filled form of ``contest_id``'s protocol at ``precinct_id`` as JSON-ready data."""
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise NotFound("not_found", f"contest {contest_id} does not exist", field="contest_id")
    precinct = session.get(Precinct, precinct_id)
    if precinct is None:
        raise NotFound("not_found", f"precinct {precinct_id} does not exist", field="precinct_id")
    require_in_contest(session, contest, precinct)
    rules = election_rules(contest.election)
    data = header(session, contest, precinct, rules)
    lines = line_rows(rules, data["choices"])
    # The per-choice head line (9) has no box of its own: each sub-line has one.
    for row in lines:
        row["boxes"] = not (row["head"] and row["id"] == "votes")
    data.update(
        {
            "voters_printed": both(precinct.voters),
            "lines": lines,
            "digit_boxes": DIGIT_BOXES,
        }
    )
    return data


def render_protocol_form(
    session: Session, contest_id: int, precinct_id: int, *, generated_at: datetime | None = None
) -> bytes:
    """The PDF of the pre-filled protocol form (A4, Kazakh with Russian beside it)."""
    return render_pdf(
        TEMPLATE, protocol_form_data(session, contest_id, precinct_id), generated_at=generated_at
    )


def form_keys(session: Session, election_id: int) -> Iterator[tuple[int, int]]:
    """Every (contest id, precinct id) of the election that needs a protocol form: each contest
    with each precinct whose voters receive its ballot, by contest then precinct number."""
    contests = session.scalars(
        select(Contest).where(Contest.election_id == election_id).order_by(Contest.id)
    ).all()
    for contest in contests:
        precincts = session.execute(
            select(Precinct.id)
            .where(Precinct.id.in_(contest_precincts(contest)))
            .order_by(Precinct.region_id, Precinct.number)
        ).scalars()
        for precinct_id in precincts:
            yield contest.id, precinct_id


def form_path(region: str, precinct: int, contest_id: int) -> str:
    """Where a form goes in a bulk run: by region and precinct, one file per contest."""
    return f"protocol-forms/{region}/precinct-{precinct:04d}/contest-{contest_id:05d}.pdf"


def jobs(session: Session, election_id: int) -> Iterator[Job]:
    """Every pre-filled form of the election, for ``saylau documents protocol-forms`` (each
    form's data is built when the bulk run asks for it)."""
    for contest_id, precinct_id in form_keys(session, election_id):
        data = protocol_form_data(session, contest_id, precinct_id)
        yield Job(
            form_path(data["region"]["code"], data["precinct"]["number"], contest_id),
            TEMPLATE,
            data,
        )
