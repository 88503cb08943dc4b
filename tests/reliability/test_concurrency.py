"""Concurrency (issue #9 §6): truly simultaneous requests against the running server (``saylau
serve`` as a separate process on a loopback port), over an SQLite file and over PostgreSQL.

Three TEC coordinators of the capital (A, B, C) sign in through the API (password, then the
authenticator's set-up and its first code) and act with bearer tokens. Each race starts its two
requests from two threads released by one barrier, on a fresh protocol, ``SAYLAU_RACES`` times
(default 20):

- ``second_entry``: A has made the first entry; B and C submit the same second entry at once.
  Exactly one is the second entry (200); the other is told 409 ``protocol_definitive`` (or
  ``entries_complete``).
- ``resolve_vs_entry``: the entries differ; A resolves (keeps entry 1) while C submits a corrected
  entry. The resolution wins (200); the entry is refused 409 (``entries_complete`` or, once the
  resolution is committed, ``protocol_definitive``).
- ``two_resolvers``: the entries differ; B keeps entry 1 while C keeps entry 2, at once. Exactly
  one resolution wins; the other is refused 409 ``nothing_to_resolve`` and changes nothing.
- ``first_entry``: B and C make the first entry of an empty protocol at once. Either order is a
  legal outcome — one is the first entry and the other the second (both 200), or the other is
  refused 409 ``concurrent_entry`` when both created the protocol at the same instant — never a
  5xx, never two first entries.
- ``two_approvers`` (dual control, §2): TEC admin D requests the correction of a protocol made
  definitive by a ``second_entry`` race (202, the filed request); E and F approve it at once.
  Exactly one approval wins (200, the protocol at version 1: one correction); the other is refused 409
  ``approval_decided``, and the protocol is corrected once.

After all races: no 5xx anywhere, every protocol with at most two entries and the definitive votes
of the winning entry, one audit event per accepted request, and an intact audit chain.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from saylau.domain.roles import Role
from saylau.services.audit import verify_chain
from saylau.services.context import Actor, execute
from saylau.services.users import set_password
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import AuditEvent, Protocol, ProtocolEntry, ProtocolVote, RoleAssignment
from saylau.storage.models import User as UserRow
from tests.reliability.world import (
    COORDINATORS,
    KillWorld,
    build_kill_world,
    environment,
    saylau_command,
)
from tests.services.count_world import figures

RACES = int(os.environ.get("SAYLAU_RACES", "20"))
POSTGRES_URL = os.environ.get("SAYLAU_TEST_POSTGRES_URL")
PASSWORD = "concurrency password 1"
USERS = (*COORDINATORS, "capital_coordinator_c")
ADMINS = ("capital_admin_d", "capital_admin_e", "capital_admin_f")
KINDS = ("second_entry", "resolve_vs_entry", "two_resolvers", "first_entry")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite3'}"
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("SAYLAU_TEST_POSTGRES_URL is not set: CI must test on PostgreSQL too")
        pytest.skip("PostgreSQL not configured (run the suite with `make test`)")
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRES_URL


def _prepare(url: str) -> KillWorld:
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        kw = build_kill_world(session, len(KINDS) * RACES)
        for username, role in [(USERS[2], Role.TEC_COORDINATOR)] + [
            (admin, Role.TEC_ADMIN) for admin in ADMINS
        ]:
            user = UserRow(username=username, full_name=username)
            session.add(user)
            session.flush()
            session.add(
                RoleAssignment(
                    user_id=user.id, role=role, commission_id=kw.cw.world.commissions["tec_capital"]
                )
            )
    with factory() as session:
        ids = {name: uid for name, uid in session.execute(select(UserRow.username, UserRow.id))}
    for username in (*USERS, *ADMINS):
        execute(factory, Actor.operator(), set_password, ids[username], PASSWORD)
    engine.dispose()
    return kw


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]


@pytest.fixture
def server(url: str, tmp_path: Path) -> Iterator[tuple[Server, KillWorld, str]]:
    kw = _prepare(url)
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [*saylau_command(), "serve", "--port", str(port), "--no-notify"],
        env={**environment(url), "SAYLAU_DUAL_CONTROL": "required"},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/auth/me", timeout=2).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield Server(base, process), kw, url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _token(base: str, username: str) -> str:
    """Sign in (password, then set up the authenticator with its first code) and make a token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        signed = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        assert signed.json()["pending"] == "enrol", signed.json()
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        secret = client.post("/api/auth/totp/enrol", headers=csrf).json()["secret"]
        confirmed = client.post(
            "/api/auth/totp/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=csrf
        )
        assert confirmed.status_code == 200, confirmed.text
        csrf = {"X-CSRF-Token": confirmed.json()["csrf_token"]}
        made = client.post("/api/auth/tokens", json={"label": "race"}, headers=csrf)
        assert made.status_code == 201, made.text
        return str(made.json()["token"])


