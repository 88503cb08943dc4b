"""Rendering a page: the template, the request's language, the acting user and the CSRF token.

Every page extends ``base.html`` (skip link, header with the language switch, main landmark). Text
goes through ``_()`` so it is translated; dates and numbers through ``format_date``/``format_number``
so they follow the language's conventions (Babel).
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import Any

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from saylau.services.context import Actor
from saylau.web.i18n import LANGUAGE_NAMES, LANGUAGES, gettext, negotiate
from saylau.web.security import csrf_token

_environment = Environment(
    loader=FileSystemLoader(str(resources.files("saylau.web") / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


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

    def _(message: str, **values: Any) -> str:
        text = gettext(language, message)
        return text.format(**values) if values else text

    def format_number(value: int | float) -> str:
        return format_decimal(value, locale=language)

    def format_date(value: date | datetime) -> str:
        if isinstance(value, datetime):
            return babel_datetime(value, "medium", locale=language)
        return babel_date(value, "long", locale=language)

    html = _environment.get_template(template).render(
        request=request,
        actor=actor,
        language=language,
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        csrf_token=csrf_token(request),
        _=_,
        format_number=format_number,
        format_date=format_date,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
