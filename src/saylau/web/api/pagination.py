"""Pages of a list: ``limit`` (1–500, default 50) items from ``offset``, with the ``total``.

The total is counted in SQL over the same filtered query, so a client can page through a national
election's 10,000 precincts without loading them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from saylau.web.api.models import MAX_ID

MAX_LIMIT = 500
DEFAULT_LIMIT = 50

T = TypeVar("T")
M = TypeVar("M")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    """How many items the whole (filtered) list has."""
    limit: int
    offset: int


@dataclass(frozen=True)
class PageQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def page_query(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
) -> PageQuery:
    return PageQuery(limit, offset)


Paging = Annotated[PageQuery, Depends(page_query)]


def _total(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(session.scalar(counted) or 0)


def paginate(
    session: Session,
    statement: Select[M],
    paging: PageQuery,
    convert: Callable[[M], T],
) -> Page[T]:
    """One page of the rows of ``statement`` (one entity per row), converted."""
    rows = session.scalars(statement.limit(paging.limit).offset(paging.offset)).all()
    return Page[T](
        items=[convert(row) for row in rows],
        total=_total(session, statement),
        limit=paging.limit,
        offset=paging.offset,
    )


def paginate_rows(
    session: Session,
    statement: Select[*tuple[Any, ...]],
    paging: PageQuery,
    convert: Callable[[Any], T],
) -> Page[T]:
    """One page of the rows of ``statement`` (several columns per row), converted."""
    rows = session.execute(statement.limit(paging.limit).offset(paging.offset)).all()
    return Page[T](
        items=[convert(row) for row in rows],
        total=_total(session, statement),
        limit=paging.limit,
        offset=paging.offset,
    )


def page_of(items: Sequence[T], paging: PageQuery) -> Page[T]:
    """One page of a list computed in memory (reference lists, reports)."""
    return Page[T](
        items=list(items[paging.offset : paging.offset + paging.limit]),
        total=len(items),
        limit=paging.limit,
        offset=paging.offset,
    )
