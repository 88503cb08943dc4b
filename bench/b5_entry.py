"""B5 interactive entry: 50 typists entering protocols through the HTTP API at once, for a bounded
time on loopback — latency p50/p95/p99 and errors.

On a scratch copy of the demo, the definitive protocols of some precincts (those entered cleanly:
no acknowledged warning, never corrected) are removed, so that there is work, and their two
precinct typists (the demo's real PEC typist accounts) are given a password (one argon2id hash
written for all) and an authenticator. A real ``saylau serve`` (uvicorn, one process) then serves
that database. Every prepared typist signs in through the API (password and one-time code) before
the clock starts — a typist signs in once a shift. Then 50 simulated typists, in pairs, each pair a
precinct's two typists, enter every protocol of their precinct as the paper says
(``POST /api/protocols``), one in form order and the other in reverse, so that the second entry of
each protocol makes it definitive (CL art. 43, double entry); each pauses
:data:`THINK_SECONDS` before each protocol (a person needs half a minute); a pair that has
finished takes the next precinct (two other, signed-in typists). New entries stop at the deadline.

An error is a 5xx, a transport error or any 4xx other than 409; a 409 (both typists first on the
same protocol at the same moment, the unique key refusing one: it is submitted again) is by design
and counted apart. Floor: ``GET /api/health`` requested by the same typist just before each entry,
on the same server under the same load — what HTTP, the framework and the client cost without the
entry. Correctness: afterwards every accepted entry is in the database (its typist and its
figures), and every protocol whose two entries were accepted is in the state the API answered
(definitive with the paper's figures, or waiting for the coordinator).

With ``--postgres``, the same load runs a second time on the PostgreSQL demo in the production
topology (``docs/deployment.md``): :data:`WORKERS` ``saylau serve`` processes behind nginx, whose
configuration Saylau generates — what several workers on one database of record give.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy import and_, delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.database import cache_dir, copy_of
from bench.model import Figure
from bench.serving import percentile, saylau_server, topology
from saylau.domain.roles import Role
from saylau.domain.states import ProtocolState
from saylau.storage.db import make_engine, session_factory
from saylau.storage.models import Protocol, ProtocolEntry, ProtocolVote, RoleAssignment, User
from saylau.storage.models.organisation import Commission

TITLE = "B5 interactive entry"
NEEDS_DEMO = True
WHY_MISSED = (
    "An entry is about 10 ms of CPU in the server (the lookups and the control relations, "
    "the double-entry state, the hash-chained audit event, the subscription outbox) and a "
    "commit, and every request also resolves its server-side session; 25 entries and 25 "
    "health checks a second, and the 50 simulated typists' client on the same machine, keep "
    "both cores busy, so the tail is queueing: the floor, a health check under the same "
    "load, has a p95 of 20 ms with one process and 52 ms in the topology. The production "
    "topology (two workers behind nginx on PostgreSQL) does not lower the p95 here (240 ms "
    "against 213 ms): the two workers, nginx, PostgreSQL and the load generator share the "
    "same two cores, and PostgreSQL adds a round trip per statement. What would reach it: "
    "workers on cores of their own (the topology scales with cores, one `saylau serve` per "
    "core, the load generator on another machine), and fewer statements per entry (the "
    "calendar and lookups cached per election, the session resolved without a transaction "
    "of its own)."
)

TYPISTS = 50
SECONDS = 60.0
TARGET_P95_MS = 100.0
PASSWORD = "bench-typist-password-5"
THINK_SECONDS = 2.0
"""A typist's pause between two protocols (a fast typist keys in a protocol in half a minute;
two seconds makes each simulated typist some fifteen times faster than a person)."""
PROTOCOLS_PER_PRECINCT = 4
"""Fewer than a demo precinct has (≈ 5): the precincts prepared are enough for every pair to
work the whole time (a pair that finds none left stops, which the report says)."""
SIGN_IN_AT_ONCE = 4
"""Sign-ins in flight during the preparation (each checks an argon2id hash)."""


@dataclass
class Typist:
    user_id: int
    username: str
    secret: str | None
    client: httpx.AsyncClient | None = None
    """Signed in (the session cookie in its jar), during the preparation."""
    token: str = ""
    """The session's CSRF token."""


@dataclass
class Work:
    """One precinct's protocols (contest id → the paper's figures) and its two typists."""

    precinct_id: int
    typists: tuple[Typist, Typist]
    protocols: list[tuple[int, dict[str, Any]]]


