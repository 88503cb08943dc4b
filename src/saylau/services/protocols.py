"""Precinct result protocols: double entry, control relations, resolution and corrections.

The four-eyes flow of issue #3 §2.5 (as in the Dutch Abacus): two different typists enter the same
paper protocol; the entries are compared field by field; identical entries are checked against the
control relations of CL art. 43 (:func:`saylau.law.protocol.check_protocol`, decision #19): errors
block, warnings need the coordinator's acknowledgement, a clean protocol becomes ``definitive`` and
its figures are written for tabulation. Differing entries wait for the coordinator, who keeps one
or discards both. A definitive protocol changes only by a recorded decision of the higher
commission, and every version stays in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.domain.states import PROTOCOL_TRANSITIONS, ProtocolState, require_transition
from saylau.law.bodies import ContestKind
from saylau.law.errors import LawInputError
from saylau.law.protocol import (
    RELATIONS_BY_NAME,
    PrecinctProtocol,
    Severity,
    Violation,
    check_protocol,
)
from saylau.services.audit import snapshot
from saylau.services.context import Context, fetch, scope_for
from saylau.services.deadlines import election_calendar_for, election_rules, require_after
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied, law_input
from saylau.services.subscriptions import enqueue
from saylau.storage.models import (
    BallotChoice,
    BodyKind,
    Contest,
    DistrictPrecinct,
    Precinct,
    Protocol,
    ProtocolEntry,
    ProtocolVote,
    SubscriptionEvent,
)

COUNT_FIELDS: tuple[str, ...] = (
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "portable_box_ballots",
    "portable_box_requests",
    "against_all",
    "invalid",
    "portable_box_invalidated",
)
"""The count lines of the protocol form (CL art. 43), stored as Protocol columns when definitive."""

_REQUIRED = COUNT_FIELDS[:-1]
_DOCUMENT_KEYS = frozenset((*COUNT_FIELDS, "valid", "votes", "extra"))


# --- input -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolData:
    """One typist's reading of a paper protocol: the lines of CL art. 43 and the votes per ballot
    line (``votes``: ballot choice id → votes). ``valid`` and ``extra`` are optional form lines
    (decision #19)."""

    voters_on_list: int
    ballots_received: int
    ballots_issued: int
    ballots_cancelled: int
    ballots_in_boxes: int
    portable_box_ballots: int
    portable_box_requests: int
    votes: Mapping[int, int]
    against_all: int
    invalid: int
    portable_box_invalidated: int = 0
    valid: int | None = None
    extra: Mapping[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The entry as stored (``votes`` keyed by the choice id as text)."""
        document: dict[str, Any] = {name: getattr(self, name) for name in COUNT_FIELDS}
        document["valid"] = self.valid
        document["votes"] = {str(k): v for k, v in sorted(self.votes.items())}
        document["extra"] = dict(sorted(self.extra.items()))
        return document

    @classmethod
    def from_json(cls, document: Mapping[str, Any], where: str = "") -> ProtocolData:
        """Read an entry document (JSON/CSV import or a stored entry); every count a whole number.

        ``where`` prefixes field names in messages (e.g. ``row 3: ``), so that a bulk import names
        the row and the field.
        """
        unknown = sorted(set(document) - _DOCUMENT_KEYS)
        if unknown:
            raise InvalidInput(
                "unknown_field",
                f"{where}unknown protocol line {unknown[0]!r}; known: {sorted(_DOCUMENT_KEYS)}",
                field=unknown[0],
            )
        values: dict[str, Any] = {}
        for name in _REQUIRED:
            if name not in document:
                raise InvalidInput(
                    "missing_field", f"{where}{name} is missing from the protocol", field=name
                )
            values[name] = _count(document[name], name, where)
        values["portable_box_invalidated"] = _count(
            document.get("portable_box_invalidated", 0), "portable_box_invalidated", where
        )
        raw_valid = document.get("valid")
        values["valid"] = None if raw_valid is None else _count(raw_valid, "valid", where)
        raw_votes = document.get("votes")
        if not isinstance(raw_votes, Mapping):
            raise InvalidInput(
                "missing_field",
                f"{where}votes must map each ballot choice id to its votes",
                field="votes",
            )
        votes: dict[int, int] = {}
        for key, value in raw_votes.items():
            try:
                choice = int(key)
            except (TypeError, ValueError):
                raise InvalidInput(
                    "invalid_choice",
                    f"{where}votes[{key!r}]: a ballot choice id is a whole number",
                    field=f"votes[{key}]",
                ) from None
            votes[choice] = _count(value, f"votes[{key}]", where)
        raw_extra = document.get("extra") or {}
        if not isinstance(raw_extra, Mapping):
            raise InvalidInput(
                "invalid_field", f"{where}extra must map line names to counts", field="extra"
            )
        extra = {str(k): _count(v, f"extra[{k}]", where) for k, v in raw_extra.items()}
        return cls(votes=votes, extra=extra, **values)


def _count(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            "invalid_count",
            f"{where}{name}={value!r}: a count is a whole number (CL art. 43)",
            field=name,
            value=repr(value),
        )
    if value < 0:
        raise InvalidInput(
            "invalid_count",
            f"{where}{name}={value}: a count must not be negative (CL art. 43)",
            field=name,
            value=value,
        )
    return value


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolStatus:
    """Where a protocol stands after a call, with every control relation it violates (by name).

    ``violations`` are those of the entry just made (or of the kept / definitive figures), so a UI
    can show them live; ``unacknowledged`` names the warnings the coordinator still has to accept.
    """

    protocol_id: int
    contest_id: int
    precinct_id: int
    state: ProtocolState
    version: int
    entry_no: int | None = None
    violations: tuple[Violation, ...] = ()
    differing_fields: tuple[str, ...] = ()
    unacknowledged: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.violations if v.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.violations if v.severity is Severity.WARNING)


@dataclass(frozen=True)
class Submission:
    """One entry of a bulk import: which contest and precinct, and the figures."""

    contest_id: int
    precinct_id: int
    data: ProtocolData


# --- shared helpers (also used by tabulation and turnout) --------------------------------------


def contest_precincts(contest: Contest) -> Select[Any]:
    """The ids of the precincts whose voters receive this contest's ballot.

    A single-member contest: its district's precincts (CL art. 22); a list contest: the body's
    territory (its unit, or its region); the Mazhilis list: every precinct (CL art. 9).
    """
    if contest.district_id is not None:
        return select(DistrictPrecinct.precinct_id).where(
            DistrictPrecinct.district_id == contest.district_id
        )
    body = contest.body
    if body.kind is BodyKind.MAZHILIS:
        return select(Precinct.id)
    if body.unit_id is not None:
        return select(Precinct.id).where(Precinct.unit_id == body.unit_id)
    return select(Precinct.id).where(Precinct.region_id == body.region_id)


def law_protocol(data: ProtocolData, precinct_id: int, kind: ContestKind) -> PrecinctProtocol:
    """The law core's protocol for ``data``; a malformed count is refused naming its field."""
    try:
        return PrecinctProtocol(
            voters_on_list=data.voters_on_list,
            ballots_received=data.ballots_received,
            ballots_issued=data.ballots_issued,
            ballots_cancelled=data.ballots_cancelled,
            ballots_in_boxes=data.ballots_in_boxes,
            portable_box_ballots=data.portable_box_ballots,
            portable_box_requests=data.portable_box_requests,
            votes={str(k): v for k, v in data.votes.items()},
            against_all=data.against_all,
            invalid=data.invalid,
            portable_box_invalidated=data.portable_box_invalidated,
            valid=data.valid,
            extra=dict(data.extra),
            precinct_id=str(precinct_id),
            contest=kind,
        )
    except LawInputError as exc:
        raise law_input(exc, code="invalid_count") from None


# --- the workflow ------------------------------------------------------------------------------


def enter_protocol(
    ctx: Context, contest_id: int, precinct_id: int, data: ProtocolData
) -> ProtocolStatus:
    """Record one typist's entry of the protocol of ``contest_id`` at ``precinct_id``.

    The first entry waits for a second by a *different* user (the same user is refused and the
    refusal logged). Identical entries are checked against the control relations of CL art. 43
    (decision #19): clean → ``definitive``; errors block and warnings wait for the coordinator
    (state stays ``second_entry``). Differing entries → ``entries_differ`` with the fields named.
    Entering a protocol that already has both entries, or is definitive, is a Conflict that
    changes nothing. Protocols are entered once counting has started (after polling closes).
    """
    contest = ctx.get(Contest, contest_id, "contest")
    precinct = ctx.get(Precinct, precinct_id, "precinct")
    ctx.authorize(Action.ENTER_PROTOCOL, scope_for(ctx.session, precinct_id=precinct.id))
    violations = _validate(ctx.session, contest, precinct, data)
    _require_counting_started(ctx, contest, precinct)
    protocol = _protocol_for_update(ctx.session, contest.id, precinct.id)
    state = protocol.state if protocol is not None else ProtocolState.EMPTY
    if state is ProtocolState.DEFINITIVE:
        raise Conflict(
            "protocol_definitive",
            f"protocol {protocol.id if protocol else ''} of contest {contest.id} at precinct "
            f"{precinct.number} is definitive; only a recorded decision of the higher commission "
            "may correct it",
            field="protocol",
        )
    if state not in (ProtocolState.EMPTY, ProtocolState.FIRST_ENTRY):
        raise Conflict(
            "entries_complete",
            f"protocol of contest {contest.id} at precinct {precinct.number} already has both "
            f"entries (state {state.value}); the coordinator resolves it",
            field="protocol",
            state=state.value,
        )
    typist = ctx.actor.user_id
    if typist is None:
        raise PermissionDenied(
            "typist_required",
            "a protocol entry is made by a named user (double entry needs two of them)",
            action=Action.ENTER_PROTOCOL.value,
        )
    if protocol is None:
        protocol = _new_protocol(ctx.session, contest, precinct)
    before = _record(ctx.session, protocol)
    if state is ProtocolState.EMPTY:
        _move(protocol, ProtocolState.FIRST_ENTRY)
        entry_no = 1
    else:
        first = _entry(ctx.session, protocol.id, 1)
        if first.typist_id == typist:
            raise PermissionDenied(
                "same_typist",
                f"{ctx.actor.username} made the first entry of protocol {protocol.id}; the second "
                "entry must be made by a different user (four-eyes principle)",
                action=Action.ENTER_PROTOCOL.value,
            )
        _move(protocol, ProtocolState.SECOND_ENTRY)
        entry_no = 2
    ctx.session.add(
        ProtocolEntry(
            protocol_id=protocol.id,
            entry_no=entry_no,
            typist_id=typist,
            data=data.as_json(),
            entered_at=ctx.now,
        )
    )
    ctx.session.flush()
    differing: tuple[str, ...] = ()
    unacknowledged: tuple[str, ...] = ()
    if entry_no == 2:
        first_data = ProtocolData.from_json(_entry(ctx.session, protocol.id, 1).data)
        differing = differing_fields(first_data, data)
        if differing:
            _move(protocol, ProtocolState.ENTRIES_DIFFER)
        elif not _errors(violations):
            unacknowledged = _warnings(violations)
            if not unacknowledged:
                _make_definitive(ctx, protocol, data, ())
    ctx.audit(
        "enter_protocol",
        "protocol",
        protocol.id,
        before,
        {
            **_record(ctx.session, protocol),
            "entry_no": entry_no,
            "entry": data.as_json(),
            "violations": [v.name for v in violations],
            "differing_fields": list(differing),
        },
    )
    return _status(protocol, entry_no, violations, differing, unacknowledged)


def enter_protocols(ctx: Context, submissions: Sequence[Submission]) -> list[ProtocolStatus]:
    """Enter many protocols in one transaction: all or nothing.

    A refusal names the row (1-based) and the field; nothing of the batch is then written.
    """
    results: list[ProtocolStatus] = []
    for row, submission in enumerate(submissions, start=1):
        try:
            results.append(
                enter_protocol(ctx, submission.contest_id, submission.precinct_id, submission.data)
            )
        except (InvalidInput, Conflict) as exc:
            raise type(exc)(
                exc.code, f"row {row}: {exc.message}", field=exc.field, row=row, **exc.params
            ) from None
    return results


def resolve_protocol(
    ctx: Context,
    protocol_id: int,
    keep: int | None,
    acknowledge_warnings: Iterable[str] = (),
) -> ProtocolStatus:
    """The coordinator's decision on a protocol that is not definitive by itself.

    ``keep=None`` discards the entries (→ ``empty``, to be entered again); ``keep=1`` or ``2``
    keeps that entry (→ ``resolved`` → ``definitive``) if its control relations have no error and
    every warning is named in ``acknowledge_warnings`` (CL art. 43; decision #19). A kept entry with
    errors, or unacknowledged warnings, is a Conflict that changes nothing.
    """
    protocol = ctx.get(Protocol, protocol_id, "protocol")
    ctx.authorize(Action.RESOLVE_PROTOCOL, scope_for(ctx.session, precinct_id=protocol.precinct_id))
    if keep not in (None, 1, 2):
        raise InvalidInput(
            "invalid_keep",
            f"keep={keep!r}: keep entry 1 or 2, or none to discard both",
            field="keep",
        )
    acknowledged = _acknowledgements(acknowledge_warnings)
    state = protocol.state
    before = _record(ctx.session, protocol)
    if keep is None:
        if state not in (
            ProtocolState.FIRST_ENTRY,
            ProtocolState.SECOND_ENTRY,
            ProtocolState.ENTRIES_DIFFER,
        ):
            raise Conflict(
                "nothing_to_discard",
                f"protocol {protocol.id} is {state.value}: there are no pending entries to discard",
                field="keep",
                state=state.value,
            )
        _discard(ctx.session, protocol)
        ctx.audit(
            "discard_protocol_entries",
            "protocol",
            protocol.id,
            before,
            _record(ctx.session, protocol),
        )
        return _status(protocol, None, (), (), ())
    if state not in (
        ProtocolState.SECOND_ENTRY,
        ProtocolState.ENTRIES_DIFFER,
        ProtocolState.RESOLVED,
    ):
        raise Conflict(
            "nothing_to_resolve",
            f"protocol {protocol.id} is {state.value}: only a protocol with two entries is resolved",
            field="keep",
            state=state.value,
        )
    contest = ctx.get(Contest, protocol.contest_id, "contest")
    data = ProtocolData.from_json(_entry(ctx.session, protocol.id, keep).data)
    violations = check_protocol(
        law_protocol(data, protocol.precinct_id, contest.kind), election_rules(contest.election)
    )
    _require_acceptable(protocol, violations, acknowledged)
    if state is ProtocolState.ENTRIES_DIFFER:
        _move(protocol, ProtocolState.RESOLVED)
    _make_definitive(ctx, protocol, data, acknowledged)
    ctx.audit(
        "resolve_protocol",
        "protocol",
        protocol.id,
        before,
        {**_record(ctx.session, protocol), "kept_entry": keep},
    )
    return _status(protocol, keep, violations, (), ())


def correct_definitive(
    ctx: Context,
    protocol_id: int,
    data: ProtocolData,
    decision: str,
    acknowledge_warnings: Iterable[str] = (),
) -> ProtocolStatus:
    """Correct a definitive protocol by a recorded decision of the higher commission.

    The relations are checked again (errors refuse the correction, warnings must be acknowledged);
    the previous and the new figures are both kept, in the audit event's before/after, and the
    protocol's ``version`` counts the corrections (issue #3 §2.5; CL art. 43).
    """
    protocol = ctx.get(Protocol, protocol_id, "protocol")
    ctx.authorize(
        Action.CORRECT_DEFINITIVE_PROTOCOL,
        scope_for(ctx.session, precinct_id=protocol.precinct_id),
    )
    if not decision.strip():
        raise InvalidInput(
            "decision_required",
            "a definitive protocol is corrected only by a recorded decision of the higher "
            "commission: give its reference",
            field="decision",
        )
    acknowledged = _acknowledgements(acknowledge_warnings)
    contest = ctx.get(Contest, protocol.contest_id, "contest")
    precinct = ctx.get(Precinct, protocol.precinct_id, "precinct")
    violations = _validate(ctx.session, contest, precinct, data)
    if protocol.state is not ProtocolState.DEFINITIVE:
        raise Conflict(
            "not_definitive",
            f"protocol {protocol.id} is {protocol.state.value}: only a definitive protocol is "
            "corrected by decision; resolve its entries instead",
            field="protocol",
        )
    errors = _errors(violations)
    if errors:
        raise InvalidInput(
            "control_relation_errors",
            f"the corrected protocol breaks control relations: {', '.join(errors)} (CL art. 43)",
            field="data",
            relations=list(errors),
        )
    if definitive_data(ctx.session, protocol) == replace(data, valid=None, extra={}):
        raise Conflict(
            "no_change",
            f"the corrected figures equal protocol {protocol.id}'s definitive figures",
            field="data",
        )
    _require_acceptable(protocol, violations, acknowledged)
    before = _record(ctx.session, protocol)
    _move(protocol, ProtocolState.DEFINITIVE)
    _make_definitive(ctx, protocol, data, acknowledged)
    protocol.version += 1
    protocol.correction_decision = decision.strip()
    ctx.session.flush()
    ctx.audit(
        "correct_definitive_protocol",
        "protocol",
        protocol.id,
        before,
        {**_record(ctx.session, protocol), "decision": decision.strip(), "entry": data.as_json()},
    )
    return _status(protocol, None, violations, (), ())


def differing_fields(first: ProtocolData, second: ProtocolData) -> tuple[str, ...]:
    """The lines on which two entries differ, named as on the form (``votes[12]``, ``extra[x]``)."""
    names = [
        name for name in (*COUNT_FIELDS, "valid") if getattr(first, name) != getattr(second, name)
    ]
    for choice in sorted(set(first.votes) | set(second.votes)):
        if first.votes.get(choice) != second.votes.get(choice):
            names.append(f"votes[{choice}]")
    for line in sorted(set(first.extra) | set(second.extra)):
        if first.extra.get(line) != second.extra.get(line):
            names.append(f"extra[{line}]")
    return tuple(names)


def definitive_data(session: Session, protocol: Protocol) -> ProtocolData | None:
    """The definitive figures as entry data (``None`` before the protocol is definitive).

    The optional ``valid`` and ``extra`` lines have no columns: they stay in the entries and in the
    audit log, and are left out here.
    """
    if protocol.state is not ProtocolState.DEFINITIVE:
        return None
    votes = votes_of(session, protocol.id)
    return ProtocolData(
        voters_on_list=protocol.voters_on_list or 0,
        ballots_received=protocol.ballots_received or 0,
        ballots_issued=protocol.ballots_issued or 0,
        ballots_cancelled=protocol.ballots_cancelled or 0,
        ballots_in_boxes=protocol.ballots_in_boxes or 0,
        portable_box_ballots=protocol.portable_box_ballots or 0,
        portable_box_requests=protocol.portable_box_requests or 0,
        votes=votes,
        against_all=protocol.against_all or 0,
        invalid=protocol.invalid or 0,
        portable_box_invalidated=protocol.portable_box_invalidated or 0,
    )


def votes_of(session: Session, protocol_id: int) -> dict[int, int]:
    """The definitive votes of a protocol, by ballot choice id."""
    rows = session.execute(
        select(ProtocolVote.choice_id, ProtocolVote.votes).where(
            ProtocolVote.protocol_id == protocol_id
        )
    )
    return {choice: votes for choice, votes in rows}


# --- internals ---------------------------------------------------------------------------------


def _validate(
    session: Session, contest: Contest, precinct: Precinct, data: ProtocolData
) -> tuple[Violation, ...]:
    """Refuse malformed input; return every violated control relation (CL art. 43; dec. #19)."""
    in_territory = session.scalar(
        select(Precinct.id).where(
            Precinct.id == precinct.id, Precinct.id.in_(contest_precincts(contest))
        )
    )
    if in_territory is None:
        raise InvalidInput(
            "precinct_outside_contest",
            f"precinct {precinct.number} (id {precinct.id}) does not vote in contest {contest.id}",
            field="precinct_id",
        )
    choices = set(
        session.scalars(select(BallotChoice.id).where(BallotChoice.contest_id == contest.id))
    )
    if not choices:
        raise Conflict(
            "no_ballot",
            f"contest {contest.id} has no ballot lines yet: its ballot must be prepared first",
            field="contest_id",
        )
    for choice in sorted(data.votes):
        if choice not in choices:
            raise InvalidInput(
                "unknown_choice",
                f"votes[{choice}]: not a line of contest {contest.id}'s ballot "
                f"(lines: {sorted(choices)})",
                field=f"votes[{choice}]",
            )
    missing = sorted(choices - set(data.votes))
    if missing:
        raise InvalidInput(
            "missing_choice",
            f"votes[{missing[0]}] is missing: the protocol gives the votes of every ballot line "
            f"(CL art. 43 para 4-1(2)); missing: {missing}",
            field=f"votes[{missing[0]}]",
        )
    rules = election_rules(contest.election)
    return check_protocol(law_protocol(data, precinct.id, contest.kind), rules)


def _require_counting_started(ctx: Context, contest: Contest, precinct: Precinct) -> None:
    """Protocols exist only once counting has started, after polling closes (CL art. 43)."""
    calendar = election_calendar_for(
        ctx.session, contest.election, precinct.region_id, contest.kind.body
    )
    require_after(
        ctx, calendar, "counting_starts", "entering a protocol", code="counting_not_started"
    )


def _protocol_for_update(session: Session, contest_id: int, precinct_id: int) -> Protocol | None:
    return session.execute(
        select(Protocol)
        .where(Protocol.contest_id == contest_id, Protocol.precinct_id == precinct_id)
        .with_for_update()
    ).scalar_one_or_none()


def _new_protocol(session: Session, contest: Contest, precinct: Precinct) -> Protocol:
    """The protocol row, created at its first entry; a simultaneous first entry by someone else
    (the unique contest × precinct key) is a Conflict: the entry is then simply submitted again."""
    protocol = Protocol(contest_id=contest.id, precinct_id=precinct.id, version=0)
    protocol.state = ProtocolState.EMPTY
    protocol.acknowledged_warnings = []
    session.add(protocol)
    try:
        session.flush()
    except IntegrityError:  # the transaction is rolled back as the Conflict leaves execute()
        raise Conflict(
            "concurrent_entry",
            f"another entry of the protocol of contest {contest.id} at precinct {precinct.number} "
            "was saved at the same moment; submit this entry again",
            field="protocol",
        ) from None
    return protocol


def check_entry(
    session: Session, contest_id: int, precinct_id: int, data: ProtocolData
) -> tuple[Violation, ...]:
    """Every control relation ``data`` violates, without saving anything: the live check of a
    form being typed (CL art. 43; decision #19). Malformed input is refused as on entry."""
    contest = fetch(session, Contest, contest_id, "contest")
    precinct = fetch(session, Precinct, precinct_id, "precinct")
    return _validate(session, contest, precinct, data)


def _entry(session: Session, protocol_id: int, entry_no: int) -> ProtocolEntry:
    entry = session.execute(
        select(ProtocolEntry).where(
            ProtocolEntry.protocol_id == protocol_id, ProtocolEntry.entry_no == entry_no
        )
    ).scalar_one_or_none()
    if entry is None:
        raise Conflict(
            "no_such_entry",
            f"protocol {protocol_id} has no entry {entry_no}",
            field="keep",
        )
    return entry


def _move(protocol: Protocol, target: ProtocolState) -> None:
    require_transition("protocol", PROTOCOL_TRANSITIONS, protocol.state, target)
    protocol.state = target


def _discard(session: Session, protocol: Protocol) -> None:
    """Back to ``empty``: the entries are deleted (they remain in the audit log's ``before``)."""
    _move(protocol, ProtocolState.EMPTY)
    session.execute(delete(ProtocolEntry).where(ProtocolEntry.protocol_id == protocol.id))
    protocol.acknowledged_warnings = []
    session.flush()
    session.expire(protocol, ["entries"])


def _acknowledgements(names: Iterable[str]) -> tuple[str, ...]:
    result: list[str] = []
    for name in names:
        relation = RELATIONS_BY_NAME.get(name)
        if relation is None or relation.severity is not Severity.WARNING:
            known = sorted(
                r.name for r in RELATIONS_BY_NAME.values() if r.severity is Severity.WARNING
            )
            raise InvalidInput(
                "unknown_warning",
                f"acknowledge_warnings: {name!r} is not a warning of the protocol's control "
                f"relations (decision #19); warnings: {known}",
                field="acknowledge_warnings",
            )
        if name not in result:
            result.append(name)
    return tuple(result)


def _errors(violations: tuple[Violation, ...]) -> tuple[str, ...]:
    return tuple(v.name for v in violations if v.severity is Severity.ERROR)


def _warnings(violations: tuple[Violation, ...]) -> tuple[str, ...]:
    return tuple(v.name for v in violations if v.severity is Severity.WARNING)


def _require_acceptable(
    protocol: Protocol, violations: tuple[Violation, ...], acknowledged: tuple[str, ...]
) -> None:
    errors = _errors(violations)
    if errors:
        raise Conflict(
            "control_relation_errors",
            f"protocol {protocol.id} breaks control relations: {', '.join(errors)} (CL art. 43; "
            "decision #19); errors block: keep the other entry, or discard and enter it again",
            field="keep",
            relations=list(errors),
        )
    pending = [w for w in _warnings(violations) if w not in acknowledged]
    if pending:
        raise Conflict(
            "warnings_not_acknowledged",
            f"protocol {protocol.id} has warnings the coordinator must acknowledge: "
            f"{', '.join(pending)}",
            field="acknowledge_warnings",
            warnings=pending,
        )


def _make_definitive(
    ctx: Context, protocol: Protocol, data: ProtocolData, acknowledged: tuple[str, ...]
) -> None:
    """Write the definitive figures: the Protocol columns and one ProtocolVote per ballot line."""
    if protocol.state is not ProtocolState.DEFINITIVE:
        _move(protocol, ProtocolState.DEFINITIVE)
    for name in COUNT_FIELDS:
        setattr(protocol, name, getattr(data, name))
    protocol.acknowledged_warnings = list(acknowledged)
    protocol.definitive_at = ctx.now
    ctx.session.execute(delete(ProtocolVote).where(ProtocolVote.protocol_id == protocol.id))
    ctx.session.add_all(
        ProtocolVote(
            protocol_id=protocol.id, choice_id=choice, contest_id=protocol.contest_id, votes=votes
        )
        for choice, votes in sorted(data.votes.items())
    )
    ctx.session.flush()
    ctx.session.expire(protocol, ["votes"])
    # The contest's subscribers are told, by an outbox row of this same transaction.
    enqueue(ctx.session, [protocol.contest_id], SubscriptionEvent.PROTOCOL_DEFINITIVE, ctx.now)


def _record(session: Session, protocol: Protocol) -> dict[str, Any]:
    """The protocol's columns and, once definitive, its votes: the before/after of an event."""
    record = snapshot(protocol)
    if protocol.state is ProtocolState.DEFINITIVE:
        votes = votes_of(session, protocol.id)
        record["votes"] = {str(choice): n for choice, n in sorted(votes.items())}
    return record


def _status(
    protocol: Protocol,
    entry_no: int | None,
    violations: tuple[Violation, ...],
    differing: tuple[str, ...],
    unacknowledged: tuple[str, ...],
) -> ProtocolStatus:
    return ProtocolStatus(
        protocol_id=protocol.id,
        contest_id=protocol.contest_id,
        precinct_id=protocol.precinct_id,
        state=protocol.state,
        version=protocol.version,
        entry_no=entry_no,
        violations=violations,
        differing_fields=differing,
        unacknowledged=unacknowledged,
    )


def violation_document(v: Violation) -> dict[str, Any]:
    """A violation as JSON (for the CLI and the web)."""
    return {
        "name": v.name,
        "severity": v.severity.value,
        "relation": v.relation,
        "left": v.left,
        "right": v.right,
        "article": v.article,
        "note": v.note,
    }


def status_document(status: ProtocolStatus) -> dict[str, Any]:
    """A :class:`ProtocolStatus` as JSON."""
    return {
        "protocol_id": status.protocol_id,
        "contest_id": status.contest_id,
        "precinct_id": status.precinct_id,
        "state": status.state.value,
        "version": status.version,
        "entry_no": status.entry_no,
        "violations": [violation_document(v) for v in status.violations],
        "errors": list(status.errors),
        "warnings": list(status.warnings),
        "unacknowledged_warnings": list(status.unacknowledged),
        "differing_fields": list(status.differing_fields),
    }


__all__ = [
    "COUNT_FIELDS",
    "ProtocolData",
    "ProtocolStatus",
    "Submission",
    "check_entry",
    "contest_precincts",
    "correct_definitive",
    "definitive_data",
    "differing_fields",
    "enter_protocol",
    "enter_protocols",
    "resolve_protocol",
    "status_document",
    "violation_document",
]
