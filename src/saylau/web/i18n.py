"""Kazakh (default), Russian and English: gettext catalogues read with Babel.

The catalogues are the ``.po`` files under ``locale/``; they are compiled in memory at start-up, so
no build step is needed. The language of a request: the ``lang`` cookie (the switch on every page),
then the signed-in user's preference, then ``Accept-Language``, then Kazakh.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from babel.support import Translations
from starlette.requests import Request

from saylau.catalogues import merged_translations

LANGUAGES = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


@cache
def translations(language: str) -> Translations:
    """All catalogues of ``language`` merged (English is the source language of the msgids).

    Each area keeps its own ``.po`` file (``messages.po``, ``commission.po``, ``portal.po`` …) in
    ``locale/<language>/LC_MESSAGES``; all of them are read.
    """
    folder = resources.files("saylau.web") / "locale" / language / "LC_MESSAGES"
    return merged_translations(folder, language)


def negotiate(request: Request, user_locale: str | None = None) -> str:
    """The language for this request."""
    cookie = request.cookies.get("lang")
    if cookie in LANGUAGES:
        return cookie
    if user_locale in LANGUAGES:
        return str(user_locale)
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)
