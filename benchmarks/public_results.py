"""Benchmark (not a test): the public results served dynamically by Saylau and as published static
files by nginx, side by side (issue #5, acceptance: "requests per second and p99 latency").

On a built demo database (``saylau demo --scale 0.05 --database sqlite:///PATH``) it publishes the
site (``saylau publish``) into a directory, serves the application with uvicorn on a free loopback
port and the directory with the system's nginx on another, checks both give the same bytes for
each target, then drives each server in turn with the same load: N concurrent connections for T
seconds from an asyncio + httpx load generator (after a short warm-up). It prints a Markdown table
(requests/s, p50/p99 latency, errors, and the ratio static/dynamic) and a description of the
machine, for ``docs/benchmarks.md``.

Usage::

    .venv/bin/python benchmarks/public_results.py /path/to/demo.sqlite3 --duration 10 --concurrency 32

Both servers get one process (one uvicorn worker, one nginx worker), no access log; the load
generator runs on the same machine and competes with them for CPU (``--clients`` spreads it over
processes).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from saylau.law.bodies import ContestKind
from saylau.publication import publish
from saylau.publication.nginx import NGINX, free_port, serving
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Contest, Election, Precinct

WARM_UP_SECONDS = 2.0


@dataclass(frozen=True)
class Target:
    label: str
    path: str


@dataclass
class Measure:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --- the load generator -------------------------------------------------------------------------------


async def _drive(url: str, concurrency: int, seconds: float) -> Measure:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def connection() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        begun = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(concurrency)))
        elapsed = time.perf_counter() - begun
    return Measure(len(latencies), errors, elapsed, latencies)


def _client(args: tuple[str, int, float]) -> Measure:
    url, concurrency, seconds = args
    return asyncio.run(_drive(url, concurrency, seconds))


def load(url: str, concurrency: int, seconds: float, clients: int) -> Measure:
    """``concurrency`` connections for ``seconds`` against ``url`` (over ``clients`` processes)."""
    _client((url, concurrency, WARM_UP_SECONDS))
    if clients == 1:
        return _client((url, concurrency, seconds))
    share = [concurrency // clients + (i < concurrency % clients) for i in range(clients)]
    with multiprocessing.Pool(clients) as pool:
        parts = pool.map(_client, [(url, n, seconds) for n in share if n])
    return Measure(
        sum(p.requests for p in parts),
        sum(p.errors for p in parts),
        max(p.seconds for p in parts),
        [x for p in parts for x in p.latencies],
    )


# --- the servers --------------------------------------------------------------------------------------


class Uvicorn:
    """The application (``create_app``) over the demo database, one uvicorn worker."""

    def __init__(self, url: str) -> None:
        self.port = free_port()
        env = {**os.environ, "SAYLAU_DATABASE_URL": url}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "saylau.web.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/health").status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("uvicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- the run -----------------------------------------------------------------------------------------


def targets(url: str) -> list[Target]:
    """The national Mazhilis party-list contest (the largest, read by everyone on election
    night): its results JSON and its results page, and the election overview page."""
    engine = make_engine(url)
    with session_factory(engine)() as session:
        contest = session.scalars(
            select(Contest)
            .join(Election, Election.id == Contest.election_id)
            .where(Contest.kind == ContestKind.MAZHILIS_LIST)
            .order_by(Election.polling_day.desc())
        ).first()
        if contest is None:
            raise SystemExit("no Mazhilis list contest: is this a demo database?")
        e, c = contest.election_id, contest.id
    engine.dispose()
    return [
        Target("contest results JSON", f"/data/elections/{e}/contests/{c}/index.json"),
        Target("contest results page (kk)", f"/kk/elections/{e}/contests/{c}/"),
        Target("election overview page (kk)", f"/kk/elections/{e}/"),
    ]


def machine(url: str) -> list[str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    nginx = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True).stderr.strip()
    engine = make_engine(url)
    with session_factory(engine)() as session:
        precincts = session.scalar(select(func.count()).select_from(Precinct))
    engine.dispose()
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores; memory {memory}",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
        f"- {nginx.replace('nginx version: ', 'nginx ')} (1 worker); uvicorn (1 worker, "
        "uvloop + httptools when installed); SQLite demo database",
        f"- demo database: {precincts} precincts",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="the demo's SQLite file (saylau demo)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections")
    parser.add_argument("--clients", type=int, default=1, help="load generator processes")
    parser.add_argument("--out", type=Path, help="publication directory (default: temporary)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="publish processes")
    args = parser.parse_args()
    if not args.database.is_file():
        raise SystemExit(f"{args.database} does not exist (build it with `saylau demo`)")
    url = f"sqlite:///{args.database.resolve()}"
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    out = args.out or Path(tempfile.mkdtemp(prefix="saylau-publication-"))
    started = time.monotonic()
    report = publish(sessions, out, jobs=args.jobs)
    published = time.monotonic() - started
    engine.dispose()
    print(
        f"published {report.files} files ({len(report.written)} written) into {out} "
        f"in {published:.0f} s",
        file=sys.stderr,
    )
    rows = []
    dynamic = Uvicorn(url)
    try:
        with serving(out) as static_base:
            for target in targets(url):
                a = httpx.get(dynamic.base + target.path)
                b = httpx.get(static_base + target.path)
                if a.status_code != 200 or a.content != b.content:
                    raise SystemExit(f"{target.path}: the two servers differ")
                print(f"measuring {target.label} ({len(a.content)} bytes)", file=sys.stderr)
                d = load(dynamic.base + target.path, args.concurrency, args.duration, args.clients)
                s = load(static_base + target.path, args.concurrency, args.duration, args.clients)
                rows.append((target, len(a.content), d, s))
    finally:
        dynamic.stop()
    print(
        f"{args.concurrency} concurrent connections, {args.duration:g} s per measurement "
        f"(after {WARM_UP_SECONDS:g} s of warm-up), {args.clients} load generator process(es); "
        f"publication of the whole site ({args.jobs} processes): {report.files} files, "
        f"{len(report.written)} written, in {published:.0f} s.\n"
    )
    print(
        "| Target | Bytes | Saylau req/s | nginx req/s | Ratio static/dynamic "
        "| Saylau p50 / p99 (ms) | nginx p50 / p99 (ms) | Errors (Saylau / nginx) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for target, size, d, s in rows:
        print(
            f"| {target.label} | {size:,} | {d.rate:,.0f} | {s.rate:,.0f} | "
            f"{s.rate / d.rate:,.1f}× | {d.percentile(0.5):,.1f} / {d.percentile(0.99):,.1f} | "
            f"{s.percentile(0.5):,.1f} / {s.percentile(0.99):,.1f} | {d.errors} / {s.errors} |"
        )
    print()
    print("\n".join(machine(url)))


if __name__ == "__main__":
    main()
