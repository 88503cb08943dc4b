"""Core INSERT/UPDATE statements run as one driver-level executemany of plain tuples (issue #8, B1).

A bulk import writes ~10⁵ rows (entries, votes, states, definitive figures, tabulation marks, audit
events). Through ``session.execute(statement, [dict, …])`` SQLAlchemy builds and processes every
row's parameters one by one in Python (profiled: about a tenth of the import's CPU time). Here the
statement is compiled once per dialect by SQLAlchemy itself — the same SQL text, placeholders and
bind casts (PostgreSQL) it would send — and each column's bind processing (the column type's, as
SQLAlchemy applies it: times to UTC, enums to their values, JSON serialised) is applied only where
a value needs it: the values shared by every row (the call's time, the typist) once per call, the
varying ones per row. The rows then go to the driver's ``executemany`` as they are, in the
session's transaction; errors are SQLAlchemy's (an ``IntegrityError`` stays one).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, insert
from sqlalchemy.engine import Compiled
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]


def _binds(compiled: Compiled) -> dict[str, BindParameter[Any]]:
    """The parameters of a compiled statement, by the name it binds them under."""
    assert isinstance(compiled, SQLCompiler)
    return {name: bind for bind, name in compiled.bind_names.items()}


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect: its SQL and how a row becomes its parameters."""

    sql: str
    positional: bool
    names: tuple[str, ...]
    """The parameters in the order the driver takes them (positional) or their names."""
    order: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    """A row (varying values, then constants) → the values in ``names`` order."""
    varying: tuple[tuple[int, Processor], ...]
    """The varying values' processors, by their place in a row."""
    constant: tuple[Processor | None, ...]


class PlainRows:
    """``statement`` (its parameters named by bindparams: ``varying`` given per row, ``constant``
    once per call) executed for many rows by one driver-level ``executemany``."""

    def __init__(
        self, statement: UpdateBase, varying: Sequence[str], constant: Sequence[str] = ()
    ) -> None:
        self.statement = statement
        self.varying = tuple(varying)
        self.constant = tuple(constant)
        self._plans: weakref.WeakKeyDictionary[Dialect, _Plan] = weakref.WeakKeyDictionary()

    @classmethod
    def insert(
        cls,
        table: Table,
        varying: Sequence[str],
        constant: Sequence[str] = (),
        types: Mapping[str, TypeEngine[Any]] | None = None,
    ) -> PlainRows:
        """An INSERT into ``table`` of the columns ``varying`` (per row) and ``constant`` (per
        call), each bound with its column's type unless ``types`` names another (the parameters
        are named ``p_<column>``: a bindparam may not take a column's own name)."""
        types = types or {}
        values = {
            name: bindparam(f"p_{name}", type_=types.get(name, table.c[name].type))
            for name in (*varying, *constant)
        }
        return cls(
            insert(table).values(values),
            [f"p_{name}" for name in varying],
            [f"p_{name}" for name in constant],
        )

    def _plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect)
        if plan is not None:
            return plan
        compiled = self.statement.compile(dialect=dialect)
        given = (*self.varying, *self.constant)
        bound = _binds(compiled)
        if sorted(given) != sorted(bound):
            raise ValueError(f"parameters {sorted(given)} ≠ the statement's {sorted(bound)}")
        processors: dict[str, Processor | None] = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in bound.items()
        }
        positional = compiled.positiontup is not None
        names = tuple(compiled.positiontup) if compiled.positiontup is not None else given
        where = {name: i for i, name in enumerate(given)}
        picks = [where[name] for name in names]
        getter = itemgetter(*picks)
        order: Callable[[tuple[Any, ...]], tuple[Any, ...]] = (
            getter if len(picks) > 1 else (lambda row: (getter(row),))
        )
        varying = tuple(
            (i, processor)
            for i, name in enumerate(self.varying)
            if (processor := processors[name]) is not None
        )
        plan = _Plan(
            sql=compiled.string,
            positional=positional,
            names=names,
            order=order,
            varying=varying,
            constant=tuple(processors[name] for name in self.constant),
        )
        self._plans[dialect] = plan
        return plan

    def run(
        self, session: Session, rows: Sequence[tuple[Any, ...]], constants: tuple[Any, ...] = ()
    ) -> None:
        """Execute for ``rows`` (tuples of the ``varying`` values, in that order) with the
        ``constant`` values ``constants``, in the session's transaction."""
        if not rows:
            return
        connection = session.connection()
        plan = self._plan(connection.dialect)
        shared = tuple(
            value if processor is None else processor(value)
            for value, processor in zip(constants, plan.constant, strict=True)
        )
        if plan.varying:
            processed = []
            for row in rows:
                values = list(row)
                for i, processor in plan.varying:
                    values[i] = processor(values[i])
                processed.append(tuple(values))
            rows = processed
        order = plan.order
        parameters: list[Any]
        if plan.positional:
            parameters = [order(row + shared) for row in rows]
        else:
            names = plan.names
            parameters = [dict(zip(names, order(row + shared), strict=True)) for row in rows]
        connection.exec_driver_sql(plan.sql, parameters)


