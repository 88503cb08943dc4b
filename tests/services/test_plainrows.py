"""Driver-level bulk statements against SQLAlchemy's own execution (issue #8, B1), on both databases.

:class:`saylau.services.plainrows.PlainRows` and :class:`~saylau.services.plainrows.PlainSelect`
bypass SQLAlchemy's per-row parameter and result processing; they promise to store and read
exactly what ``session.execute`` would. Here the same rows go through both ways into the audit
log's table (text, a non-ASCII name, numbers, NULLs, a zoned time, JSON documents) and are read
back raw and typed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Integer, bindparam, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from saylau.services import audit
from saylau.services.protocols import COUNT_FIELDS, ProtocolData, _padded
from saylau.storage.models import AuditEvent
from saylau.storage.plainrows import PlainRows, PlainSelect

EVENTS = AuditEvent.__table__
ALMATY = timezone(timedelta(hours=5))
COLUMNS = ("at", "user_id", "username", "role", "commission_id", "action", "entity", "entity_id")
DOCUMENTS = ("before", "after", "prev_hash", "hash", "outcome")


def _rows(tag: str) -> list[dict[str, Any]]:
    return [
        {
            "at": datetime(2023, 3, 19, 23, 30, 15, 123456, tzinfo=ALMATY),
            "user_id": None,
            "username": "Әлия Сәрсенова",
            "role": "tec_coordinator",
            "commission_id": None,
            "action": "enter_protocol",
            "entity": "protocol",
            "entity_id": f"{tag}{n}",
            "outcome": "done",
            "before": None if n % 2 else {"state": "empty", "votes": {"1": n}},
            "after": {"state": "first_entry", "entry": {"name": "Қазақ «ru»", "n": [n, None]}},
            "prev_hash": f"p{tag}{n}".rjust(64, "0"),
            "hash": f"h{tag}{n}".rjust(64, "0"),
        }
        for n in range(7)
    ]


def _stored(session: Session, tag: str) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (text, not converted), without their ids."""
    names = ", ".join((*COLUMNS, *DOCUMENTS))
    found = session.execute(
        text(f"SELECT {names} FROM audit_event WHERE entity_id LIKE :tag ORDER BY id"),
        {"tag": f"{tag}%"},
    )
    return [tuple(str(value) if value is not None else None for value in row) for row in found]


def test_plain_rows_store_what_an_executemany_stores(factory: sessionmaker[Session]) -> None:
    shared = ("at", "user_id", "username", "role", "commission_id", "action", "entity", "outcome")
    varying = ("entity_id", "before", "after", "prev_hash", "hash")
    statement = PlainRows.insert(EVENTS, varying, shared)  # type: ignore[arg-type]
    with factory() as session, session.begin():
        session.execute(insert(EVENTS), _rows("a"))  # type: ignore[arg-type]
        plain = _rows("b")
        statement.run(
            session,
            [tuple(row[name] for name in varying) for row in plain],
            tuple(plain[0][name] for name in shared),
        )
        by_core, by_driver = _stored(session, "a"), _stored(session, "b")
    assert len(by_core) == 7
    assert [row[:7] for row in by_core] == [row[:7] for row in by_driver]
    assert [row[8:10] for row in by_core] == [row[8:10] for row in by_driver]  # JSON as text
    assert [row[12] for row in by_core] == [row[12] for row in by_driver] == ["done"] * 7


def test_plain_select_reads_what_a_select_reads(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        session.execute(insert(EVENTS), _rows("c"))  # type: ignore[arg-type]
        statement = (
            select(AuditEvent.at, AuditEvent.username, AuditEvent.before, AuditEvent.after)
            .where(
                AuditEvent.entity_id.in_([bindparam("x0"), bindparam("x1")]),
                AuditEvent.user_id.is_(None),
                AuditEvent.id > bindparam("after_id", type_=Integer()),
            )
            .order_by(AuditEvent.id)
        )
        typed = session.execute(statement, {"x0": "c1", "x1": "c2", "after_id": 0}).all()
        plain = PlainSelect(statement, ["after_id", "x0", "x1"]).rows(session, [0, "c1", "c2"])
    assert [tuple(row) for row in typed] == plain
    assert plain[0][0] == datetime(2023, 3, 19, 18, 30, 15, 123456, tzinfo=UTC)
    assert plain[1][2] == {"state": "empty", "votes": {"1": 2}}
    assert plain[0][2] is None


def test_padding_repeats_the_last_key_up_to_a_power_of_two() -> None:
    assert _padded([1]) == [1]
    assert _padded([1, 2, 3]) == [1, 2, 3, 3]
    assert _padded(list(range(5))) == [0, 1, 2, 3, 4, 4, 4, 4]
    assert len(_padded(list(range(512)))) == 512


def test_an_entry_document_keeps_the_form_order() -> None:
    data = ProtocolData(1, 2, 3, 4, 5, 6, 7, {3: 1, 1: 2}, 8, 9, 10, None, {"b": 1, "a": 2})
    document = data.as_json()
    assert list(document) == [*COUNT_FIELDS, "valid", "votes", "extra"]
    assert [document[name] for name in COUNT_FIELDS] == [getattr(data, n) for n in COUNT_FIELDS]
    assert document["votes"] == {"1": 2, "3": 1}
    assert list(document["extra"]) == ["a", "b"]
    assert ProtocolData.stored(document) == data


def test_a_plain_document_has_the_canonical_text_of_the_general_path() -> None:
    """The bulk path's one-pass encoder writes what :func:`normalise` + sorted ``json.dumps``
    write: the audit chain hashes that text."""
    document = {
        "state": "first_entry",
        "b": [1, None, True, 2.5, {"z": "Қазақ «ru» \u2028", "a": []}],
        "a": {"10": 1, "2": {"y": None, "x": '\\"quoted"'}},
    }
    old = json.dumps(audit.normalise(document), sort_keys=True, separators=(",", ":"))
    old = json.dumps(json.loads(old), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert audit.canonical(document, text_keyed=True) == audit.canonical(document) == old
