"""The secret key of the voter register check, kept outside the repository (issue #5 §5).

The register stores only HMAC-SHA256 digests of IINs under this key, so the import
(``saylau voters import``) and the web check must use the same one. Read like the session secret
(:mod:`saylau.web.config`): ``SAYLAU_REGISTER_KEY`` wins; otherwise a random key is made once and
kept in the user's data directory, readable by the owner only. Replacing the key makes the loaded
register unusable: load it again after a change.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir

ENV_REGISTER_KEY = "SAYLAU_REGISTER_KEY"


def register_key() -> bytes:
    """The configured key, or the one kept in the data directory (made on first use)."""
    configured = os.environ.get(ENV_REGISTER_KEY)
    if configured:
        return configured.encode("utf-8")
    path = Path(user_data_dir("saylau", appauthor=False)) / "register_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")