@dataclass(frozen=True)
class _Query:
    """A SELECT compiled for one dialect: its SQL, parameter order and column conversions."""

    sql: str
    positional: bool
    names: tuple[str, ...]
    order: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    binds: tuple[tuple[int, Processor], ...]
    results: tuple[tuple[int, Processor], ...]


class PlainSelect:
    """A Core SELECT (its parameters the bindparams ``parameters``) run through the driver: the
    SQL SQLAlchemy compiles for the dialect, once, the values bound as it would bind them and
    each result column converted as it would convert it (an enum's value to its member, a time,
    a JSON document), without building and caching the statement again per execution: a read
    of a thousand keys at once (issue #8, B1)."""

    def __init__(self, statement: Select[Any], parameters: Sequence[str]) -> None:
        self.statement = statement
        self.parameters = tuple(parameters)
        self._plans: weakref.WeakKeyDictionary[Dialect, _Query] = weakref.WeakKeyDictionary()

    def _plan(self, dialect: Dialect) -> _Query:
        plan = self._plans.get(dialect)
        if plan is not None:
            return plan
        compiled = self.statement.compile(dialect=dialect)
        bound = _binds(compiled)
        if sorted(self.parameters) != sorted(bound):
            raise ValueError(
                f"parameters {sorted(self.parameters)} ≠ the statement's {sorted(bound)}"
            )
        positional = compiled.positiontup is not None
        names = tuple(compiled.positiontup) if compiled.positiontup is not None else self.parameters
        where = {name: i for i, name in enumerate(self.parameters)}
        getter = itemgetter(*[where[name] for name in names])
        order: Callable[[tuple[Any, ...]], tuple[Any, ...]] = (
            getter if len(names) > 1 else (lambda row: (getter(row),))
        )
        binds = tuple(
            (i, processor)
            for i, name in enumerate(self.parameters)
            if (processor := bound[name].type.dialect_impl(dialect).bind_processor(dialect))
            is not None
        )
        results = tuple(
            (i, processor)
            for i, selected in enumerate(self.statement.selected_columns)
            if (processor := selected.type.dialect_impl(dialect).result_processor(dialect, None))
            is not None
        )
        plan = _Query(compiled.string, positional, names, order, binds, results)
        self._plans[dialect] = plan
        return plan

    def rows(self, session: Session, values: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows for the parameter ``values`` (in ``parameters`` order), in the session's
        transaction, each column converted to its Python value."""
        connection = session.connection()
        plan = self._plan(connection.dialect)
        if plan.binds:
            bound = list(values)
            for i, processor in plan.binds:
                bound[i] = processor(bound[i])
            values = bound
        ordered = plan.order(tuple(values))
        parameters: Any = (
            ordered if plan.positional else dict(zip(plan.names, ordered, strict=True))
        )
        found = connection.exec_driver_sql(plan.sql, parameters).fetchall()
        if not plan.results:
            return [tuple(row) for row in found]
        converted = []
        for row in found:
            items = list(row)
            for i, processor in plan.results:
                items[i] = processor(items[i])
            converted.append(tuple(items))
        return converted
