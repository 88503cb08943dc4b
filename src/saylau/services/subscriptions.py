"""Subscriptions to a contest's updates by webhook or e-mail, and their delivery (issue #5 §2).

A reader subscribes to one contest. A webhook is confirmed at once (its signing secret is shown
once, to the subscriber only); an e-mail address only after its owner follows the confirmation link
sent to it, so nobody can subscribe someone else's mailbox. E-mail is offered only when an SMTP
server is configured (:func:`smtp_settings`). The subscription's token is the key of its links:
confirm and unsubscribe.

Events are written by :func:`enqueue` in the SAME transaction as the change they report (the
outbox pattern): ``services/protocols.py`` when a protocol becomes definitive (or is corrected),
``services/results.py`` when a contest's result is published. The commission's transaction only
writes rows; :func:`deliver_due` sends later, outside it, in short transactions of its own, never
holding a lock while it waits for a network; failures are retried with exponential backoff.

**The SSRF rule** (a webhook URL makes Saylau send requests where a stranger asks): the URL is
``http`` or ``https``, without user or password, and its host name must resolve only to *global*
addresses — loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with
the cloud metadata address, fe80::/10), shared, multicast, reserved and unspecified addresses are
refused. The rule is checked when subscribing and again before every delivery (a name may be made
to resolve elsewhere later), and redirects are never followed. Only a test or a closed installation
sets ``SAYLAU_WEBHOOK_ALLOW_PRIVATE=1`` to allow private addresses (a receiver on 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
from sqlalchemy import case, exists, insert, literal, select, update
from sqlalchemy.orm import Session

from saylau import __version__
from saylau.domain.roles import Action, may
from saylau.services.context import Context
from saylau.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from saylau.storage.models import (
    Contest,
    Delivery,
    Subscription,
    SubscriptionEvent,
    SubscriptionKind,
)

SMTP_ENV = "SAYLAU_SMTP_URL"
"""``smtp://[user:password@]host[:port]?from=address`` (``smtps://`` for TLS from the start,
``smtp+starttls://`` to upgrade); unset: no e-mail subscriptions are offered."""
ALLOW_PRIVATE_ENV = "SAYLAU_WEBHOOK_ALLOW_PRIVATE"
"""``1`` allows webhooks to private and loopback addresses (tests, closed installations)."""
PUBLIC_URL_ENV = "SAYLAU_PUBLIC_URL"
"""The public site's address, for the links sent to subscribers."""
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

SIGNATURE_HEADER = "X-Saylau-Signature"
MAX_ATTEMPTS = 8
"""Retries end after this many attempts (about 2 hours of backoff): the delivery is failed."""
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=5)
"""A claimed delivery is retried after this if its dispatcher died while sending."""
TIMEOUT_SECONDS = 10.0
LANGUAGES = ("kk", "ru", "en")
_EMAIL = re.compile(r"^[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


# --- configuration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mails go out: host, port, TLS mode (``plain``, ``starttls``, ``tls``), login and
    the sender's address."""

    host: str
    port: int
    security: str
    sender: str
    username: str | None = None
    password: str | None = None


def smtp_settings(url: str | None = None) -> SmtpSettings | None:
    """The SMTP server from ``url`` or ``SAYLAU_SMTP_URL``; ``None`` when none is configured."""
    text = url if url is not None else os.environ.get(SMTP_ENV, "")
    if not text.strip():
        return None
    parts = urlsplit(text.strip())
    security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}.get(parts.scheme)
    if security is None or not parts.hostname:
        raise ValueError(f"{SMTP_ENV}: expected smtp://, smtp+starttls:// or smtps://host[:port]")
    default_port = {"plain": 25, "starttls": 587, "tls": 465}[security]
    sender = parse_qs(parts.query).get("from", [f"saylau@{parts.hostname}"])[0]
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        sender=sender,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def email_offered() -> bool:
    """Whether readers may subscribe by e-mail (an SMTP server is configured)."""
    try:
        return smtp_settings() is not None
    except ValueError:
        return False


def private_allowed() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes")


def public_url() -> str:
    return os.environ.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL).rstrip("/")


# --- validation ------------------------------------------------------------------------------------

