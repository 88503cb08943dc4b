"""Subscriptions to a contest's updates, for scripts (issue #5 §2): the same service as the form
on the contest page (:mod:`saylau.web.pages.public.subscriptions`), open to everyone who may read
results and limited per client. The token in the answer confirms (e-mail) and ends the
subscription; a webhook's ``secret`` signs every body it receives
(``X-Saylau-Signature: sha256=<HMAC-SHA256>``) and is given only here, once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Path, Request, Response
from pydantic import Field

from saylau.services.errors import ServiceError
from saylau.services.subscriptions import Subscribed, confirm, subscribe, unsubscribe
from saylau.web.api.models import Id, In, Out
from saylau.web.api.routing import api_router
from saylau.web.deps import Services
from saylau.web.ratelimit import client_key, subscription_limit

router = api_router("subscriptions")

Token = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many new subscriptions from this client; try again later."}
}


class SubscribeIn(In):
    contest_id: Id
    kind: Literal["webhook", "email"]
    target: Annotated[str, Field(min_length=1, max_length=2000)]
    """The webhook URL (http or https, public address) or the e-mail address."""
    language: Literal["kk", "ru", "en"] = "kk"
    """The language of the links (and e-mails) sent."""


class SubscribedOut(Out):
    subscription_id: int
    contest_id: int
    election_id: int
    kind: str
    target: str
    language: str
    confirmed: bool
    """E-mail subscriptions are confirmed by the link sent to the address."""
    token: str
    """Confirms and ends the subscription: keep it."""
    secret: str | None
    """A webhook's signing key (HMAC-SHA256 of the body); shown only in this answer."""


class SubscriptionStateOut(Out):
    subscription_id: int
    contest_id: int
    confirmed: bool
    ended: bool


class RateLimited(ServiceError):
    status = 429


def _out(made: Subscribed) -> SubscribedOut:
    return SubscribedOut(
        subscription_id=made.subscription_id,
        contest_id=made.contest_id,
        election_id=made.election_id,
        kind=made.kind.value,
        target=made.target,
        language=made.language,
        confirmed=made.confirmed,
        token=made.token,
        secret=made.secret,
    )


@router.post("/subscriptions", response_model=SubscribedOut, status_code=201, responses=TOO_MANY)
def post_subscription(
    request: Request, body: SubscribeIn, services: Services, response: Response
) -> SubscribedOut:
    """Subscribe a webhook (confirmed at once) or an e-mail address (confirmed by the link sent
    to it; only when an SMTP server is configured) to a contest's updates."""
    if not subscription_limit(request).allow(client_key(request)):
        raise RateLimited(
            "rate_limited", "too many new subscriptions from this client", field="target"
        )
    made = services(subscribe, body.contest_id, body.kind, body.target, body.language)
    response.headers["Cache-Control"] = "no-store"
    return _out(made)


def _state(token: str, operation: Any, services: Services) -> SubscriptionStateOut:
    found = services(operation, token)
    return SubscriptionStateOut(
        subscription_id=found.id,
        contest_id=found.contest_id,
        confirmed=found.confirmed,
        ended=found.ended_at is not None,
    )


@router.post("/subscriptions/{token}/confirm", response_model=SubscriptionStateOut)
def post_confirm(token: Token, services: Services) -> SubscriptionStateOut:
    """Confirm an e-mail subscription by its token."""
    return _state(token, confirm, services)


@router.delete("/subscriptions/{token}", response_model=SubscriptionStateOut)
def delete_subscription(token: Token, services: Services) -> SubscriptionStateOut:
    """End a subscription by its token (nothing is sent afterwards)."""
    return _state(token, unsubscribe, services)
