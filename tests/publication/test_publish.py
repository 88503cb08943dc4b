"""Static publication (issue #5 §3) on SQLite and PostgreSQL: every published file is the bytes
Saylau serves at its path; nginx serves the publication as Saylau does; a new definitive protocol
re-publishes only the files it changed (manifest diff, untouched files keep their inode and
mtime) and nginx serves the new figures; files no longer produced are removed; ``--election``
scopes the work; every public route is published or declared dynamic; the command's counts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app as cli
from saylau.publication import MANIFEST, publish
from saylau.publication.sources import DYNAMIC, EXTRAS
from saylau.services.context import Actor
from saylau.services.errors import NotFound
from saylau.services.public import contest as public_results
from saylau.services.tabulation import tabulate_election
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.web.app import create_app
from saylau.web.i18n import LANGUAGES
from saylau.web.pages import public as public_pages
from saylau.web.pages.public import all_views
from saylau.web.pages.public.views import View
from tests.publication.conftest import Served
from tests.services.count_world import CountWorld, build_count_world, double_entry, figures, run
from tests.web.test_public_results import count, report_10

Factory = sessionmaker[Session]


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    with factory() as session, session.begin():
        world = build_count_world(session)
    return world


@pytest.fixture
def client(factory: Factory) -> Iterator[TestClient]:
    with TestClient(create_app(factory, secret="test-secret")) as test_client:
        yield test_client


def election(cw: CountWorld) -> int:
    assert cw.world.election is not None
    return cw.world.election


def manifest(root: Path) -> dict[str, str]:
    files: dict[str, str] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["files"]
    return files


def url_of(path: str) -> str:
    """The URL Saylau serves a published file at: a page's ``…/index.html`` is ``…/``."""
    return path.removesuffix("index.html")


