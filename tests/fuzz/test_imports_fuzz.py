"""CSV and JSON importers under hostile input: any bytes, and valid territory documents mutated.

Contract (issue #3, #9 §7): a file gives its rows or one :class:`InvalidInput` naming a field; an
import either succeeds or is refused with ``invalid_rows`` (every error with its row and field)
and writes nothing — never another exception, never a partial write. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.context import execute
from saylau.services.errors import InvalidInput
from saylau.services.imports import (
    MAX_STORED_INT,
    RawRow,
    RowErrors,
    parse_csv,
    read_rows,
    storable_text,
    validate_rows,
)
from saylau.services.territory import (
    SECTIONS,
    PrecinctRow,
    TerritoryImport,
    import_territory,
    read_territory,
)
from saylau.storage.models import AuditEvent, Base
from tests.fuzz.hostile import bounded, count, hostile_bytes, json_values, mutated, texts
from tests.services.test_territory import BODIES, OPERATOR, PRECINCTS, REGIONS, UNITS

VALID = {"regions": REGIONS, "units": UNITS, "precincts": PRECINCTS, "bodies": BODIES}


def _named(error: InvalidInput) -> None:
    assert error.field, f"{error.code} names no field: {error.message}"


@bounded(150)
@given(content=hostile_bytes, suffix=st.sampled_from((".csv", ".json", ".txt", "")))
def test_any_file_gives_rows_or_a_named_refusal(content: bytes, suffix: str) -> None:
    count("import: read_rows (file bytes)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"rows{suffix}"
        path.write_bytes(content)
        try:
            rows = read_rows(path)
        except InvalidInput as error:
            _named(error)
            return
    assert all(isinstance(row, RawRow) for row in rows)


@bounded(150)
@given(content=hostile_bytes, kind=st.sampled_from(("precincts", "regions", None)))
def test_any_territory_file_reads_or_is_refused(content: bytes, kind: str | None) -> None:
    count("import: read_territory (file bytes)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "territory.json"
        path.write_bytes(content)
        try:
            batch = read_territory(path, kind)
        except InvalidInput as error:
            _named(error)
            return
    assert isinstance(batch, TerritoryImport)


def _csv_cell(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return '"' + text.replace('"', '""') + '"'


@bounded(200)
@given(row=mutated(PRECINCTS[0]), as_csv=st.booleans())
def test_a_mutated_row_is_parsed_within_range_or_named(row: dict[str, Any], as_csv: bool) -> None:
    """Validation never lets through a value no column can store, and names every refusal."""
    count("import: validate_rows (mutated rows)")
    if as_csv:
        header = ",".join(_csv_cell(k) for k in row)
        try:
            rows = parse_csv(header + "\n" + ",".join(_csv_cell(v) for v in row.values()) + "\n")
        except InvalidInput as error:
            _named(error)
            return
    else:
        rows = (RawRow(1, row),)
    errors = RowErrors("precincts")
    valid = validate_rows(rows, PrecinctRow, errors)
    assert all(e.field for e in errors.errors)
    for _, parsed in valid:
        assert 1 <= parsed.number <= MAX_STORED_INT and 0 <= parsed.voters <= MAX_STORED_INT
        assert storable_text(parsed.region) and storable_text(parsed.address)


def _state(factory: sessionmaker[Session]) -> dict[str, int]:
    """Rows per table, and the audit events that are not refusals."""
    with factory() as session:
        counts = {
            t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
            if t.name != AuditEvent.__tablename__
        }
        counts["audit (not refusals)"] = session.execute(
            select(func.count()).where(AuditEvent.outcome != "refused")
        ).scalar_one()
    return counts


@st.composite
def territory_documents(draw: st.DrawFn) -> dict[str, list[Any]]:
    """The valid territory with one section's rows mutated (a row dropped, duplicated, or a row's
    fields renamed, dropped or given hostile values)."""
    document = {name: list(rows) for name, rows in VALID.items()}
    section = draw(st.sampled_from(SECTIONS))
    rows = document[section]
    index = draw(st.integers(0, len(rows) - 1))
    action = draw(st.sampled_from(("mutate", "mutate", "duplicate", "drop", "junk")))
    if action == "mutate":
        rows[index] = draw(mutated(rows[index]))
    elif action == "duplicate":
        rows.append(rows[index])
    elif action == "drop":
        del rows[index]
    else:
        rows.append(draw(st.dictionaries(texts, json_values, max_size=5)))
    return document


@bounded(40)
@given(document=territory_documents())
def test_a_refused_import_writes_nothing(
    factory: sessionmaker[Session], document: dict[str, list[Any]]
) -> None:
    count("import: import_territory (mutated documents, database)")
    before = _state(factory)
    try:
        execute(factory, OPERATOR, import_territory, TerritoryImport.of(**document))
    except InvalidInput as error:
        _named(error)
        assert _state(factory) == before, "a refused import wrote rows"
