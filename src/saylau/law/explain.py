"""Explanations as data: a stable English template with named placeholders, and the exact values.

The law core explains every decision it takes (the allocation trace of CL art. 111-1, a district's
outcome under art. 9 and art. 109-1, …). It says so in English, but a result protocol is read in
Kazakh and Russian too, so an explanation is kept as data: ``template`` is an English sentence
with placeholders ``{name}`` (the value as it is) or ``{name:.N}`` (a number rounded half away
from zero to N decimals, for people, never for decisions), and ``values`` holds the exact values
(``int``, :class:`~fractions.Fraction`, names, lists of names). ``text`` is the English sentence.
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
from math import floor
from types import MappingProxyType
from typing import Protocol

__all__ = [
    "PLACEHOLDER",
    "Explained",
    "Explanation",
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


def decimal_text(value: Fraction, places: int = 6) -> str:
    """``value`` rounded half away from zero to ``places`` decimals: for people, never decisions."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = floor(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = "-" if value < 0 and whole else ""
    if places == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole // scale}.{whole % scale:0{places}d}"


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholders of ``template`` as written (``{votes}``, ``{quota:.6}``), sorted: a
    translation must keep exactly these."""
    return tuple(sorted(m.group(0) for m in PLACEHOLDER.finditer(template)))


def fill(
    template: str, values: Mapping[str, object], show: Callable[[object, int | None], str]
) -> str:
    """``template`` with each placeholder replaced by ``show(value, places)``.

    ``places`` is N for ``{name:.N}`` and ``None`` for ``{name}``; an interface passes its own
    ``show`` to format numbers for its language.
    """

    def one(match: re.Match[str]) -> str:
        places = match.group(2)
        return show(values[match.group(1)], None if places is None else int(places))

    return PLACEHOLDER.sub(one, template)


def _english_value(value: object, places: int | None) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if places is not None and isinstance(value, (int, Fraction)):
        return decimal_text(Fraction(value), places)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def english(template: str, values: Mapping[str, object]) -> str:
    """The English sentence: integers as digits, fractions exact as ``n/d``, names as they are."""
    return fill(template, values, _english_value)


@dataclass(frozen=True)
class Explanation:
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
    """Freeze the ``values`` of a frozen explanation-like dataclass and set its English ``text``
    (for :class:`Explanation` and records shaped like it, such as an allocation trace step)."""
    template, values = explained.template, explained.values
    missing = {m.group(1) for m in PLACEHOLDER.finditer(template)} - set(values)
    if missing:
        raise ValueError(f"explanation {template!r} lacks values for {sorted(missing)}")
    object.__setattr__(explained, "values", MappingProxyType(dict(values)))
    object.__setattr__(explained, "text", english(template, values))
