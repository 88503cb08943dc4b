"""A party agent's seats after the results: who of the list takes the seats the party won
(CL art. 111-1 para 5; Mazhilis art. 97-1 para 5), and the successor to a list seat left early
(art. 111-1 para 6; art. 97-1 para 6).

The page lists the party's lists in contests with published results (seats won, the list in order
with who holds a mandate and who withdrew) and the vacancies awaiting the party's choice. The
services decide: a choice they refuse is shown again at once (422), the refusal next to the
choices of that contest or vacancy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response

from saylau.domain.roles import Role
from saylau.services import party_seats
from saylau.services.errors import InvalidInput, PermissionDenied, ServiceError
from saylau.services.mandates import assign_list_mandates
from saylau.services.vacancies import choose_list_successor
from saylau.web.pages.portal import labels
from saylau.web.pages.portal.common import (
    Acting,
    Posted,
    Shown,
    Who,
    done,
    forbidden,
    gate,
    read_page,
    receive,
    shown_error,
)
from saylau.web.pages.portal.labels import N_

router = APIRouter(include_in_schema=False)
PATH = "/portal/mandates"


@dataclass(frozen=True)
class Chosen:
    """What was chosen on a refused form, to show it again: persons per contest, the successor
    per vacancy."""

    seats: dict[int, set[int]] = field(default_factory=dict)
    successors: dict[int, int] = field(default_factory=dict)


def seats_field(contest_id: int) -> str:
    """The field of a contest's seat choice (its errors are shown there)."""
    return f"seats[{contest_id}].person_ids"


def successor_field(vacancy_id: int) -> str:
    return f"vacancies[{vacancy_id}].person_id"


def _gate(request: Request, acting: Who) -> Response | None:
    return gate(request, acting, Role.PARTY_AGENT)


def _page(
    request: Request,
    acting: Who,
    chosen: Chosen | None = None,
    errors: list[Shown] | None = None,
    status_code: int = 200,
) -> Response:
    return read_page(
        request,
        acting,
        "portal/mandates.html",
        lambda: {
            "lists": acting.call(party_seats.party_list_seats),
            "awaiting": acting.call(party_seats.awaiting_successors),
        },
        status_code=status_code,
        chosen=chosen or Chosen(),
        errors=errors or [],
        seats_field=seats_field,
        successor_field=successor_field,
        mandate_label=lambda state: labels.MANDATES.get(str(state), str(state)),
    )


@router.get(PATH)
def mandates(request: Request, acting: Acting) -> Response:
    return _gate(request, acting) or _page(request, acting)


async def _received(request: Request, acting: Who) -> Posted | Response:
    gated = _gate(request, acting)
    if gated is not None:
        return gated
    return await receive(
        request,
        acting,
        lambda errors, status: _page(request, acting, errors=errors, status_code=status),
    )


def _ids(texts: list[str], where: str) -> list[int]:
    """Person numbers from the form (a number the page never offers is refused here)."""
    if not all(t.isdigit() for t in texts):
        raise InvalidInput("invalid_input", f"{where}={texts!r}: person numbers only", field=where)
    return [int(t) for t in texts]


def _refusal(
    request: Request, acting: Who, error: ServiceError, where: str, chosen: Chosen
) -> Response:
    """The page again with the refusal next to the form's own choices, whatever field the
    service named (a refusal of the actor itself: the 403 page)."""
    if error.status == 403:
        return forbidden(request, acting.actor, error)
    shown = shown_error(request, error)
    again = Shown(shown.code, where, shown.message, shown.detail, shown.params)
    return _page(request, acting, chosen, [again], error.status)


def _decide(
    request: Request,
    acting: Who,
    decision: Callable[[], object],
    *,
    where: str,
    chosen: Chosen,
    location: str,
    notice: str,
) -> Response:
    """Run the branch's decision; on to ``location`` with ``notice``, or the page again with
    the refusal at ``where``."""
    try:
        decision()
    except ServiceError as error:
        return _refusal(request, acting, error, where, chosen)
    return done(request, location, notice)


@router.post(PATH + "/{contest_id}/seats")
async def assign(request: Request, acting: Acting, contest_id: int) -> Response:
    """The branch's decision: the chosen listed persons take the party's open seats."""
    posted = await _received(request, acting)
    if isinstance(posted, Response):
        return posted
    texts = posted.getlist("person_ids")
    party_text = posted.get("party_id")
    party_id = int(party_text) if party_text.isdigit() else acting.actor.party_id

    def decision() -> object:
        if party_id is None:
            raise PermissionDenied("party_agents_only", "the account acts for no party")
        return acting.call(assign_list_mandates, contest_id, party_id, _ids(texts, "person_ids"))

    return _decide(
        request,
        acting,
        decision,
        where=seats_field(contest_id),
        chosen=Chosen(seats={contest_id: {int(t) for t in texts if t.isdigit()}}),
        location=f"{PATH}#contest-{contest_id}",
        notice=N_("The seats are given."),
    )


@router.post("/portal/vacancies/{vacancy_id}/successor")
async def successor(request: Request, acting: Acting, vacancy_id: int) -> Response:
    """The branch's choice of successor from those remaining on the list."""
    posted = await _received(request, acting)
    if isinstance(posted, Response):
        return posted
    text = posted.get("person_id")

    def decision() -> object:
        if not text.isdigit():
            raise InvalidInput(
                "choose_successor", "person_id: choose the successor", field="person_id"
            )
        return acting.call(choose_list_successor, vacancy_id, int(text))

    return _decide(
        request,
        acting,
        decision,
        where=successor_field(vacancy_id),
        chosen=Chosen(successors={vacancy_id: int(text)} if text.isdigit() else {}),
        location=f"{PATH}#vacancies",
        notice=N_("The successor is chosen."),
    )
