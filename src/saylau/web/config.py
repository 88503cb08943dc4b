"""Web settings: the secret that signs session cookies, kept outside the repository.

``SAYLAU_SECRET_KEY`` wins; otherwise a random key is made once and kept in the user's data
directory (readable by the owner only), so sessions survive a restart without a secret in the code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir

ENV_SECRET = "SAYLAU_SECRET_KEY"
SESSION_MAX_AGE = 8 * 60 * 60
"""A session expires after 8 hours (an election-night shift)."""


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
