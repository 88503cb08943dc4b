"""Servers and load for the serving benchmarks (B4, B5): a real ``saylau serve`` on loopback and a
fixed-duration load generator.

The load generator is ``wrk`` when it is installed (Debian package ``wrk``: a native client that
saturates nginx long before a Python one would) and otherwise an asyncio + httpx client in this
process; the report names the tool used, since a Python client on the same two cores caps the
static figures.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.database import saylau_command
from saylau.publication.nginx import NGINX, deployment_config, standalone

START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _running(
    command: list[str], base: str, *, seconds: float, what: str, **popen: Any
) -> Iterator[str]:
    """``command`` started and answering ``GET {base}/api/health`` with 200 (within ``seconds``)
    until the block ends, then terminated; yields ``base``."""
    process = subprocess.Popen(command, **popen)
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{what} did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def saylau_server(
    url: str, *, environment: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """``saylau serve`` (uvicorn, one process, no notification thread) over the database at
    ``url`` on a free loopback port until the block ends; yields its base URL. ``log``: a file
    for the server's output (its tracebacks), else it is discarded."""
    port = free_port()
    env = {**os.environ, "SAYLAU_DATABASE_URL": url, **(environment or {})}
    command = [*saylau_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with ExitStack() as stack:
        sink = stack.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        yield stack.enter_context(
            _running(
                [*command, "--no-notify"],
                f"http://127.0.0.1:{port}",
                seconds=START_SECONDS,
                what="saylau serve",
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        )


@contextmanager
def topology(url: str, *, workers: int, scratch: Path) -> Iterator[str]:
    """The production topology of ``docs/deployment.md`` over the database at ``url``:
    ``workers`` ``saylau serve`` processes sharing one session secret, behind nginx (round robin,
    its configuration from :func:`~saylau.publication.nginx.deployment_config`), until the block
    ends; yields nginx's base URL. Logs in ``scratch`` (``serve-N.log``, ``nginx/``)."""
    secret = {"SAYLAU_SECRET_KEY": secrets.token_urlsafe(48)}
    with ExitStack() as stack:
        upstreams = [
            stack.enter_context(
                saylau_server(url, environment=secret, log=scratch / f"serve-{n}.log")
            ).removeprefix("http://")
            for n in range(1, workers + 1)
        ]
        site, work = scratch / "site", scratch / "nginx"
        site.mkdir(exist_ok=True)
        work.mkdir(exist_ok=True)
        port = free_port()
        http = deployment_config(
            site, upstreams, listen=f"127.0.0.1:{port}", access_log=str(work / "access.log")
        )
        conf = work / "nginx.conf"
        conf.write_text(standalone(http, work.resolve()), encoding="utf-8")
        yield stack.enter_context(
            _running(
                [str(NGINX), "-p", str(work), "-c", str(conf), "-e", str(work / "error.log")],
                f"http://127.0.0.1:{port}",
                seconds=10,
                what=f"nginx (see {work / 'error.log'})",
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        )


@dataclass
class Load:
    """What a fixed-duration load measured."""

    tool: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0 < q < 1) of ``values`` by the nearest-rank rule."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(q * len(ordered))))
    return ordered[rank - 1]


def wrk() -> str | None:
    """The ``wrk`` binary, if installed."""
    return shutil.which("wrk")


def drive(url: str, *, concurrency: int, seconds: float) -> Load:
    """``concurrency`` keep-alive connections requesting ``url`` for ``seconds``."""
    binary = wrk()
    if binary is not None:
        return _wrk(binary, url, concurrency, seconds)
    return asyncio.run(_python(url, concurrency, seconds))


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"wrk: unreadable duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _wrk(binary: str, url: str, concurrency: int, seconds: float) -> Load:
    result = subprocess.run(
        [
            binary,
            "-t1",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    if total is None:
        raise RuntimeError(f"wrk: no totals in its output:\n{out}")
    # no distribution when no request completed in time (e.g. a short warm-up of a slow server)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(g) for g in sockets.groups()) if sockets else 0
    return Load(
        tool="wrk (1 thread)",
        requests=int(total.group(1)),
        errors=errors,
        seconds=_duration_ms(total.group(2) + total.group(3)) / 1000,
        p50_ms=_duration_ms(percentiles["50"]) if "50" in percentiles else math.nan,
        p99_ms=_duration_ms(percentiles["99"]) if "99" in percentiles else math.nan,
    )


async def _python(url: str, concurrency: int, seconds: float) -> Load:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def one() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - started) * 1000)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Load(
        tool="asyncio + httpx (wrk not installed)",
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        latencies_ms=latencies,
    )
