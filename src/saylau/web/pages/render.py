"""Rendering a page: the template, the request's language, the acting user and the CSRF token.

Every page extends ``base.html`` (skip link, header with the language switch, main landmark). Text
goes through ``_()`` so it is translated; dates and numbers through ``format_date``/``format_number``
so they follow the language's conventions (Babel); the law core's explanations through
``explain`` (:mod:`saylau.web.pages.explain`), in the language of the page.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from saylau.services.context import Actor
from saylau.web.i18n import LANGUAGE_NAMES, LANGUAGES, gettext, negotiate
from saylau.web.pages.explain import explainer
from saylau.web.security import csrf_token

_environment = Environment(
    loader=FileSystemLoader(str(resources.files("saylau.web") / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def template_global(name: str, value: Any) -> None:
    """Make ``value`` available to every template as ``name`` (for a setting a shared template
    needs, such as whether e-mail subscriptions are offered, without threading it through every
    view)."""
    _environment.globals[name] = value


def render(
    request: Request,
    template: str,
    actor: Actor | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` in the request's language."""
    language = negotiate(request)
    html = render_text(
        template,
        language,
        request=request,
        actor=actor,
        csrf_token=csrf_token(request),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


@cache
def _integer_symbols(language: str) -> tuple[str, str] | None:
    """The group separator and minus sign of ``language`` when its whole numbers are grouped by
    threes (CLDR pattern ``#,##0.###``), else None (Babel formats them)."""
    locale = Locale.parse(language)
    pattern = locale.decimal_formats[None]
    if pattern.pattern != "#,##0.###" or pattern.grouping != (3, 3):
        return None
    symbols = locale.number_symbols["latn"]
    return symbols["group"], symbols["minusSign"]


def number_text(value: int | float, language: str) -> str:
    """``value`` as Babel's ``format_decimal`` writes it in ``language``; whole numbers without
    Babel's pattern machinery (a results page shows thousands of them, and Babel was a fifth of
    its rendering time), with the locale's own symbols."""
    if type(value) is int:
        symbols = _integer_symbols(language)
        if symbols is not None:
            group, minus = symbols
            text = f"{abs(value):,}".replace(",", group)
            return minus + text if value < 0 else text
    return format_decimal(value, locale=language)


def render_text(template: str, language: str, **context: Any) -> str:
    """``template`` rendered in ``language`` with the translation and formatting helpers.

    No request is needed: the public results site and the static publication render the same
    templates without a session (nothing a cache or a CDN would have to vary on).
    """

    def _(message: str, **values: Any) -> str:
        text = gettext(language, message)
        return text.format(**values) if values else text

    def format_number(value: int | float) -> str:
        return number_text(value, language)

    def format_date(value: date | datetime) -> str:
        if isinstance(value, datetime):
            return babel_datetime(value, "medium", locale=language)
        return babel_date(value, "long", locale=language)

    return _environment.get_template(template).render(
        language=language,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        _=_,
        format_number=format_number,
        format_date=format_date,
        explain=explainer(language),
        **context,
    )
