"""The law core's explanations in the reader's language (issue #4 §4).

The law core keeps every explanation as an English template with exact values
(:mod:`saylau.law.explain`); a stored result holds them as JSON (``template``, ``values`` with
fractions as ``"n/d"``, and the English ``text``). Here the template is translated through the
``law.po`` catalogues and the values are formatted for the language: whole numbers through Babel,
``{name:.N}`` as a decimal with N places (rounded half away from zero, as the law core does),
fractions exact as ``n/d`` as the pages show them. A result stored before explanations were
structured has only its English ``text``: it is shown as it is, marked as English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal

from saylau.law.explain import decimal_text, fill
from saylau.web.i18n import gettext


@dataclass(frozen=True)
class Said:
    """An explanation as shown: its text and the language it is in (for ``lang=""``)."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


def _field(item: Any, name: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(name)
    return getattr(item, name, None)


def explainer(language: str) -> Callable[[Any], Said]:
    """``explain(item)`` for pages in ``language``: ``item`` is a stored explanation (a mapping
    with ``template`` and ``values``, such as an allocation trace step or a district's
    ``explanation``), a law-core object shaped alike, or a bare English sentence."""

    def show(value: object, places: int | None) -> str:
        if places is not None:
            exact = Fraction(str(value))
            pattern = "#,##0." + "0" * places if places else "#,##0"
            return format_decimal(
                Decimal(decimal_text(exact, places)), format=pattern, locale=language
            )
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return format_decimal(value, locale=language)
        if isinstance(value, Fraction):
            return f"{value.numerator}/{value.denominator}"
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return str(value)

    def said_in(template: str, translated: str) -> str:
        return language if translated != template or language == "en" else "en"

    def explain(item: Any) -> Said:
        if item is None:
            return Said("", language)
        if isinstance(item, str):
            if "{" in item:  # a template without its values cannot be filled
                return Said(item, "en")
            translated = gettext(language, item)
            return Said(translated, said_in(item, translated))
        template = _field(item, "template")
        values = _field(item, "values") or {}
        if not isinstance(template, str):
            return Said(str(_field(item, "text") or _field(item, "reason") or ""), "en")
        translated = gettext(language, template)
        try:
            return Said(fill(translated, values, show), said_in(template, translated))
        except (KeyError, ValueError):  # a translation that lost a placeholder: say it in English
            return Said(fill(template, values, show), "en")

    return explain
