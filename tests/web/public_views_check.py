"""Every view of the public site on the national demo election (issue #5 acceptance: "on the demo
election, every view works in the three languages, and its JSON/CSV twin agrees with the page").

For EVERY view of :func:`saylau.web.pages.public.all_views` a few instances (the first, one in the
middle and the last of ``view.instances``) are served by the real application in kk, ru and en with
their JSON and CSV twins, and compared:

* the results and overview views with the generic comparison of ``test_public_results.py``
  (:func:`~tests.web.test_public_results.assert_agree`: marked cells ↔ JSON ↔ CSV);
* the indicators view with :func:`~tests.web.test_public_indicators.assert_indicators_agree` (its
  cells are ratios as well as shares, formatted by the report's renderer);
* a view whose page marks no cells (the voter's precinct page) with :func:`assert_shown`: every CSV
  value is a value of the JSON, and every name of the CSV in the page's language is on the page.
"""

from __future__ import annotations

import csv
import html as html_module
import io
import time
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from saylau.web.app import create_app
from saylau.web.pages.public import all_views
from saylau.web.pages.public.indicators import INDICATORS
from saylau.web.pages.public.views import Params, View
from tests.web.test_commission_pages import assert_clean
from tests.web.test_public_indicators import assert_indicators_agree
from tests.web.test_public_results import assert_agree, marked_rows

LANGUAGES = ("kk", "ru", "en")
BUDGET_SECONDS = 90
"""The whole check on the demo (about a minute on a busy two-core machine)."""


def sample(instances: Sequence[Params]) -> list[Params]:
    """The first, the middle and the last instance (each once)."""
    picked: list[Params] = []
    for index in (0, len(instances) // 2, len(instances) - 1):
        if instances and instances[index] not in picked:
            picked.append(instances[index])
    return picked


def _scalars(document: Any) -> Iterator[str]:
    """Every scalar of a JSON document, as the CSV writes it."""
    if isinstance(document, dict):
        for value in document.values():
            yield from _scalars(value)
    elif isinstance(document, list):
        for value in document:
            yield from _scalars(value)
    elif document is not None:
        yield str(document)


def assert_shown(html: str, document: Any, csv_text: str, language: str, where: str) -> None:
    """A view without marked cells: the CSV is drawn from the JSON, and its names in the page's
    language are on the page."""
    values = set(_scalars(document))
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    text = html_module.unescape(html)
    for row in rows:
        for column, cell in row.items():
            assert cell == "" or cell in values, (where, column, cell)
        name = row.get(f"name_{language}") or row.get("name_kk")
        if name:
            assert name in text, (where, name)


def agree(view: View, html: str, document: Any, csv_text: str, language: str, where: str) -> None:
    """The page ↔ JSON ↔ CSV comparison that fits ``view`` (see the module docstring)."""
    if view is INDICATORS:
        assert_indicators_agree(html, document, csv_text, language, where)
    elif marked_rows(html):
        assert_agree(html, document, csv_text, language, where)
    else:
        assert_shown(html, document, csv_text, language, where)


def check_public_views(factory: sessionmaker[Session], election_id: int) -> None:
    """Every public view on the demo, three instances each, in three languages with its twins."""
    started = time.monotonic()
    views = all_views()
    assert INDICATORS in views
    with factory() as session:
        chosen = [(view, sample(list(view.instances(session)))) for view in views]
    with TestClient(create_app(factory, secret="demo-check")) as client:
        for view, instances in chosen:
            assert instances, f"{view.path}: no instance on the demo"
            for params in instances:
                json_path, csv_path = view.data_path(params, "json"), view.data_path(params, "csv")
                document, table = client.get(json_path), client.get(csv_path)
                assert document.status_code == table.status_code == 200, json_path
                assert table.headers["content-type"].startswith("text/csv")
                for language in LANGUAGES:
                    path = view.page_path(language, params)
                    page = client.get(path)
                    assert page.status_code == 200, (path, page.text[:300])
                    assert f'<html lang="{language}">' in page.text
                    assert f'href="{json_path}"' in page.text, path
                    assert f'href="{csv_path}"' in page.text, path
                    assert_clean(page.text)
                    agree(view, page.text, document.json(), table.text, language, path)
        # The election's own pages are among the instances checked.
        assert client.get(f"/data/elections/{election_id}/indicators/index.json").status_code == 200
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_SECONDS, f"the public views took {elapsed:.0f} s on the demo"
