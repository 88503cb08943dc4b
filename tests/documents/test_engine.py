"""The typesetting engine (issue #6 §5): Kazakh Cyrillic with the shipped font embedded, PDF/A,
the generation time and the content hash on the page, and reproducible bytes."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from saylau.documents.engine import content_hash, render_pdf

MOMENT = datetime(2023, 3, 19, 14, 30, tzinfo=UTC)
KAZAKH = "Ә Ғ Қ Ң Ө Ұ Ү Һ І"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} (Debian poppler-utils) is needed to read the PDFs: .ci/run installs it"
        )
    return path


def test_kazakh_text_embedded_font_hash_and_time() -> None:
    data = {"title": "Сайлау бюллетені", "text": KAZAKH}
    pdf = render_pdf("sample", data, generated_at=MOMENT)
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(
        [_tool("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Сайлау бюллетені" in text
    assert KAZAKH.replace(" ", "") in text.replace(" ", "")
    assert "2023-03-19 14:30 UTC" in text
    assert content_hash(data) in text.replace("\n", "")
    fonts = subprocess.run(
        [_tool("pdffonts"), "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "DejaVuSans" in fonts and " no " not in fonts.split("\n", 2)[2]  # every font embedded
    assert b"pdfaid" in pdf  # PDF/A identification in the XMP metadata


def test_same_content_same_bytes_and_hash_independent_of_time() -> None:
    data = {"title": "A", "text": "1"}
    assert render_pdf("sample", data, generated_at=MOMENT) == render_pdf(
        "sample", data, generated_at=MOMENT
    )
    assert content_hash(data) == content_hash({"text": "1", "title": "A"})
    assert content_hash(data) != content_hash({"title": "A", "text": "2"})
