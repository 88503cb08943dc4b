"""All-or-nothing import of rows from CSV or JSON, and idempotent upserts by natural key.

Issue #3 acceptance: "a CSV import with one bad row imports nothing and names the row and field;
re-running an import is idempotent". So an import reads every row, validates every row against a
strict model (unknown columns refused, no silent coercion), collects every error with its row and
field, and raises one :class:`InvalidInput` before anything is written. Writing goes through
:func:`upsert`: a row equal to what is stored is neither rewritten nor audited again; a changed row
is updated with a before/after audit event.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select

from saylau.services.audit import snapshot
from saylau.services.context import Context
from saylau.services.errors import InvalidInput
from saylau.storage.models import Base

MAX_LISTED_ERRORS = 10
"""How many row errors the refusal's message lists (all are in ``params['errors']``)."""
MAX_STORED_INT = 2**31 - 1
"""The largest whole number a stored column holds on both databases (PostgreSQL ``integer``)."""


class RowModel(BaseModel):
    """Base of every imported row: strict types, unknown columns refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


R = TypeVar("R", bound=RowModel)
M = TypeVar("M", bound=Base)


@dataclass(frozen=True)
class RawRow:
    """One row as read, before validation: where it came from and its cells."""

    number: int
    """1-based position among the data rows of its section."""
    data: Mapping[Any, Any]
    """Cells by column name (a CSV row's surplus cells are under ``None``)."""
    line: int | None = None
    """Line of the file (CSV only; the header is line 1)."""
    section: str = ""
    """The part of a combined document the row belongs to (``precincts`` …), if any."""
    strings: bool = False
    """True when every cell is text (CSV): numbers are then parsed from their digits."""

    @property
    def label(self) -> str:
        where = f"{self.section} row {self.number}" if self.section else f"row {self.number}"
        return f"{where} (line {self.line})" if self.line is not None else where


def rows_of(items: Iterable[Mapping[str, Any]], section: str = "") -> tuple[RawRow, ...]:
    """Rows given as mappings (a JSON list, or a test's literal), numbered from 1."""
    return tuple(
        RawRow(number=i, data=dict(item), section=section) for i, item in enumerate(items, 1)
    )


@dataclass(frozen=True)
class RowError:
    """A broken rule in one row: which row, which field, the value and the rule."""

    row: str
    field: str
    value: Any
    rule: str
    section: str = ""
    number: int = 0

    def __str__(self) -> str:
        shown = json.dumps(self.value, ensure_ascii=False, default=str)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{self.row}, field {self.field}={shown}: {self.rule}"


@dataclass
class RowErrors:
    """Collects the errors of every row; :meth:`raise_if_any` refuses the whole import."""

    what: str
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: RawRow, field_name: str, value: Any, rule: str) -> None:
        self.errors.append(RowError(row.label, field_name, value, rule, row.section, row.number))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        sections: dict[str, int] = {}
        for error in self.errors:
            sections.setdefault(error.section, len(sections))
        self.errors.sort(key=lambda e: (sections[e.section], e.number))
        listed = "; ".join(str(e) for e in self.errors[:MAX_LISTED_ERRORS])
        more = len(self.errors) - MAX_LISTED_ERRORS
        suffix = f"; and {more} more" if more > 0 else ""
        first = self.errors[0]
        raise InvalidInput(
            "invalid_rows",
            f"{self.what}: nothing imported, {len(self.errors)} error(s): {listed}{suffix}",
            field=first.field,
            errors=[
                {"row": e.row, "field": e.field, "value": e.value, "rule": e.rule}
                for e in self.errors
            ],
        )


def validate_rows(
    rows: Sequence[RawRow], model: type[R], errors: RowErrors
) -> list[tuple[RawRow, R]]:
    """Each row validated against ``model``; invalid rows are recorded in ``errors`` and left out.

    Empty CSV cells count as absent, so optional columns may be left blank.
    """
    valid: list[tuple[RawRow, R]] = []
    for row in rows:
        if None in row.data:
            errors.add(row, "(row)", row.data[None], "the row has more cells than the header")
            continue
        try:
            if row.strings:
                data = {k: v for k, v in row.data.items() if v is not None and v.strip() != ""}
                parsed = model.model_validate_strings(data)
            else:
                # JSON semantics in strict mode: enums and dates from their text, but a number
                # must be a JSON number and text must be text.
                document = json.dumps(dict(row.data), ensure_ascii=False)
                parsed = model.model_validate_json(document)
        except (TypeError, ValueError) as exc:
            if not isinstance(exc, ValidationError):
                errors.add(row, "(row)", None, f"not representable as JSON: {exc}")
                continue
            for item in exc.errors():
                name = ".".join(str(part) for part in item["loc"]) or "(row)"
                value = item.get("input") if item["type"] != "missing" else None
                if item["type"] == "extra_forbidden":
                    rule = "unknown column"
                elif item["type"] == "missing":
                    rule = "required"
                else:
                    rule = item["msg"]
                errors.add(row, name, value, rule)
            continue
        if _unstorable(row, parsed, errors):
            continue
        valid.append((row, parsed))
    return valid


def _unstorable(row: RawRow, parsed: RowModel, errors: RowErrors) -> bool:
    """Record the values no database column can hold: a whole number beyond
    :data:`MAX_STORED_INT` (or below its negative), a text with a NUL character or a lone
    surrogate (PostgreSQL refuses both). True when the row had any."""
    found = False
    for name in type(parsed).model_fields:
        value = getattr(parsed, name)
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, int) and not isinstance(item, bool):
                if abs(item) > MAX_STORED_INT:
                    errors.add(row, name, item, f"at most {MAX_STORED_INT} (the stored range)")
                    found = True
            elif isinstance(item, str) and not storable_text(item):
                errors.add(row, name, item, "text with a NUL character or a lone surrogate")
                found = True
    return found


