"""Typesetting: a Typst template and its data → PDF/A bytes, with the same fonts on any machine.

Every document is a template in ``templates/<name>.typ`` that reads one JSON value,
``sys.inputs.payload``: ``{"data": …, "meta": {"generated_at", "content_hash"}}``. ``data`` is
whatever the document shows (exact figures as text); ``meta`` is added here so that every document
carries the moment it was generated and a SHA-256 hash of its content (issue #6 §5) — the hash is
of the canonical JSON of ``data``, so the same content always has the same hash, whatever the
generation time. Only the fonts in ``fonts/`` are used (no system font: the same PDF everywhere)
and the PDF follows PDF/A-2b, the archival standard, as Typst supports it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Final

import typst

from saylau.services.jsonable import plain

FONTS = resources.files("saylau.documents") / "fonts"
TEMPLATES = resources.files("saylau.documents") / "templates"
PDF_STANDARD: Final = "a-2b"


def content_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``data`` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def render_pdf(
    template: str, data: Mapping[str, Any], *, generated_at: datetime | None = None
) -> bytes:
    """The PDF of ``templates/<template>.typ`` showing ``data``.

    ``generated_at`` defaults to now (UTC); pass it to make the output reproducible (tests, a
    resumed bulk run that must produce identical files).
    """
    moment = (generated_at or datetime.now(UTC)).astimezone(UTC)
    payload = {
        "data": plain(data),
        "meta": {
            "generated_at": moment.strftime("%Y-%m-%d %H:%M UTC"),
            "content_hash": content_hash(data),
        },
    }
    source = TEMPLATES / f"{template}.typ"
    with resources.as_file(source) as path, resources.as_file(FONTS) as fonts:
        pdf: bytes = typst.compile(
            str(path),
            font_paths=[str(fonts)],
            ignore_system_fonts=True,
            sys_inputs={"payload": json.dumps(payload, ensure_ascii=False)},
            pdf_standards=[PDF_STANDARD],
            timestamp=int(moment.timestamp()),
        )
    return pdf
