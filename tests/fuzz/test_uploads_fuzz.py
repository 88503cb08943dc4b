"""Document uploads under hostile input: type by content, size, structure and name.

Contract: :func:`check_upload` returns a media type only for a file whose first bytes are of that
type, whose structure is whole and whose name's extension agrees; anything else is refused with
:class:`InvalidInput` naming ``files.<document>``. The stored name is safe to show and to send
back in a header.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from saylau.services.errors import InvalidInput
from saylau.services.uploads import (
    EXTENSIONS,
    MAX_BYTES,
    SIGNATURES,
    Upload,
    check_upload,
    clean_filename,
    structure_fault,
)
from tests.fuzz.hostile import HOSTILE_TEXT, bounded, count

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
SEEDS = (PDF, PNG, JPEG, b"<html><script>alert(1)</script>", b"GIF89a", b"PK\x03\x04", b"")

names = st.one_of(
    st.sampled_from(
        (
            "scan.pdf",
            "photo.JPG",
            "a.jpeg",
            "x.png",
            "../../etc/passwd.pdf",
            "C:\\Users\\x\\scan.pdf",
            'a"b<c>.pdf',
            "scan.pdf.exe",
            "scan.exe.pdf",
            ".pdf",
            "\x00.pdf",
            "\ud800.png",
            "a" * 500 + ".pdf",
            "",
        )
    ),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=30),
)


@st.composite
def contents(draw: st.DrawFn) -> bytes:
    """A valid file with bytes flipped, cut or appended, or any bytes."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=200))
    content = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(("flip", "cut", "append")))
        if action == "flip" and content:
            at = draw(st.integers(0, len(content) - 1))
            content[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del content[draw(st.integers(0, len(content))) :]
        else:
            content += draw(st.binary(max_size=40))
    return bytes(content)


@bounded(400)
@given(filename=names, content=contents())
def test_an_upload_is_taken_only_when_content_structure_and_name_agree(
    filename: str, content: bytes
) -> None:
    count("upload: check_upload")
    try:
        media_type = check_upload("consent", Upload(filename, content))
    except InvalidInput as error:
        assert error.field == "files.consent"
        return
    assert 0 < len(content) <= MAX_BYTES
    assert any(content.startswith(s) for s in SIGNATURES[media_type])
    assert structure_fault(media_type, content) is None
    extension = "." + clean_filename(filename).rsplit(".", 1)[-1].lower()
    assert EXTENSIONS[extension] == media_type


@bounded(300)
@given(filename=names)
def test_a_stored_name_is_safe_to_show_and_send_back(filename: str) -> None:
    count("upload: clean_filename")
    name = clean_filename(filename)
    assert 0 < len(name) <= 200
    assert not any(c in name for c in "/\\\"'<>") and name.isprintable()


def test_a_truncated_or_headless_file_is_refused_though_it_begins_right() -> None:
    """Regression: only the first bytes were checked, so a cut-off PDF or a PNG signature
    followed by anything was taken."""
    for name, content in (
        ("cut.pdf", PDF[:20]),
        ("bare.png", PNG[:8] + b"<script>"),
        ("odd.jpg", b"\xff\xd8\xff\x00junk"),
        ("noversion.pdf", b"%PDF-x\n%%EOF"),
    ):
        try:
            check_upload("consent", Upload(name, content))
        except InvalidInput as error:
            assert error.code == "upload_damaged" and error.field == "files.consent"
        else:
            raise AssertionError(f"{name} was taken")
    for name, content in (("ok.pdf", PDF), ("ok.png", PNG), ("ok.jpg", JPEG)):
        check_upload("consent", Upload(name, content))
