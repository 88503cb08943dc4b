"""Subscribing to a contest's updates from its public page (issue #5 §2), and their delivery.

The form on the contest page posts here. It needs no account and touches no session (the public
site sets no cookie), so it carries no CSRF token: a cross-site post is refused by its ``Origin``
header instead, and each client may subscribe a few times per ten minutes
(:mod:`saylau.web.ratelimit`). E-mail is offered only when an SMTP server is configured. The
links sent to a subscriber (confirm, unsubscribe) open a page with one button, so that a mail
scanner following links changes nothing; the button posts.

:class:`Dispatcher` sends the outbox (:func:`saylau.services.subscriptions.deliver_due`) in a
background thread of ``saylau serve``; ``saylau notify run`` does the same alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from saylau.services import subscriptions
from saylau.services.context import execute
from saylau.services.errors import ServiceError
from saylau.services.subscriptions import DeliveryReport, Outgoing, Send
from saylau.storage.models import Contest, SubscriptionEvent
from saylau.storage.types import utcnow
from saylau.web.deps import PUBLIC, Sessions
from saylau.web.errors import localised
from saylau.web.i18n import gettext
from saylau.web.pages import render
from saylau.web.pages.public.site import Language, page_text
from saylau.web.ratelimit import client_key, subscription_limit

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Marks a message for the catalogue (``public_live.po``); translated where shown."""
    return message


SUBJECTS = {
    SubscriptionEvent.CONFIRM: N_("Confirm your subscription to election results"),
    SubscriptionEvent.PROTOCOL_DEFINITIVE: N_("New precinct protocols are counted"),
    SubscriptionEvent.RESULT_PUBLISHED: N_("The result is published"),
}
INTROS = {
    SubscriptionEvent.CONFIRM: N_(
        "Someone (we hope you) asked to receive the updates of an election contest at this "
        "address. Confirm it by following this link and pressing the button:"
    ),
    SubscriptionEvent.PROTOCOL_DEFINITIVE: N_(
        "Definitive precinct protocols of the contest you follow were counted. The current results:"
    ),
    SubscriptionEvent.RESULT_PUBLISHED: N_(
        "The result of the contest you follow is published: it is official now. The result:"
    ),
}
STOP = N_("To stop these messages:")
RATE_LIMITED = N_("Too many subscriptions from your address; please try again in a few minutes.")
FOREIGN = N_("This form can only be sent from this site.")

# The contest page offers e-mail only when it can be sent (see the subscription form).
render.template_global("email_subscriptions", subscriptions.email_offered)


# --- the pages -------------------------------------------------------------------------------------


def _page(request: Request, language: str, status: int = 200, **context: Any) -> HTMLResponse:
    text = page_text(request.url.path, language, "subscription.html", **context)
    response = HTMLResponse(text, status_code=status)
    response.headers["Cache-Control"] = "no-store"  # a token or a secret may be on it
    return response


