"""Kazakh and Russian for official documents: the law core's explanations and figures.

Official documents are issued in Kazakh and in Russian (Kazakh first). The law core explains each
decision as an English template with exact values (:mod:`saylau.law.explain`); its Kazakh and
Russian translations are the ``law.po`` catalogues of the web interface, which this module reads
with Babel directly from the package's files (the documents layer does not import the web
interface). Values are formatted as the pages format them: whole numbers grouped by Babel,
``{name:.N}`` as a decimal rounded half away from zero, exact fractions as ``n/d``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from saylau.law.explain import decimal_text, fill

LANGUAGES = ("kk", "ru")
"""The languages of an official document, in the order they are printed."""

LOCALE = resources.files("saylau") / "web" / "locale"
"""The gettext catalogues (read as files; ``saylau.web`` itself is not imported)."""


@cache
def law_catalogue(language: str) -> Mapping[str, str]:
    """msgid → translation of the ``law.po`` catalogue of ``language`` (untranslated left out)."""
    entry = LOCALE / language / "LC_MESSAGES" / "law.po"
    with entry.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string
    }


def number(value: int | str, language: str = "kk") -> str:
    """A whole number grouped as the language writes it (``12 345``)."""
    return format_decimal(int(value), locale=language)


def exact(value: Fraction | str | int) -> str:
    """An exact fraction as ``n/d`` (a whole number without ``/1``)."""
    fraction = Fraction(str(value)) if not isinstance(value, Fraction) else value
    if fraction.denominator == 1:
        return str(fraction.numerator)
    return f"{fraction.numerator}/{fraction.denominator}"


def decimal(value: Fraction | str | int, places: int, language: str = "kk") -> str:
    """``value`` rounded half away from zero to ``places`` decimals, for people (never decisions)."""
    rounded = Decimal(decimal_text(Fraction(str(value)), places))
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(rounded, format=pattern, locale=language)


def percent(share: Fraction | str | int | None, language: str = "kk", places: int = 2) -> str:
    """A share as a percentage with ``places`` decimals (``58,82 %``); empty for no share."""
    if share is None:
        return ""
    return f"{decimal(Fraction(str(share)) * 100, places, language)} %"


def day(value: date | datetime, zone: tzinfo | None = None) -> str:
    """A date as official documents of Kazakhstan write it: ``19.03.2023`` (a moment is first
    taken to ``zone``, the wall clock of the region concerned)."""
    if isinstance(value, datetime):
        value = (value.astimezone(zone) if zone is not None else value).date()
    return f"{value:%d.%m.%Y}"


def _shower(language: str, names: Mapping[str, str]) -> Callable[[object, int | None], str]:
    def show(value: object, places: int | None) -> str:
        if places is not None:
            return decimal(str(value), places, language)
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return number(value, language)
        if isinstance(value, Fraction):
            return exact(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(names.get(str(v), str(v)) for v in value)
        text = str(value)
        return names.get(text, text)

    return show


def explain(item: Any, language: str, names: Mapping[str, str] | None = None) -> str:
    """A stored explanation (``template`` + ``values``, or a bare English sentence) in
    ``language``. ``names`` replaces codes in the values (a party's code → its name in that
    language). A sentence without a translation, or a translation that lost a placeholder, is
    given in English rather than not at all."""
    names = names or {}
    if item is None:
        return ""
    if isinstance(item, str):
        return item if "{" in item else law_catalogue(language).get(item, item)
    if not isinstance(item, Mapping):
        return str(item)
    template = item.get("template")
    values = item.get("values") or {}
    if not isinstance(template, str):
        return str(item.get("text") or item.get("reason") or "")
    translated = law_catalogue(language).get(template, template)
    show = _shower(language, names)
    try:
        return fill(translated, values, show)
    except (KeyError, ValueError):
        return fill(template, values, show)


def both(item: Any, names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
    """``{"kk": …, "ru": …}``: an explanation in both languages of the document; ``names`` maps
    each language to its code → name replacements."""
    names = names or {}
    return {lang: explain(item, lang, names.get(lang)) for lang in LANGUAGES}