@dataclass
class Tally:
    """What the clients saw."""

    latencies_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    """``GET /api/health`` by the same typist just before each entry."""
    sign_ins_ms: list[float] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    accepted: list[tuple[int, int, int, dict[str, Any]]] = field(default_factory=list)
    """(contest, precinct, typist user id, figures) of every entry answered 200."""
    second: dict[tuple[int, int], str] = field(default_factory=dict)
    """(contest, precinct) → the state the API answered to its second entry."""
    precincts_done: int = 0
    ran_out_at: float | None = None


# --- the work -------------------------------------------------------------------------------------


def _typists(session: Session) -> dict[int, list[tuple[int, str]]]:
    """Precinct → its PEC's typist accounts (id, username)."""
    rows = session.execute(
        select(Commission.precinct_id, User.id, User.username)
        .join(RoleAssignment, RoleAssignment.commission_id == Commission.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.role == Role.PEC_TYPIST, Commission.precinct_id.is_not(None))
        .order_by(Commission.precinct_id, User.id)
    ).all()
    out: dict[int, list[tuple[int, str]]] = {}
    for precinct, user_id, username in rows:
        if precinct is None:
            continue
        out.setdefault(int(precinct), []).append((int(user_id), str(username)))
    return out


def _clean_precincts(session: Session) -> list[int]:
    """Precincts whose every protocol is definitive, was entered cleanly and never corrected."""
    unclean: set[int] = set()
    seen: set[int] = set()
    for precinct, state, version, acknowledged in session.execute(
        select(
            Protocol.precinct_id, Protocol.state, Protocol.version, Protocol.acknowledged_warnings
        )
    ):
        seen.add(int(precinct))
        if state is not ProtocolState.DEFINITIVE or version or acknowledged:
            unclean.add(int(precinct))
    return sorted(seen - unclean)


def _enrol(session: Session, user_ids: list[int]) -> dict[int, str]:
    """An authenticator for each account when commission accounts sign in with one-time codes
    (issue #9 §3); user id → secret."""
    try:
        import pyotp

        from saylau.storage.models.auth import TotpEnrolment
    except ImportError:  # a tree without one-time codes
        return {}
    secrets = {}
    now = datetime.now(UTC)
    for user_id in user_ids:
        secret = pyotp.random_base32(32)
        session.add(
            TotpEnrolment(
                user_id=user_id, secret=secret, created_at=now, confirmed_at=now, last_step=0
            )
        )
        secrets[user_id] = secret
    return secrets


def prepare(url: str, precincts: int) -> list[Work]:
    """Remove the protocols of ``precincts`` clean precincts and ready their typists."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session, session.begin():
            typists = _typists(session)
            chosen = [p for p in _clean_precincts(session) if len(typists.get(p, ())) >= 2]
            chosen = chosen[:: max(1, len(chosen) // precincts)][:precincts]
            if len(chosen) < TYPISTS // 2:
                raise SystemExit(f"B5: only {len(chosen)} clean precincts with two typists")
            protocols = session.execute(
                select(Protocol.id, Protocol.contest_id, Protocol.precinct_id, ProtocolEntry.data)
                .join(
                    ProtocolEntry,
                    and_(ProtocolEntry.protocol_id == Protocol.id, ProtocolEntry.entry_no == 1),
                )
                .where(Protocol.precinct_id.in_(chosen))
                .order_by(Protocol.precinct_id, Protocol.contest_id)
            ).all()
            ids = [int(r.id) for r in protocols]
            for table in (ProtocolVote, ProtocolEntry):
                session.execute(delete(table).where(table.protocol_id.in_(ids)))
            session.execute(delete(Protocol).where(Protocol.id.in_(ids)))
            accounts = [typists[p][i] for p in chosen for i in (0, 1)]
            hashed = PasswordHasher().hash(PASSWORD)  # the users service's hasher, once
            session.execute(
                update(User)
                .where(User.id.in_([a for a, _ in accounts]))
                .values(password_hash=hashed, active=True)
            )
            secrets = _enrol(session, [a for a, _ in accounts])
    finally:
        engine.dispose()
    by_precinct: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for row in protocols:
        data = row.data if isinstance(row.data, dict) else json.loads(row.data)
        by_precinct.setdefault(int(row.precinct_id), []).append((int(row.contest_id), data))
    return [
        Work(
            p,
            tuple(Typist(u, name, secrets.get(u)) for u, name in typists[p][:2]),  # type: ignore[arg-type]
            by_precinct.get(p, []),
        )
        for p in chosen
    ]


# --- the typists ----------------------------------------------------------------------------------


async def _sign_in(client: httpx.AsyncClient, typist: Typist, tally: Tally) -> str | None:
    """Sign in through the API; the session's CSRF token, or None (an error is recorded)."""
    body: dict[str, str] = {"username": typist.username, "password": PASSWORD}
    if typist.secret is not None:
        import pyotp

        body["code"] = pyotp.TOTP(typist.secret).now()
    started = time.perf_counter()
    try:
        response = await client.post("/api/auth/login", json=body)
    except httpx.HTTPError as exc:
        tally.errors.append(f"sign-in {typist.username}: {exc!r}")
        return None
    tally.sign_ins_ms.append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:
        tally.errors.append(f"sign-in {typist.username}: {response.status_code} {response.text}")
        return None
    token: str = response.json()["csrf_token"]
    return token


