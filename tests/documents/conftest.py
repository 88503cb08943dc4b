"""Shared helpers for the documents tests: read a PDF through the system's poppler tools.

The documents are checked as a reader sees them: the text layer (``pdftotext -layout``), the page
size (``pdfinfo``) and colours sampled from a rendering (``pdftoppm -png``). Import the helpers
with ``from tests.documents.conftest import pdf_text, pdf_png, …``; the PNG is decoded here in pure
Python (no imaging library is a dependency).

- ``pdf_text(pdf)`` — the text layer, layout kept (``layout=False`` for the raw reading order);
- ``pdf_pages(pdf)`` — the number of pages;
- ``page_sizes_mm(pdf)`` — each page's (width, height) in millimetres, rounded to 0.1 mm;
- ``pdf_png(pdf, resolution=50, page=1)`` — one page rendered to PNG bytes;
- ``render_page(pdf, …)`` — the same page decoded to an ``Image`` (``pixel(x, y)`` → RGB);
- ``close(colour, hex)`` — whether a sampled colour is within a tolerance of ``#RRGGBB``.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass

import pytest

MM_PER_POINT = 25.4 / 72


def tool(name: str) -> str:
    """The path of a poppler-utils program; fails (not skips) when it is missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} (Debian poppler-utils) is needed to read the PDFs: .ci/run installs it"
        )
    return path


def _run(args: list[str], pdf: bytes) -> bytes:
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout


def pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    """The PDF's text layer as ``pdftotext`` reads it (``-layout`` keeps columns in place)."""
    args = [tool("pdftotext"), "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return _run(args, pdf).decode("utf-8")


def _pdfinfo(pdf: bytes, last_page: int | None = None) -> str:
    args = [tool("pdfinfo")]
    if last_page is not None:
        args += ["-f", "1", "-l", str(last_page)]
    return _run([*args, "-"], pdf).decode("utf-8")


def pdf_pages(pdf: bytes) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _pdfinfo(pdf), re.MULTILINE)
    assert match is not None, "pdfinfo reports no page count"
    return int(match.group(1))


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Every page's size in millimetres (``pdfinfo`` reports points)."""
    info = _pdfinfo(pdf, last_page=pdf_pages(pdf))
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    return [
        (round(float(w) * MM_PER_POINT, 1), round(float(h) * MM_PER_POINT, 1)) for w, h in sizes
    ]


def pdf_png(pdf: bytes, *, resolution: int = 50, page: int = 1) -> bytes:
    """One page as PNG bytes (``pdftoppm -png -r <resolution> -singlefile``)."""
    args = [tool("pdftoppm"), "-png", "-r", str(resolution), "-f", str(page), "-l", str(page)]
    return _run([*args, "-singlefile", "-"], pdf)  # no output root: PNG on stdout


@dataclass(frozen=True)
class Image:
    """A decoded 8-bit RGB image; ``pixel(x, y)`` with (0, 0) at the top left."""

    width: int
    height: int
    rows: tuple[bytes, ...]

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        row = self.rows[y]
        return row[3 * x], row[3 * x + 1], row[3 * x + 2]


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(png: bytes) -> Image:
    """Decode the non-interlaced 8-bit RGB (or greyscale) PNG that ``pdftoppm`` writes."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    width = height = depth = colour_type = interlace = 0
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    assert depth == 8 and colour_type in (0, 2) and interlace == 0, "unsupported PNG"
    channels = 3 if colour_type == 2 else 1
    stride = width * channels
    raw = zlib.decompress(idat)
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        method, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if method == 1:
                line[i] = (line[i] + left) & 0xFF
            elif method == 2:
                line[i] = (line[i] + up) & 0xFF
            elif method == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif method == 4:
                line[i] = (line[i] + _paeth(left, up, upper_left)) & 0xFF
        previous = line
        rows.append(bytes(line) if channels == 3 else bytes(v for v in line for _ in range(3)))
    return Image(width, height, tuple(rows))


def render_page(pdf: bytes, *, resolution: int = 50, page: int = 1) -> Image:
    """One page rendered by ``pdftoppm`` and decoded."""
    return decode_png(pdf_png(pdf, resolution=resolution, page=page))


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def close(colour: tuple[int, int, int], expected: str, tolerance: int = 6) -> bool:
    """Whether ``colour`` is ``#RRGGBB`` up to ``tolerance`` per channel (anti-aliasing, colour
    management)."""
    return all(abs(a - b) <= tolerance for a, b in zip(colour, hex_rgb(expected), strict=True))
