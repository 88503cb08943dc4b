"""Incremental publication (issue #8, B3) on SQLite and PostgreSQL: after one more definitive
protocol, publishing only the units that depend on the re-tabulated contests gives, for those
files, the bytes a full publication gives, and leaves every other file as it was."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from saylau.publication import MANIFEST, publish
from saylau.publication.output import JOURNAL, read_journal, read_manifest
from saylau.publication.sources import contest_units, render
from saylau.services.context import Actor
from saylau.services.public import contest as public_contest
from saylau.services.tabulation import tabulate_election, tabulate_pending
from tests.services.count_world import (
    NEXT_DAY,
    CountWorld,
    build_count_world,
    double_entry,
    figures,
    run,
)

Factory = sessionmaker[Session]


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    with factory() as session, session.begin():
        return build_count_world(session)


def files(root: Path) -> dict[str, bytes]:
    return {
        "/" + p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def count(
    factory: Factory,
    cw: CountWorld,
    contest: str,
    precinct: str,
    base: int,
    at: datetime = NEXT_DAY,
) -> None:
    ids = cw.choices[contest]
    votes = {choice: base + 17 * i for i, choice in enumerate(ids.values())}
    status = double_entry(factory, cw, contest, precinct, figures(votes, voters=2000), at=at)
    assert status.state.value == "definitive"


def test_incremental_publication_equals_full_publication(
    factory: Factory, cw: CountWorld, tmp_path: Path
) -> None:
    election = cw.world.election
    assert election is not None
    operator = Actor.operator()
    count(factory, cw, "oblast_list", "p1", 300)
    count(factory, cw, "oblast_o1", "p1", 200)
    run(factory, operator, tabulate_election, election)
    site = tmp_path / "site"
    publish(factory, site)
    before = files(site)
    manifest_before = (site / MANIFEST).read_bytes()

    # An hour later, so that every "updated at" moves: p1's page shows only its own protocols and
    # stays as it was although the contests it votes in are re-tabulated.
    later = NEXT_DAY + timedelta(hours=1)
    count(factory, cw, "oblast_list", "p2", 250, at=later)
    count(factory, cw, "oblast_o1", "p2", 150, at=later)
    done = run(factory, operator, tabulate_pending, election, at=later)
    assert done.contests == {cw.contest("oblast_list"), cw.contest("oblast_o1")}
    report = publish(factory, site, contests=done.contests, precincts=done.precincts)
    assert report.removed == [] and report.written
    incremental = files(site)

    full_site = tmp_path / "full"
    publish(factory, full_site)
    full = files(full_site)
    with factory() as session:
        units = contest_units(session, done.contests, done.precincts)
        scoped = {path for unit in units for path in render(session, unit)}
    paths = {u.label for u in units}
    assert f"elections/{election}/contests/{cw.contest('oblast_o1')}/" in paths
    assert f"elections/{election}/precincts/{cw.precinct('p2')}/" in paths
    assert f"elections/{election}/" in paths
    # Every file the incremental publication rendered is the full publication's …
    assert scoped and all(incremental[p] == full[p] for p in scoped)
    assert set(report.written) <= scoped
    # … the others are untouched, and those that a full publication would also change are
    # only the election's open datasets (whole-election dumps, left to a publication by
    # election).
    assert all(incremental[p] == before[p] for p in set(incremental) - scoped)
    stale = {p for p in full if incremental.get(p) != full[p]}
    assert stale <= {
        f"/data/elections/{election}/results.json",
        f"/data/elections/{election}/nist-1500-100.json",
        f"/data/elections/{election}/protocols.csv",
    }, sorted(stale)
    # The manifest is not rewritten by a contest's publication: its changes are journalled, and
    # the manifest and journal together name every file with its bytes' SHA-256 …
    assert (site / MANIFEST).read_bytes() == manifest_before
    journal = read_journal(site)
    assert set(journal) == set(report.written)
    recorded = read_manifest(site)
    assert recorded == {p: hashlib.sha256(body).hexdigest() for p, body in incremental.items()}
    # … a torn last line (a crash while appending) is ignored …
    with open(site / JOURNAL, "a", encoding="utf-8") as torn:
        torn.write("0123abc /kk/ele")
    assert read_manifest(site) == recorded
    # … and the next full publication folds the journal into the manifest.
    again = publish(factory, site)
    assert not (site / JOURNAL).exists()
    assert set(again.written) == stale
    folded = json.loads((site / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert folded == {p: hashlib.sha256(body).hexdigest() for p, body in files(site).items()}


def test_a_protocol_rewrites_only_the_page_of_the_precinct_table_that_holds_its_precinct(
    factory: Factory, cw: CountWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The further pages of a contest's precinct table show their rows only, so one protocol
    changes the contest's first page and the one page holding its precinct (issue #8, B3: the
    Mazhilis table has 41 pages at national scale)."""
    monkeypatch.setattr(public_contest, "PAGE_SIZE", 2)  # the Mazhilis list: 6 precincts, 3 pages
    election = cw.world.election
    assert election is not None
    operator = Actor.operator()
    mazhilis = cw.contest("mazhilis_list")
    count(factory, cw, "mazhilis_list", "p1", 300)
    run(factory, operator, tabulate_election, election)
    site = tmp_path / "site"
    publish(factory, site)
    before = files(site)
    pages = sorted(
        p
        for p in before
        if re.fullmatch(
            rf"/data/elections/{election}/contests/{mazhilis}/precincts/\d+/index\.json", p
        )
    )
    assert len(pages) == 2  # pages 2 and 3 of the table
    # Which further page lists which precinct, read from the published JSON twins.
    page_of = {
        row["precinct_id"]: int(path.split("/")[-2])
        for path in pages
        for row in json.loads(before[path])["precincts"]
    }
    assert sorted(page_of.values()) == [2, 2, 3, 3]
    target = next(pid for pid, number in page_of.items() if number == 3)
    name = next(n for n in ("p1", "p2", "p3", "p4", "p5", "p6") if cw.precinct(n) == target)

    count(factory, cw, "mazhilis_list", name, 250, at=NEXT_DAY + timedelta(hours=1))
    done = run(factory, operator, tabulate_pending, election, at=NEXT_DAY + timedelta(hours=1))
    with factory() as session:
        units = contest_units(session, done.contests, done.precincts)
    table_pages = {u.label for u in units if "/precincts/" in u.label and "/contests/" in u.label}
    assert table_pages == {f"elections/{election}/contests/{mazhilis}/precincts/3/"}
    publish(factory, site, contests=done.contests, precincts=done.precincts)
    after = files(site)
    full_site = tmp_path / "full"
    publish(factory, full_site)
    full = files(full_site)
    page_2 = f"/data/elections/{election}/contests/{mazhilis}/precincts/2/index.json"
    page_3 = f"/data/elections/{election}/contests/{mazhilis}/precincts/3/index.json"
    # Page 2 was not rewritten and is still what a full publication writes; page 3 shows the
    # new protocol; the first page's totals count it.
    assert after[page_2] == before[page_2] == full[page_2]
    assert after[page_3] == full[page_3] != before[page_3]
    row = next(r for r in json.loads(after[page_3])["precincts"] if r["precinct_id"] == target)
    assert row["counted"] is True
    first = f"/data/elections/{election}/contests/{mazhilis}/index.json"
    assert after[first] == full[first] != before[first]
    assert json.loads(after[first])["progress"]["precincts_counted"] == 2
