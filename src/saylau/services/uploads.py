"""The scanned files of a nomination's documents: checked, stored and tied to the checklist.

Only PDF, JPEG and PNG are taken, recognised by their first bytes (the "magic number"), not by
the name or the browser's claim, and only up to :data:`MAX_BYTES`; the file's structure must be
whole beyond its first bytes (:func:`structure_fault`) and the name's extension must agree with the
content. Every refusal names the document and says why (:func:`check_upload`). A stored
file keeps its size and SHA-256, and is tied to the :class:`SubmittedDocument` it evidences, so
receiving a file is also receiving the document (``saylau.services.nomination.record_documents``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services.candidacy import (
    Candidacy,
    CandidacyKind,
    CandidacyRef,
    load_candidacy,
    owned_by,
)
from saylau.services.context import Context
from saylau.services.documents import DocumentsReport
from saylau.services.errors import InvalidInput, NotFound
from saylau.services.nomination import (
    DocumentReceipt,
    ListSubmitted,
    NominationSubmitted,
    PartyListInput,
    SmdNominationInput,
    record_documents,
    submit_nomination,
    submit_party_list,
)
from saylau.storage.models import DocumentFile, Nomination, PartyList, Person, SubmittedDocument

MAX_BYTES = 10 * 1024 * 1024
"""The largest file taken: 10 MB (a scanned multi-page PDF fits; a raw photo series does not)."""

SIGNATURES: Mapping[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
"""The media types taken and the first bytes each file of the type starts with."""

EXTENSIONS: Mapping[str, str] = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@dataclass(frozen=True)
class Upload:
    """A file as received: its name on the sender's computer and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class StoredFile:
    """A stored file's description (its bytes are read separately, :func:`file_content`)."""

    id: int
    document: str
    iin: str | None
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime


PDF_TAIL = 1024
"""A PDF's ``%%EOF`` end marker must lie within its last 1,024 bytes (ISO 32000-1 §7.5.5; readers
look no further)."""
_JPEG_MARKERS = frozenset((*range(0xE0, 0xF0), 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xFE))
"""Segments a JPEG may begin with after its start-of-image (ITU T.81 B.1.1.3, JFIF, Exif)."""


def structure_fault(media_type: str, content: bytes) -> str | None:
    """Why bytes that begin like ``media_type`` are not a whole file of it (None if they are):
    a PDF must name its version and end with ``%%EOF``; a PNG's first chunk must be ``IHDR``
    (PNG spec §5.6); a JPEG's start-of-image must be followed by a segment marker."""
    if media_type == "application/pdf":
        if not (content[5:6].isdigit() and content[6:7] == b"." and content[7:8].isdigit()):
            return "the PDF header names no version (%PDF-1.x or %PDF-2.x)"
        if b"%%EOF" not in content[-PDF_TAIL:]:
            return "the PDF is incomplete: it does not end with %%EOF"
    elif media_type == "image/png" and content[8:16] != b"\x00\x00\x00\rIHDR":
        return "the PNG file does not begin with its IHDR header chunk"
    elif media_type == "image/jpeg" and (len(content) < 4 or content[3] not in _JPEG_MARKERS):
        return "the JPEG file's start is not followed by a JPEG segment"
    return None


def sniff(content: bytes) -> str | None:
    """The media type the bytes begin like, or None if they are none of PDF, JPEG, PNG."""
    for media_type, signatures in SIGNATURES.items():
        if any(content.startswith(s) for s in signatures):
            return media_type
    return None


def clean_filename(filename: str) -> str:
    """The file's own name without any folder, control characters or quotes, at most 200
    characters (it is shown and sent back in a download header)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable() and c not in "\"'<>")
    return name.strip()[-200:] or "document"


def check_upload(document: str, upload: Upload) -> str:
    """The media type of an acceptable file, or :class:`InvalidInput` saying why it is refused.

    ``document`` is the checklist id the file is for; the error's field is ``files.<document>``.
    """
    field = f"files.{document}"
    size = len(upload.content)
    if size == 0:
        raise InvalidInput("upload_empty", f"{field}: the file is empty", field=field)
    if size > MAX_BYTES:
        raise InvalidInput(
            "upload_too_large",
            f"{field}: {size} bytes; at most {MAX_BYTES} bytes (10 MB) are taken",
            field=field,
            size=size,
            limit=MAX_BYTES,
        )
    media_type = sniff(upload.content)
    if media_type is None:
        raise InvalidInput(
            "upload_type",
            f"{field}={upload.filename!r}: the content is not a PDF, JPEG or PNG file",
            field=field,
        )
    fault = structure_fault(media_type, upload.content)
    if fault is not None:
        raise InvalidInput(
            "upload_damaged",
            f"{field}={upload.filename!r}: {fault}",
            field=field,
            media_type=media_type,
        )
    extension = PurePosixPath(clean_filename(upload.filename)).suffix.lower()
    if EXTENSIONS.get(extension) != media_type:
        raise InvalidInput(
            "upload_extension",
            f"{field}={upload.filename!r}: the name ends in {extension or 'nothing'!r} but the "
            f"content is {media_type}; name it .pdf, .jpg, .jpeg or .png as it is",
            field=field,
            media_type=media_type,
        )
    return media_type


def store_file(
    ctx: Context,
    document: str,
    upload: Upload,
    *,
    submitted_document_id: int | None = None,
) -> DocumentFile:
    """Store a checked file (audited with its size and hash, never its bytes)."""
    media_type = check_upload(document, upload)
    row = DocumentFile(
        submitted_document_id=submitted_document_id,
        owner_user_id=ctx.actor.user_id,
        document=document,
        filename=clean_filename(upload.filename),
        media_type=media_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
        uploaded_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("upload_document", "document_file", row.id, None, file_record(row))
    return row


def file_record(row: DocumentFile) -> dict[str, Any]:
    """A stored file's columns for the audit log (without the content)."""
    return {
        "id": row.id,
        "submitted_document_id": row.submitted_document_id,
        "owner_user_id": row.owner_user_id,
        "document": row.document,
        "filename": row.filename,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
    }