async def _type(work: Work, which: int, deadline: float, tally: Tally, window: list[float]) -> None:
    """One typist enters every protocol of the precinct (the second typist in reverse order),
    pausing :data:`THINK_SECONDS` before each."""
    typist = work.typists[which]
    if typist.client is None:
        return
    order = work.protocols if which == 0 else list(reversed(work.protocols))
    headers = {"X-CSRF-Token": typist.token}
    for contest_id, data in order:
        body = {"contest_id": contest_id, "precinct_id": work.precinct_id, "data": data}
        for _attempt in range(3):
            await asyncio.sleep(THINK_SECONDS)
            if time.perf_counter() >= deadline:
                return
            started = time.perf_counter()  # the floor: the trivial endpoint, same moment and load
            try:
                ok = (await typist.client.get("/api/health")).status_code == 200
            except httpx.HTTPError:
                ok = False
            tally.floor_ms.append((time.perf_counter() - started) * 1000)
            if not ok:
                tally.errors.append("health check failed under load")
            started = time.perf_counter()
            try:
                response = await typist.client.post("/api/protocols", json=body, headers=headers)
            except httpx.HTTPError as exc:
                tally.errors.append(f"entry {contest_id}@{work.precinct_id}: {exc!r}")
                break
            finished = time.perf_counter()
            tally.latencies_ms.append((finished - started) * 1000)
            window[1] = max(window[1], finished)
            if response.status_code == 200:
                answer = response.json()
                tally.accepted.append((contest_id, work.precinct_id, typist.user_id, data))
                if answer.get("entry_no") == 2:
                    tally.second[(contest_id, work.precinct_id)] = str(answer.get("state"))
                break
            if response.status_code == 409:
                tally.conflicts += 1
                code = response.json().get("code", "")
                if code in ("entries_complete", "protocol_definitive"):
                    break  # the other typist's entries already completed it
                continue  # a simultaneous first entry: submitted again
            tally.errors.append(
                f"entry {contest_id}@{work.precinct_id}: {response.status_code} "
                f"{response.text[:300]}"
            )
            break


async def _pair(queue: deque[Work], deadline: float, tally: Tally, window: list[float]) -> None:
    while time.perf_counter() < deadline:
        if not queue:
            tally.ran_out_at = tally.ran_out_at or time.perf_counter()
            return
        work = queue.popleft()
        await asyncio.gather(
            _type(work, 0, deadline, tally, window), _type(work, 1, deadline, tally, window)
        )
        tally.precincts_done += time.perf_counter() < deadline


async def _sign_in_all(base: str, plan: list[Work], tally: Tally) -> None:
    """Every prepared typist signs in (before the clock starts: a typist signs in once a shift)."""
    gate = asyncio.Semaphore(SIGN_IN_AT_ONCE)

    async def one(typist: Typist) -> None:
        async with gate:
            client = httpx.AsyncClient(base_url=base, timeout=60)
            token = await _sign_in(client, typist, tally)
            if token is None:
                await client.aclose()
                return
            typist.client, typist.token = client, token

    await asyncio.gather(*(one(t) for work in plan for t in work.typists))


