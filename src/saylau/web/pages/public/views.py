"""A public view: one document, shown as a page in every language and given as JSON and CSV.

Each view of the public site is declared once as a :class:`View` — the document it shows (built
from the database), the template that shows it, and the table that is its CSV — and
:func:`register` adds its three routes. The static publication (``saylau publish``) walks the same
declarations through :meth:`View.instances`, so the served site and the published files cannot
drift apart, and a test can compare every page with its twins.

Paths: the page at ``/{language}/<path>`` and the twins at ``/data/<path>index.json`` and
``/data/<path>index.csv`` (``<path>`` ends with ``/``), e.g. ``/kk/elections/1/`` with
``/data/elections/1/index.json``: directories map one-to-one to files on a static server.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from saylau.services.errors import NotFound
from saylau.services.public.common import data_version
from saylau.web.deps import Sessions
from saylau.web.i18n import LANGUAGES
from saylau.web.pages.public.cache import view_cache
from saylau.web.pages.public.site import (
    CSV,
    HTML,
    JSON,
    conditional,
    csv_bytes,
    json_bytes,
    page_text,
)

Params = Mapping[str, int | str]
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class View:
    """One public view (see the module docstring)."""

    path: str
    """The path below the language or ``/data`` prefix, with ``{name}`` parameters, ending in
    ``/``: e.g. ``elections/{election_id}/contests/{contest_id}/``."""
    template: str
    """The page's template under ``templates/public/``; it receives the document as ``view``."""
    document: Callable[..., Any]
    """``document(session, **params)`` → the view's data (a dataclass or a mapping); raises
    :class:`NotFound` for parameters that name nothing."""
    table: Callable[[Any], Table]
    """The document's main table as (header, rows): the CSV twin."""
    instances: Callable[[Session], Iterable[Params]]
    """Every parameter set the view has in the database: what the static publication writes."""

    def page_path(self, language: str, params: Params) -> str:
        return f"/{language}/" + self.path.format(**params)

    def data_path(self, params: Params, suffix: str) -> str:
        return "/data/" + self.path.format(**params) + f"index.{suffix}"

    def render(self, session: Session, params: Params) -> dict[str, bytes]:
        """Every file of one instance: path → bytes (the pages in each language, JSON, CSV)."""
        document = self.document(session, **params)
        files = {
            self.data_path(params, "json"): json_bytes(document),
            self.data_path(params, "csv"): csv_bytes(*self.table(document)),
        }
        for language in LANGUAGES:
            path = self.page_path(language, params)
            files[path + "index.html"] = self.page(path, language, params, document)
        return files

    def page(self, path: str, language: str, params: Params, document: Any) -> bytes:
        text = page_text(
            path,
            language,
            self.template,
            view=document,
            params=params,
            json_href=self.data_path(params, "json"),
            csv_href=self.data_path(params, "csv"),
            **self.context(language, document),
        )
        return text.encode("utf-8")

    def context(self, language: str, document: Any) -> Mapping[str, Any]:
        """What else the page's template needs besides the document (formatting helpers, charts):
        a family of views overrides this."""
        return {}


def _params(request: Request) -> dict[str, int | str]:
    """The view's path parameters (ids already ``int`` through the path converters)."""
    return {k: v for k, v in request.path_params.items() if k != "language"}


def _document(view: View, session: Session, params: Params) -> Any:
    try:
        return view.document(session, **params)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc


def _served(request: Request, sessions: Any, build: Callable[[Session], bytes]) -> bytes:
    """The body at this request's path: from the application's cache while the data version is
    the one it was built under, else built and kept (issue #8, B4; :mod:`.cache`)."""
    with sessions() as session:
        version = data_version(session)  # before the view: an entry is never older than its key
        return view_cache(request).get(request.url.path, version, lambda: build(session))


def register(router: APIRouter, view: View) -> None:
    """Add ``view``'s page, JSON and CSV routes to ``router``."""

    def page(request: Request, sessions: Sessions) -> Response:
        language = request.path_params["language"]
        if language not in LANGUAGES:
            raise HTTPException(status_code=404)
        params = _params(request)

        def build(session: Session) -> bytes:
            document = _document(view, session, params)
            return view.page(request.url.path, language, params, document)

        return conditional(request, _served(request, sessions, build), HTML)

    def json_twin(request: Request, sessions: Sessions) -> Response:
        params = _params(request)

        def build(session: Session) -> bytes:
            return json_bytes(_document(view, session, params))

        return conditional(request, _served(request, sessions, build), JSON)

    def csv_twin(request: Request, sessions: Sessions) -> Response:
        params = _params(request)

        def build(session: Session) -> bytes:
            return csv_bytes(*view.table(_document(view, session, params)))

        return conditional(request, _served(request, sessions, build), CSV)

    router.add_api_route("/{language}/" + _typed(view.path), page, methods=["GET"])
    router.add_api_route("/data/" + _typed(view.path) + "index.json", json_twin, methods=["GET"])
    router.add_api_route("/data/" + _typed(view.path) + "index.csv", csv_twin, methods=["GET"])


def _typed(path: str) -> str:
    """Starlette path converters: parameters named ``*_id`` or ``number`` are whole numbers."""
    out = path
    for name in _names(path):
        if name.endswith("_id") or name == "number":
            out = out.replace("{" + name + "}", "{" + name + ":int}")
    return out


def _names(path: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(path) if field]
