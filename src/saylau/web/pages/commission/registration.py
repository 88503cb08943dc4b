"""The registration desk: the nominations of the actor's territory, and for one candidacy its
document checklist, deposit, quota check and the decision (register, or refuse for a reason of the
law's list, ``saylau.law.nomination.RefusalReason``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.domain.states import CandidacyState
from saylau.law.nomination import RefusalReason, required_documents
from saylau.services.candidacy import (
    PENDING_STATES,
    Candidacy,
    CandidacyKind,
    CandidacyRef,
    active_entries,
    deposit_due_for,
    deposit_paid,
    documents_report,
    route_of,
)
from saylau.services.contests import contest_scope
from saylau.services.context import Actor
from saylau.services.errors import InvalidInput, ServiceError
from saylau.services.nomination import DocumentReceipt, list_quota_of, record_documents
from saylau.services.registration import record_deposit, refuse, register
from saylau.storage.models import Contest, Nomination, Party, PartyList
from saylau.web.i18n import negotiate
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    act,
    chosen_election,
    elections,
    gate,
    gate_form,
    page,
    person_name,
    whole,
)
from saylau.web.pages.commission.labels import CANDIDACY_STATES, N_

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Row:
    ref: CandidacyRef
    candidacy: Candidacy
    contest: Contest
    name: str

    @property
    def path(self) -> str:
        return f"/registration/{self.ref.kind.value}/{self.ref.id}"


def _parties(session: Session) -> dict[int, Party]:
    return {p.id: p for p in session.scalars(select(Party))}


def _covered(session: Session, actor: Actor, contest: Contest, cache: dict[int, bool]) -> bool:
    if contest.id not in cache:
        cache[contest.id] = actor.covers(contest_scope(session, contest))
    return cache[contest.id]


def candidacies(
    session: Session, actor: Actor, election_id: int, language: str, state: str | None
) -> list[Row]:
    """Every list and nomination of the election in the actor's territory, by contest."""
    parties = _parties(session)
    cache: dict[int, bool] = {}
    rows: list[Row] = []
    models: tuple[type[PartyList] | type[Nomination], ...] = (PartyList, Nomination)
    for model in models:
        query = (
            select(model, Contest)
            .join(Contest, Contest.id == model.contest_id)
            .where(Contest.election_id == election_id)
            .order_by(Contest.id, model.id)
        )
        if state in CANDIDACY_STATES:
            query = query.where(model.state == CandidacyState(state))
        for found, contest in session.execute(query):
            candidacy: Candidacy = found  # type: ignore[assignment]
            if not _covered(session, actor, contest, cache):
                continue
            if isinstance(candidacy, PartyList):
                name = _party_name(parties.get(candidacy.party_id), language)
            else:
                name = _person(candidacy.person, language)
            rows.append(Row(CandidacyRef.of(candidacy), candidacy, contest, name))
    rows.sort(key=lambda r: (r.contest.id, r.ref.kind.value, r.ref.id))
    return rows


def _party_name(party: Party | None, language: str) -> str:
    if party is None:
        return ""
    return getattr(party, f"name_{language}", "") or party.name_kk or party.name_en


def _person(person: Any, language: str) -> str:
    return person_name(person, language)


@router.get("/registration")
def desk(
    request: Request,
    call: PageCall,
    election: int | None = None,
    state: str | None = None,
    page_no: int = 1,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.DECIDE_REGISTRATION)) is not None:
        return stop
    language = negotiate(request)
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        context: dict[str, Any] = {
            "all_elections": elections(session),
            "election": chosen,
            "state": state if state in CANDIDACY_STATES else "",
            "rows": [],
            "page_no": 1,
            "pages": 1,
        }
        if chosen is not None:
            rows = candidacies(session, actor, chosen.id, language, state)
            pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
            page_no = min(max(1, page_no), pages)
            context.update(
                rows=rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE],
                page_no=page_no,
                pages=pages,
                total=len(rows),
            )
        return page(request, actor, "commission/registration.html", **context)


def _load(session: Session, kind: str, ident: int) -> Candidacy | None:
    if kind == CandidacyKind.LIST.value:
        return session.get(PartyList, ident)
    if kind == CandidacyKind.SMD.value:
        return session.get(Nomination, ident)
    return None


@dataclass(frozen=True)
class ChecklistLine:
    document: str
    name: str
    article: str
    person: str
    """The listed person the document is for (party lists), else empty."""
    value: str
    """``doc`` or ``doc@iin``: the check box value to record it."""
    received: bool


def checklist(session: Session, candidacy: Candidacy, language: str) -> list[ChecklistLine]:
    """Every document the route requires, received or missing (CL art. 104 paras 3, 3-1)."""
    report = documents_report(session, candidacy)
    missing = {m.text for m in report.missing}
    lines: list[ChecklistLine] = []
    persons = (
        [(e.person.iin, _person(e.person, language)) for e in active_entries(candidacy)]
        if isinstance(candidacy, PartyList)
        else []
    )
    for document in required_documents(route_of(candidacy)):
        name = getattr(document.name, language)
        if document.per_person:
            for iin, person in persons:
                value = f"{document.id}@{iin}"
                lines.append(
                    ChecklistLine(
                        document.id, name, document.article, person, value, value not in missing
                    )
                )
        else:
            lines.append(
                ChecklistLine(
                    document.id, name, document.article, "", document.id, document.id not in missing
                )
            )
    return lines