async def typing(base: str, plan: list[Work], seconds: float) -> tuple[Tally, float]:
    """Sign everybody in, then 50 typists (25 pairs) for ``seconds``; the tally and the seconds
    the entries spanned."""
    tally = Tally()
    await _sign_in_all(base, plan, tally)
    queue = deque(plan)
    started = time.perf_counter()
    window = [started, started]
    deadline = started + seconds
    try:
        await asyncio.gather(*(_pair(queue, deadline, tally, window) for _ in range(TYPISTS // 2)))
    finally:
        for work in plan:
            for typist in work.typists:
                if typist.client is not None:
                    await typist.client.aclose()
    if tally.ran_out_at is not None:
        tally.ran_out_at -= started
    return tally, window[1] - started


# --- the check ------------------------------------------------------------------------------------


def verify(url: str, tally: Tally) -> tuple[int, int]:
    """Every accepted entry is stored with its typist and figures; every protocol with two
    accepted entries is definitive with the paper's figures. (entries, definitive protocols)."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            stored = {
                (int(c), int(p), int(t)): d if isinstance(d, dict) else json.loads(d)
                for c, p, t, d in session.execute(
                    select(
                        Protocol.contest_id,
                        Protocol.precinct_id,
                        ProtocolEntry.typist_id,
                        ProtocolEntry.data,
                    ).join(ProtocolEntry, ProtocolEntry.protocol_id == Protocol.id)
                )
            }
            states = {
                (int(c), int(p)): (s, v)
                for c, p, s, v in session.execute(
                    select(
                        Protocol.contest_id,
                        Protocol.precinct_id,
                        Protocol.state,
                        Protocol.voters_on_list,
                    )
                )
            }
    finally:
        engine.dispose()
    entries: dict[tuple[int, int], int] = {}
    for contest, precinct, typist, data in tally.accepted:
        if stored.get((contest, precinct, typist)) != data:
            raise AssertionError(
                f"B5: an accepted entry of contest {contest} at precinct {precinct} by user "
                f"{typist} is not in the database as sent"
            )
        entries[(contest, precinct)] = entries.get((contest, precinct), 0) + 1
    definitive = 0
    by_key = {(c, p): d for c, p, _, d in tally.accepted}
    for key, count in entries.items():
        if count != 2:
            continue
        state, voters = states[key]
        if state.value != tally.second.get(key):
            raise AssertionError(
                f"B5: protocol {key} is {state.value}, the API answered {tally.second.get(key)}"
            )
        if state is ProtocolState.DEFINITIVE:
            if voters != by_key[key]["voters_on_list"]:
                raise AssertionError(f"B5: definitive protocol {key} lacks the paper's figures")
            definitive += 1
    return len(tally.accepted), definitive


# --- the benchmark --------------------------------------------------------------------------------


def server_failures(log: Path) -> list[str]:
    """The exceptions in the server's log (why a request answered 5xx), each once."""
    if not log.exists():
        return []
    found = re.findall(
        r"^[A-Za-z_.]*(?:Error|Exception)\b.*$", log.read_text(errors="replace"), re.MULTILINE
    )
    return list(dict.fromkeys(line[:300] for line in found))[:20]


WORKERS = 2
"""``saylau serve`` processes behind nginx in the production topology (one per core here)."""


@dataclass(frozen=True)
class Setup:
    """Where the typists type: the frame's database served by one process, or the PostgreSQL
    demo in the production topology."""

    label: str
    url: str
    workers: int


def measure(setup: Setup, seconds: float) -> tuple[list[Figure], list[str], dict[str, Any]]:
    """Prepare the work on a copy, sign the typists in, run them, check the database."""
    per_pair = math.ceil(seconds / (THINK_SECONDS * PROTOCOLS_PER_PRECINCT)) + 1
    with (
        copy_of(setup.url) as url,
        tempfile.TemporaryDirectory(prefix="b5-", dir=cache_dir()) as scratch,
    ):
        plan = prepare(url, per_pair * (TYPISTS // 2))
        logs = Path(scratch)
        server = (
            saylau_server(url, log=logs / "serve-1.log")
            if setup.workers == 1
            else topology(url, workers=setup.workers, scratch=logs)
        )
        with server as base:
            tally, span = asyncio.run(typing(base, plan, seconds))
        failures = [
            f for n in range(setup.workers) for f in server_failures(logs / f"serve-{n + 1}.log")
        ]
        entries, definitive = verify(url, tally)
    lat = tally.latencies_ms
    p50, p95, p99 = (percentile(lat, q) for q in (0.50, 0.95, 0.99))
    f50, f95, f99 = (percentile(tally.floor_ms, q) for q in (0.50, 0.95, 0.99))
    errors = len(tally.errors)
    ran_out = (
        f"; the prepared work ran out after {tally.ran_out_at:.0f} s"
        if tally.ran_out_at is not None
        else ""
    )
    note = (
        f"{setup.label}: {TYPISTS} typists ({TYPISTS // 2} precinct pairs), a protocol every "
        f"{THINK_SECONDS:g} s each, {seconds:g} s: {len(lat):,} entry "
        f"requests ({len(lat) / span if span else 0:,.1f}/s), {entries:,} accepted, "
        f"{definitive:,} protocols made definitive, {tally.precincts_done} precincts finished, "
        f"{len(tally.sign_ins_ms)} sign-ins (median {percentile(tally.sign_ins_ms, 0.5):,.0f} ms, "
        f"not in the latency), {tally.conflicts} conflicts (409, by design), "
        f"{len(tally.errors)} errors{ran_out}"
    )
    suffix = "" if setup.workers == 1 else f", {setup.label}"
    figures = [
        Figure(
            name=f"protocol entry p95 (`POST /api/protocols`){suffix}",
            unit="ms",
            value=p95,
            floor=f95,
            floor_label="`GET /api/health` p95, by each typist just before each entry",
            target=f"≤ {TARGET_P95_MS:g} ms, no errors",
            met=p95 <= TARGET_P95_MS and errors == 0,
            note=note,
        ),
        Figure(
            name=f"protocol entry p50{suffix}",
            unit="ms",
            value=p50,
            floor=f50,
            floor_label="`GET /api/health` p50",
            target="—",
            met=None,
        ),
        Figure(
            name=f"protocol entry p99{suffix}",
            unit="ms",
            value=p99,
            floor=f99,
            floor_label="`GET /api/health` p99",
            target="—",
            met=None,
        ),
        Figure(
            name=f"errors (5xx, transport, 4xx other than 409){suffix}",
            unit="",
            value=float(errors),
            floor=None,
            floor_label="—",
            target="0",
            met=errors == 0,
        ),
    ]
    checks = [
        f"{setup.label}: all {entries:,} accepted entries are in the database with their typist "
        "and figures; every protocol with two accepted entries is stored in the state the API "
        f"answered ({definitive:,} definitive, with the paper's figures; the others wait for the "
        "coordinator: warnings of the control relations)",
    ]
    details = {
        "setup": setup.label,
        "workers": setup.workers,
        "seconds": seconds,
        "span_seconds": span,
        "requests": len(lat),
        "accepted": entries,
        "definitive": definitive,
        "conflicts": tally.conflicts,
        "errors": tally.errors[:50],
        "error_count": len(tally.errors),
        "sign_ins": len(tally.sign_ins_ms),
        "precincts_prepared": len(plan),
        "precincts_done": tally.precincts_done,
        "ran_out_at": tally.ran_out_at,
        "latency_ms": {"p50": p50, "p95": p95, "p99": p99},
        "floor_ms": {"p50": f50, "p95": f95, "p99": f99, "requests": len(tally.floor_ms)},
        "think_seconds": THINK_SECONDS,
        "server_failures": failures,
    }
    return figures, checks, details


def run(config: dict[str, Any]) -> tuple[list[Figure], list[str], dict[str, Any]]:
    """B5 on the frame's database (one ``saylau serve``) and, when the frame is given a
    PostgreSQL server (``--postgres``), in the production topology on PostgreSQL too."""
    seconds = float(config.get("b5_seconds", SECONDS))
    frame = (
        "PostgreSQL"
        if make_url(str(config["url"])).get_backend_name() == "postgresql"
        else "SQLite"
    )
    setups = [Setup(f"{frame}, one `saylau serve`", str(config["url"]), 1)]
    if config.get("postgres_url"):
        setups.append(
            Setup(
                f"PostgreSQL, {WORKERS} `saylau serve` workers behind nginx",
                str(config["postgres_url"]),
                WORKERS,
            )
        )
    figures: list[Figure] = []
    checks: list[str] = []
    details: dict[str, Any] = {}
    for setup in setups:
        got, passed, detail = measure(setup, seconds)
        figures += got
        checks += passed
        details[setup.label] = detail
    return figures, checks, details