def on_disk(root: Path) -> set[str]:
    return {
        "/" + p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def stamps(root: Path, paths: set[str]) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of each file: a rewrite (temporary file + rename) changes the inode."""
    out = {}
    for path in paths:
        info = (root / path.lstrip("/")).stat()
        out[path] = (info.st_ino, info.st_mtime_ns)
    return out


def view_files(view: View, params: dict[str, int | str]) -> set[str]:
    files = {view.data_path(params, "json"), view.data_path(params, "csv")}
    return files | {view.page_path(language, params) + "index.html" for language in LANGUAGES}


# --- the tests -----------------------------------------------------------------------------------------


def test_every_published_file_is_the_bytes_saylau_serves_and_vanished_files_are_removed(
    factory: Factory,
    cw: CountWorld,
    client: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(public_results, "PAGE_SIZE", 4)  # the Mazhilis contests get a 2nd page
    report_10(factory, cw, {"p1": 120, "p5": 333})
    count(factory, cw, ("mazhilis_list", "oblast_list", "oblast_o1", "district_d1"))
    count(factory, cw, ("capital_list", "capital_c1"))
    run(factory, Actor.operator(), tabulate_election, election(cw))
    out = tmp_path / "site"
    seen: list[tuple[int, int, str]] = []
    report = publish(
        factory, out, progress=lambda done, total, label: seen.append((done, total, label))
    )
    files = manifest(out)
    assert (
        report.unchanged == 0 and report.removed == [] and sorted(report.written) == sorted(files)
    )
    assert on_disk(out) == set(files)
    assert not list(out.rglob("*.tmp"))
    assert seen and seen[-1][0] == seen[-1][1] == len(seen)  # one step per unit, all done
    # Every file Saylau serves, byte for byte, with the media type a static server derives from
    # the file's extension.
    for path in files:
        response = client.get(url_of(path))
        assert response.status_code == 200, path
        assert response.content == (out / path.lstrip("/")).read_bytes(), path
    # Everything is there: each instance of each view, the front page and archive, the data
    # dictionary, each election's datasets and calendars, the assets.
    e = election(cw)
    with factory() as session:
        expected = {
            path
            for view in all_views()
            for params in view.instances(session)
            for path in view_files(view, dict(params))
        }
    expected |= {f"/{lang}/index.html" for lang in LANGUAGES}
    expected |= {f"/{lang}/open-data/index.html" for lang in LANGUAGES}
    expected |= {f"/{lang}/elections/{e}/calendar.ics" for lang in LANGUAGES}
    expected |= {"/data/elections.json", "/data/elections.csv", "/static/saylau.css"}
    expected |= {
        f"/data/elections/{e}/{name}"
        for name in ("nist-1500-100.json", "results.json", "protocols.csv")
    }
    assert expected <= set(files), sorted(expected - set(files))[:5]
    second_pages = {p for p in files if re.search(r"/contests/\d+/precincts/2/", p)}
    assert len(second_pages) == 2 * 5  # two Mazhilis contests: 3 pages and 2 twins each
    # Rendering in worker processes publishes the same files.
    parallel = tmp_path / "parallel"
    assert publish(factory, parallel, jobs=2).files == report.files
    assert manifest(parallel) == files and on_disk(parallel) == set(files)
    # Back to one page per contest: the second pages are no longer produced and disappear with
    # their directories; the rest that did not change is not written again.
    monkeypatch.setattr(public_results, "PAGE_SIZE", 250)
    again = publish(factory, out)
    assert set(again.removed) == second_pages
    assert on_disk(out) == set(manifest(out)) == set(files) - second_pages
    assert not list(out.rglob("contests/*/precincts/2"))
    assert again.written and all("/contests/" in p for p in again.written), again.written
    assert again.unchanged == len(files) - len(second_pages) - len(again.written)


def test_nginx_serves_the_publication_and_a_new_protocol_rewrites_only_what_changed(
    factory: Factory, cw: CountWorld, client: TestClient, nginx: Served
) -> None:
    e = election(cw)
    count(factory, cw, ("oblast_list", "oblast_o1", "capital_list", "capital_c1"), skip=("p2",))
    run(factory, Actor.operator(), tabulate_election, e)
    publish(factory, nginx.root)
    before = manifest(nginx.root)
    o1, p1, p2 = cw.contest("oblast_o1"), cw.precinct("p1"), cw.precinct("p2")
    paths = [
        "/kk/",
        "/ru/",
        "/data/elections.json",
        "/data/elections.csv",
        f"/en/elections/{e}/",
        f"/data/elections/{e}/index.json",
        f"/data/elections/{e}/index.csv",
        f"/ru/elections/{e}/contests/{o1}/",
        f"/data/elections/{e}/contests/{o1}/index.json",
        f"/data/elections/{e}/contests/{o1}/index.csv",
        f"/kk/elections/{e}/precincts/{p1}/",
        f"/data/elections/{e}/precincts/{p1}/index.json",
        f"/data/elections/{e}/precincts/{p1}/index.csv",
        "/en/open-data/",
        f"/data/elections/{e}/results.json",
        f"/kk/elections/{e}/calendar.ics",
        "/static/saylau.css",
    ]
    with httpx.Client(base_url=nginx.url) as static:
        for path in paths:
            served, dynamic = static.get(path), client.get(path)
            assert served.status_code == dynamic.status_code == 200, path
            assert served.content == dynamic.content, path
            if not path.startswith("/static/"):  # Starlette's own types and no caching there
                assert served.headers["content-type"] == dynamic.headers["content-type"], path
                assert served.headers["cache-control"] == dynamic.headers["cache-control"]
            tag = served.headers["etag"]
            assert static.get(path, headers={"If-None-Match": tag}).status_code == 304, path
        assert static.get("/", follow_redirects=False).headers["location"].endswith("/kk/")
        assert static.get(f"/{MANIFEST}").status_code == 404  # the manifest is not published
        contest_json = f"/data/elections/{e}/contests/{o1}/index.json"
        old = static.get(contest_json).json()
        assert old["progress"]["precincts_counted"] == 1

        # Another protocol becomes definitive: o1 at p2.
        ids = cw.choices["oblast_o1"]
        votes = {ids["Абаев"]: 211, ids["Бекова"]: 190, ids["Жұмабаев"]: 17}
        double_entry(factory, cw, "oblast_o1", "p2", figures(votes, against_all=9, invalid=4))
        unchanged_before = stamps(nginx.root, set(before))
        report = publish(factory, nginx.root)
        after = manifest(nginx.root)
        changed = {p for p in after if before.get(p) != after[p]}
        assert set(before) == set(after) and report.removed == []
        assert set(report.written) == changed and report.unchanged == len(after) - len(changed)
        # What the protocol touches changed: its contest, its precinct, the maslikhat and the
        # region above them, the national overview, the election's open data.
        body = cw.world.bodies["oblast"]
        must = {
            f"/data/elections/{e}/contests/{o1}/index.json",
            f"/data/elections/{e}/contests/{o1}/index.csv",
            *(f"/{lang}/elections/{e}/contests/{o1}/index.html" for lang in LANGUAGES),
            f"/data/elections/{e}/precincts/{p2}/index.json",
            f"/kk/elections/{e}/precincts/{p2}/index.html",
            f"/data/elections/{e}/bodies/{body}/index.json",
            f"/data/elections/{e}/regions/KZ-35/index.json",
            f"/data/elections/{e}/index.json",
            f"/data/elections/{e}/results.json",
            f"/data/elections/{e}/protocols.csv",
        }
        assert must <= changed, sorted(must - changed)
        # Nothing else moved: the capital, the other contests and precincts, the site's own files.
        untouched = [
            "/static/",
            "/data/elections.",
            "/open-data/",
            "/calendar.ics",
            "/regions/KZ-71/",
            f"/bodies/{cw.world.bodies['capital']}/",
            f"/precincts/{cw.precinct('p5')}/",
            *(f"/contests/{cw.contest(n)}/" for n in ("capital_list", "capital_c1", "oblast_o2")),
        ]
        for path in changed:
            assert not any(mark in path for mark in untouched), path
        assert {f"/{lang}/index.html" for lang in LANGUAGES}.isdisjoint(changed)
        now = stamps(nginx.root, set(after))
        assert {p for p in after if now[p] != unchanged_before[p]} == changed
        # nginx serves the new figures, the same bytes as Saylau, with a new ETag.
        for path in (contest_json, f"/ru/elections/{e}/contests/{o1}/"):
            assert static.get(path).content == client.get(path).content, path
        new = static.get(contest_json).json()
        assert new["progress"]["precincts_counted"] == 2
        assert (
            new["totals"]["valid"] == old["totals"]["valid"] + 211 + 190 + 17 + 9
        )  # with "against all"
        assert static.get(contest_json, headers={"If-None-Match": tag}).status_code == 200


def test_publishing_one_election_neither_writes_nor_prunes_the_others(
    factory: Factory, cw: CountWorld, tmp_path: Path
) -> None:
    e = election(cw)
    out = tmp_path / "site"
    first = publish(factory, out)
    # A file of another election, published earlier (elections are archived, never deleted).
    other = "/data/elections/999/results.json"
    (out / "data/elections/999").mkdir(parents=True)
    (out / other.lstrip("/")).write_bytes(b"{}")
    document = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    document["files"][other] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(document), encoding="utf-8")
    scoped = publish(factory, out, elections=[e])
    assert scoped.written == [] and scoped.removed == [] and scoped.unchanged == first.files
    assert other in manifest(out) and (out / other.lstrip("/")).is_file()
    with pytest.raises(NotFound):
        publish(factory, out, elections=[e, 998])
    whole = publish(factory, out)
    assert whole.removed == [other] and not (out / "data/elections/999").exists()


def get_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """The GET routes of a router, through included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            if route.methods and "GET" in route.methods:
                yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.120)
            yield from get_routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            yield from get_routes(route.routes)


