"""Public views served from memory between data changes (issue #8, B4), on SQLite and
PostgreSQL: a repeated request is a cache hit with the same bytes and ETag (304 still works), and a
request after a protocol becomes definitive, after a tabulation and after a publication sees the
change; the cache is bounded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.web.app import create_app
from saylau.web.pages.public.cache import ViewCache
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, actor, double_entry, figures, run, setup
from tests.web.test_public_results import CAPITAL, IN_TIME, count, election_id

Factory = sessionmaker[Session]


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


@pytest.fixture
def client(factory: Factory) -> Iterator[TestClient]:
    with TestClient(create_app(factory, secret="test-secret")) as test_client:
        yield test_client


def cache_of(client: TestClient) -> ViewCache:
    cache = client.app.state.public_views  # type: ignore[attr-defined]
    assert isinstance(cache, ViewCache)
    return cache


def test_repeated_requests_are_served_from_memory_until_a_protocol_becomes_definitive(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    contest = f"elections/{e}/contests/{cw.contest('oblast_list')}/"
    paths = (f"/data/{contest}index.json", f"/data/{contest}index.csv", f"/kk/{contest}")
    first = {path: client.get(path) for path in paths}
    cache = cache_of(client)
    hits = cache.hits
    again = {path: client.get(path) for path in paths}
    assert cache.hits == hits + len(paths)
    for path in paths:
        assert again[path].content == first[path].content
        assert again[path].headers["etag"] == first[path].headers["etag"]
        unchanged = client.get(path, headers={"If-None-Match": first[path].headers["etag"]})
        assert unchanged.status_code == 304
    assert first[paths[0]].json()["progress"]["precincts_counted"] == 0

    ids = cw.choices["oblast_list"]
    votes = {ids["alpha"]: 300, ids["beta"]: 200, ids["gamma"]: 30}
    double_entry(factory, cw, "oblast_list", "p1", figures(votes, against_all=5, invalid=1))
    misses = cache.misses
    after = {path: client.get(path) for path in paths}
    assert cache.misses == misses + len(paths)
    data = after[paths[0]].json()
    assert data["progress"]["precincts_counted"] == 1 and data["totals"]["valid"] == 535
    for path in paths:
        assert after[path].headers["etag"] != first[path].headers["etag"]
        changed = client.get(path, headers={"If-None-Match": first[path].headers["etag"]})
        assert changed.status_code == 200 and changed.content == after[path].content


def test_a_tabulation_and_a_publication_are_seen_by_the_next_request(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e = election_id(cw)
    count(factory, cw, CAPITAL)
    contest = f"/data/elections/{e}/contests/{cw.contest('capital_c1')}/index.json"
    assert client.get(contest).json()["outcome"] is None
    assert client.get(contest).json()["outcome"] is None  # from memory
    admin = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run(factory, admin, tabulate_election, e)
    computed = client.get(contest).json()
    assert computed["outcome"] is not None and computed["official"] is False
    assert client.get(contest).json() == computed
    run_approved(factory, admin, publish_results, e, at=IN_TIME)
    published = client.get(contest).json()
    assert published["official"] is True and published["outcome"]["published_at"] is not None


def test_the_cache_is_bounded_by_entries_and_bytes() -> None:
    cache = ViewCache(max_entries=3, max_bytes=10)
    built: list[str] = []

    def body(text: str) -> bytes:
        built.append(text)
        return text.encode()

    assert cache.get("/a", 1, lambda: body("aaaa")) == b"aaaa"
    assert cache.get("/a", 1, lambda: body("other")) == b"aaaa"
    assert cache.get("/a", 2, lambda: body("AAAA")) == b"AAAA"  # a new version builds again
    cache.get("/b", 1, lambda: body("bbbb"))
    cache.get("/c", 1, lambda: body("cccc"))  # 12 bytes > 10: the least recently used goes
    assert cache.size <= 10
    assert cache.get("/a", 2, lambda: body("rebuilt")) == b"rebuilt"
    cache.get("/d", 1, lambda: body("d"))
    cache.get("/e", 1, lambda: body("e"))
    cache.get("/f", 1, lambda: body("f"))
    assert len(cache._entries) <= 3
    assert built == ["aaaa", "AAAA", "bbbb", "cccc", "rebuilt", "d", "e", "f"]
