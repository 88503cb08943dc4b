"""Errors the services raise: each names the field, the value and the rule, in a translatable form.

``code`` is a stable machine-readable identifier; ``message`` is English text with the specifics filled
in. Interfaces translate by ``code`` and ``params`` (issue #4) and show ``message`` as the fallback.
:func:`law_input` turns a refusal of the law core into one, :func:`require_step` a state change the
state machine does not allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from saylau.domain.states import InvalidTransition, require_transition
from saylau.law.errors import LawInputError

S = TypeVar("S", bound=StrEnum)


class ServiceError(Exception):
    """Base of every refusal by a service; nothing was written when it is raised."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = params

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "message": self.message, **self.params}


class InvalidInput(ServiceError):
    """Input that breaks a rule: a negative count, a missing document, an unknown region…"""

    status = 422


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    """The request clashes with the current state (a deadline passed, a protocol already final)."""

    status = 409


class PermissionDenied(ServiceError):
    """The actor's role or territory does not allow the action; the refusal is logged."""

    status = 403


def law_input(error: LawInputError, prefix: str = "", *, code: str = "law_rule") -> InvalidInput:
    """A law-core refusal as a service error naming the field (under ``prefix``), the value and
    the rule."""
    name = f"{prefix}.{error.field}" if prefix else error.field
    return InvalidInput(
        code,
        f"{name}={error.value!r}: {error.rule}",
        field=name,
        value=str(error.value),
        rule=error.rule,
    )


def require_step(
    subject: str, table: Mapping[S, frozenset[S]], current: S, target: S, *, field: str
) -> None:
    """Refuse with :class:`Conflict` unless the state machine ``table`` (``domain.states``) allows
    ``subject`` (e.g. "mandate 3") to go from ``current`` to ``target``."""
    try:
        require_transition(subject, table, current, target)
    except InvalidTransition as error:
        raise Conflict(
            "invalid_transition",
            f"{subject} is {current.value} and cannot become {target.value}",
            field=field,
            current=current.value,
            target=target.value,
        ) from error
