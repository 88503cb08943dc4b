"""Errors the services raise: each names the field, the value and the rule, in a translatable form.

``code`` is a stable machine-readable identifier; ``message`` is English text with the specifics filled
in. Interfaces translate by ``code`` and ``params`` (issue #4) and show ``message`` as the fallback.
"""

from __future__ import annotations

from typing import Any


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
