"""Precinct protocols: double entry by two typists (ENTER_PROTOCOL), the live check of an entry
without saving, the coordinator's resolution of differing entries (RESOLVE_PROTOCOL) and the
correction of a definitive protocol by decision (CORRECT_DEFINITIVE_PROTOCOL).

A protocol's state, its definitive figures and the names of the fields on which the two entries
differ are public; the entries themselves (each typist's figures) only for those who resolve the
protocol within their territory — a typist never sees the other typist's entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, may
from saylau.domain.states import ProtocolState
from saylau.law.protocol import RELATIONS
from saylau.services import approvals
from saylau.services.context import Context, fetch, scope_for
from saylau.services.protocols import (
    COUNT_FIELDS,
    ProtocolData,
    ProtocolStatus,
    Submission,
    check_entry,
    correct_definitive,
    definitive_data,
    differing_fields,
    enter_protocol,
    enter_protocols,
    resolve_protocol,
)
from saylau.storage.models import Contest, Precinct, Protocol, ProtocolEntry, User
from saylau.web.api import approvals as dual
from saylau.web.api.models import (
    MAX_ID,
    Code,
    Count,
    Id,
    IdFilter,
    IdPath,
    In,
    Out,
    Reason,
    ViolationOut,
)
from saylau.web.api.pagination import Page, PageQuery, Paging, page_of, paginate_rows
from saylau.web.api.routing import api_router
from saylau.web.deps import Services

router = api_router("protocols")

ChoiceId = Annotated[int, Field(ge=1, le=MAX_ID)]
Warnings = Annotated[list[Code], Field(max_length=20)]


class ProtocolDataIn(In):
    """One reading of a paper protocol, in the order of the form (CL art. 43): the count lines,
    the votes of every ballot line (``votes``: ballot choice id → votes), "against all" and the
    invalid ballots; ``valid`` and ``extra`` are optional lines (decision #19)."""

    voters_on_list: Count
    ballots_received: Count
    ballots_issued: Count
    ballots_cancelled: Count
    ballots_in_boxes: Count
    portable_box_ballots: Count
    portable_box_requests: Count
    votes: dict[ChoiceId, Count] = Field(max_length=1_000)
    against_all: Count
    invalid: Count
    portable_box_invalidated: Count = 0
    valid: Count | None = None
    extra: dict[Code, Count] = Field(default_factory=dict, max_length=50)

    def data(self) -> ProtocolData:
        return ProtocolData(**self.model_dump())


class EntryIn(In):
    contest_id: Id
    precinct_id: Id
    data: ProtocolDataIn


class BatchIn(In):
    submissions: list[EntryIn] = Field(min_length=1, max_length=1_000)


class ResolveIn(In):
    keep: Literal[1, 2] | None
    """Keep entry 1 or 2; null discards both (they are entered again)."""
    acknowledge_warnings: Warnings = Field(default_factory=list)


class CorrectIn(In):
    data: ProtocolDataIn
    decision: Reason
    """The reference of the higher commission's decision."""
    acknowledge_warnings: Warnings = Field(default_factory=list)


class ProtocolStatusOut(Out):
    """Where a protocol stands after a call, with every control relation it violates."""

    protocol_id: int
    contest_id: int
    precinct_id: int
    state: ProtocolState
    version: int
    entry_no: int | None
    violations: list[ViolationOut]
    errors: list[str]
    warnings: list[str]
    unacknowledged_warnings: list[str]
    differing_fields: list[str]


class CheckOut(Out):
    """The live check of an entry: every violated relation; nothing is saved."""

    violations: list[ViolationOut]
    errors: list[str]
    warnings: list[str]
    clean: bool


class FiguresOut(Out):
    """The definitive figures of a protocol."""

    voters_on_list: int
    ballots_received: int
    ballots_issued: int
    ballots_cancelled: int
    ballots_in_boxes: int
    portable_box_ballots: int
    portable_box_requests: int
    portable_box_invalidated: int
    against_all: int
    invalid: int
    votes: dict[int, int]


class ProtocolOut(Out):
    id: int
    contest_id: int
    precinct_id: int
    precinct_number: int
    state: ProtocolState
    version: int
    entries: int
    definitive_at: datetime | None
    differing_fields: list[str]
    """The lines on which the two entries differ (``votes[12]`` names a ballot line)."""


class EntryOut(Out):
    entry_no: int
    typist_id: int
    typist: str
    entered_at: datetime
    data: ProtocolDataIn


class ProtocolDetail(ProtocolOut):
    figures: FiguresOut | None
    acknowledged_warnings: list[str]
    correction_decision: str | None
    entries_visible: bool
    """Whether the actor resolves this protocol and so sees the entries."""
    entry_data: list[EntryOut] | None


class RelationOut(Out):
    name: str
    relation: str
    article: str
    severity: str


def status_out(status: ProtocolStatus) -> ProtocolStatusOut:
    return ProtocolStatusOut(
        protocol_id=status.protocol_id,
        contest_id=status.contest_id,
        precinct_id=status.precinct_id,
        state=status.state,
        version=status.version,
        entry_no=status.entry_no,
        violations=ViolationOut.all(status.violations),
        errors=list(status.errors),
        warnings=list(status.warnings),
        unacknowledged_warnings=list(status.unacknowledged),
        differing_fields=list(status.differing_fields),
    )


def _entries(session: Session, protocol_id: int) -> list[ProtocolEntry]:
    return list(
        session.scalars(
            select(ProtocolEntry)
            .where(ProtocolEntry.protocol_id == protocol_id)
            .order_by(ProtocolEntry.entry_no)
        )
    )


def _differing(entries: list[ProtocolEntry]) -> list[str]:
    if len(entries) < 2:
        return []
    first, second = (ProtocolData.from_json(e.data) for e in entries[:2])
    return list(differing_fields(first, second))


ENTRIES_BY_STATE = {
    ProtocolState.EMPTY: 0,
    ProtocolState.FIRST_ENTRY: 1,
    ProtocolState.SECOND_ENTRY: 2,
    ProtocolState.ENTRIES_DIFFER: 2,
    ProtocolState.RESOLVED: 2,
    ProtocolState.DEFINITIVE: 2,
}
"""Entries a protocol has in each state (a definitive one keeps its two, or had them)."""


def protocol_out(session: Session, protocol: Protocol, number: int | None = None) -> ProtocolOut:
    """A protocol's row; the entries are read only when they differ (to name the fields)."""
    if number is None:
        number = fetch(session, Precinct, protocol.precinct_id, "precinct").number
    differing = (
        _differing(_entries(session, protocol.id))
        if protocol.state is ProtocolState.ENTRIES_DIFFER
        else []
    )
    return ProtocolOut(
        id=protocol.id,
        contest_id=protocol.contest_id,
        precinct_id=protocol.precinct_id,
        precinct_number=number,
        state=protocol.state,
        version=protocol.version,
        entries=ENTRIES_BY_STATE[protocol.state],
        definitive_at=protocol.definitive_at,
        differing_fields=differing,
    )


def _figures(session: Session, protocol: Protocol) -> FiguresOut | None:
    data = definitive_data(session, protocol)
    if data is None:
        return None
    values = {name: getattr(data, name) for name in COUNT_FIELDS}
    return FiguresOut(**values, votes=dict(sorted(data.votes.items())))


def read_protocol(ctx: Context, protocol_id: int) -> ProtocolDetail:
    """A protocol with its definitive figures; the entries for those who resolve it."""
    protocol = ctx.get(Protocol, protocol_id, "protocol")
    base = protocol_out(ctx.session, protocol)
    visible = may(ctx.actor.role, Action.RESOLVE_PROTOCOL) and ctx.actor.covers(
        scope_for(ctx.session, precinct_id=protocol.precinct_id)
    )
    entries = None
    if visible:
        entries = []
        for entry in _entries(ctx.session, protocol.id):
            typist = ctx.session.get(User, entry.typist_id)
            entries.append(
                EntryOut(
                    entry_no=entry.entry_no,
                    typist_id=entry.typist_id,
                    typist=typist.username if typist else "",
                    entered_at=entry.entered_at,
                    data=ProtocolDataIn.model_validate(entry.data),
                )
            )
    return ProtocolDetail(
        **base.model_dump(),
        figures=_figures(ctx.session, protocol),
        acknowledged_warnings=list(protocol.acknowledged_warnings or []),
        correction_decision=protocol.correction_decision,
        entries_visible=visible,
        entry_data=entries,
    )


def _protocols(
    session: Session,
    election_id: int | None,
    contest_id: int | None,
    precinct_id: int | None,
    region_id: int | None,
    state: ProtocolState | None,
    paging: PageQuery,
) -> Page[ProtocolOut]:
    query = (
        select(Protocol, Precinct.number)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .order_by(Protocol.contest_id, Protocol.precinct_id)
    )
    if election_id is not None:
        query = query.where(
            Protocol.contest_id.in_(select(Contest.id).where(Contest.election_id == election_id))
        )
    if contest_id is not None:
        query = query.where(Protocol.contest_id == contest_id)
    if precinct_id is not None:
        query = query.where(Protocol.precinct_id == precinct_id)
    if region_id is not None:
        query = query.where(Precinct.region_id == region_id)
    if state is not None:
        query = query.where(Protocol.state == state)
    return paginate_rows(session, query, paging, lambda row: protocol_out(session, *row))


def _check(session: Session, body: EntryIn) -> CheckOut:
    violations = check_entry(session, body.contest_id, body.precinct_id, body.data.data())
    found = ViolationOut.all(violations)
    errors = [v.name for v in found if v.severity == "error"]
    return CheckOut(
        violations=found,
        errors=errors,
        warnings=[v.name for v in found if v.severity == "warning"],
        clean=not found,
    )


@router.get("/protocols", response_model=Page[ProtocolOut])
def list_protocols(
    services: Services,
    paging: Paging,
    election_id: IdFilter = None,
    contest_id: IdFilter = None,
    precinct_id: IdFilter = None,
    region_id: IdFilter = None,
    state: Annotated[ProtocolState | None, Query()] = None,
) -> Page[ProtocolOut]:
    """Protocols entered so far with their state and differing fields (a protocol exists from
    its first entry)."""
    return services.read(_protocols, election_id, contest_id, precinct_id, region_id, state, paging)


@router.get("/protocols/{protocol_id}", response_model=ProtocolDetail)
def get_protocol(protocol_id: IdPath, services: Services) -> ProtocolDetail:
    """A protocol's state, differing fields and definitive figures; the two entries side by side
    for the coordinator (RESOLVE_PROTOCOL over the precinct)."""
    return services(read_protocol, protocol_id)


@router.post("/protocols/check", response_model=CheckOut)
def post_check(body: EntryIn, services: Services) -> CheckOut:
    """Check an entry against the control relations of CL art. 43 while it is typed; nothing is
    saved (decision #19). Malformed input is refused as on entry."""
    return services.read(_check, body)


@router.post("/protocols", response_model=ProtocolStatusOut)
def post_entry(body: EntryIn, services: Services) -> ProtocolStatusOut:
    """One typist's entry (ENTER_PROTOCOL over the precinct). The second entry, by another
    typist, is compared field by field: identical and clean → ``definitive``; differing →
    ``entries_differ`` with the fields named; errors or warnings wait for the coordinator."""
    status = services(enter_protocol, body.contest_id, body.precinct_id, body.data.data())
    return status_out(status)


@router.post("/protocols/batch", response_model=list[ProtocolStatusOut])
def post_batch(body: BatchIn, services: Services) -> list[ProtocolStatusOut]:
    """Many entries in one transaction: all or nothing; a refusal names the row."""
    submissions = [Submission(s.contest_id, s.precinct_id, s.data.data()) for s in body.submissions]
    return [status_out(s) for s in services(enter_protocols, submissions)]


@router.post("/protocols/{protocol_id}/resolve", response_model=ProtocolStatusOut)
def post_resolve(protocol_id: IdPath, body: ResolveIn, services: Services) -> ProtocolStatusOut:
    """The coordinator keeps entry 1 or 2 (acknowledging its warnings) or discards both
    (RESOLVE_PROTOCOL over the precinct)."""
    status = services(resolve_protocol, protocol_id, body.keep, body.acknowledge_warnings)
    return status_out(status)


@router.post(
    "/protocols/{protocol_id}/correct", response_model=ProtocolStatusOut, responses=dual.ACCEPTED
)
def post_correct(
    protocol_id: IdPath, body: CorrectIn, services: Services
) -> ProtocolStatusOut | JSONResponse:
    """Correct a definitive protocol by a recorded decision of the higher commission; both
    versions stay in the audit log. Under dual control (issue #9 §2) files the request instead
    (202)."""
    if dual.required():
        params = approvals.correction_params(
            protocol_id, body.data.data(), body.decision, body.acknowledge_warnings
        )
        return dual.requested(services, approvals.CORRECT_DEFINITIVE, params)
    status = services(
        correct_definitive,
        protocol_id,
        body.data.data(),
        body.decision,
        body.acknowledge_warnings,
    )
    return status_out(status)


@router.get("/protocol-relations", response_model=Page[RelationOut])
def get_relations(paging: Paging) -> Page[RelationOut]:
    """The control relations of the protocol (CL art. 43; decision #19): errors block,
    warnings need the coordinator's acknowledgement."""
    relations = [
        RelationOut(name=r.name, relation=r.text, article=r.article, severity=r.severity.value)
        for r in RELATIONS
    ]
    return page_of(relations, paging)