def storable_text(text: str) -> bool:
    """Whether both databases can store ``text`` (no NUL, no lone UTF-16 surrogate)."""
    return not any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text)


def require_unique(
    rows: Sequence[tuple[RawRow, Any]],
    key: Any,
    field_name: str,
    errors: RowErrors,
) -> None:
    """Refuse a natural key given twice in one import (which of the two would win is unclear)."""
    seen: dict[Any, RawRow] = {}
    for row, parsed in rows:
        value = key(parsed)
        if value in seen:
            errors.add(row, field_name, value, f"given twice (also in {seen[value].label})")
        else:
            seen[value] = row


# --- reading files ---------------------------------------------------------------------------


class FileFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


def detect_format(path: Path, text: str) -> FileFormat:
    """By extension; otherwise JSON if the text starts like a JSON document."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return FileFormat.CSV
    if suffix == ".json":
        return FileFormat.JSON
    return FileFormat.JSON if text.lstrip()[:1] in ("[", "{") else FileFormat.CSV


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("unreadable_file", f"cannot read {path}: {exc}", field="file") from exc


def parse_csv(text: str, section: str = "") -> tuple[RawRow, ...]:
    """Rows of a CSV text with a header line; every cell is text."""
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    try:
        if not reader.fieldnames:
            raise InvalidInput("empty_file", "the CSV file has no header line", field="file")
        for number, data in enumerate(reader, 1):
            rows.append(
                RawRow(
                    number=number,
                    data=data,
                    line=reader.line_num,
                    section=section,
                    strings=True,
                )
            )
    except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB), …
        where = f"{section} " if section else ""
        raise InvalidInput(
            "invalid_csv",
            f"the {where}CSV file cannot be read at line {reader.line_num}: {exc}",
            field=section or "file",
            line=reader.line_num,
        ) from exc
    return tuple(rows)


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError: bad syntax (JSONDecodeError) or an integer over Python's 4,300 digits;
        # RecursionError: arrays or objects nested thousands deep.
        raise InvalidInput(
            "invalid_json", f"the file is not valid JSON: {exc}", field="file"
        ) from exc


def json_rows(document: Any, section: str = "") -> tuple[RawRow, ...]:
    """Rows of a JSON list of objects."""
    where = section or "document"
    if not isinstance(document, list):
        raise InvalidInput(
            "invalid_document", f"{where}: expected a list of objects", field=section or "file"
        )
    rows = []
    for number, item in enumerate(document, 1):
        if not isinstance(item, dict):
            raise InvalidInput(
                "invalid_document",
                f"{where} row {number}: expected an object, got {type(item).__name__}",
                field=section or "file",
            )
        rows.append(RawRow(number=number, data=item, section=section))
    return tuple(rows)


def read_rows(path: Path) -> tuple[RawRow, ...]:
    """The rows of a CSV file, or of a JSON file holding a list of objects."""
    text = read_text(path)
    if detect_format(path, text) is FileFormat.CSV:
        return parse_csv(text)
    return json_rows(parse_json(text))


# --- writing ---------------------------------------------------------------------------------


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Tally:
    """How many rows of one kind an import created, updated or left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class ImportReport:
    """Per kind of row (``region``, ``precinct`` …): what the import did."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def tally(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())

    @property
    def changed(self) -> int:
        return sum(t.changed for t in self.tallies.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "tallies": {
                kind: {"created": t.created, "updated": t.updated, "unchanged": t.unchanged}
                for kind, t in self.tallies.items()
            },
            "warnings": list(self.warnings),
        }


def upsert(
    ctx: Context,
    model: type[M],
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    action: str,
    entity: str,
    report: ImportReport | None = None,
    defaults: Mapping[str, Any] | None = None,
    existing: dict[tuple[Any, ...], M] | None = None,
) -> tuple[M, Outcome]:
    """Create or update the row of ``model`` whose natural ``key`` columns match.

    ``values`` are kept equal to the input; ``defaults`` are set only when the row is created
    (e.g. a name a commission may later change). Unchanged rows are not rewritten and not
    audited; creations and changes are audited with before/after snapshots under ``action`` (the
    service's name) and ``entity``. ``existing`` is an optional index of the stored rows by the
    key's values (in the key's order), for bulk imports; it is kept up to date.
    """
    key_values = tuple(key.values())
    if existing is not None:
        found = [existing[key_values]] if key_values in existing else []
    else:
        found = list(ctx.session.execute(select(model).filter_by(**key)).scalars().all())
    if len(found) > 1:
        raise InvalidInput(
            "ambiguous_key",
            f"{entity} {dict(key)} matches {len(found)} stored rows; the natural key must be unique",
            field=entity,
        )
    if not found:
        row = model(**key, **values, **(defaults or {}))
        ctx.session.add(row)
        ctx.session.flush()
        ctx.audit(action, entity, _identity(row, key), None, snapshot(row))
        outcome = Outcome.CREATED
        if existing is not None:
            existing[key_values] = row
    else:
        row = found[0]
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if changed:
            before = snapshot(row)
            for name, value in changed.items():
                setattr(row, name, value)
            ctx.session.flush()
            ctx.audit(action, entity, _identity(row, key), before, snapshot(row))
            outcome = Outcome.UPDATED
        else:
            outcome = Outcome.UNCHANGED
    if report is not None:
        report.tally(entity).count(outcome)
    return row, outcome


def _identity(row: Base, key: Mapping[str, Any]) -> object:
    ident = getattr(row, "id", None)
    return ident if ident is not None else ",".join(f"{k}={v}" for k, v in key.items())