Resolver = Callable[[str, int], Sequence[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def check_webhook_url(
    url: str, *, allow_private: bool | None = None, resolve: Resolver = _resolve
) -> str:
    """``url`` if it is an acceptable webhook target under the SSRF rule (module docstring)."""
    text = url.strip()
    if len(text) > 2000:
        raise InvalidInput("webhook_url_invalid", "the URL is longer than 2000", field="target")
    try:
        parts = urlsplit(text)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidInput("webhook_url_invalid", f"not a URL: {exc}", field="target") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            "webhook_url_invalid", "a webhook is an http:// or https:// URL", field="target"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "webhook_url_invalid", "a webhook URL carries no user or password", field="target"
        )
    permitted = private_allowed() if allow_private is None else allow_private
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError) as exc:
        raise InvalidInput(
            "webhook_host_unknown", f"the host {parts.hostname!r} does not resolve", field="target"
        ) from exc
    if not addresses:
        raise InvalidInput(
            "webhook_host_unknown", f"the host {parts.hostname!r} does not resolve", field="target"
        )
    if not permitted:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise InvalidInput(
                    "webhook_address_private",
                    f"{parts.hostname} resolves to {ip}, which is not a public address (SSRF rule)",
                    field="target",
                )
    return text


def check_email(address: str) -> str:
    text = address.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        raise InvalidInput("email_invalid", "not an e-mail address", field="target")
    return text


# --- subscribing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscribed:
    """A new subscription as its subscriber sees it once: the token of its links and, for a
    webhook, the secret that signs every body."""

    subscription_id: int
    contest_id: int
    election_id: int
    kind: SubscriptionKind
    target: str
    language: str
    confirmed: bool
    token: str
    secret: str | None


def _may_read(ctx: Context) -> None:
    if not may(ctx.actor.role, Action.READ_RESULTS):
        raise PermissionDenied(
            "role_forbids",
            f"the role {ctx.actor.role.value} may not read results",
            action=Action.READ_RESULTS.value,
        )


def subscribe(
    ctx: Context,
    contest_id: int,
    kind: SubscriptionKind | str,
    target: str,
    language: str = "kk",
    *,
    election_id: int | None = None,
) -> Subscribed:
    """Subscribe ``target`` to the updates of ``contest_id`` (anyone who may read results).

    A webhook is validated under the SSRF rule and confirmed at once; an e-mail address is
    refused when no SMTP server is configured, and gets a confirmation request (an outbox row,
    sent by the dispatcher) before any update. ``election_id``, when given, must be the
    contest's (the public page's address names both).
    """
    _may_read(ctx)
    contest = ctx.get(Contest, contest_id, "contest")
    if election_id is not None and contest.election_id != election_id:
        raise NotFound(
            "not_found", f"no contest {contest_id} in election {election_id}", field="contest_id"
        )
    try:
        kind = SubscriptionKind(kind)
    except ValueError as exc:
        raise InvalidInput("subscription_kind", f"unknown kind {kind!r}", field="kind") from exc
    if language not in LANGUAGES:
        raise InvalidInput("language_unknown", f"unknown language {language!r}", field="language")
    if kind is SubscriptionKind.WEBHOOK:
        target = check_webhook_url(target)
    else:
        if not email_offered():
            raise Conflict(
                "email_unavailable",
                "e-mail subscriptions need an SMTP server, and none is configured",
                field="kind",
            )
        target = check_email(target)
    subscription = Subscription(
        contest_id=contest.id,
        kind=kind,
        target=target,
        language=language,
        secret=secrets.token_hex(32),
        token=secrets.token_urlsafe(32),
        confirmed=kind is SubscriptionKind.WEBHOOK,
        created_at=ctx.now,
        confirmed_at=ctx.now if kind is SubscriptionKind.WEBHOOK else None,
    )
    ctx.session.add(subscription)
    ctx.session.flush()
    if kind is SubscriptionKind.EMAIL:
        ctx.session.add(
            Delivery(
                subscription_id=subscription.id,
                event=SubscriptionEvent.CONFIRM,
                updated_at=ctx.now,
                created_at=ctx.now,
                next_try=ctx.now,
            )
        )
    # The audit trail records that a subscription exists, never whose address it is.
    ctx.audit(
        "subscribe",
        "subscription",
        subscription.id,
        None,
        {"contest_id": contest.id, "kind": kind.value},
    )
    return Subscribed(
        subscription.id,
        contest.id,
        contest.election_id,
        kind,
        target,
        language,
        subscription.confirmed,
        subscription.token,
        subscription.secret if kind is SubscriptionKind.WEBHOOK else None,
    )


def by_token(session: Session, token: str) -> Subscription:
    found = session.scalar(select(Subscription).where(Subscription.token == token))
    if found is None or not token:
        raise NotFound("subscription_unknown", "no subscription has this token", field="token")
    return found


def confirm(ctx: Context, token: str) -> Subscription:
    """Confirm an e-mail subscription by the token of the link sent to the address."""
    _may_read(ctx)
    subscription = by_token(ctx.session, token)
    if subscription.ended_at is not None:
        raise Conflict("subscription_ended", "this subscription was ended", field="token")
    if not subscription.confirmed:
        subscription.confirmed = True
        subscription.confirmed_at = ctx.now
        ctx.session.flush()
        ctx.audit("confirm_subscription", "subscription", subscription.id, None, {"confirmed": 1})
    return subscription


