"""What the published site is made of: every file, by the same code that serves it.

The views of the public site declare themselves (:func:`saylau.web.pages.public.all_views`); the
public routes that are not views — the front page and the archive, the open-data dictionary and
datasets, the calendar feeds, the ``static/`` assets — are declared here once each as an
:class:`Extra`, with the routes they stand for, so that the publisher walks one list of
:class:`Unit` s and a test can check that every public GET route is either published or named in
:data:`DYNAMIC` (answers to a reader's query, which only a running Saylau can give).

Every renderer calls the functions the routes call, so the bytes are those Saylau serves at the
same path (``…/index.html`` for a page at ``…/``); a test compares every published file with the
application's response.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.opendata import nist, protocols
from saylau.services.public.contest import precinct_pages
from saylau.services.results import export_results
from saylau.storage.models import Body, Contest, Election, Precinct, Region
from saylau.web.i18n import LANGUAGES
from saylau.web.pages.public import all_views, home, opendata, voters
from saylau.web.pages.public.site import csv_bytes, json_bytes, page_text

Files = Mapping[str, bytes]
"""Published files: the URL path (``/kk/…/index.html``, ``/data/…``) → the bytes served there."""

_ELECTION = re.compile(r"/elections/(\d+)/")


def election_of(path: str) -> int | None:
    """The election a published file belongs to (``…/elections/<id>/…``), None for the files of
    the whole site: ``--election`` re-publishes and prunes only its elections' files."""
    match = _ELECTION.search(path)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Extra:
    """Published files that are not a :class:`~saylau.web.pages.public.views.View`."""

    name: str
    routes: tuple[str, ...]
    """The routes of the public site these files are (as declared on the router)."""
    render: Callable[[Session, int | None], Files]
    """``render(session, election_id)`` → the files; ``election_id`` is None unless
    :attr:`per_election`."""
    per_election: bool = False
    """Rendered once per election (and only for the elections being published)."""


@dataclass(frozen=True)
class Unit:
    """One piece of publication work: the files of one view instance or of one extra; plain
    data, so that worker processes can be handed units (see :func:`render`)."""

    label: str
    election_id: int | None
    source: Literal["view", "extra"]
    index: int
    """Position in :func:`~saylau.web.pages.public.all_views` or :data:`EXTRAS`."""
    params: dict[str, int | str] | None = None


# --- the extras --------------------------------------------------------------------------------------


def _front(session: Session, _election: int | None) -> Files:
    """The archive page per language and its twins (``home.py``)."""
    document = home.elections_document(session)
    files: dict[str, bytes] = {
        f"/{language}/index.html": page_text(
            f"/{language}/", language, "home.html", **document
        ).encode("utf-8")
        for language in LANGUAGES
    }
    files["/data/elections.json"] = json_bytes(document)
    rows = ([row[k] for k in home.HEADER] for row in document["elections"])
    files["/data/elections.csv"] = csv_bytes(home.HEADER, rows)
    return files


def _open_data_page(session: Session, _election: int | None) -> Files:
    """The data dictionary per language (``opendata.py``)."""
    return {
        f"/{language}/open-data/index.html": opendata.open_data_text(session, language).encode(
            "utf-8"
        )
        for language in LANGUAGES
    }


def _nist(session: Session, election: int | None) -> Files:
    """An election's NIST SP 1500-100 report (``opendata.py``). Each open dataset is a unit of
    its own: they are the largest files (tens of MiB at national scale), rendered by different
    workers at the same time instead of one after another."""
    assert election is not None
    return {opendata.nist_path(election): nist.report_bytes(session, election)}


def _results(session: Session, election: int | None) -> Files:
    """An election's results dataset (``opendata.py``)."""
    assert election is not None
    return {opendata.results_path(election): json_bytes(export_results(session, election))}


def _protocols(session: Session, election: int | None) -> Files:
    """An election's protocols dataset, CSV (``opendata.py``)."""
    assert election is not None
    return {opendata.protocols_path(election): b"".join(protocols.csv_chunks(session, election))}


def _calendars(session: Session, _election: int | None) -> Files:
    """Every election's iCalendar feed per language, in the capital's zone (``voters.py``)."""
    return voters.calendar_files(session)


def _assets(_session: Session, _election: int | None) -> Files:
    """The stylesheets and scripts under ``/static/``, as the application mounts them."""
    root = resources.files("saylau.web") / "static"
    return {f"/static/{name}": item.read_bytes() for name, item in _walk(root, "")}


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.startswith(".") or item.name == "__pycache__":
            continue
        if item.is_dir():
            yield from _walk(item, f"{prefix}{item.name}/")
        else:
            yield f"{prefix}{item.name}", item


EXTRAS: tuple[Extra, ...] = (
    Extra("front page", ("/{language}/", "/data/elections.json", "/data/elections.csv"), _front),
    Extra("open data dictionary", ("/{language}/open-data/",), _open_data_page),
    Extra(
        "NIST SP 1500-100 dataset",
        ("/data/elections/{election_id}/nist-1500-100.json",),
        _nist,
        per_election=True,
    ),
    Extra(
        "results dataset",
        ("/data/elections/{election_id}/results.json",),
        _results,
        per_election=True,
    ),
    Extra(
        "protocols dataset",
        ("/data/elections/{election_id}/protocols.csv",),
        _protocols,
        per_election=True,
    ),
    Extra("calendars", ("/{language}/elections/{election_id}/calendar.ics",), _calendars),
    Extra("assets", ("/static",), _assets),
)
"""Every published file set that is not a view."""