def _receipt_row(
    session: Session, candidacy: Candidacy, document: str, iin: str | None
) -> SubmittedDocument:
    person_id = None
    if iin is not None:
        person_id = session.execute(select(Person.id).where(Person.iin == iin)).scalar_one()
    row = session.execute(
        select(SubmittedDocument).where(
            owned_by(SubmittedDocument, candidacy),
            SubmittedDocument.document == document,
            SubmittedDocument.person_id.is_(None)
            if person_id is None
            else SubmittedDocument.person_id == person_id,
        )
    ).scalar_one()
    return row


def attach(
    ctx: Context, candidacy: Candidacy, files: Mapping[str, Upload], iin: str | None = None
) -> None:
    """Store ``files`` (checklist id → file) as evidence of documents already received."""
    for document, upload in files.items():
        receipt = _receipt_row(ctx.session, candidacy, document, iin)
        store_file(ctx, document, upload, submitted_document_id=receipt.id)


def upload_document(
    ctx: Context, ref: CandidacyRef, document: str, upload: Upload, iin: str | None = None
) -> DocumentsReport:
    """Receive one document of a candidacy as a file (for a list person's document, ``iin``
    names the person); returns what the file still lacks.

    The file is checked first; the document is then recorded like a paper one (permission,
    deadline and checklist as in ``record_documents``), and the file tied to it.
    """
    check_upload(document, upload)
    report = record_documents(ctx, ref, [DocumentReceipt(document, iin)])
    attach(ctx, load_candidacy(ctx, ref), {document: upload}, iin)
    return report


def submit_list_with_files(
    ctx: Context, data: PartyListInput, files: Mapping[str, Upload]
) -> ListSubmitted:
    """Submit a party list whose own documents (``files``: checklist id → file) come as files;
    one transaction: a refused file refuses the submission."""
    for document, upload in files.items():
        check_upload(document, upload)
    documents = tuple(dict.fromkeys((*data.documents, *files)))
    result = submit_party_list(ctx, replace(data, documents=documents))
    attach(ctx, load_candidacy(ctx, CandidacyRef(CandidacyKind.LIST, result.party_list_id)), files)
    return result


def submit_nomination_with_files(
    ctx: Context, data: SmdNominationInput, files: Mapping[str, Upload]
) -> NominationSubmitted:
    """Submit a single-member nomination whose documents come as files; one transaction."""
    for document, upload in files.items():
        check_upload(document, upload)
    documents = tuple(dict.fromkeys((*data.documents, *files)))
    result = submit_nomination(ctx, replace(data, documents=documents))
    attach(ctx, load_candidacy(ctx, CandidacyRef(CandidacyKind.SMD, result.nomination_id)), files)
    return result


def files_of(session: Session, candidacy: Candidacy) -> tuple[StoredFile, ...]:
    """The files stored for a candidacy's documents, oldest first."""
    rows = session.execute(
        select(DocumentFile, Person.iin)
        .join(SubmittedDocument, SubmittedDocument.id == DocumentFile.submitted_document_id)
        .outerjoin(Person, Person.id == SubmittedDocument.person_id)
        .where(owned_by(SubmittedDocument, candidacy))
        .order_by(DocumentFile.id)
    ).all()
    return tuple(describe(row, iin) for row, iin in rows)


def describe(row: DocumentFile, iin: str | None = None) -> StoredFile:
    return StoredFile(
        row.id,
        row.document,
        iin,
        row.filename,
        row.media_type,
        row.size,
        row.sha256,
        row.uploaded_at,
    )


def load_file(ctx: Context, file_id: int) -> DocumentFile:
    row = ctx.session.get(DocumentFile, file_id)
    if row is None:
        raise NotFound("not_found", f"no document file with id {file_id}", field="file_id")
    return row


def candidacy_of_file(session: Session, row: DocumentFile) -> Candidacy | None:
    """The candidacy a stored file evidences (None for a self-nominee's draft)."""
    if row.submitted_document_id is None:
        return None
    receipt = session.get(SubmittedDocument, row.submitted_document_id)
    assert receipt is not None  # a foreign key
    if receipt.party_list_id is not None:
        return session.get(PartyList, receipt.party_list_id)
    assert receipt.nomination_id is not None
    return session.get(Nomination, receipt.nomination_id)
