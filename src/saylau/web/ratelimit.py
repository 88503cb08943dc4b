"""A small in-memory rate limit per client, for the public forms that need no account.

Kept per process: behind several Saylau processes each counts its own share, which is enough to
stop one client from filling the subscription table. The client is the connection's address (a
reverse proxy in front should pass each reader's own address to uvicorn: ``--proxy-headers``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from starlette.requests import Request


class RateLimit:
    """At most ``limit`` requests per ``window`` seconds from one client."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one request of ``key``; False when it is over the limit (not counted then)."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            if len(self._seen) > 100_000:  # forget idle clients rather than grow without bound
                for idle in [k for k, v in self._seen.items() if not v]:
                    del self._seen[idle]
            return True

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


SUBSCRIPTION_LIMIT = (10, 600.0)
"""New subscriptions: 10 per client per 10 minutes (the web form and the API together)."""


def subscription_limit(request: Request) -> RateLimit:
    """The application's limit on new subscriptions (one per application, made on first use)."""
    state = request.app.state
    limit: RateLimit | None = getattr(state, "subscription_limit", None)
    if limit is None:
        limit = RateLimit(*SUBSCRIPTION_LIMIT)
        state.subscription_limit = limit
    return limit
