"""Errors raised by the law core.

Every rule refuses input it cannot decide on with a :class:`LawInputError` that names the field, the
value and the rule broken, so that an interface can show a precise message (in the user's language)
instead of a stack trace.
"""

from __future__ import annotations


class LawInputError(ValueError):
    """Input that no rule of the law can be applied to (negative votes, zero seats, …).

    A plain exception class (not a frozen dataclass) so that tools may attach notes to it.
    """

    def __init__(self, field: str, value: object, rule: str) -> None:
        super().__init__(field, value, rule)
        self.field = field
        self.value = value
        self.rule = rule

    def __str__(self) -> str:
        return f"{self.field}={self.value!r}: {self.rule}"


def require(condition: bool, field: str, value: object, rule: str) -> None:
    """Raise :class:`LawInputError` unless ``condition`` holds."""
    if not condition:
        raise LawInputError(field=field, value=value, rule=rule)


def require_non_negative(field: str, value: int) -> None:
    """Counts of votes, voters and ballots are whole numbers ≥ 0."""
    if type(value) is int and value >= 0:  # the usual case, decided without building messages
        return
    require(
        isinstance(value, int) and not isinstance(value, bool),
        field,
        value,
        "must be a whole number",
    )
    require(value >= 0, field, value, "must not be negative")
