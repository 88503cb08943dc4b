"""Explanations as data: a stable English template with named placeholders, and the exact values.

The law core explains every decision it takes (the allocation trace of CL art. 111-1, a district's
outcome under art. 9 and art. 109-1, …). It says so in English, but a result protocol is read in
Kazakh and Russian too, so an explanation is kept as data: ``template`` is an English sentence
with placeholders ``{name}`` (the value as it is) or ``{name:.N}`` (a number rounded half away
from zero to N decimals, for people, never for decisions), and ``values`` holds the exact values
(``int``, :class:`~fractions.Fraction`, names, lists of names). ``text`` is the English sentence,
rendered when it is first read (an allocation keeps dozens of steps that nobody may print).
An interface translates the template (the msgid of its catalogue) and formats the values for its
reader's language; the law core depends on nothing to do so.

Every module that explains keeps its templates in one place, as module-level constants gathered in
``EXPLANATIONS``, so the catalogues can be checked against them without running every path.
Templates contain no other braces.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

__all__ = [
    "PLACEHOLDER",
    "Explained",
    "Explanation",
    "LazyText",
    "Value",
    "decimal_text",
    "english",
    "fill",
    "placeholders",
    "settle",
]

Value = int | Fraction | str | tuple[str, ...]
"""A value an explanation names: a count, an exact share or quotient, a name, a list of names."""

PLACEHOLDER = re.compile(r"\{(\w+)(?::\.(\d+))?\}")
"""``{name}`` or ``{name:.N}`` (N decimals)."""


def decimal_text(value: Fraction | int, places: int = 6) -> str:
    """``value`` rounded half away from zero to ``places`` decimals: for people, never decisions.

    In integers: |n| × 10^places / d, its remainder compared with half of d."""
    n, d = value.numerator, value.denominator
    scale = 10**places
    whole, rest = divmod(abs(n) * scale, d)
    if 2 * rest >= d:
        whole += 1
    sign = "-" if n < 0 and whole else ""
    if places == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole // scale}.{whole % scale:0{places}d}"


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholders of ``template`` as written (``{votes}``, ``{quota:.6}``), sorted: a
    translation must keep exactly these."""
    return tuple(sorted(m.group(0) for m in PLACEHOLDER.finditer(template)))


@dataclass(frozen=True)
class _Parsed:
    """A template cut once into its placeholders and a positional format string, so filling it
    needs no regular expression."""

    fields: tuple[tuple[str, int | None], ...]
    """(name, places) of each placeholder, in order."""
    form: str
    """The template with each placeholder as ``{}`` and other braces doubled (for str.format)."""
    names: frozenset[str]


_PARSED: dict[str, _Parsed] = {}
_PARSED_LIMIT = 4096
"""Templates are few (the law core's constants and their translations); the bound only guards
against a caller filling ever-new strings."""


def _parsed(template: str) -> _Parsed:
    found = _PARSED.get(template)
    if found is None:
        fields: list[tuple[str, int | None]] = []
        form: list[str] = []
        at = 0
        for m in PLACEHOLDER.finditer(template):
            places = m.group(2)
            fields.append((m.group(1), None if places is None else int(places)))
            form.append(template[at : m.start()].replace("{", "{{").replace("}", "}}") + "{}")
            at = m.end()
        form.append(template[at:].replace("{", "{{").replace("}", "}}"))
        found = _Parsed(tuple(fields), "".join(form), frozenset(name for name, _ in fields))
        if len(_PARSED) < _PARSED_LIMIT:
            _PARSED[template] = found
    return found


def fill(
    template: str, values: Mapping[str, object], show: Callable[[object, int | None], str]
) -> str:
    """``template`` with each placeholder replaced by ``show(value, places)``.

    ``places`` is N for ``{name:.N}`` and ``None`` for ``{name}``; an interface passes its own
    ``show`` to format numbers for its language. A value missing for a placeholder raises
    :class:`KeyError`.
    """
    parsed = _parsed(template)
    return parsed.form.format(*[show(values[name], places) for name, places in parsed.fields])


def _english_value(value: object, places: int | None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int):
        return str(value) if places is None else decimal_text(value, places)
    # ``type(...) is`` first: ``isinstance(x, Fraction)`` is a slow abstract-base-class check
    if type(value) is Fraction or isinstance(value, Fraction):
        if places is None:
            return f"{value.numerator}/{value.denominator}"
        return decimal_text(value, places)
    return str(value)


def english(template: str, values: Mapping[str, object]) -> str:
    """The English sentence: integers as digits, fractions exact as ``n/d``, names as they are."""
    return fill(template, values, _english_value)


class LazyText:
    """Mixin for a frozen explanation-like dataclass: its ``text`` field is rendered in English
    on first reading and kept (reading it twice renders once)."""

    __slots__ = ()

    if not TYPE_CHECKING:  # hidden from type checkers, which would accept any attribute name

        def __getattr__(self, name: str) -> str:
            # called only while ``text`` is not rendered yet (not in the instance's dict)
            if name != "text":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            text = english(
                object.__getattribute__(self, "template"), object.__getattribute__(self, "values")
            )
            object.__setattr__(self, "text", text)
            return text


@dataclass(frozen=True)
class Explanation(LazyText):
    """Why the law decided as it did, as a template and exact values (``text``: in English)."""

    template: str
    values: Mapping[str, Value] = field(default_factory=dict, hash=False)
    text: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        settle(self)


class Explained(Protocol):
    """A frozen record that explains: :class:`Explanation`, an allocation trace step, …"""

    @property
    def template(self) -> str: ...

    @property
    def values(self) -> Mapping[str, Value]: ...


def settle(explained: Explained) -> None:
    """Check that every placeholder of a frozen explanation-like dataclass has its value, and
    freeze the ``values`` (for :class:`Explanation` and records shaped like it, such as an
    allocation trace step). The English ``text`` is left to :class:`LazyText`."""
    template, values = explained.template, explained.values
    names = _parsed(template).names
    if not names.issubset(values):
        missing = names.difference(values)
        raise ValueError(f"explanation {template!r} lacks values for {sorted(missing)}")
    object.__setattr__(explained, "values", MappingProxyType(dict(values)))