def test_every_public_route_is_published_or_declared_dynamic() -> None:
    """A new public route must be a View, an Extra of the publication, or named dynamic."""
    declared = {route for extra in EXTRAS for route in extra.routes} | set(DYNAMIC)
    for view in all_views():
        declared |= {
            "/{language}/" + view.path,
            "/data/" + view.path + "index.json",
            "/data/" + view.path + "index.csv",
        }
    routes = {re.sub(r":\w+}", "}", route.path) for route in get_routes(public_pages.router.routes)}
    assert len(routes) > 20 and "/{language}/" in routes
    assert routes - declared == set()
    assert "/static" in declared


def test_the_publish_command_reports_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        cw = build_count_world(session)
    count(factory, cw, ("oblast_o1",))
    engine.dispose()
    runner = CliRunner()
    out = tmp_path / "site"
    result = runner.invoke(cli, ["publish", "--out", str(out)])  # with the progress bar
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)
    assert first["files"] == first["written"] == len(manifest(out)) > 100
    assert (first["unchanged"], first["removed"]) == (0, 0)
    e = str(cw.world.election)
    command = ["publish", "--out", str(out), "--election", e, "--jobs", "2", "--quiet"]
    result = runner.invoke(cli, command)
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert (again["written"], again["removed"], again["unchanged"]) == (0, 0, first["files"])
    result = runner.invoke(cli, ["publish", "--out", str(out), "--election", "999"])
    assert result.exit_code == 2 and "999" in result.stderr
    assert os.listdir(out)