def unsubscribe(ctx: Context, token: str) -> Subscription:
    """End a subscription by its token; its pending deliveries are dropped (idempotent)."""
    _may_read(ctx)
    subscription = by_token(ctx.session, token)
    if subscription.ended_at is None:
        subscription.ended_at = ctx.now
        ctx.session.execute(
            update(Delivery)
            .where(Delivery.subscription_id == subscription.id, Delivery.next_try.is_not(None))
            .values(next_try=None, last_error="unsubscribed")
        )
        ctx.session.flush()
        ctx.audit("unsubscribe", "subscription", subscription.id, None, {"ended": 1})
    return subscription


# --- the outbox ------------------------------------------------------------------------------------


def enqueue(
    session: Session, contest_ids: Iterable[int], event: SubscriptionEvent, at: datetime
) -> None:
    """Record ``event`` of each contest for its confirmed subscribers, in the caller's transaction.

    Two statements per 500 contests, whatever the number of subscribers: a pending delivery of
    the same event is moved to ``at`` (coalesced), the others are inserted — in the order the
    contests are given (then by subscription), so a batch leaves the outbox a series of single
    calls would.
    """
    ids = list(dict.fromkeys(contest_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        subscribers = select(Subscription.id).where(
            Subscription.contest_id.in_(chunk),
            Subscription.confirmed.is_(True),
            Subscription.ended_at.is_(None),
        )
        session.execute(
            update(Delivery)
            .where(
                Delivery.subscription_id.in_(subscribers),
                Delivery.event == event,
                Delivery.next_try.is_not(None),
            )
            .values(updated_at=at)
            .execution_options(synchronize_session=False)
        )
        pending = exists().where(
            Delivery.subscription_id == Subscription.id,
            Delivery.event == event,
            Delivery.next_try.is_not(None),
        )
        fresh = (
            select(
                Subscription.id,
                literal(event.value),
                literal(at, Delivery.updated_at.type),
                literal(at, Delivery.created_at.type),
                literal(0),
                literal(at, Delivery.next_try.type),
                literal(""),
            )
            .where(
                Subscription.contest_id.in_(chunk),
                Subscription.confirmed.is_(True),
                Subscription.ended_at.is_(None),
                ~pending,
            )
            .order_by(
                case({c: i for i, c in enumerate(chunk)}, value=Subscription.contest_id),
                Subscription.id,
            )
        )
        session.execute(
            insert(Delivery).from_select(
                [
                    "subscription_id",
                    "event",
                    "updated_at",
                    "created_at",
                    "attempts",
                    "next_try",
                    "last_error",
                ],
                fresh,
            )
        )


# --- delivery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """One message to send: what the transport needs, already signed."""

    delivery_id: int
    subscription_id: int
    kind: SubscriptionKind
    target: str
    language: str
    event: SubscriptionEvent
    contest_id: int
    updated_at: datetime
    url: str
    """The contest's public page in the subscriber's language."""
    body: bytes
    """The JSON document ``{contest_id, event, updated_at, url}``."""
    signature: str
    """``sha256=<hex HMAC-SHA256 of body with the subscription's secret>``."""
    confirm_url: str
    unsubscribe_url: str


class DeliveryError(Exception):
    """A delivery did not succeed (it will be retried)."""


Send = Callable[[Outgoing], None]


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    retried: int
    failed: int
    skipped: int


def sign(secret: str, body: bytes) -> str:
    """The value of the ``X-Saylau-Signature`` header for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min … 1 h."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_RETRY)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def deliver_due(
    session: Session,
    now: datetime,
    send: Send,
    *,
    limit: int = 100,
    base_url: str | None = None,
) -> DeliveryReport:
    """Send the deliveries due at ``now`` through ``send``, at most ``limit`` of them.

    Three short transactions of its own (the caller's session must have none open): claim the
    due rows (pushing their ``next_try`` by a lease, so that a second dispatcher skips them), send
    without any transaction, then record each outcome. A row whose event was coalesced while it
    was being sent is sent again with the newer moment. Never raises for a failed delivery.
    """
    base = (base_url or public_url()).rstrip("/")
    claim = (
        select(Delivery, Subscription, Contest.election_id)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .join(Contest, Contest.id == Subscription.contest_id)
        .where(Delivery.next_try.is_not(None), Delivery.next_try <= now)
        .order_by(Delivery.next_try, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        claim = claim.with_for_update(of=Delivery, skip_locked=True)
    outgoing: list[Outgoing] = []
    skipped = 0
    with session.begin():
        for delivery, subscription, election_id in session.execute(claim):
            if subscription.ended_at is not None or (
                not subscription.confirmed and delivery.event is not SubscriptionEvent.CONFIRM
            ):
                delivery.next_try = None
                delivery.last_error = "subscription ended or not confirmed"
                skipped += 1
                continue
            delivery.attempts += 1
            delivery.next_try = now + LEASE
            outgoing.append(_outgoing(delivery, subscription, election_id, base))
    results: list[tuple[Outgoing, str | None]] = []
    for out in outgoing:
        try:
            send(out)
            results.append((out, None))
        except Exception as exc:  # any failure of a subscriber's server is retried, never raised
            results.append((out, f"{type(exc).__name__}: {exc}"[:500]))
    delivered = retried = failed = 0
    with session.begin():
        for out, error in results:
            if error is None:
                done = session.execute(
                    update(Delivery)
                    .where(Delivery.id == out.delivery_id, Delivery.updated_at == out.updated_at)
                    .values(delivered_at=now, next_try=None, last_error="")
                    .execution_options(synchronize_session=False)
                )
                if getattr(done, "rowcount", 1) == 0:  # coalesced meanwhile: send the newer one
                    session.execute(
                        update(Delivery)
                        .where(Delivery.id == out.delivery_id)
                        .values(next_try=now)
                        .execution_options(synchronize_session=False)
                    )
                delivered += 1
                continue
            row = session.get(Delivery, out.delivery_id)
            if row is None or row.next_try is None:
                continue
            row.last_error = error
            if row.attempts >= MAX_ATTEMPTS:
                row.next_try = None
                row.failed_at = now
                failed += 1
            else:
                row.next_try = now + backoff(row.attempts)
                retried += 1
    return DeliveryReport(delivered, retried, failed, skipped)


def _outgoing(
    delivery: Delivery, subscription: Subscription, election_id: int, base: str
) -> Outgoing:
    language = subscription.language
    url = f"{base}/{language}/elections/{election_id}/contests/{subscription.contest_id}/"
    document: dict[str, Any] = {
        "contest_id": subscription.contest_id,
        "event": delivery.event.value,
        "updated_at": _iso(delivery.updated_at),
        "url": url,
    }
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    links = f"{base}/{language}/subscriptions/{subscription.token}/"
    return Outgoing(
        delivery_id=delivery.id,
        subscription_id=subscription.id,
        kind=subscription.kind,
        target=subscription.target,
        language=language,
        event=delivery.event,
        contest_id=subscription.contest_id,
        updated_at=delivery.updated_at,
        url=url,
        body=body,
        signature=sign(subscription.secret, body),
        confirm_url=links + "confirm",
        unsubscribe_url=links + "unsubscribe",
    )


# --- the transports --------------------------------------------------------------------------------

Compose = Callable[[Outgoing], EmailMessage]
"""Writes the e-mail of an outgoing message (subject and text in the subscriber's language); the
interface layer provides it, with its translations."""


class Transport:
    """The real ``send``: webhooks by an HTTP POST (``httpx``), e-mails through SMTP."""

    def __init__(
        self,
        compose: Compose | None = None,
        smtp: SmtpSettings | None = None,
        *,
        timeout: float = TIMEOUT_SECONDS,
        allow_private: bool | None = None,
    ) -> None:
        self.compose = compose
        self.smtp = smtp if smtp is not None else _configured_smtp()
        self.timeout = timeout
        self.allow_private = allow_private
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": f"Saylau/{__version__} (webhook)"},
        )

    def __call__(self, out: Outgoing) -> None:
        if out.kind is SubscriptionKind.WEBHOOK:
            self.post(out)
        else:
            self.mail(out)

    def post(self, out: Outgoing) -> None:
        check_webhook_url(out.target, allow_private=self.allow_private)
        response = self.client.post(
            out.target,
            content=out.body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: out.signature,
                "X-Saylau-Event": out.event.value,
                "X-Saylau-Delivery": str(out.delivery_id),
            },
        )
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"the receiver answered {response.status_code}")

    def mail(self, out: Outgoing) -> None:
        if self.smtp is None or self.compose is None:
            raise DeliveryError("no SMTP server is configured")
        message = self.compose(out)
        if "From" not in message:
            message["From"] = self.smtp.sender
        message["To"] = out.target
        message["List-Unsubscribe"] = f"<{out.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        settings = self.smtp
        server: smtplib.SMTP
        if settings.security == "tls":
            server = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=self.timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.username:
                server.login(settings.username, settings.password or "")
            server.send_message(message)

    def close(self) -> None:
        self.client.close()


def _configured_smtp() -> SmtpSettings | None:
    try:
        return smtp_settings()
    except ValueError:
        return None
