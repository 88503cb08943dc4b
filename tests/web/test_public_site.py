"""The public results site's frame (issue #5): pages per language without a session, the data
twins beside them, conditional requests for readers who poll, and every message translated."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import saylau.web
from saylau.web.app import create_app
from tests.services.count_world import setup
from tests.web.test_commission_pages import assert_clean

WEB = Path(saylau.web.__file__).parent


def test_front_page_per_language_with_its_data_twins(factory: sessionmaker[Session]) -> None:
    cw = setup(factory)
    client = TestClient(create_app(factory, secret="test-secret"))
    first = client.get("/", headers={"Accept-Language": "ru"}, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/ru/"
    data = client.get("/data/elections.json").json()
    names = [row["name"] for row in data["elections"]]
    assert [row["id"] for row in data["elections"]] == [cw.world.election]
    rows = list(csv.DictReader(io.StringIO(client.get("/data/elections.csv").text)))
    assert [row["name"] for row in rows] == names
    assert rows[0]["polling_day"] == data["elections"][0]["polling_day"] == "2023-03-19"
    for language, word in (("kk", "Сайлаулар"), ("ru", "Выборы"), ("en", "Elections")):
        page = client.get(f"/{language}/")
        assert page.status_code == 200
        assert f'lang="{language}"' in page.text and f"<h1>{word}</h1>" in page.text
        assert names[0] in page.text
        assert "set-cookie" not in page.headers  # cacheable: no session is touched
        assert_clean(page.text)
        for other in ("kk", "ru", "en"):
            assert f'href="/{other}/"' in page.text  # the language switch is a link
    assert client.get("/de/").status_code in (404, 422)


def test_a_reader_who_polls_gets_not_modified_until_something_changes(
    factory: sessionmaker[Session],
) -> None:
    setup(factory)
    client = TestClient(create_app(factory, secret="test-secret"))
    for path in ("/kk/", "/data/elections.json", "/data/elections.csv"):
        first = client.get(path)
        etag = first.headers["etag"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
    english = client.get("/en/").headers["etag"]
    assert english != client.get("/kk/").headers["etag"]


def test_every_message_of_the_site_frame_and_the_public_site_is_translated() -> None:
    from babel.messages.extract import extract
    from babel.messages.pofile import read_po

    templates = [WEB / "templates" / name for name in ("base.html", "login.html", "roles.html")]
    templates += sorted((WEB / "templates" / "public").glob("*.html"))
    wanted: set[str] = set()
    for path in templates:
        with path.open("rb") as handle:
            for _, message, _, _ in extract(
                "jinja2.ext:babel_extract", handle, keywords={"_": None}
            ):
                wanted.add(message[0] if isinstance(message, tuple) else message)
    for path in [WEB / "pages" / "session.py", *sorted((WEB / "pages" / "public").glob("*.py"))]:
        with path.open("rb") as handle:
            for _, message, _, _ in extract(
                "python", handle, keywords={"N_": None, "gettext": (2,)}
            ):
                wanted.add(message[0] if isinstance(message, tuple) else message)
    wanted.discard("")
    assert {"Skip to content", "Elections", "Wrong user name or password."} <= wanted
    for language in ("kk", "ru"):
        translated: set[str] = set()
        for po in (WEB / "locale" / language / "LC_MESSAGES").glob("*.po"):
            with po.open("rb") as handle:
                translated |= {str(m.id) for m in read_po(handle, locale=language) if m.string}
        assert not sorted(wanted - translated), (language, sorted(wanted - translated)[:10])
