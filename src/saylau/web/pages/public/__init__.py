"""The public results site (issue #5): results, open data and voter services for everyone.

Pages live under a language prefix (``/kk/``, ``/ru/``, ``/en/``), their data twins under
``/data/``; see :mod:`saylau.web.pages.public.site` for what they share.
"""

from __future__ import annotations

from fastapi import APIRouter

from saylau.web.pages.public import (
    home,
    indicators,
    opendata,
    overview,
    results,
    subscriptions,
    voters,
)
from saylau.web.pages.public.views import View

MODULES = (home, results, opendata, voters, subscriptions, overview, indicators)

router = APIRouter(include_in_schema=False)
for module in MODULES:
    router.include_router(module.router)


def all_views() -> tuple[View, ...]:
    """Every declared view of the public site (each module's ``VIEWS``): what ``saylau publish``
    writes."""
    return tuple(view for module in MODULES for view in getattr(module, "VIEWS", ()))
