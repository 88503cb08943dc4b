"""Request size limits (``saylau.web.limits``) and hostile JSON bodies, against the real app.

A body over its route family's limit is refused with 413 and a translated error — whether it
declares its length or comes chunked without one — and a body under it reaches the application.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from saylau.storage.db import make_engine, session_factory
from saylau.web.app import create_app
from saylau.web.i18n import gettext
from saylau.web.limits import API, API_BULK, DOCUMENTS, FORMS, PLAN, limit_for


@pytest.fixture
def client(tmp_path: Path, sqlite_template: Path) -> Iterator[TestClient]:
    path = tmp_path / "limits.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with TestClient(create_app(session_factory(engine), secret="limits")) as test_client:
        yield test_client
    engine.dispose()


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_each_route_family_has_its_limit() -> None:
    assert limit_for("/api/parties") is API
    assert limit_for("/api/territory/import") is API_BULK
    assert limit_for("/api/elections/3/districts") is API_BULK
    assert limit_for("/api/protocols/batch") is API_BULK
    assert limit_for("/portal/lists") is DOCUMENTS
    assert limit_for("/districts/import") is PLAN
    assert limit_for("/protocols/4/entry") is FORMS
    assert API.bytes < API_BULK.bytes and PLAN.bytes < DOCUMENTS.bytes


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_declared_oversize_is_refused_unread_in_the_language(
    client: TestClient, language: str
) -> None:
    response = client.post(
        "/api/parties",
        content=b"{" + b" " * API.bytes + b"}",
        headers={"Content-Type": "application/json", "Accept-Language": language},
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "request_too_large" and body["field"] == "body"
    template = gettext(language, "error.request_too_large")
    assert template != "error.request_too_large"
    assert body["message"].startswith(template.split("{")[0])


def test_a_chunked_body_without_a_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    response = client.post(
        "/api/parties",
        content=_chunks(API.bytes + 1),
        headers={"Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


def test_a_chunked_page_form_over_the_limit_is_refused(client: TestClient) -> None:
    for path, limit in (("/districts/import", PLAN), ("/login", FORMS)):
        response = client.post(
            path,
            content=_chunks(limit.bytes + 1),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 413, path
        assert "text/html" in response.headers["content-type"]


def test_a_body_under_the_limit_reaches_the_application(client: TestClient) -> None:
    response = client.post(
        "/api/parties",
        content=_chunks(API.bytes - 10),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (401, 403, 422)


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b"1" * 5000, b'{"code": ' + b"9" * 5000 + b"}"],
    ids=["deep", "digits", "digits-in-object"],
)
def test_a_hostile_json_body_is_refused_not_a_server_error(client: TestClient, body: bytes) -> None:
    """Regression: a body nested 100,000 deep raised RecursionError past the text check."""
    response = client.post(
        "/api/parties", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code < 500, response.text
