"""The hash-chained audit log: intact when untouched, broken at the first edited event."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from saylau.services import audit


def _append(factory: sessionmaker[Session], n: int) -> None:
    with factory() as session, session.begin():
        for i in range(n):
            audit.append(
                session,
                at=datetime(2023, 3, 19, 14, 0, i, tzinfo=UTC),
                user_id=None,
                username="tester",
                role="cec_admin",
                commission_id=None,
                action="test",
                entity="thing",
                entity_id=str(i),
                before=None,
                after={"value": i, "name": "Әбенов"},
            )


def test_untouched_chain_verifies(factory: sessionmaker[Session]) -> None:
    _append(factory, 5)
    _append(factory, 3)
    with factory() as session:
        report = audit.verify_chain(session)
    assert report.intact and report.events == 8


def test_editing_a_row_in_sql_breaks_the_chain_at_that_event(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    _append(factory, 6)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET entity_id = 'forged' WHERE id = 4"))
    with factory() as session:
        report = audit.verify_chain(session)
    assert not report.intact
    assert report.first_broken_id == 4


def test_deleting_the_last_event_is_detected(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    _append(factory, 3)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = 3"))
    with factory() as session:
        report = audit.verify_chain(session)
    assert not report.intact


def test_deleting_a_middle_event_is_detected(
    factory: sessionmaker[Session], engine: Engine
) -> None:
    _append(factory, 4)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = 2"))
    with factory() as session:
        report = audit.verify_chain(session)
    assert (report.intact, report.first_broken_id) == (False, 3)
