"""Live updates and contest subscriptions (issue #5 §2), on SQLite and PostgreSQL.

A real local HTTP receiver (``http.server`` in a thread on a free loopback port) gets the signed
webhook after a protocol becomes definitive, and the HMAC is verified; a failing receiver is
retried with backoff until the delivery gives up; e-mail goes through a real local SMTP server
(aiosmtpd) when one is configured, only after the address is confirmed; unsubscribing stops the
deliveries; publication of a result is an event too. The SSRF rule refuses private addresses, the
form refuses other sites and too many subscriptions from one client.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services import subscriptions
from saylau.services.errors import InvalidInput
from saylau.services.results import publish_results
from saylau.services.subscriptions import MAX_ATTEMPTS, check_webhook_url
from saylau.services.tabulation import tabulate_election
from saylau.storage.models import Delivery, Subscription, SubscriptionEvent
from saylau.web.app import create_app
from saylau.web.pages.public.subscriptions import compose_email, dispatch_once
from tests.security.dual import run_approved
from tests.services.count_world import (
    NEXT_DAY,
    CountWorld,
    actor,
    double_entry,
    figures,
    run,
    setup,
)

Factory = sessionmaker[Session]
IN_TIME = NEXT_DAY + timedelta(days=2)  # before the results deadline (E+7)
LATER = NEXT_DAY + timedelta(minutes=1)


# --- a real webhook receiver and a real SMTP server -------------------------------------------------


class Receiver:
    """An HTTP server on a free loopback port recording every POST; answers the statuses queued
    in ``answers`` (then 200)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                owner.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = owner.answers.pop(0) if owner.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """The messages an aiosmtpd server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SAYLAU_SMTP_URL", f"smtp://127.0.0.1:{port}?from=results@saylau.test")
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers run on 127.0.0.1, which the SSRF rule refuses unless allowed."""
    monkeypatch.setenv("SAYLAU_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.delenv("SAYLAU_SMTP_URL", raising=False)
    monkeypatch.setenv("SAYLAU_PUBLIC_URL", "https://results.saylau.test")


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    return setup(factory)


@pytest.fixture
def client(factory: Factory) -> Iterator[TestClient]:
    app = create_app(factory, secret="test-secret", clock=lambda: NEXT_DAY)
    with TestClient(app) as test_client:
        yield test_client


def election_id(cw: CountWorld) -> int:
    assert cw.world.election is not None
    return cw.world.election


def definitive(
    factory: Factory, cw: CountWorld, contest: str, precinct: str, at: Any = NEXT_DAY
) -> None:
    ids = cw.choices[contest]
    if contest.endswith("_list"):
        votes = {ids["alpha"]: 300, ids["beta"]: 200, ids["gamma"]: 30}
    else:
        votes = {ids["Абаев"]: 200, ids["Бекова"]: 170, ids["Жұмабаев"]: 30}
    double_entry(factory, cw, contest, precinct, figures(votes, against_all=5, invalid=1), at=at)


def send_all(factory: Factory, now: Any = LATER) -> subscriptions.DeliveryReport:
    transport = subscriptions.Transport(compose_email)
    try:
        return dispatch_once(factory, transport, now)
    finally:
        transport.close()


def deliveries(factory: Factory) -> list[Delivery]:
    with factory() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-saylau-signature"])


# --- webhooks --------------------------------------------------------------------------------------


def test_a_webhook_gets_a_signed_event_when_a_protocol_becomes_definitive(
    factory: Factory, cw: CountWorld, client: TestClient, receiver: Receiver
) -> None:
    e, contest = election_id(cw), cw.contest("oblast_list")
    answer = client.post(
        "/api/subscriptions",
        json={"contest_id": contest, "kind": "webhook", "target": receiver.url, "language": "ru"},
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["confirmed"] is True and len(made["secret"]) == 64 and made["token"]
    assert answer.headers["cache-control"] == "no-store"
    # One entry is not a definitive protocol: nothing to tell yet.
    first = figures({choice: 10 for choice in cw.choices["oblast_list"].values()})
    from saylau.services.protocols import enter_protocol
    from tests.services.count_world import typist

    run(factory, typist(factory, cw, "p2", "a"), enter_protocol, contest, cw.precinct("p2"), first)
    assert deliveries(factory) == []
    # Two protocols become definitive before the dispatcher runs: one event, the later moment.
    definitive(factory, cw, "oblast_list", "p1")
    definitive(factory, cw, "oblast_list", "p3", at=NEXT_DAY + timedelta(seconds=30))
    pending = deliveries(factory)
    assert [(d.event, d.next_try is not None) for d in pending] == [
        (SubscriptionEvent.PROTOCOL_DEFINITIVE, True)
    ]
    # A subscription to another contest hears nothing.
    assert receiver.received == []
    report = send_all(factory)
    assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verified(made["secret"], headers, body)
    assert not verified("another secret", headers, body)
    assert headers["content-type"] == "application/json"
    assert headers["x-saylau-event"] == "protocol_definitive"
    assert json.loads(body) == {
        "contest_id": contest,
        "event": "protocol_definitive",
        "updated_at": "2023-03-20T06:00:30Z",
        "url": f"https://results.saylau.test/ru/elections/{e}/contests/{contest}/",
    }
    [done] = deliveries(factory)
    assert done.delivered_at is not None and done.next_try is None and done.attempts == 1
    # Nothing is due any more; a new definitive protocol is a new event.
    assert send_all(factory).delivered == 0
    definitive(factory, cw, "oblast_list", "p4")
    assert send_all(factory).delivered == 1 and len(receiver.received) == 2


def test_a_failing_receiver_is_retried_with_backoff_until_it_gives_up(
    factory: Factory, cw: CountWorld, client: TestClient, receiver: Receiver
) -> None:
    contest = cw.contest("oblast_o1")
    made = client.post(
        "/api/subscriptions",
        json={"contest_id": contest, "kind": "webhook", "target": receiver.url},
    ).json()
    definitive(factory, cw, "oblast_o1", "p1")
    receiver.answers = [500, 503]
    first = send_all(factory, LATER)
    assert (first.delivered, first.retried) == (0, 1)
    [row] = deliveries(factory)
    assert row.attempts == 1 and "500" in row.last_error
    assert row.next_try == LATER + subscriptions.FIRST_RETRY
    assert send_all(factory, LATER + timedelta(seconds=10)).retried == 0  # not due yet
    second = send_all(factory, LATER + timedelta(seconds=30))
    assert second.retried == 1
    [row] = deliveries(factory)
    assert row.next_try == LATER + timedelta(seconds=30) + 2 * subscriptions.FIRST_RETRY
    third = send_all(factory, LATER + timedelta(minutes=5))
    assert third.delivered == 1
    assert len(receiver.received) == 3
    assert all(verified(made["secret"], h, b) for h, b in receiver.received)
    # A receiver that never answers well: the delivery ends as failed after MAX_ATTEMPTS.
    definitive(factory, cw, "oblast_o1", "p2")
    receiver.answers = [500] * (MAX_ATTEMPTS + 2)
    moment = LATER
    for _ in range(MAX_ATTEMPTS):
        send_all(factory, moment)
        moment += subscriptions.MAX_RETRY
    last = deliveries(factory)[-1]
    assert last.attempts == MAX_ATTEMPTS and last.failed_at is not None and last.next_try is None
    assert last.delivered_at is None
    assert len(receiver.received) == 3 + MAX_ATTEMPTS


def test_an_unreachable_receiver_never_blocks_the_count(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    closed = f"http://127.0.0.1:{_free_port()}/nobody"
    answer = client.post(
        "/api/subscriptions",
        json={"contest_id": cw.contest("oblast_o2"), "kind": "webhook", "target": closed},
    )
    assert answer.status_code == 201
    definitive(factory, cw, "oblast_o2", "p3")  # the commission's transaction commits
    report = send_all(factory)
    assert report.retried == 1
    [row] = deliveries(factory)
    assert row.delivered_at is None and row.last_error.startswith("ConnectError")


def test_unsubscribing_stops_the_deliveries(
    factory: Factory, cw: CountWorld, client: TestClient, receiver: Receiver
) -> None:
    e, contest = election_id(cw), cw.contest("oblast_list")
    page = client.post(
        f"/en/elections/{e}/contests/{contest}/subscribe",
        data={"kind": "webhook", "target": receiver.url},
    )
    assert page.status_code == 201, page.text
    assert "You are subscribed" in page.text and page.headers["cache-control"] == "no-store"
    link = re.search(r'href="(/en/subscriptions/[^"]+/unsubscribe)"', page.text)
    assert link is not None
    secret = re.search(r"<code>([0-9a-f]{64})</code>", page.text)
    assert secret is not None
    definitive(factory, cw, "oblast_list", "p1")
    assert len(deliveries(factory)) == 1
    # The link shows a button (a mail scanner following it changes nothing); the button posts.
    shown = client.get(link.group(1))
    assert shown.status_code == 200 and 'method="post"' in shown.text
    assert "Stop sending the updates of this contest?" in shown.text
    with factory() as session:
        assert session.scalar(select(Subscription.ended_at)) is None
    done = client.post(link.group(1))
    assert done.status_code == 200 and "The subscription is ended" in done.text
    assert send_all(factory).delivered == 0 and receiver.received == []
    definitive(factory, cw, "oblast_list", "p3")
    assert [d.next_try for d in deliveries(factory)] == [None]
    assert send_all(factory).delivered == 0 and receiver.received == []
    # By the API too, idempotent; an unknown token is 404.
    token = link.group(1).split("/")[3]
    again = client.delete(f"/api/subscriptions/{token}")
    assert again.status_code == 200 and again.json()["ended"] is True
    assert client.delete("/api/subscriptions/nosuchtoken").status_code == 404
    assert client.get("/en/subscriptions/nosuchtoken/unsubscribe").status_code == 404


def test_publishing_a_result_is_an_event_of_its_contests(
    factory: Factory, cw: CountWorld, client: TestClient, receiver: Receiver
) -> None:
    e = election_id(cw)
    contest = cw.contest("capital_c1")
    made = client.post(
        "/api/subscriptions",
        json={"contest_id": contest, "kind": "webhook", "target": receiver.url},
    ).json()
    for name, precinct in (("capital_list", "p5"), ("capital_list", "p6")):
        definitive(factory, cw, name, precinct)
    definitive(factory, cw, "capital_c1", "p5")
    definitive(factory, cw, "capital_c2", "p6")
    assert send_all(factory).delivered == 1
    admin = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run(factory, admin, tabulate_election, e)
    run_approved(factory, admin, publish_results, e, at=IN_TIME)
    assert [d.event for d in deliveries(factory)][-1] is SubscriptionEvent.RESULT_PUBLISHED
    assert send_all(factory, IN_TIME + timedelta(minutes=1)).delivered == 1
    headers, body = receiver.received[-1]
    assert verified(made["secret"], headers, body)
    assert json.loads(body)["event"] == "result_published"
    assert json.loads(body)["updated_at"] == IN_TIME.isoformat().replace("+00:00", "Z")


# --- e-mail ----------------------------------------------------------------------------------------


def test_email_is_offered_only_with_an_smtp_server(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e, contest = election_id(cw), cw.contest("oblast_list")
    page = client.get(f"/en/elections/{e}/contests/{contest}/").text
    assert 'action="/en/elections/' in page and "/subscribe" in page
    assert 'value="email"' not in page and "Webhook URL" in page
    refused = client.post(
        "/api/subscriptions",
        json={"contest_id": contest, "kind": "email", "target": "reader@example.org"},
        headers={"Accept-Language": "ru"},
    )
    assert refused.status_code == 409 and refused.json()["code"] == "email_unavailable"
    assert refused.json()["message"].startswith("Подписка по электронной почте недоступна")


def test_an_email_subscriber_confirms_then_gets_the_updates(
    factory: Factory, cw: CountWorld, client: TestClient, mailbox: Mailbox
) -> None:
    e, contest = election_id(cw), cw.contest("oblast_list")
    page = client.get(f"/kk/elections/{e}/contests/{contest}/").text
    assert 'value="email"' in page
    answer = client.post(
        f"/kk/elections/{e}/contests/{contest}/subscribe",
        data={"kind": "email", "target": "reader@example.org"},
    )
    assert answer.status_code == 201 and "reader@example.org" in answer.text
    assert "<code>" not in answer.text  # no signing secret for e-mail
    # Not confirmed: a definitive protocol is not sent; only the confirmation request is.
    definitive(factory, cw, "oblast_list", "p1")
    assert [d.event for d in deliveries(factory)] == [SubscriptionEvent.CONFIRM]
    assert send_all(factory).delivered == 1
    [request] = mailbox.messages
    assert request["To"] == "reader@example.org" and request["From"] == "results@saylau.test"
    assert request["Subject"] == "Сайлау нәтижелеріне жазылуыңызды растаңыз"
    text = request.get_content()
    confirm = re.search(r"https://results\.saylau\.test(/kk/subscriptions/\S+/confirm)", text)
    assert confirm is not None
    assert request["List-Unsubscribe"].endswith("/unsubscribe>")
    shown = client.get(confirm.group(1))
    assert shown.status_code == 200 and 'method="post"' in shown.text
    confirmed = client.post(confirm.group(1))
    assert confirmed.status_code == 200 and "Жазылу расталды." in confirmed.text
    definitive(factory, cw, "oblast_list", "p3")
    assert send_all(factory).delivered == 1
    update = mailbox.messages[-1]
    assert update["Subject"] == "Сайлау учаскелерінің жаңа хаттамалары есепке алынды"
    body = update.get_content()
    assert f"https://results.saylau.test/kk/elections/{e}/contests/{contest}/" in body
    # One-click unsubscribe (RFC 8058) from the mail client: nothing more is sent.
    unsubscribe = update["List-Unsubscribe"].strip("<>").removeprefix("https://results.saylau.test")
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    definitive(factory, cw, "oblast_list", "p4")
    assert send_all(factory).delivered == 0 and len(mailbox.messages) == 2


# --- the rules of the door -------------------------------------------------------------------------


def test_the_ssrf_rule_refuses_addresses_that_are_not_public() -> None:
    def resolve_to(address: str) -> Any:
        return lambda host, port: [address]

    for address in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fc00::1",
        "fe80::1",
        "224.0.0.1",
    ):
        with pytest.raises(InvalidInput) as refused:
            check_webhook_url(
                "https://hooks.example.org/x", allow_private=False, resolve=resolve_to(address)
            )
        assert refused.value.code == "webhook_address_private", address
    assert (
        check_webhook_url(
            "https://hooks.example.org/x", allow_private=False, resolve=resolve_to("93.184.216.34")
        )
        == "https://hooks.example.org/x"
    )
    for wrong in (
        "ftp://hooks.example.org/",
        "file:///etc/passwd",
        "https://user:pw@hooks.example.org/",
        "hooks",
    ):
        with pytest.raises(InvalidInput) as refused:
            check_webhook_url(wrong, allow_private=False, resolve=resolve_to("93.184.216.34"))
        assert refused.value.code == "webhook_url_invalid", wrong
    with pytest.raises(InvalidInput) as unknown:
        check_webhook_url("https://no-such-host.invalid/", allow_private=False)
    assert unknown.value.code == "webhook_host_unknown"
    # A private address is allowed only where configured (tests, closed installations).
    assert check_webhook_url("http://127.0.0.1:9/x", allow_private=True) == "http://127.0.0.1:9/x"


def test_the_form_refuses_other_sites_private_addresses_and_too_many_subscriptions(
    factory: Factory, cw: CountWorld, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    e, contest = election_id(cw), cw.contest("oblast_list")
    path = f"/en/elections/{e}/contests/{contest}/subscribe"
    hook = {"kind": "webhook", "target": "http://127.0.0.1:9/hook"}
    foreign = client.post(path, data=hook, headers={"Origin": "https://elsewhere.example"})
    assert foreign.status_code == 403 and "only be sent from this site" in foreign.text
    assert "set-cookie" not in foreign.headers
    monkeypatch.delenv("SAYLAU_WEBHOOK_ALLOW_PRIVATE")
    private = client.post(path, data=hook, headers={"Origin": "http://testserver"})
    assert private.status_code == 422 and "not public" in private.text
    api = client.post("/api/subscriptions", json={"contest_id": contest, **hook})
    assert api.status_code == 422 and api.json()["code"] == "webhook_address_private"
    wrong_contest = client.post(f"/en/elections/{e}/contests/999999/subscribe", data=hook)
    assert wrong_contest.status_code == 404
    monkeypatch.setenv("SAYLAU_WEBHOOK_ALLOW_PRIVATE", "1")
    with factory() as session:
        before = session.scalar(select(func.count()).select_from(Subscription))
    made = 0
    while made < 20:
        answer = client.post(path, data=hook)
        if answer.status_code == 429:
            break
        assert answer.status_code == 201 and "set-cookie" not in answer.headers
        made += 1
    assert 0 < made < 10  # the refused attempts above counted too
    assert "Too many subscriptions" in answer.text
    limited = client.post("/api/subscriptions", json={"contest_id": contest, **hook})
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    with factory() as session:
        after = session.scalar(select(func.count()).select_from(Subscription))
    assert after == (before or 0) + made


def test_results_pages_load_the_live_script_and_their_twins_can_be_polled(
    factory: Factory, cw: CountWorld, client: TestClient
) -> None:
    e, contest = election_id(cw), cw.contest("oblast_list")
    page = client.get(f"/ru/elections/{e}/contests/{contest}/")
    assert '<script src="/static/public-live.js" defer data-poll-seconds="20"' in page.text
    assert 'data-updated-text="Результаты обновлены в {time}"' in page.text
    assert f'href="/data/elections/{e}/contests/{contest}/index.json"' in page.text
    assert "<script>" not in page.text  # no inline script (CSP)
    twin = client.get(f"/data/elections/{e}/contests/{contest}/index.json")
    assert twin.headers["cache-control"] == "public, max-age=15"
    again = client.get(twin.url.path, headers={"If-None-Match": twin.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == twin.headers["etag"]
    script = client.get("/static/public-live.js")
    assert script.status_code == 200 and "If-None-Match" in script.text
