"""Web settings: the secret that signs session cookies, kept outside the repository, and the
session cookie's flags.

``SAYLAU_SECRET_KEY`` wins; otherwise a random key is made once and kept in the user's data
directory (readable by the owner only), so sessions survive a restart without a secret in the code.

``SAYLAU_SECURE_COOKIES`` (``on``/``off``): whether the session cookie is sent over HTTPS only.
Unset, ``saylau serve`` turns it on unless it listens on a loopback address (a server reachable
from the network is meant to run behind TLS). A secure cookie is named with the ``__Host-``
prefix, which browsers accept only over HTTPS, for the whole site and without a domain, so no
other site or sub-domain can set it. The cookie is always HttpOnly and SameSite=Strict; its
lifetime is the session's absolute timeout (:mod:`saylau.services.sessions`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir

ENV_SECRET = "SAYLAU_SECRET_KEY"
ENV_SECURE_COOKIES = "SAYLAU_SECURE_COOKIES"
COOKIE = "saylau_session"
SECURE_COOKIE = "__Host-saylau_session"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def secure_cookies_setting() -> bool | None:
    """``SAYLAU_SECURE_COOKIES`` as a choice (None when unset)."""
    value = os.environ.get(ENV_SECURE_COOKIES, "").strip().lower()
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    return None


def secure_cookies_default(host: str) -> bool:
    """On unless configured off, or the server listens on loopback only (local use, tests)."""
    configured = secure_cookies_setting()
    if configured is not None:
        return configured
    return host.strip("[]") not in LOOPBACK and not host.startswith("127.")


def secret_key() -> str:
    configured = os.environ.get(ENV_SECRET)
    if configured:
        return configured
    path = Path(user_data_dir("saylau", appauthor=False)) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
