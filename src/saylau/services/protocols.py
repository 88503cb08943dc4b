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

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    column,
    delete,
    inspect,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from saylau.domain.roles import Action
from saylau.domain.states import PROTOCOL_TRANSITIONS, ProtocolState, require_transition
from saylau.law.bodies import ContestKind
from saylau.law.calendar import Calendar
from saylau.law.errors import LawInputError
from saylau.law.protocol import (
    RELATIONS_BY_NAME,
    PrecinctProtocol,
    Severity,
    Violation,
    check_protocol,
)
from saylau.law.rules import RuleSet
from saylau.services import approvals
from saylau.services.audit import normalise
from saylau.services.context import Context, Scope, fetch, scope_for
from saylau.services.deadlines import election_calendar_for, election_rules, require_after
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied, law_input
from saylau.services.gcpause import paused
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
from saylau.storage.models.outcome import TabulationPending
from saylau.storage.plainrows import PlainRows, PlainSelect

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

MAX_COUNT = 2**31 - 1
"""The largest count a protocol line holds (the stored column's range on both databases)."""
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
        return {  # COUNT_FIELDS, in their order, then the optional lines
            "voters_on_list": self.voters_on_list,
            "ballots_received": self.ballots_received,
            "ballots_issued": self.ballots_issued,
            "ballots_cancelled": self.ballots_cancelled,
            "ballots_in_boxes": self.ballots_in_boxes,
            "portable_box_ballots": self.portable_box_ballots,
            "portable_box_requests": self.portable_box_requests,
            "against_all": self.against_all,
            "invalid": self.invalid,
            "portable_box_invalidated": self.portable_box_invalidated,
            "valid": self.valid,
            "votes": {str(k): v for k, v in sorted(self.votes.items())},
            "extra": dict(sorted(self.extra.items())),
        }

    @classmethod
    def stored(cls, document: Mapping[str, Any]) -> ProtocolData:
        """An entry as this module stored it (:meth:`as_json` of figures :meth:`from_json` or
        the caller's types had checked when entered): read back without checking it again."""
        return cls(
            voters_on_list=document["voters_on_list"],
            ballots_received=document["ballots_received"],
            ballots_issued=document["ballots_issued"],
            ballots_cancelled=document["ballots_cancelled"],
            ballots_in_boxes=document["ballots_in_boxes"],
            portable_box_ballots=document["portable_box_ballots"],
            portable_box_requests=document["portable_box_requests"],
            votes={int(k): v for k, v in document["votes"].items()},
            against_all=document["against_all"],
            invalid=document["invalid"],
            portable_box_invalidated=document.get("portable_box_invalidated", 0),
            valid=document.get("valid"),
            extra=dict(document.get("extra") or {}),
        )

    @classmethod
    def from_json(cls, document: Mapping[str, Any], where: str = "") -> ProtocolData:
        """Read an entry document (JSON/CSV import or a stored entry); every count a whole number.

        ``where`` prefixes field names in messages (e.g. ``row 3: ``), so that a bulk import names
        the row and the field.
        """
        if not isinstance(document, Mapping):
            raise InvalidInput(
                "invalid_document",
                f"{where}a protocol is an object of its lines, not {type(document).__name__}",
                field="protocol",
            )
        unknown = sorted(str(k) for k in set(document) - _DOCUMENT_KEYS)
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
                if not 1 <= choice <= MAX_COUNT or choice in votes:
                    raise ValueError(key)  # no such id can be stored, or given twice ("1", "01")
            except (TypeError, ValueError):
                raise InvalidInput(
                    "invalid_choice",
                    f"{where}votes[{key!r}]: a ballot choice id is a whole number from 1 to "
                    f"{MAX_COUNT}, given once",
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
    if value > MAX_COUNT:
        raise InvalidInput(
            "invalid_count",
            f"{where}{name}: a count is at most {MAX_COUNT} (the stored range)",
            field=name,
            value=MAX_COUNT,
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
    return _enter(ctx, [Submission(contest_id, precinct_id, data)], numbered=False)[0][0]


def enter_protocols(ctx: Context, submissions: Sequence[Submission]) -> list[ProtocolStatus]:
    """Enter many protocols in one transaction: all or nothing.

    The outcome is exactly that of :func:`enter_protocol` called for each row in order (states,
    entries, definitive figures, audit events, outbox rows, refusals), but set-based: the batch
    is read and written in a few statements, whatever its size (issue #8, B1). A refusal names
    the row (1-based) and the field; nothing of the batch is then written.
    """
    return _enter(ctx, submissions, numbered=True)[0]


@dataclass(frozen=True)
class ImportedBatch:
    """What one batch of a resumable import did: the rows it entered, and how many rows were
    already recorded (the same figures, entered by the same user) and so left as they were."""

    statuses: list[ProtocolStatus]
    recorded: int


def import_protocols(
    ctx: Context, submissions: Sequence[Submission], *, first_row: int = 1
) -> ImportedBatch:
    """One batch of a resumable, idempotent bulk import (issue #9 §5), in one transaction.

    As :func:`enter_protocols`, except that a row whose protocol already holds an entry by the
    acting user with exactly these figures is a no-op (nothing written, not even an audit event)
    instead of a ``same_typist`` / ``entries_complete`` refusal: a file imported again, or again
    after a crash part-way (its earlier batches committed), continues where it stopped and never
    records an entry twice. Authorisation, validation and the counting-started check still apply
    to every row. A refusal names the row counted from ``first_row`` (the batch's place in the
    file); nothing of the batch is then written.
    """
    statuses, recorded = _enter(ctx, submissions, numbered=True, first_row=first_row, resume=True)
    return ImportedBatch(statuses, recorded)


Key = tuple[int, int]
"""A protocol's natural key: (contest id, precinct id)."""

_CHUNK = 500
"""Ids per ``IN (…)`` list: well within SQLite's and PostgreSQL's bound-parameter limits."""


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    return (items[start : start + size] for start in range(0, len(items), size))


@cache
def _columns() -> tuple[str, ...]:
    """The Protocol columns, in mapper order (the keys of an audit ``before``/``after``)."""
    return tuple(attr.key for attr in inspect(Protocol).column_attrs)


@cache
def _odd_columns() -> tuple[str, ...]:
    """The Protocol columns whose values are not held as plain text or numbers (its state, a
    time, a JSON list): the only ones :func:`_record_of` converts. A number or text column holds
    nothing else; if it ever did, the audit log's encoder would write it as :func:`normalise`
    would (the same ``_plain`` conversions), so the event's text would not change."""
    odd = []
    for attr in inspect(Protocol).column_attrs:
        try:
            kind = attr.columns[0].type.python_type
        except NotImplementedError:
            kind = object
        if kind not in (int, str):
            odd.append(attr.key)
    return tuple(odd)


class _PrecinctRow(NamedTuple):
    """The columns of a precinct that entering a protocol reads (no ORM object per precinct)."""

    id: int
    number: int
    region_id: int
    unit_id: int | None


_PRECINCT_COLUMNS = (Precinct.id, Precinct.number, Precinct.region_id, Precinct.unit_id)


class _Lookup:
    """Everything validating entries reads, loaded for a whole batch in a few statements: the
    contests (with body and election), the precincts, each contest's ballot lines and which of
    the batch's precincts vote in which contest (:func:`contest_precincts`)."""

    def __init__(self, session: Session, keys: Iterable[Key]) -> None:
        self.session = session
        wanted = sorted(set(keys))
        wanted_set = set(wanted)
        contest_ids = sorted({c for c, _ in wanted})
        precinct_ids = sorted({p for _, p in wanted})
        self.contests: dict[int, Contest] = {}
        self.choices: dict[int, set[int]] = defaultdict(set)
        for chunk in _chunks(contest_ids):
            self.contests.update(
                (c.id, c)
                for c in session.scalars(
                    select(Contest)
                    .where(Contest.id.in_(chunk))
                    .options(selectinload(Contest.body), selectinload(Contest.election))
                )
            )
            for contest_id, choice_id in session.execute(
                select(BallotChoice.contest_id, BallotChoice.id).where(
                    BallotChoice.contest_id.in_(chunk)
                )
            ):
                self.choices[contest_id].add(choice_id)
        self.precincts: dict[int, _PrecinctRow] = {}
        for chunk in _chunks(precinct_ids):
            self.precincts.update(
                (int(row[0]), _PrecinctRow(*row))
                for row in session.execute(select(*_PRECINCT_COLUMNS).where(Precinct.id.in_(chunk)))
            )
        by_contest: dict[int, list[int]] = defaultdict(list)
        for contest_id, precinct_id in wanted:
            if contest_id in self.contests and precinct_id in self.precincts:
                by_contest[contest_id].append(precinct_id)
        self.territory: set[Key] = set()
        districts = {c for c in by_contest if self.contests[c].district_id is not None}
        for chunk in _chunks(precinct_ids) if districts else ():
            # contest_precincts() of every single-member contest of the batch, in one statement:
            # the districts of the batch's precincts, by the precinct index, the batch's own
            # contests kept here (with ``contest.id IN (…)`` too, SQLite probed every contest ×
            # precinct pair of the lists)
            self.territory.update(
                (int(c), int(p))
                for c, p in session.execute(
                    select(Contest.id, DistrictPrecinct.precinct_id)
                    .join(DistrictPrecinct, DistrictPrecinct.district_id == Contest.district_id)
                    .where(DistrictPrecinct.precinct_id.in_(chunk))
                )
                if (c, p) in wanted_set and c in districts
            )
        queries: list[Select[int, int]] = [
            select(literal(contest_id), Precinct.id).where(
                Precinct.id.in_(ids), Precinct.id.in_(contest_precincts(self.contests[contest_id]))
            )
            for contest_id, ids in sorted(by_contest.items())
            if self.contests[contest_id].district_id is None
        ]
        for group in _chunks(queries, 50):
            statement: Any = group[0] if len(group) == 1 else union_all(*group)
            self.territory.update((int(c), int(p)) for c, p in session.execute(statement))
        self._rules: dict[str, RuleSet] = {}
        self._calendars: dict[tuple[int, int, Any], Calendar] = {}
        self._authorized: set[int] = set()
        self._counting: set[tuple[int, int, Any]] = set()
        self._counting_at: set[tuple[int, int]] = set()
        """(contest, region) pairs of :attr:`_counting`'s keys, checked without reading the
        contest's election and body again."""

    def contest(self, contest_id: int) -> Contest:
        found = self.contests.get(contest_id)
        return found if found is not None else fetch(self.session, Contest, contest_id, "contest")

    def precinct(self, precinct_id: int) -> _PrecinctRow:
        found = self.precincts.get(precinct_id)
        if found is None:
            p = fetch(self.session, Precinct, precinct_id, "precinct")
            found = self.precincts[p.id] = _PrecinctRow(p.id, p.number, p.region_id, p.unit_id)
        return found

    def authorize(self, ctx: Context, precinct: _PrecinctRow) -> None:
        """ENTER_PROTOCOL at ``precinct`` (its unit and region: :func:`scope_for`), checked once
        per precinct of the batch: the answer depends only on the actor and the precinct."""
        if precinct.id in self._authorized:
            return
        scope = Scope(
            region_id=precinct.region_id, unit_id=precinct.unit_id, precinct_id=precinct.id
        )
        ctx.authorize(Action.ENTER_PROTOCOL, scope)
        self._authorized.add(precinct.id)

    def validate(
        self, contest: Contest, precinct: _PrecinctRow, data: ProtocolData
    ) -> tuple[Violation, ...]:
        """Refuse malformed input; return every violated control relation (CL art. 43; dec.
        #19)."""
        if (contest.id, precinct.id) not in self.territory:
            raise InvalidInput(
                "precinct_outside_contest",
                f"precinct {precinct.number} (id {precinct.id}) does not vote in contest "
                f"{contest.id}",
                field="precinct_id",
            )
        choices = self.choices.get(contest.id)
        if not choices:
            raise Conflict(
                "no_ballot",
                f"contest {contest.id} has no ballot lines yet: its ballot must be prepared first",
                field="contest_id",
            )
        if not choices.issuperset(data.votes):
            for choice in sorted(data.votes):
                if choice not in choices:
                    raise InvalidInput(
                        "unknown_choice",
                        f"votes[{choice}]: not a line of contest {contest.id}'s ballot "
                        f"(lines: {sorted(choices)})",
                        field=f"votes[{choice}]",
                    )
        # Every line given is a ballot line: one is missing exactly when fewer are given.
        if len(data.votes) != len(choices):
            missing = sorted(choices - set(data.votes))
            raise InvalidInput(
                "missing_choice",
                f"votes[{missing[0]}] is missing: the protocol gives the votes of every ballot "
                f"line (CL art. 43 para 4-1(2)); missing: {missing}",
                field=f"votes[{missing[0]}]",
            )
        return check_protocol(law_protocol(data, precinct.id, contest.kind), self.rules(contest))

    def rules(self, contest: Contest) -> RuleSet:
        election = contest.election
        if election.rules not in self._rules:
            self._rules[election.rules] = election_rules(election)
        return self._rules[election.rules]

    def require_counting_started(
        self, ctx: Context, contest: Contest, precinct: _PrecinctRow
    ) -> None:
        """Protocols exist only once counting has started, after polling closes (CL art. 43):
        checked once per election, region and body of the batch (``ctx.now`` is fixed)."""
        if (contest.id, precinct.region_id) in self._counting_at:
            return
        key = (contest.election_id, precinct.region_id, contest.kind.body)
        if key in self._counting:
            self._counting_at.add((contest.id, precinct.region_id))
            return
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = election_calendar_for(
                ctx.session, contest.election, precinct.region_id, contest.kind.body
            )
            self._calendars[key] = calendar
        require_after(
            ctx, calendar, "counting_starts", "entering a protocol", code="counting_not_started"
        )
        self._counting.add(key)
        self._counting_at.add((contest.id, precinct.region_id))


_READ = 512
"""Keys per read of :func:`_protocols_of` / :func:`_first_entries_of` (a power of two)."""


def _padded(chunk: Sequence[Any]) -> Sequence[Any]:
    """``chunk`` (at most :data:`_READ` items) padded to a power of two by repeating its last
    item, so that a read's statement is one of ten sizes, each compiled once: a repeated key
    finds the same row again, which the reader keeps once."""
    size = 1
    while size < len(chunk):
        size *= 2
    return [*chunk, *[chunk[-1]] * (size - len(chunk))]


@cache
def _protocols_of(
    size: int, names: tuple[str, ...] | None = None, *, lock: bool = True
) -> PlainSelect:
    """The protocols of ``size`` (contest, precinct) keys, the columns ``names`` (default:
    every column), read ``FOR UPDATE`` unless not ``lock``: parameters ``c0, p0, c1, p1, …``. The keys are a table (``WITH wanted AS (VALUES (:c0,
    :p0), …)``, columns ``column1``, ``column2`` on SQLite and PostgreSQL alike) joined on the
    unique index, one probe per key: SQLite scans the whole index for ``(contest_id,
    precinct_id) IN (VALUES …)``, which grows with the database."""
    rows = ", ".join(f"(:c{n}, :p{n})" for n in range(size))
    wanted = (
        text(f"VALUES {rows}")
        .columns(column("column1", Integer), column("column2", Integer))
        .cte("wanted")
    )
    statement = select(*[getattr(Protocol, name) for name in names or _columns()]).join_from(
        wanted,
        Protocol,
        and_(Protocol.contest_id == wanted.c.column1, Protocol.precinct_id == wanted.c.column2),
    )
    if lock:
        statement = statement.with_for_update(of=Protocol)
    return PlainSelect(statement, [f"{kind}{n}" for n in range(size) for kind in ("c", "p")])


@cache
def _first_entries_of(size: int) -> PlainSelect:
    """The entries (protocol, typist, document) numbered ``entry_no`` of ``size`` protocols, by
    id (parameters ``entry_no, i0, i1, …``)."""
    ids = [bindparam(f"i{n}", type_=Integer()) for n in range(size)]
    statement = select(
        ProtocolEntry.protocol_id, ProtocolEntry.typist_id, ProtocolEntry.data
    ).where(
        ProtocolEntry.protocol_id.in_(ids),
        ProtocolEntry.entry_no == bindparam("entry_no", type_=Integer()),
    )
    return PlainSelect(statement, ["entry_no", *[f"i{n}" for n in range(size)]])


class _Book:
    """The protocols a batch touches, as column values: the stored ones (read ``FOR UPDATE``
    in one statement, with their first entries) and those the batch creates (inserted when
    written, or earlier when a refusal has to name a new protocol's id). ``mine``: the entries
    the user ``mine`` (a resumed import's typist) has recorded in them, as stored documents."""

    def __init__(self, session: Session, keys: Iterable[Key], *, mine: int | None = None) -> None:
        self.session = session
        self.rows: dict[Key, dict[str, Any]] = {}
        self.new: list[Key] = []
        self.numbers: dict[Key, int] = {}
        self.first: dict[Key, tuple[int, ProtocolData] | None] = {}
        self.mine: dict[Key, list[dict[str, Any]]] = defaultdict(list)
        names = _columns()
        wanted = sorted(set(keys))
        for chunk in _chunks(wanted, _READ):
            padded = _padded(chunk)
            for found in _protocols_of(len(padded)).rows(
                session, [number for key in padded for number in key]
            ):
                values = dict(zip(names, found, strict=True))
                self.rows[(values["contest_id"], values["precinct_id"])] = values
        waiting = {
            values["id"]: key
            for key, values in self.rows.items()
            if values["state"] is ProtocolState.FIRST_ENTRY
        }
        for chunk in _chunks(sorted(waiting), _READ):
            padded = _padded(chunk)
            for protocol_id, typist_id, data in _first_entries_of(len(padded)).rows(
                session, [1, *padded]
            ):
                self.first[waiting[protocol_id]] = (typist_id, ProtocolData.stored(data))
        if mine is None:
            return
        stored = {values["id"]: key for key, values in self.rows.items()}
        for chunk in _chunks(sorted(stored)):
            for protocol_id, data in session.execute(
                select(ProtocolEntry.protocol_id, ProtocolEntry.data).where(
                    ProtocolEntry.protocol_id.in_(chunk), ProtocolEntry.typist_id == mine
                )
            ):
                self.mine[stored[protocol_id]].append(ProtocolData.stored(data).as_json())

    def create(self, key: Key, number: int) -> dict[str, Any]:
        """A new protocol, ``empty`` until its first entry (created at its first entry) at the
        precinct numbered ``number``."""
        self.numbers[key] = number
        values: dict[str, Any] = dict.fromkeys(_columns())
        values.update(
            contest_id=key[0],
            precinct_id=key[1],
            state=ProtocolState.EMPTY,
            version=0,
            acknowledged_warnings=[],
        )
        self.rows[key] = values
        self.new.append(key)
        return values

    def first_entry(self, key: Key) -> tuple[int, ProtocolData]:
        found = self.first.get(key)
        if found is None:
            raise Conflict(
                "no_such_entry", f"protocol {self.id_of(key)} has no entry 1", field="keep"
            )
        return found

    def id_of(self, key: Key) -> int:
        if self.rows[key]["id"] is None:
            self.insert_new()
        return int(self.rows[key]["id"])

    def insert_new(self) -> None:
        """Insert the batch's new protocols (in row order, as one by one would); a simultaneous
        first entry by someone else (the unique contest × precinct key) is a Conflict: the
        entries are then simply submitted again."""
        todo = [key for key in self.new if self.rows[key]["id"] is None]
        if not todo:
            return
        try:
            # One executemany, then the new ids by their natural key (unique): SQLite cannot
            # return the ids of a multi-row insert in parameter order, so RETURNING would insert
            # row by row.
            _INSERT_PROTOCOL.run(
                self.session,
                [
                    (
                        key[0],
                        key[1],
                        values["state"],
                        values["version"],
                        values["acknowledged_warnings"],
                    )
                    for key in todo
                    for values in (self.rows[key],)
                ],
            )
        except IntegrityError:  # the transaction is rolled back as the Conflict leaves execute()
            raise Conflict(
                "concurrent_entry",
                f"another entry of the protocol of contest {todo[0][0]} at precinct "
                f"{self.numbers[todo[0]]} was saved at the same moment; submit this entry again",
                field="protocol",
            ) from None
        # By their keys (unique), as the book reads the stored protocols.
        for chunk in _chunks(todo, _READ):
            padded = _padded(chunk)
            for protocol_id, contest_id, precinct_id in _protocols_of(
                len(padded), ("id", "contest_id", "precinct_id"), lock=False
            ).rows(self.session, [number for key in padded for number in key]):
                self.rows[(contest_id, precinct_id)]["id"] = protocol_id


@dataclass
class _Step:
    """One row of a batch, decided: what the entry does to its protocol."""

    key: Key
    before: dict[str, Any]
    entry_no: int
    data: ProtocolData
    violations: tuple[Violation, ...]
    differing: tuple[str, ...]
    unacknowledged: tuple[str, ...]
    definitive: bool


def _enter(
    ctx: Context,
    submissions: Sequence[Submission],
    *,
    numbered: bool,
    first_row: int = 1,
    resume: bool = False,
) -> tuple[list[ProtocolStatus], int]:
    """Decide every row in order against the batch's state in memory (the checks and refusals
    of one entry, in the same order), then write the batch. With ``resume``, rows the acting
    user has already recorded with the same figures are skipped (their number is returned).
    The cyclic garbage collector is paused meanwhile (:mod:`saylau.services.gcpause`)."""
    with paused():
        return _enter_batch(ctx, submissions, numbered=numbered, first_row=first_row, resume=resume)


def _enter_batch(
    ctx: Context,
    submissions: Sequence[Submission],
    *,
    numbered: bool,
    first_row: int,
    resume: bool,
) -> tuple[list[ProtocolStatus], int]:
    keys = [(s.contest_id, s.precinct_id) for s in submissions]
    lookup = _Lookup(ctx.session, keys)
    book = _Book(ctx.session, keys, mine=ctx.actor.user_id if resume else None)
    steps: list[_Step] = []
    recorded = 0
    for row, submission in enumerate(submissions, start=first_row):
        try:
            step = _decide(ctx, lookup, book, submission, resume=resume)
        except (InvalidInput, Conflict) as exc:
            if not numbered:
                raise
            raise type(exc)(
                exc.code, f"row {row}: {exc.message}", field=exc.field, row=row, **exc.params
            ) from None
        if step is None:
            recorded += 1
        else:
            steps.append(step)
    return _write(ctx, book, steps), recorded


def _decide(
    ctx: Context, lookup: _Lookup, book: _Book, submission: Submission, *, resume: bool = False
) -> _Step | None:
    """One entry (first or second) of one protocol: checked, and applied to the book; None when
    ``resume`` and the acting user has already recorded these very figures for the protocol."""
    data = submission.data
    contest = lookup.contest(submission.contest_id)
    precinct = lookup.precinct(submission.precinct_id)
    lookup.authorize(ctx, precinct)
    violations = lookup.validate(contest, precinct, data)
    lookup.require_counting_started(ctx, contest, precinct)
    key = (contest.id, precinct.id)
    if resume and data.as_json() in book.mine.get(key, ()):
        return None
    current = book.rows.get(key)
    state = current["state"] if current is not None else ProtocolState.EMPTY
    if state is ProtocolState.DEFINITIVE:
        raise Conflict(
            "protocol_definitive",
            f"protocol {book.id_of(key)} of contest {contest.id} at precinct {precinct.number} "
            "is definitive; only a recorded decision of the higher commission may correct it",
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
    if current is None:
        current = book.create(key, precinct.number)
    before = dict(current)
    differing: tuple[str, ...] = ()
    unacknowledged: tuple[str, ...] = ()
    definitive = False
    if resume:  # read only by a resumed import's later rows of the same protocol
        book.mine[key].append(data.as_json())
    if state is ProtocolState.EMPTY:
        _move_values(current, ProtocolState.FIRST_ENTRY)
        book.first[key] = (typist, data)
        entry_no = 1
    else:
        first_typist, first_data = book.first_entry(key)
        if first_typist == typist:
            raise PermissionDenied(
                "same_typist",
                f"{ctx.actor.username} made the first entry of protocol {book.id_of(key)}; the "
                "second entry must be made by a different user (four-eyes principle)",
                action=Action.ENTER_PROTOCOL.value,
            )
        _move_values(current, ProtocolState.SECOND_ENTRY)
        entry_no = 2
        differing = differing_fields(first_data, data)
        if differing:
            _move_values(current, ProtocolState.ENTRIES_DIFFER)
        elif not _errors(violations):
            unacknowledged = _warnings(violations)
            definitive = not unacknowledged
            if definitive:
                _move_values(current, ProtocolState.DEFINITIVE)
                current.update(_definitive_values(data, (), ctx.now))
    return _Step(key, before, entry_no, data, violations, differing, unacknowledged, definitive)


_PROTOCOLS = Protocol.__table__
_UPDATE_STATE = PlainRows(
    update(_PROTOCOLS)  # type: ignore[arg-type]
    .where(_PROTOCOLS.c.id == bindparam("b_id"))
    .values(state=bindparam("state")),
    ("b_id", "state"),
)
"""A protocol's state, by id: a driver-level executemany of plain rows (no ORM bulk update)."""
_UPDATE_DEFINITIVE = PlainRows(
    update(_PROTOCOLS)  # type: ignore[arg-type]
    .where(_PROTOCOLS.c.id == bindparam("b_id"))
    .values(
        {
            name: bindparam(name, type_=_PROTOCOLS.c[name].type)
            for name in (*COUNT_FIELDS, "acknowledged_warnings", "state", "definitive_at")
        }
    ),
    ("b_id", *COUNT_FIELDS, "acknowledged_warnings"),
    ("state", "definitive_at"),
)
"""A definitive protocol's columns (:func:`_definitive_values`), by id, the same way."""
_INSERT_PROTOCOL = PlainRows.insert(
    _PROTOCOLS,  # type: ignore[arg-type]
    ("contest_id", "precinct_id", "state", "version", "acknowledged_warnings"),
)
"""A new protocol (:meth:`_Book.create`): its key, state, version, accepted warnings."""
_INSERT_ENTRY = PlainRows.insert(
    ProtocolEntry.__table__,  # type: ignore[arg-type]
    ("protocol_id", "entry_no", "data"),
    ("typist_id", "entered_at"),
)
"""A protocol entry; the typist and time are the call's."""
_INSERT_VOTE = PlainRows.insert(
    ProtocolVote.__table__,  # type: ignore[arg-type]
    ("protocol_id", "choice_id", "contest_id", "votes"),
)
_INSERT_PENDING = PlainRows.insert(
    TabulationPending.__table__,  # type: ignore[arg-type]
    ("contest_id", "precinct_id"),
)


def _write(ctx: Context, book: _Book, steps: Sequence[_Step]) -> list[ProtocolStatus]:
    """Write a decided batch: new protocols, states, entries, definitive figures, one audit
    event per entry — each a single multi-row Core statement of plain rows (SQLAlchemy
    ``insertmanyvalues`` / executemany), no ORM object or ORM bulk machinery per row."""
    session = ctx.session
    book.insert_new()
    made_new = set(book.new)
    moved = [
        (book.rows[s.key]["id"], book.rows[s.key]["state"])
        for s in steps
        if not s.definitive and s.key not in made_new
    ]
    _UPDATE_STATE.run(session, moved)
    typist = ctx.actor.user_id
    documents = [s.data.as_json() for s in steps]
    _INSERT_ENTRY.run(
        session,
        [
            (book.rows[s.key]["id"], s.entry_no, document)
            for s, document in zip(steps, documents, strict=True)
        ],
        (typist, ctx.now),
    )
    _make_definitive(
        ctx,
        [
            _Definitive(
                book.rows[s.key]["id"], s.key[0], s.key[1], ProtocolState.SECOND_ENTRY, s.data, ()
            )
            for s in steps
            if s.definitive
        ],
    )
    events = []
    for step, document in zip(steps, documents, strict=True):
        after = book.rows[step.key]
        step.before["id"] = after["id"]
        events.append(
            (
                after["id"],
                _record_of(step.before, None),
                {
                    **_record_of(after, step.data.votes),
                    "entry_no": step.entry_no,
                    "entry": document,
                    "violations": [v.name for v in step.violations],
                    "differing_fields": list(step.differing),
                },
            )
        )
    ctx.audit_many("enter_protocol", "protocol", events, text_keyed=True)
    _expire(session, [book.rows[s.key]["id"] for s in steps])
    return [
        _status(book.rows[s.key], s.entry_no, s.violations, s.differing, s.unacknowledged)
        for s in steps
    ]


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
    protocol = _locked(ctx, protocol_id)
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
        return _status(_values(protocol), None, (), (), ())
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
    _make_protocol_definitive(ctx, protocol, data, acknowledged)
    ctx.audit(
        "resolve_protocol",
        "protocol",
        protocol.id,
        before,
        {**_record(ctx.session, protocol), "kept_entry": keep},
    )
    return _status(_values(protocol), keep, violations, (), ())


def correct_definitive(
    ctx: Context,
    protocol_id: int,
    data: ProtocolData,
    decision: str,
    acknowledge_warnings: Iterable[str] = (),
    *,
    approval_id: int | None = None,
) -> ProtocolStatus:
    """Correct a definitive protocol by a recorded decision of the higher commission.

    Dual control (issue #9 §2): runs only as ``approval_id``, approved by a second member of the
    commission (:mod:`saylau.services.approvals`).

    The relations are checked again (errors refuse the correction, warnings must be acknowledged);
    the previous and the new figures are both kept, in the audit event's before/after, and the
    protocol's ``version`` counts the corrections (issue #3 §2.5; CL art. 43).
    """
    protocol = _locked(ctx, protocol_id)
    ctx.authorize(
        Action.CORRECT_DEFINITIVE_PROTOCOL,
        scope_for(ctx.session, precinct_id=protocol.precinct_id),
    )
    acknowledge_warnings = tuple(acknowledge_warnings)
    approvals.consume(
        ctx,
        approvals.CORRECT_DEFINITIVE,
        approvals.correction_params(protocol_id, data, decision, acknowledge_warnings),
        approval_id,
    )
    if not decision.strip():
        raise InvalidInput(
            "decision_required",
            "a definitive protocol is corrected only by a recorded decision of the higher "
            "commission: give its reference",
            field="decision",
        )
    acknowledged = _acknowledgements(acknowledge_warnings)
    lookup = _Lookup(ctx.session, [(protocol.contest_id, protocol.precinct_id)])
    violations = lookup.validate(
        lookup.contest(protocol.contest_id), lookup.precinct(protocol.precinct_id), data
    )
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
    _make_protocol_definitive(ctx, protocol, data, acknowledged)
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
    return _status(_values(protocol), None, violations, (), ())


def differing_fields(first: ProtocolData, second: ProtocolData) -> tuple[str, ...]:
    """The lines on which two entries differ, named as on the form (``votes[12]``, ``extra[x]``)."""
    if first == second:  # every line equal (the usual second entry): nothing to name
        return ()
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


def check_entry(
    session: Session, contest_id: int, precinct_id: int, data: ProtocolData
) -> tuple[Violation, ...]:
    """Every control relation ``data`` violates, without saving anything: the live check of a
    form being typed (CL art. 43; decision #19). Malformed input is refused as on entry."""
    lookup = _Lookup(session, [(contest_id, precinct_id)])
    return lookup.validate(lookup.contest(contest_id), lookup.precinct(precinct_id), data)


def _locked(ctx: Context, protocol_id: int) -> Protocol:
    """The protocol, its row locked for this transaction (``FOR UPDATE``): of two coordinators
    resolving it at once, or a resolution and a correction, the second waits for the first to
    commit and then decides on the state it left, so exactly one wins (issue #9 §6). SQLite
    serialises writing transactions as a whole (``saylau.storage.db``)."""
    protocol = ctx.session.scalars(
        select(Protocol)
        .where(Protocol.id == protocol_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if protocol is None:
        return ctx.get(Protocol, protocol_id, "protocol")  # the NotFound naming the protocol
    return protocol


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


def _move_values(values: dict[str, Any], target: ProtocolState) -> None:
    """:func:`_move` of a protocol held as column values (a batch being decided)."""
    require_transition("protocol", PROTOCOL_TRANSITIONS, values["state"], target)
    values["state"] = target


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


@dataclass(frozen=True)
class _Definitive:
    """A protocol whose figures become definitive, and the state it comes from."""

    protocol_id: int
    contest_id: int
    precinct_id: int
    state: ProtocolState
    data: ProtocolData
    acknowledged: tuple[str, ...]


def _definitive_values(
    data: ProtocolData, acknowledged: tuple[str, ...], now: datetime
) -> dict[str, Any]:
    """The Protocol columns a definitive protocol holds: its figures, when, what was accepted."""
    values: dict[str, Any] = {name: getattr(data, name) for name in COUNT_FIELDS}
    values.update(
        state=ProtocolState.DEFINITIVE,
        acknowledged_warnings=list(acknowledged),
        definitive_at=now,
    )
    return values


def _make_definitive(ctx: Context, items: Sequence[_Definitive]) -> None:
    """Write the definitive figures of protocols: the Protocol columns and one ProtocolVote per
    ballot line, a few statements for all of them (one protocol, or a whole bulk import)."""
    if not items:
        return
    for item in items:
        if item.state is not ProtocolState.DEFINITIVE:
            require_transition(
                "protocol", PROTOCOL_TRANSITIONS, item.state, ProtocolState.DEFINITIVE
            )
    session = ctx.session
    session.flush()  # a caller's pending change of the same protocol goes first
    _UPDATE_DEFINITIVE.run(
        session,
        [
            (i.protocol_id, *[getattr(i.data, name) for name in COUNT_FIELDS], list(i.acknowledged))
            for i in items
        ],
        (ProtocolState.DEFINITIVE, ctx.now),
    )
    ids = [i.protocol_id for i in items]
    # Only a definitive protocol has votes (no state leads back from definitive): a protocol
    # becoming definitive has none to replace, a corrected one has.
    corrected = [i.protocol_id for i in items if i.state is ProtocolState.DEFINITIVE]
    for chunk in _chunks(corrected):
        session.execute(
            delete(ProtocolVote)
            .where(ProtocolVote.protocol_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    _INSERT_VOTE.run(
        session,
        [
            (i.protocol_id, choice, i.contest_id, n)
            for i in items
            for choice, n in sorted(i.data.votes.items())
        ],
    )
    # The contest waits for an incremental tabulation (issue #8, B3): one appended row per
    # protocol, no contention between protocols of the same contest.
    _INSERT_PENDING.run(session, [(i.contest_id, i.precinct_id) for i in items])
    _expire(session, ids)
    # The contests' subscribers are told, by outbox rows of this same transaction.
    enqueue(session, [i.contest_id for i in items], SubscriptionEvent.PROTOCOL_DEFINITIVE, ctx.now)


def _make_protocol_definitive(
    ctx: Context, protocol: Protocol, data: ProtocolData, acknowledged: tuple[str, ...]
) -> None:
    """:func:`_make_definitive` of one loaded protocol (its attributes are read again after)."""
    _make_definitive(
        ctx,
        [
            _Definitive(
                protocol.id,
                protocol.contest_id,
                protocol.precinct_id,
                protocol.state,
                data,
                acknowledged,
            )
        ],
    )


def _expire(session: Session, ids: Iterable[int]) -> None:
    """Forget loaded Protocol objects written by statements, so they are read again. The
    session's loaded protocols are looked up among ``ids`` (a bulk import loads none, and
    writes thousands)."""
    written = set(ids)
    keys = session.identity_map.keys()
    loaded = [key for key in keys if key[0] is Protocol and key[1][0] in written]
    for key in loaded:
        instance = session.identity_map.get(key)
        if instance is not None:
            session.expire(instance)


def _values(protocol: Protocol) -> dict[str, Any]:
    return {name: getattr(protocol, name) for name in _columns()}


def _plain(value: Any) -> Any:
    """A column value as the audit log reads it back (:func:`normalise`), cheaply for the
    values a protocol's columns hold (numbers, text, its state, a time, a list of names)."""
    kind = type(value)
    if value is None or kind is int or kind is str:
        return value
    if kind is ProtocolState or isinstance(value, StrEnum):
        return value.value
    if kind is datetime:
        return value.astimezone(UTC).isoformat()
    if kind is list and all(type(item) is str for item in value):
        return list(value)
    return (normalise({"v": value}) or {})["v"]


_AS_IS = frozenset((type(None), int, str))


@lru_cache(maxsize=16)
def _time_text(value: datetime) -> str:
    """A time as an audit record holds it (the call's time, the same in every record of a
    batch: converted once)."""
    text: str = _plain(value)
    return text


def _record_of(values: Mapping[str, Any], votes: Mapping[int, int] | None) -> dict[str, Any]:
    """The protocol's columns and, once definitive, its votes: the before/after of an event (a
    dict keyed by text, of plain values: ``text_keyed`` for the audit log)."""
    names = _columns()
    record = dict(zip(names, map(values.__getitem__, names), strict=True))
    for name in _odd_columns():
        value = record[name]
        kind = type(value)
        if kind is ProtocolState:
            record[name] = value.value
        elif kind is datetime:
            record[name] = _time_text(value)
        elif kind not in _AS_IS:
            record[name] = _plain(value)
    if values["state"] is ProtocolState.DEFINITIVE:
        record["votes"] = {str(choice): n for choice, n in sorted((votes or {}).items())}
    return record


def _record(session: Session, protocol: Protocol) -> dict[str, Any]:
    """:func:`_record_of` a loaded protocol (its definitive votes as stored)."""
    definitive = protocol.state is ProtocolState.DEFINITIVE
    return _record_of(_values(protocol), votes_of(session, protocol.id) if definitive else None)


def _status(
    values: Mapping[str, Any],
    entry_no: int | None,
    violations: tuple[Violation, ...],
    differing: tuple[str, ...],
    unacknowledged: tuple[str, ...],
) -> ProtocolStatus:
    return ProtocolStatus(
        protocol_id=values["id"],
        contest_id=values["contest_id"],
        precinct_id=values["precinct_id"],
        state=values["state"],
        version=values["version"],
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
