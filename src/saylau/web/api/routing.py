"""What every API router shares: documented error bodies, clean text, and service calls.

Every route documents the four error statuses of the services (403 refused and logged, 404 not
found, 409 conflicting with the current state, 422 invalid input), all with the body
:class:`saylau.web.errors.ErrorBody`. Text that no database stores (a NUL character, half of a
UTF-16 surrogate pair) is refused as invalid input before any service runs. A law-core refusal that
reaches the interface unwrapped is answered as invalid input naming the field, never as a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import suppress
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response

from saylau.law.errors import LawInputError
from saylau.services.context import Context
from saylau.services.errors import InvalidInput, law_input
from saylau.web.errors import ErrorBody

R = TypeVar("R")
T = TypeVar("T")

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {
        "model": ErrorBody,
        "description": "Refused: the role or its territory does not allow this (the refusal is "
        "logged), or the credentials are not valid.",
    },
    404: {"model": ErrorBody, "description": "Nothing with this id."},
    409: {
        "model": ErrorBody,
        "description": "Not possible in the current state or after a deadline.",
    },
    422: {"model": ErrorBody, "description": "Invalid input; `field` names the field."},
}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _storable(text: str) -> bool:
    return not any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text)


async def storable_text(request: Request) -> None:
    """Refuse a NUL character or a lone surrogate anywhere in the path, query or JSON body."""
    values: list[Any] = [*request.path_params.values(), *request.query_params.values()]
    if request.method not in ("GET", "HEAD", "OPTIONS") and await request.body():
        with suppress(ValueError):  # not JSON: the body's own validation answers
            values.append(await request.json())
    for text in (s for value in values for s in _strings(value)):
        if not _storable(text):
            raise InvalidInput(
                "unstorable_text",
                "text with a NUL character or a lone surrogate cannot be stored",
                field="text",
            )


class ServiceRoute(APIRoute):
    """A route whose law-core refusals, and bodies that cannot be read, become
    :class:`InvalidInput` naming the field."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except LawInputError as error:
                raise law_input(error) from error
            except HTTPException as error:
                if error.status_code != 400:
                    raise
                raise InvalidInput(
                    "unreadable_body", f"the request body: {error.detail}", field="body"
                ) from error

        return run


def api_router(tag: str) -> APIRouter:
    """A router under ``/api`` for one area of the administration."""
    return APIRouter(
        prefix="/api",
        tags=[tag],
        responses=ERROR_RESPONSES,
        route_class=ServiceRoute,
        dependencies=[Depends(storable_text)],
    )


def then(operation: Callable[..., R], convert: Callable[[Session, R], T]) -> Callable[..., T]:
    """``operation`` followed, in the same transaction, by ``convert`` of its result (so that the
    response is built while the rows are attached). Keeps the operation's name: a refusal is
    logged under the service's name."""

    def run(ctx: Context, *args: Any, **kwargs: Any) -> T:
        return convert(ctx.session, operation(ctx, *args, **kwargs))

    run.__name__ = getattr(operation, "__name__", "operation")
    run.__doc__ = operation.__doc__
    return run
