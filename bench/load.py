"""Load (issue #9 §8): concurrent clients for a fixed time on loopback, mixing protocol entry and
public reads — zero errors and no lost writes.

A real ``saylau serve`` over a demo database serves, at once, B5's typists (in pairs, entering every
protocol of their precinct twice through ``POST /api/protocols``, :mod:`bench.b5_entry`) and
readers who fetch public pages and their JSON twins in a loop — a sample of every public view's
instances in the three languages (what citizens and media read on election night). An error is a
5xx, a transport error, a read other than 200/304, or an entry answered with a 4xx other than 409
(a race between the two typists of a protocol, by design). Afterwards every accepted entry must be
in the database as sent, and every protocol entered twice in the state the API answered
(:func:`bench.b5_entry.verify`): nothing accepted is lost.

Full run (by hand)::

    .venv/bin/python -m bench.load [--scale 0.05] [--clients 200] [--seconds 60]

The national demo test runs :func:`run_load` in a reduced form (fewer seconds) on its own build.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import b5_entry
from bench.database import cache_dir, copy_of, ensure_demo
from bench.serving import percentile, saylau_server
from saylau.publication.sources import election_ids
from saylau.storage.db import make_engine, session_factory
from saylau.web.i18n import LANGUAGES
from saylau.web.pages.public import all_views

CLIENTS = 200
SECONDS = 60.0
PER_VIEW = 3
"""Instances of each public view the readers choose among."""


@dataclass
class Reads:
    """What the readers saw."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    clients: int
    typists: int
    readers: int
    seconds: float
    reads: int
    read_p50_ms: float
    read_p99_ms: float
    entries: int
    accepted: int
    definitive: int
    conflicts: int
    errors: list[str]

    def line(self) -> str:
        return (
            f"{self.clients} clients ({self.typists} typists, {self.readers} readers) for "
            f"{self.seconds:g} s: {self.reads:,} reads (p50 {self.read_p50_ms:,.0f} ms, p99 "
            f"{self.read_p99_ms:,.0f} ms), {self.entries:,} entries, {self.accepted:,} accepted, "
            f"{self.definitive:,} protocols made definitive, {self.conflicts} conflicts (409), "
            f"{len(self.errors)} errors, nothing lost"
        )


def public_paths(url: str, per_view: int = PER_VIEW, seed: int = 2023) -> list[str]:
    """Pages (three languages) and JSON twins of a sample of every public view's instances."""
    rng = random.Random(seed)
    engine = make_engine(url)
    paths: list[str] = []
    try:
        with session_factory(engine)() as session:
            elections = election_ids(session)
            for view in all_views():
                instances = list(view.instances(session))
                for params in rng.sample(instances, min(per_view, len(instances))):
                    paths.append(view.data_path(params, "json"))
                    paths += [view.page_path(language, params) for language in LANGUAGES]
    finally:
        engine.dispose()
    paths += [f"/{language}/" for language in LANGUAGES]
    paths += [f"/data/elections/{e}/results.json" for e in elections]
    return paths


async def _reader(
    client: httpx.AsyncClient, paths: list[str], deadline: float, rng: random.Random, reads: Reads
) -> None:
    while time.perf_counter() < deadline:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            response = await client.get(path)
        except httpx.HTTPError as exc:
            reads.errors.append(f"GET {path}: {type(exc).__name__}: {exc}")
            continue
        reads.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 304):
            reads.errors.append(f"GET {path}: {response.status_code}")


async def _readers(base: str, paths: list[str], count: int, seconds: float, reads: Reads) -> None:
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(base_url=base, timeout=60.0, limits=limits) as client:
        await asyncio.gather(
            *(_reader(client, paths, deadline, random.Random(i), reads) for i in range(count))
        )


async def _together(
    base: str, plan: list[b5_entry.Work], paths: list[str], readers: int, seconds: float
) -> tuple[b5_entry.Tally, Reads]:
    reads = Reads()
    typing = b5_entry.typing(base, plan, seconds)
    # The typists sign in before their clock starts; the readers start with them and read a
    # little longer, so that the whole entry period is under load.
    tally, _ = (await asyncio.gather(typing, _readers(base, paths, readers, seconds * 1.5, reads)))[
        0
    ]
    return tally, reads


def run_load(url: str, *, clients: int = CLIENTS, seconds: float = SECONDS) -> LoadReport:
    """The load on the database at ``url`` (it is written to: give a copy). Raises AssertionError
    when any error occurred or an accepted write is missing."""
    typists = b5_entry.TYPISTS
    readers = clients - typists
    if readers < 1:
        raise ValueError(f"clients={clients}: more than the {typists} typists are needed")
    per_pair = math.ceil(seconds / (b5_entry.THINK_SECONDS * b5_entry.PROTOCOLS_PER_PRECINCT)) + 1
    paths = public_paths(url)
    plan = b5_entry.prepare(url, per_pair * (typists // 2))
    with tempfile.TemporaryDirectory(prefix="load-", dir=cache_dir()) as scratch:
        log = Path(scratch) / "serve.log"
        # The clients run in a thread of their own: the caller may be inside a running event
        # loop (a test session after Playwright's), where asyncio.run is refused.
        with saylau_server(url, log=log) as base, ThreadPoolExecutor(max_workers=1) as thread:
            tally, reads = thread.submit(
                asyncio.run, _together(base, plan, paths, readers, seconds)
            ).result()
        failures = b5_entry.server_failures(log)
    accepted, definitive = b5_entry.verify(url, tally)  # raises if a write is lost
    errors = tally.errors + reads.errors + [f"server: {line}" for line in failures]
    report = LoadReport(
        clients=clients,
        typists=typists,
        readers=readers,
        seconds=seconds,
        reads=len(reads.latencies_ms),
        read_p50_ms=percentile(reads.latencies_ms, 0.5),
        read_p99_ms=percentile(reads.latencies_ms, 0.99),
        entries=len(tally.latencies_ms),
        accepted=accepted,
        definitive=definitive,
        conflicts=tally.conflicts,
        errors=errors,
    )
    if errors:
        raise AssertionError(f"load: {len(errors)} errors, first: {errors[:5]}")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument(
        "--adopt-demo",
        action="store_true",
        help="use a cached demo of other sources with the current schema (see python -m bench)",
    )
    args = parser.parse_args(argv)
    demo = ensure_demo(args.scale, None, adopt=args.adopt_demo)
    if demo.adopted:
        print(f"adopted the cached demo {demo.adopted} (same schema)")
    url = demo.url
    with copy_of(url) as scratch:
        report = run_load(scratch, clients=args.clients, seconds=args.seconds)
    print(report.line())
    print(json.dumps(report.__dict__, indent=2))


if __name__ == "__main__":
    main()
