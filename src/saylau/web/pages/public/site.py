"""What every page of the public results site shares (issue #5).

The public site is read without signing in. Each page exists once per language under its own
prefix (``/kk/…``, ``/ru/…``, ``/en/…``) and touches no session, so a page is one cacheable file:
what Saylau serves is exactly what ``saylau publish`` writes for a web server or a CDN. Every view
has a JSON and a CSV twin under ``/data/…`` with the same figures, language-neutral (names in
every language), as OneGov Election Day does. Responses carry an ``ETag`` of their bytes, so a
reader polling for updates on election night gets ``304 Not Modified`` until something changed.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import Response

from saylau.domain.cells import CsvWriter, spreadsheet_safe
from saylau.services.jsonable import plain
from saylau.web.i18n import LANGUAGE_NAMES, LANGUAGES
from saylau.web.pages.render import render_text

Language = Annotated[
    str, Path(pattern="^(kk|ru|en)$", description="The page's language: kk, ru or en.")
]
"""The language prefix of a public page."""

CACHE_CONTROL = "public, max-age=15"
"""Short enough for election night (a reader sees a new protocol within seconds), long enough
for a cache in front of Saylau to absorb a crowd."""

HTML = "text/html; charset=utf-8"
JSON = "application/json"
CSV = "text/csv; charset=utf-8"


def alternates(path: str, language: str) -> list[tuple[str, str, str]]:
    """(code, name, path) of the same page in every language: the language switch of a public
    page is a link, not a form, so that it works in a published static copy."""
    rest = path.removeprefix(f"/{language}")
    return [(code, LANGUAGE_NAMES[code], f"/{code}{rest or '/'}") for code in LANGUAGES]


def conditional(request: Request | None, body: bytes, media_type: str) -> Response:
    """``body`` with its ``ETag``; ``304`` when the reader already holds these bytes."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if request is not None and etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def page_text(path: str, language: str, template: str, **context: Any) -> str:
    """The HTML of public page ``template`` at ``path`` in ``language``."""
    return render_text(
        f"public/{template}",
        language,
        path=path,
        alternates=alternates(path, language),
        **context,
    )


def public_page(request: Request, language: str, template: str, **context: Any) -> Response:
    """A public page as a response (see :func:`page_text`)."""
    text = page_text(request.url.path, language, template, **context)
    return conditional(request, text.encode("utf-8"), HTML)


def json_bytes(document: Any) -> bytes:
    """The JSON twin of a view: exact figures (fractions as ``"n/d"``), UTF-8, keys in order."""
    return json.dumps(plain(document), ensure_ascii=False, indent=1).encode("utf-8")


def json_twin(request: Request, document: Any) -> Response:
    return conditional(request, json_bytes(document), JSON)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The CSV twin of a view's main table: one header row, then the rows, UTF-8."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(plain(value)) for value in row])
    return out.getvalue().encode("utf-8")


def csv_twin(request: Request, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    return conditional(request, csv_bytes(header, rows), CSV)
