"""B7 memory: the peak resident memory of a ``saylau serve`` process holding the demo election.

The server (one process, as ``saylau serve`` runs it) is started over a scratch copy of the demo
database on a free loopback port; it answers the health check, then the election overview page,
the national Mazhilis party-list results page and its JSON, each a few times; its high-water mark
(``VmHWM`` of ``/proc/<pid>/status``) is then read. Floor: the same process's high-water mark after
the health check only, before any results page: the code and framework without the data. The
peak memory of each other benchmark is measured by the frame (each runs in its own process).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench.database import copy_of, saylau_command, size_bytes
from bench.model import Figure
from saylau.law.bodies import ContestKind
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import Contest, Election

TITLE = "B7 memory"
NEEDS_DEMO = True
WHY_MISSED = ""

TARGET_MIB = 500.0
REQUESTS_PER_PAGE = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def high_water_kib(pid: int) -> int:
    """``VmHWM`` (peak resident set) of a running process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")


def pages(url: str) -> list[str]:
    """The pages election night is read by: overview, Mazhilis list results page and JSON."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            row = session.execute(
                select(Contest.election_id, Contest.id)
                .join(Election, Election.id == Contest.election_id)
                .where(Contest.kind == ContestKind.MAZHILIS_LIST, Election.parent_id.is_(None))
                .order_by(Contest.id)
            ).first()
    finally:
        engine.dispose()
    if row is None:
        raise SystemExit("no Mazhilis list contest: is this a demo database?")
    e, c = row
    return [
        f"/kk/elections/{e}/",
        f"/kk/elections/{e}/contests/{c}/",
        f"/data/elections/{e}/contests/{c}/index.json",
    ]


def run(config: dict[str, Any]) -> tuple[list[Figure], list[str], dict[str, Any]]:
    """Start the server, read its high-water mark before and after the results pages."""
    with copy_of(str(config["url"])) as url:
        targets = pages(url)
        port = free_port()
        env = {**os.environ, "SAYLAU_DATABASE_URL": url}
        command = [*saylau_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--no-notify"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("saylau serve did not start")
                time.sleep(0.2)
            idle = high_water_kib(process.pid)
            sizes = {}
            with httpx.Client(base_url=base, timeout=120) as client:
                for path in targets:
                    for _ in range(REQUESTS_PER_PAGE):
                        response = client.get(path)
                        if response.status_code != 200:
                            raise AssertionError(f"B7: {path} answered {response.status_code}")
                        sizes[path] = len(response.content)
            peak = high_water_kib(process.pid)
        finally:
            process.terminate()
            process.wait(30)
        database = size_bytes(url)
    mib = peak / 1024
    figure = Figure(
        name="`saylau serve` peak resident memory after the results pages",
        unit="MiB",
        value=mib,
        floor=idle / 1024,
        floor_label="the same server before any results page",
        target=f"≤ {TARGET_MIB:g} MiB (scale 1)",
        met=mib <= TARGET_MIB,
        note=f"database {database / 2**20:,.0f} MiB on disk; {len(targets)} pages × "
        f"{REQUESTS_PER_PAGE} requests",
    )
    checks = [f"{path} answered 200 ({size:,} bytes)" for path, size in sizes.items()]
    return [figure], checks, {"pages": sizes, "database_bytes": database}
