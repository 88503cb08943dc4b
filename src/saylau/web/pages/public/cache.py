"""Public views served from memory between data changes (issue #8, B4).

A public view's files are a function of the database only (no session, no clock, no reader), so a
running Saylau keeps the bytes it last built for a path and serves them again while the data
version (:func:`saylau.services.public.common.data_version`) is the one they were built under:
a crowd polling the national results page on election night costs three small reads per request
instead of a whole tabulation. The version is read *before* the view, so an entry is never older
than its key: a protocol made definitive or a result published between the two reads makes the
entry newer than its version, and the next request (seeing the new version) builds it again.

The cache belongs to one application (``app.state``): two applications over two databases never
share entries. It is bounded (least recently used out first) by entries and by bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from starlette.requests import Request

MAX_ENTRIES = 4096
MAX_BYTES = 256 * 2**20
"""At most this many bytes of bodies are kept (the national results page is ~100 KiB)."""


class ViewCache:
    """Bodies by key, each valid for one data version (see the module)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[Hashable, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, build: Callable[[], bytes]) -> bytes:
        """The body under ``key`` built at ``version``, built (and kept) if there is none."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[1]
            self.misses += 1
        body = build()
        self._put(key, version, body)
        return body

    def _put(self, key: Hashable, version: Hashable, body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old[1])
            self._entries[key] = (version, body)
            self.size += len(body)
            while len(self._entries) > self.max_entries or self.size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.size -= len(dropped)


def view_cache(request: Request) -> ViewCache:
    """The application's cache of public views (created on first use)."""
    state = request.app.state
    cache: ViewCache | None = getattr(state, "public_views", None)
    if cache is None:
        cache = ViewCache()
        state.public_views = cache
    return cache