@router.get("/registration/{kind}/{ident}")
def candidacy_page(request: Request, call: PageCall, kind: str, ident: int) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.DECIDE_REGISTRATION)) is not None:
        return stop
    language = negotiate(request)
    with call.sessions() as session:
        candidacy = _load(session, kind, ident)
        if candidacy is None:
            return page(request, actor, "commission/missing.html", status_code=404)
        contest = session.get(Contest, candidacy.contest_id)
        assert contest is not None
        if not actor.covers(contest_scope(session, contest)):
            return page(request, actor, "commission/forbidden.html", status_code=403)
        context: dict[str, Any] = {
            "candidacy": candidacy,
            "ref": CandidacyRef.of(candidacy),
            "contest": contest,
            "is_list": isinstance(candidacy, PartyList),
            "route": route_of(candidacy).value,
            "pending": candidacy.state in PENDING_STATES,
            "reasons": [
                (r.value, getattr(r.label, language), r.article)
                for r in RefusalReason
                if r is not RefusalReason.WITHDRAWN_BY_OWN_APPLICATION
                and (
                    isinstance(candidacy, PartyList)
                    or r is not RefusalReason.LIST_MAJORITY_WITHDREW
                )
            ],
            "refusal": (
                (
                    getattr(candidacy.refusal_reason.label, language),
                    candidacy.refusal_reason.article,
                )
                if candidacy.refusal_reason is not None
                else None
            ),
        }
        if isinstance(candidacy, PartyList):
            context["name"] = _party_name(candidacy.party, language)
            context["entries"] = [
                (e.position, _person(e.person, language), e.withdrawn) for e in candidacy.entries
            ]
        else:
            context["name"] = _person(candidacy.person, language)
            context["party"] = _party_name(
                session.get(Party, candidacy.party_id) if candidacy.party_id else None, language
            )
        problems: list[str] = []
        try:
            context["checklist"] = checklist(session, candidacy, language)
        except ServiceError as error:
            problems.append(error.message)
        try:
            due = deposit_due_for(session, candidacy)
            paid = deposit_paid(session, candidacy)
            context["deposit"] = {
                "due": due,
                "paid": paid,
                "outstanding": max(0, due.amount - paid),
            }
        except ServiceError as error:
            problems.append(error.message)
        if isinstance(candidacy, PartyList):
            try:
                context["quota"] = list_quota_of(session, candidacy)
            except ServiceError as error:
                problems.append(error.message)
        context["problems"] = problems
        return page(request, actor, "commission/candidacy.html", **context)


def _ref(kind: str, ident: int) -> CandidacyRef:
    return CandidacyRef.parse(f"{kind}:{ident}")


@router.post("/registration/{kind}/{ident}/documents")
def receive_documents(
    request: Request, call: PageCall, fields: Posted, kind: str, ident: int
) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.DECIDE_REGISTRATION)) is not None:
        return stop
    receipts = []
    for value in fields.getlist("documents"):
        document, _, iin = value.partition("@")
        receipts.append(DocumentReceipt(document, iin or None))
    back = f"/registration/{kind}/{ident}"

    def run() -> Any:
        if not receipts:
            raise InvalidInput("nothing_chosen", "choose the documents received", field="documents")
        return call(record_documents, _ref(kind, ident), receipts)

    return act(request, run, back=back, notice=N_("The documents are recorded."), fields=fields)


@router.post("/registration/{kind}/{ident}/deposit")
def pay_deposit(
    request: Request, call: PageCall, fields: Posted, kind: str, ident: int
) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.DECIDE_REGISTRATION)) is not None:
        return stop
    amount = whole(fields.get("amount"))

    def run() -> Any:
        if amount is None:
            raise InvalidInput("bad_amount", "a payment is a whole number of tenge", field="amount")
        return call(record_deposit, _ref(kind, ident), amount, fields.get("note"))

    return act(
        request,
        run,
        back=f"/registration/{kind}/{ident}",
        notice=N_("The payment is recorded."),
        fields=fields,
    )


@router.post("/registration/{kind}/{ident}/register")
def register_candidacy(
    request: Request, call: PageCall, fields: Posted, kind: str, ident: int
) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.DECIDE_REGISTRATION)) is not None:
        return stop
    return act(
        request,
        lambda: call(register, _ref(kind, ident)),
        back=f"/registration/{kind}/{ident}",
        notice=N_("The decision is recorded."),
        fields=fields,
    )


@router.post("/registration/{kind}/{ident}/refuse")
def refuse_candidacy(
    request: Request, call: PageCall, fields: Posted, kind: str, ident: int
) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.DECIDE_REGISTRATION)) is not None:
        return stop
    reason = fields.get("reason")

    def run() -> Any:
        if reason not in {r.value for r in RefusalReason}:
            raise InvalidInput("reason_required", "choose a reason of the law", field="reason")
        return call(refuse, _ref(kind, ident), RefusalReason(reason), fields.get("note"))

    return act(
        request,
        run,
        back=f"/registration/{kind}/{ident}",
        notice=N_("The refusal is recorded."),
        fields=fields,
    )
