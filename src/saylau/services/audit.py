"""The append-only, hash-chained audit log and its verification (issue #3 §1).

Each event's hash is SHA-256 over the canonical JSON of its fields and the previous event's hash. The
chain head lives in one row that every writer locks (``SELECT … FOR UPDATE``), so concurrent
transactions append one after another and the chain never forks. Editing, inserting or deleting a row
directly in SQL breaks the chain at that event, and :func:`verify_chain` names it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from saylau.storage.models import AuditEvent, AuditHead
from saylau.storage.plainrows import PlainRows
from saylau.storage.types import JSONText

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot record {type(value).__name__} in the audit log")


def normalise(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-native copy of ``data`` (enums → values, dates → ISO), as it will read back."""
    if data is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(data, default=_plain, ensure_ascii=False))
    return result


def snapshot(instance: object) -> dict[str, Any]:
    """The column values of a model instance, for the ``before``/``after`` of an event."""
    mapper = inspect(instance).mapper
    return normalise({attr.key: getattr(instance, attr.key) for attr in mapper.column_attrs}) or {}


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    canonical = json.dumps(
        {**fields, "prev_hash": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.astimezone(UTC).isoformat(),
        "user_id": event.user_id,
        "username": event.username,
        "role": event.role,
        "commission_id": event.commission_id,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "outcome": event.outcome,
        "before": event.before,
        "after": event.after,
    }


_HEAD_KEY = "saylau.audit.head"
"""``session.info`` key of the chain head locked by the current transaction."""


def _head(session: Session) -> AuditHead:
    """The chain head, locked for this transaction. It is read (``FOR UPDATE``) once per
    transaction: a transaction that appends many events keeps the lock and the row until it ends,
    so reading it again would only repeat the query."""
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD_KEY)
    if cached is not None and cached[0] is transaction and cached[1] in session:
        held: AuditHead = cached[1]
        return held
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_event_id=None, last_hash=GENESIS)
        session.add(head)
        session.flush()
    if transaction is not None and session.get_nested_transaction() is None:
        # Not inside a savepoint, whose rollback could release the lock taken in it.
        session.info[_HEAD_KEY] = (transaction, head)
    return head


_SEPARATORS = (",", ":")
_SCALARS = frozenset((str, int, float, bool, type(None)))
_FIELD_ORDER = tuple(
    sorted(
        (
            "at",
            "user_id",
            "username",
            "role",
            "commission_id",
            "action",
            "entity",
            "entity_id",
            "outcome",
            "before",
            "after",
            "prev_hash",
        )
    )
)
"""The keys of :func:`event_hash`'s canonical object, in its (sorted) order."""


def _text_keys(value: Any) -> bool:
    """Whether every mapping inside ``value`` is a plain ``dict`` keyed by plain ``str`` and every
    sequence a ``list`` or ``tuple``: then sorting the keys of ``value`` itself orders them as
    :func:`normalise` (which turns keys into text) would, and one serialisation is canonical."""
    if type(value) is dict:
        items: Any = value.values()
        for key in value:
            if type(key) is not str:
                return False
    else:
        items = value
    for item in items:
        kind = type(item)
        if kind in _SCALARS:
            continue
        if kind is dict or kind is list or kind is tuple:
            if not _text_keys(item):
                return False
        elif isinstance(item, (dict, list, tuple)):
            return False  # a subclass: take the general path
    return True


_ENCODER = json.JSONEncoder(
    default=_plain, sort_keys=True, separators=_SEPARATORS, ensure_ascii=False
)
"""What ``json.dumps`` with these options builds per call, built once."""


