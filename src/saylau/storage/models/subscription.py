"""Readers' subscriptions to a contest's updates (issue #5 §2) and their delivery outbox.

A change a subscriber is told about (a protocol of the contest became definitive, its result was
published) is written as a :class:`Delivery` row in the SAME transaction as the change itself (the
outbox pattern): the commission's transaction never waits for a network, and no event is lost when
Saylau stops between the change and the notification. A dispatcher sends due deliveries later.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column, utcnow


class SubscriptionKind(StrEnum):
    WEBHOOK = "webhook"
    """A signed JSON POST to the subscriber's URL."""
    EMAIL = "email"
    """An e-mail, once the address is confirmed (only when an SMTP server is configured)."""


class SubscriptionEvent(StrEnum):
    CONFIRM = "confirm"
    """The confirmation request sent to a new e-mail subscriber."""
    PROTOCOL_DEFINITIVE = "protocol_definitive"
    """A precinct protocol of the contest became definitive (or was corrected)."""
    RESULT_PUBLISHED = "result_published"
    """The contest's result was published: the outcome is official."""


class Subscription(IdMixin, Base):
    """One reader's subscription to one contest."""

    __tablename__ = "subscription"
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    kind: Mapped[SubscriptionKind] = mapped_column(enum_column(SubscriptionKind))
    target: Mapped[str] = mapped_column(String(2000))
    """The webhook URL or the e-mail address."""
    language: Mapped[str] = mapped_column(String(2), default="kk")
    """The language of the links (and of the e-mails) sent to the subscriber."""
    secret: Mapped[str] = mapped_column(String(64))
    """The key of the HMAC-SHA256 signature of each webhook body, given once to the subscriber."""
    token: Mapped[str] = mapped_column(String(64), unique=True)
    """The bearer of this token may confirm (e-mail) and end the subscription (its links)."""
    confirmed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    """When the subscriber unsubscribed: nothing is delivered afterwards."""


class Delivery(IdMixin, Base):
    """One event to deliver to one subscription (the outbox).

    Pending while ``next_try`` is set; ``delivered_at`` or ``failed_at`` (after the last retry)
    closes it. Events of a subscription not yet delivered are coalesced: a new change moves
    ``updated_at`` of the pending row instead of adding another (a contest of 10,000 precincts
    does not send 10,000 notifications on election night).
    """

    __tablename__ = "subscription_delivery"
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscription.id"), index=True)
    event: Mapped[SubscriptionEvent] = mapped_column(enum_column(SubscriptionEvent))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """The moment of the (latest) change this event reports."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