DYNAMIC: tuple[str, ...] = (
    "/{language}/vote/",
    "/{language}/vote/check",
    "/{language}/subscriptions/{token}/confirm",
    "/{language}/subscriptions/{token}/unsubscribe",
)
"""Public routes that answer a reader's query or act (the precinct search, the registration
check, a subscription's confirmation and cancellation): they stay with a running Saylau, behind
the same web server as the static files (forms posting to Saylau, e.g. subscribing to a contest,
need it too)."""


# --- the work ----------------------------------------------------------------------------------------


def election_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Election.id).order_by(Election.id)))


def units(session: Session, elections: frozenset[int] | None = None) -> list[Unit]:
    """Everything to render, view instances first; with ``elections``, only those elections'
    instances (and the files of the whole site)."""
    chosen = [e for e in election_ids(session) if elections is None or e in elections]
    work: list[Unit] = []
    for index, view in enumerate(all_views()):
        for params in list(view.instances(session)):
            election = params.get("election_id")
            if elections is not None and election is not None and election not in elections:
                continue
            owner = election if isinstance(election, int) else None
            work.append(Unit(view.path.format(**params), owner, "view", index, dict(params)))
    for index, extra in enumerate(EXTRAS):
        if extra.per_election:
            for e in chosen:
                work.append(Unit(f"{extra.name} {e}", e, "extra", index))
        else:
            work.append(Unit(extra.name, None, "extra", index))
    return work


def render(session: Session, unit: Unit) -> Files:
    """The files of ``unit``."""
    if unit.source == "view":
        assert unit.params is not None
        return all_views()[unit.index].render(session, unit.params)
    return EXTRAS[unit.index].render(session, unit.election_id)


# --- the files that depend on some contests -------------------------------------------------------------

Params = dict[str, int | str]


def placeholders(path: str) -> frozenset[str]:
    """The parameters of a view's path (``elections/{election_id}/`` → ``{"election_id"}``)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(path) if name)


def contest_units(
    session: Session, contests: Collection[int], precincts: Collection[int] = ()
) -> list[Unit]:
    """The view instances whose files depend on the results of ``contests`` and on the protocols
    of ``precincts`` (issue #8, B3): each contest's first page and the further pages of its
    precinct table that hold those precincts, its body's pages, its election's pages (summary, turnout, maps, indicators),
    the region pages of its body and of the precincts, and the precincts' pages.

    Views without an election (the voters' precinct pages) and the site-wide extras do not
    depend on results; the per-election open datasets (whole-election dumps) are left to a
    publication by election. Built from the ids directly, without enumerating every instance of
    the site, so that re-publishing after one protocol costs a few pages."""
    if not contests and not precincts:
        return []
    rows = session.execute(
        select(Contest.id, Contest.election_id, Contest.body_id, Region.code)
        .join(Body, Body.id == Contest.body_id)
        .outerjoin(Region, Region.id == Body.region_id)
        .where(Contest.id.in_(sorted(contests)))
    ).all()
    elections = sorted({int(r[1]) for r in rows})
    precinct_rows = session.execute(
        select(Precinct.id, Region.code)
        .join(Region, Region.id == Precinct.region_id)
        .where(Precinct.id.in_(sorted(precincts)))
    ).all()
    known: dict[str, list[Params]] = {
        "contest_id": [],
        "body_id": [],
        "region_code": [],
        "precinct_id": [],
        "number": [],
    }
    seen: set[tuple[str, int, int | str]] = set()

    def add(key: str, election: int, value: int | str) -> None:
        if (key, election, value) not in seen:
            seen.add((key, election, value))
            known[key].append({"election_id": election, key: value})

    for contest_id, election_id, body_id, region_code in rows:
        add("contest_id", election_id, contest_id)
        add("body_id", election_id, body_id)
        if region_code is not None:
            add("region_code", election_id, region_code)
        # The first page of the table is the contest's own; a further page shows its rows only.
        for number in sorted(precinct_pages(session, election_id, contest_id, precincts) - {1}):
            known["number"].append(
                {"election_id": election_id, "contest_id": contest_id, "number": number}
            )
    for election_id in elections:
        for precinct_id, region_code in precinct_rows:
            add("precinct_id", election_id, precinct_id)
            add("region_code", election_id, region_code)
    work: list[Unit] = []
    for index, view in enumerate(all_views()):
        names = placeholders(view.path)
        if "election_id" not in names:
            continue  # not an election's results
        extra = names - {"election_id"}
        instances: list[Params]
        if not extra:
            instances = [{"election_id": e} for e in elections]
        elif extra == {"contest_id", "number"}:
            instances = known["number"]
        elif len(extra) == 1 and next(iter(extra)) in known:
            instances = known[next(iter(extra))]
        else:  # e.g. the maps' measures: every instance of the elections concerned
            instances = [
                dict(p) for p in view.instances(session) if p.get("election_id") in elections
            ]
        for params in instances:
            election = params["election_id"]
            owner = election if isinstance(election, int) else None
            work.append(Unit(view.path.format(**params), owner, "view", index, dict(params)))
    return work