def _same_origin(request: Request) -> bool:
    """A form posted from another site is refused (the site keeps no session to guard)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _contest_href(language: str, election_id: int, contest_id: int) -> str:
    return f"/{language}/elections/{election_id}/contests/{contest_id}/"


@router.post("/{language}/elections/{election_id:int}/contests/{contest_id:int}/subscribe")
def subscribe_form(
    request: Request,
    language: Language,
    election_id: int,
    contest_id: int,
    sessions: Sessions,
    kind: Annotated[str, Form(max_length=16)] = "webhook",
    target: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    back = _contest_href(language, election_id, contest_id)
    if not _same_origin(request):
        return _page(
            request, language, 403, state="error", message=gettext(language, FOREIGN), back=back
        )
    if not subscription_limit(request).allow(client_key(request)):
        return _page(
            request,
            language,
            429,
            state="error",
            message=gettext(language, RATE_LIMITED),
            back=back,
        )
    clock: Callable[[], datetime] = request.app.state.clock
    try:
        made = execute(
            sessions,
            PUBLIC,
            subscriptions.subscribe,
            contest_id,
            kind,
            target,
            language,
            election_id=election_id,
            clock=clock,
        )
    except ServiceError as error:
        kind_of = {404: "not_found", 409: "conflict", 403: "forbidden"}.get(
            error.status, "invalid_input"
        )
        message = localised(language, error.code, kind_of, error.field)
        return _page(request, language, error.status, state="error", message=message, back=back)
    return _page(
        request,
        language,
        201,
        state="subscribed",
        subscribed=made,
        back=back,
        unsubscribe=f"/{language}/subscriptions/{made.token}/unsubscribe",
        signature_header=subscriptions.SIGNATURE_HEADER,
    )


def _by_token(sessions: sessionmaker[Session], token: str) -> tuple[int, int, str, bool, bool]:
    """(election id, contest id, kind, confirmed, ended) of the subscription with ``token``."""
    with sessions() as session:
        try:
            found = subscriptions.by_token(session, token)
        except ServiceError as error:
            raise HTTPException(status_code=404, detail=error.message) from error
        contest = session.get(Contest, found.contest_id)
        election_id = contest.election_id if contest is not None else 0
        return (
            election_id,
            found.contest_id,
            found.kind.value,
            found.confirmed,
            found.ended_at is not None,
        )


def _token_page(
    request: Request, language: str, sessions: sessionmaker[Session], token: str, action: str
) -> HTMLResponse:
    election_id, contest_id, kind, confirmed, ended = _by_token(sessions, token)
    state = action
    if ended:
        state = "unsubscribed"
    elif action == "confirm" and confirmed:
        state = "confirmed"
    return _page(
        request,
        language,
        state=state,
        kind=kind,
        back=_contest_href(language, election_id, contest_id),
        action_href=request.url.path,
    )


def _token_action(
    request: Request,
    language: str,
    sessions: sessionmaker[Session],
    token: str,
    operation: Callable[..., Any],
    state: str,
) -> HTMLResponse:
    election_id, contest_id, kind, _, _ = _by_token(sessions, token)
    back = _contest_href(language, election_id, contest_id)
    clock: Callable[[], datetime] = request.app.state.clock
    try:
        execute(sessions, PUBLIC, operation, token, clock=clock)
    except ServiceError as error:
        message = localised(language, error.code, "conflict", error.field)
        return _page(request, language, error.status, state="error", message=message, back=back)
    return _page(request, language, state=state, kind=kind, back=back)


@router.get("/{language}/subscriptions/{token}/confirm")
def confirm_page(
    request: Request, language: Language, token: str, sessions: Sessions
) -> HTMLResponse:
    return _token_page(request, language, sessions, token, "confirm")


@router.post("/{language}/subscriptions/{token}/confirm")
def confirm_post(
    request: Request, language: Language, token: str, sessions: Sessions
) -> HTMLResponse:
    return _token_action(request, language, sessions, token, subscriptions.confirm, "confirmed")


@router.get("/{language}/subscriptions/{token}/unsubscribe")
def unsubscribe_page(
    request: Request, language: Language, token: str, sessions: Sessions
) -> HTMLResponse:
    return _token_page(request, language, sessions, token, "unsubscribe")


@router.post("/{language}/subscriptions/{token}/unsubscribe")
def unsubscribe_post(
    request: Request, language: Language, token: str, sessions: Sessions
) -> HTMLResponse:
    """Also the one-click unsubscribe of e-mail clients (RFC 8058, ``List-Unsubscribe-Post``)."""
    return _token_action(
        request, language, sessions, token, subscriptions.unsubscribe, "unsubscribed"
    )


# --- e-mail and the dispatcher ---------------------------------------------------------------------


def compose_email(out: Outgoing) -> EmailMessage:
    """The e-mail of ``out`` in the subscriber's language: what happened, the link, how to stop."""
    language = out.language

    def tr(message: str) -> str:
        return gettext(language, message)

    message = EmailMessage()
    message["Subject"] = tr(SUBJECTS[out.event])
    link = out.confirm_url if out.event is SubscriptionEvent.CONFIRM else out.url
    lines = [tr(INTROS[out.event]), "", link, "", tr(STOP), out.unsubscribe_url, ""]
    message.set_content("\n".join(lines))
    return message


def transport() -> subscriptions.Transport:
    """The real transport: webhooks by HTTP, e-mails through the configured SMTP server."""
    return subscriptions.Transport(compose_email)


def dispatch_once(
    sessions: sessionmaker[Session], send: Send, now: datetime | None = None
) -> DeliveryReport:
    """Send what is due now (one batch)."""
    with sessions() as session:
        return subscriptions.deliver_due(session, now or utcnow(), send)


class Dispatcher:
    """Sends the outbox every ``interval`` seconds in a daemon thread until :meth:`stop`."""

    def __init__(self, sessions: sessionmaker[Session], interval: float = 5.0) -> None:
        self.sessions = sessions
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="saylau-notify", daemon=True)

    def start(self) -> Dispatcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        send = transport()
        try:
            while not self._stop.is_set():
                try:
                    report = dispatch_once(self.sessions, send)
                except Exception:  # a database hiccup must not end the dispatcher
                    log.exception("the subscription dispatcher failed; retrying")
                    report = DeliveryReport(0, 0, 0, 0)
                busy = report.delivered + report.retried + report.failed + report.skipped
                if not busy:
                    self._stop.wait(self.interval)
        finally:
            send.close()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
