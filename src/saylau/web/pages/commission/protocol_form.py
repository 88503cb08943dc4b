"""The protocol form: its lines in the order of the paper protocol, reading typed values into
:class:`ProtocolData`, and control-relation violations as translated sentences."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.law.protocol import PROTOCOL_FIELDS, Violation
from saylau.services.deadlines import election_rules
from saylau.services.protocols import ProtocolData
from saylau.storage.models import BallotChoice, Contest
from saylau.web.pages.commission.labels import RELATIONS, SEVERITIES


@dataclass(frozen=True)
class Line:
    """One input of the form: ``name`` as the service names it (``votes[12]`` for a ballot line)."""

    name: str
    number: str
    label: str
    article: str
    required: bool


def ballot(session: Session, contest_id: int) -> list[BallotChoice]:
    """The contest's ballot lines in ballot order."""
    return list(
        session.scalars(
            select(BallotChoice)
            .where(BallotChoice.contest_id == contest_id)
            .order_by(BallotChoice.position)
        )
    )


def against_all_printed(contest: Contest) -> bool:
    return bool(election_rules(contest.election).against_all_on_ballot)


def lines(session: Session, contest: Contest, language: str) -> list[Line]:
    """The form's inputs in the order of :data:`PROTOCOL_FIELDS`, one per ballot line for votes."""
    found: list[Line] = []
    printed = against_all_printed(contest)
    for field in PROTOCOL_FIELDS:
        label = getattr(field, f"label_{language}")
        if field.per_choice:
            for index, choice in enumerate(ballot(session, contest.id), start=1):
                found.append(
                    Line(
                        f"votes[{choice.id}]",
                        f"{field.line}.{index}",
                        choice.label,
                        field.article,
                        True,
                    )
                )
            continue
        if field.id == "against_all" and not printed:
            continue
        found.append(Line(field.id, str(field.line), label, field.article, not field.optional))
    return found


def _typed(text: str) -> int | str:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    return int(cleaned) if cleaned.isdigit() else text


def document(
    values: Mapping[str, str], form: list[Line], printed: bool
) -> tuple[dict[str, Any], int]:
    """The entry document ``ProtocolData.from_json`` reads, and how many required lines are empty.

    Empty optional lines are left out; a non-number is passed on for the service to refuse, naming
    its field.
    """
    result: dict[str, Any] = {"votes": {}}
    empty = 0
    for line in form:
        text = values.get(line.name, "").strip()
        if not text:
            empty += line.required
            continue
        if line.name.startswith("votes["):
            result["votes"][line.name[6:-1]] = _typed(text)
        else:
            result[line.name] = _typed(text)
    if not printed:
        result["against_all"] = 0
    return result, empty


def read(values: Mapping[str, str], form: list[Line], printed: bool) -> ProtocolData:
    """The typed protocol (refused by the service naming the first bad or missing line)."""
    entry, _ = document(values, form, printed)
    return ProtocolData.from_json(entry)


def describe(violation: Violation, tr: Callable[[str], str]) -> dict[str, Any]:
    """A violation as shown: its translated sentence, its severity, the two sides and the article."""
    return {
        "name": violation.name,
        "severity": violation.severity.value,
        "severity_label": tr(SEVERITIES[violation.severity.value]),
        "message": tr(RELATIONS.get(violation.name, violation.relation)),
        "values": tr("{left} against {right}").format(left=violation.left, right=violation.right),
        "relation": violation.relation,
        "article": violation.article,
    }


def values_of(data: Mapping[str, Any]) -> dict[str, str]:
    """A stored entry document as form values (``votes[12]`` …)."""
    values = {
        name: str(value)
        for name, value in data.items()
        if name not in ("votes", "extra") and value is not None
    }
    for choice, votes in (data.get("votes") or {}).items():
        values[f"votes[{choice}]"] = str(votes)
    return values


def changes(
    before: ProtocolData | None, after: ProtocolData, form: list[Line]
) -> list[tuple[str, str, str]]:
    """The stored lines a correction changes, in form order: ``(name, old, new)``.

    ``valid`` has no column (decision #19): it is not part of the definitive figures, so it is
    never reported as changed.
    """
    old = values_of(before.as_json()) if before is not None else {}
    new = values_of(after.as_json())
    return [
        (line.name, old.get(line.name, "—"), new.get(line.name, "—"))
        for line in form
        if line.name != "valid" and old.get(line.name, "—") != new.get(line.name, "—")
    ]