_TEXT = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(value, ensure_ascii=False)``, built once."""


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


_MAKE_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODER = (
    None
    if _MAKE_C_ENCODER is None
    else _MAKE_C_ENCODER(
        None,  # no circular-reference bookkeeping: the caller's plain documents have no cycles
        _plain,
        json.encoder.encode_basestring,
        None,
        _SEPARATORS[1],
        _SEPARATORS[0],
        True,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
)
""":data:`_ENCODER`'s C encoder itself, built once instead of once per document (a bulk import
serialises two documents per entry); ``None`` where the C accelerator is missing."""


def _dumps_plain(value: dict[str, Any]) -> str:
    """:func:`_dumps` of a document the caller built of plain dicts, lists and scalars."""
    if _C_ENCODER is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


def canonical(data: dict[str, Any] | None, *, text_keyed: bool = False) -> str:
    """The canonical JSON text of an event's ``before`` or ``after``: what :func:`normalise` reads
    back, serialised with sorted keys and no spaces — the text :func:`event_hash` embeds. One
    serialisation when every key is text (the usual case), else through :func:`normalise`.
    ``text_keyed``: the caller built ``data`` of plain dicts keyed by text, lists and scalars
    only, so that is not checked again (a bulk import's events, issue #8 B1)."""
    if data is None:
        return "null"
    if text_keyed and type(data) is dict:
        return _dumps_plain(data)
    if type(data) is dict and _text_keys(data):
        return _dumps(data)
    return _dumps(normalise(data))


_VARYING = ("entity_id", "before", "after", "prev_hash")
"""The fields of :func:`event_hash`'s canonical object that differ between a call's events."""


def _template(scalars: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """:func:`event_hash`'s canonical text cut around the :data:`_VARYING` fields: the texts
    between them (the shared fields, serialised once per call) and the varying fields' names in
    the order they come (sorted keys), so an event's text is the pieces joined with its values."""
    pieces: list[str] = []
    order: list[str] = []
    current = "{"
    for n, name in enumerate(_FIELD_ORDER):
        current += ("," if n else "") + f'"{name}":'
        if name in _VARYING:
            pieces.append(current)
            order.append(name)
            current = ""
        else:
            current += scalars[name]
    pieces.append(current + "}")
    return pieces, order


_Link = tuple[str, str, str, str, str]
"""One event of a chain: entity id, before text, after text, previous hash, hash."""


def _links(
    *,
    at: datetime,
    user_id: int | None,
    username: str,
    role: str,
    commission_id: int | None,
    action: str,
    entity: str,
    changes: Sequence[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
    outcome: str,
    prev_hash: str,
    text_keyed: bool = False,
) -> list[_Link]:
    """The events linked one after another from ``prev_hash``, their hashes computed: each
    ``before``/``after`` serialised once (:func:`canonical`), that text hashed and stored; the
    text hashed is :func:`event_hash`'s, assembled from pieces serialised once per call
    (:func:`_template`) and the event's own texts."""
    shared = {
        "at": at.astimezone(UTC).isoformat(),
        "user_id": user_id,
        "username": username,
        "role": role,
        "commission_id": commission_id,
        "action": action,
        "entity": entity,
        "outcome": outcome,
    }
    scalars = {name: json.dumps(value, ensure_ascii=False) for name, value in shared.items()}
    pieces, order = _template(scalars)
    if order != ["after", "before", "entity_id", "prev_hash"]:  # _FIELD_ORDER's sorted keys
        raise AssertionError(f"unexpected field order {order}")
    p0, p1, p2, p3, p4 = pieces
    sha256 = hashlib.sha256
    encode_id = _TEXT.encode
    links: list[_Link] = []
    previous = prev_hash
    for entity_id, before, after in changes:
        before_text = canonical(before, text_keyed=text_keyed)
        after_text = canonical(after, text_keyed=text_keyed)
        text = "".join(
            (p0, after_text, p1, before_text, p2, encode_id(entity_id), p3, '"', previous, '"', p4)
        )
        digest = sha256(text.encode("utf-8")).hexdigest()
        links.append((entity_id, before_text, after_text, previous, digest))
        previous = digest
    return links


_INSERT = PlainRows.insert(
    AuditEvent.__table__,  # type: ignore[arg-type]
    ("entity_id", "before", "after", "prev_hash", "hash"),
    ("at", "user_id", "username", "role", "commission_id", "action", "entity", "outcome"),
    types={"before": JSONText(), "after": JSONText()},
)
"""Events by one driver-level executemany of their links (:func:`_links`), ``before``/``after``
bound as the canonical text already hashed."""


def append(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    username: str,
    role: str,
    commission_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    outcome: str = "done",
) -> int:
    """Append one event to the chain within the caller's transaction; returns its id."""
    append_many(
        session,
        at=at,
        user_id=user_id,
        username=username,
        role=role,
        commission_id=commission_id,
        action=action,
        entity=entity,
        changes=[(entity_id, before, after)],
        outcome=outcome,
    )
    event_id = _head(session).last_event_id
    assert event_id is not None  # just appended
    return event_id


def append_many(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    username: str,
    role: str,
    commission_id: int | None,
    action: str,
    entity: str,
    changes: Sequence[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
    outcome: str = "done",
    text_keyed: bool = False,
) -> None:
    """Append one event per ``(entity_id, before, after)`` of ``changes``, in order, by one
    multi-row insert: the same events and chain as calling :func:`append` for each (a bulk
    import logs every protocol entry, issue #8 B1), without a statement per event.
    ``text_keyed`` as in :func:`canonical`."""
    if not changes:
        return
    head = _head(session)
    links = _links(
        at=at,
        user_id=user_id,
        username=username,
        role=role,
        commission_id=commission_id,
        action=action,
        entity=entity,
        changes=changes,
        outcome=outcome,
        prev_hash=head.last_hash,
        text_keyed=text_keyed,
    )
    _INSERT.run(
        session, links, (at, user_id, username, role, commission_id, action, entity, outcome)
    )
    last = links[-1][4]
    head.last_event_id = session.scalar(select(AuditEvent.id).where(AuditEvent.hash == last))
    head.last_hash = last


@dataclass(frozen=True)
class ChainReport:
    """Outcome of :func:`verify_chain`."""

    events: int
    intact: bool
    first_broken_id: int | None = None
    problem: str = ""


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Recompute every hash in order; name the first event whose link does not hold."""
    previous = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for event in rows:
            count += 1
            if event.prev_hash != previous:
                return ChainReport(count, False, event.id, "previous-hash link broken")
            if event_hash(_fields(event), event.prev_hash) != event.hash:
                return ChainReport(count, False, event.id, "content does not match its hash")
            previous = event.hash
            last_id = event.id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != previous:
        return ChainReport(count, False, head.last_event_id, "events missing after the last one")
    return ChainReport(count, True)