def _at_once(*calls: tuple[httpx.Client, str, dict[str, Any]]) -> list[httpx.Response]:
    """POST every call from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(calls))
    responses: list[httpx.Response | None] = [None] * len(calls)

    def go(index: int, client: httpx.Client, path: str, body: dict[str, Any]) -> None:
        barrier.wait()
        responses[index] = client.post(path, json=body)

    threads = [threading.Thread(target=go, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(r is not None for r in responses)
    return [r for r in responses if r is not None]


def test_simultaneous_requests_have_exactly_one_winner(
    server: tuple[Server, KillWorld, str],
) -> None:
    srv, kw, url = server
    clients = [
        httpx.Client(
            base_url=srv.base,
            headers={"Authorization": f"Bearer {_token(srv.base, username)}"},
            timeout=60,
        )
        for username in USERS
    ]
    a, b, c = clients
    contest = kw.cw.contest("capital_list")
    choices = list(kw.cw.choices["capital_list"].values())

    def entry(precinct: int, shift: int = 0) -> dict[str, Any]:
        votes = {choice: 100 + n for n, choice in enumerate(choices)}
        votes[choices[0]] += shift
        data = figures(votes, voters=1000).as_json()
        return {"contest_id": contest, "precinct_id": precinct, "data": data}

    def ok(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        return dict(response.json())

    statuses: Counter[str] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    accepted = 0
    definitive: list[tuple[int, int]] = []
    """(protocol, precinct) made definitive by the ``second_entry`` races."""
    precincts = iter(kw.precincts)
    for _ in range(RACES):
        for kind in KINDS:
            precinct = next(precincts)
            if kind == "first_entry":
                responses = _at_once(
                    (b, "/api/protocols", entry(precinct)), (c, "/api/protocols", entry(precinct))
                )
            else:
                first = ok(a.post("/api/protocols", json=entry(precinct)))
                accepted += 1
                protocol = first["protocol_id"]
                if kind == "second_entry":
                    responses = _at_once(
                        (b, "/api/protocols", entry(precinct)),
                        (c, "/api/protocols", entry(precinct)),
                    )
                    definitive.append((protocol, precinct))
                else:
                    differ = ok(b.post("/api/protocols", json=entry(precinct, shift=5)))
                    accepted += 1
                    assert differ["state"] == "entries_differ"
                    resolve = f"/api/protocols/{protocol}/resolve"
                    if kind == "resolve_vs_entry":
                        responses = _at_once(
                            (a, resolve, {"keep": 1}),
                            (c, "/api/protocols", entry(precinct, shift=2)),
                        )
                    else:
                        responses = _at_once((b, resolve, {"keep": 1}), (c, resolve, {"keep": 2}))
            codes = sorted(r.status_code for r in responses)
            statuses.update(str(code) for code in codes)
            assert all(code < 500 for code in codes), [r.text for r in responses]
            won = [r for r in responses if r.status_code == 200]
            lost = [r for r in responses if r.status_code != 200]
            accepted += len(won)
            for r in lost:
                assert r.status_code == 409, r.text
                outcomes[(kind, r.json()["code"])] += 1
            if kind == "first_entry":
                if len(won) == 2:
                    outcomes[(kind, "both_entered_in_turn")] += 1
                    assert sorted(r.json()["entry_no"] for r in won) == [1, 2]
                else:
                    assert [r.json()["code"] for r in lost] == ["concurrent_entry"]
            else:
                assert len(won) == 1 and len(lost) == 1, [r.text for r in responses]
                expected = {
                    "second_entry": {"entries_complete", "protocol_definitive"},
                    "resolve_vs_entry": {"entries_complete", "protocol_definitive"},
                    "two_resolvers": {"nothing_to_resolve"},
                }[kind]
                assert lost[0].json()["code"] in expected, lost[0].text
                assert won[0].json()["state"] == "definitive"
                if kind == "resolve_vs_entry":
                    assert won[0].request.url.path.endswith("/resolve")
    d, e, f = admins = [
        httpx.Client(
            base_url=srv.base,
            headers={"Authorization": f"Bearer {_token(srv.base, username)}"},
            timeout=60,
        )
        for username in ADMINS
    ]
    approved = 0
    for n, (protocol, precinct) in enumerate(definitive):
        correction = {"data": entry(precinct, shift=3)["data"], "decision": f"TEC decision {n}"}
        filed = d.post(f"/api/protocols/{protocol}/correct", json=correction)
        assert filed.status_code == 202, filed.text
        request = filed.json()
        approve = f"/api/approvals/{request['id']}/approve"
        responses = _at_once(
            (e, approve, {"digest": request["digest"]}), (f, approve, {"digest": request["digest"]})
        )
        codes = sorted(r.status_code for r in responses)
        statuses.update(str(code) for code in codes)
        assert codes == [200, 409], [r.text for r in responses]
        won = next(r for r in responses if r.status_code == 200).json()
        lost = next(r for r in responses if r.status_code == 409).json()
        assert won["protocol"]["version"] == 1 and won["approval"]["state"] == "approved"
        assert lost["code"] == "approval_decided", lost
        outcomes[("two_approvers", lost["code"])] += 1
        approved += 1
    for client in (*clients, *admins):
        client.close()

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            per_protocol = Counter(session.scalars(select(ProtocolEntry.protocol_id)).all())
            assert max(per_protocol.values()) <= 2
            assert sum(per_protocol.values()) == session.scalar(
                select(func.count()).select_from(ProtocolEntry)
            )
            for protocol in session.scalars(select(Protocol)):
                votes = dict(
                    session.execute(
                        select(ProtocolVote.choice_id, ProtocolVote.votes).where(
                            ProtocolVote.protocol_id == protocol.id
                        )
                    ).all()
                )
                if protocol.state.value == "definitive":
                    counted = (protocol.ballots_in_boxes, protocol.against_all, protocol.invalid)
                    in_boxes, against_all, invalid = (int(n or 0) for n in counted)
                    assert votes and sum(votes.values()) == in_boxes - against_all - invalid
                else:
                    assert not votes
            logged = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action.in_(["enter_protocol", "resolve_protocol"]),
                    AuditEvent.outcome != "refused",
                )
            )
            assert logged == accepted
            # Each correction ran once: one approval event, one correction (version 1).
            approvals = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "approve", AuditEvent.outcome != "refused")
            )
            assert approvals == approved == len(definitive) == RACES
            versions = session.scalars(
                select(Protocol.version).where(Protocol.id.in_([p for p, _ in definitive]))
            ).all()
            assert sorted(versions) == [1] * RACES
            assert verify_chain(session).intact
    finally:
        engine.dispose()
    races = RACES * (len(KINDS) + 1)
    print(
        f"concurrency test ({url.split(':')[0]}): {races} races of 2 simultaneous requests, "
        f"responses {dict(sorted(statuses.items()))}, losers {dict(sorted(outcomes.items()))}, "
        f"no 5xx, {accepted} accepted writes all in the database, audit chain intact"
    )
