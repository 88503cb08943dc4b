"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC (decision #14: times stored in UTC).

    SQLite keeps no zone; storing UTC everywhere makes both databases compare and sort alike.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: give a zone (times are stored in UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_column(enum: type[StrEnum], length: int = 32) -> Enum:
    """A string column holding the enum's values (not names), without native database enums."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


JSONValue = Any


class JSONText(TypeDecorator[str]):
    """Binds text that is already JSON to a JSON column as it is (no second serialisation).

    For bulk writers that serialise a document once and use the text twice — the audit log hashes
    its events' canonical JSON and stores the same text (issue #8, B1). Only for binding: the
    column keeps its JSON type, so reading gives the parsed value as before. On PostgreSQL the
    parameter is cast to ``JSON`` by the statement, as for a :class:`~sqlalchemy.JSON` value.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None
