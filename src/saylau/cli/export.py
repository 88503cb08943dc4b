"""``saylau export nist | protocols``: an election's open data as files, the same bytes the public
site serves under ``/data/elections/{id}/`` (issue #5 §4); ``saylau verify-file``: their signatures.

Each command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite file) and reads it;
nothing is changed, so no role is needed: the data are public. Without ``--out`` the document goes
to standard output; with it, a one-line JSON summary does. An unknown election exits 2.

Signed open data (issue #9 §4): a file written with ``--out`` (and ``saylau results export``, and
the datasets ``saylau publish`` writes) gets a detached Ed25519 signature ``<file>.sig`` made with
the commission server's key, the one that signs the protocol QR codes
(:mod:`saylau.documents.signing`; its public key: ``saylau protocol public-key``, and
``/data/signing-key.pem`` in a publication). ``saylau verify-file FILE`` checks a file against its
``.sig``: a changed byte, another key or an edited signature exits 2 saying which.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from saylau.cli.common import read
from saylau.cli.jsonio import fail, write_output
from saylau.documents.signing import (
    PUBLIC_KEY_FILE,
    SIGNATURE_SUFFIX,
    FileSignatureError,
    SigningKeyError,
    fingerprint,
    load_public_key,
    public_pem,
    sign_file,
    signature_path,
    signing_key,
    verify_file,
)
from saylau.opendata import nist, protocols
from saylau.publication.output import read_manifest, write_atomically
from saylau.services.tabulation import election_of

export_app = typer.Typer(
    help="Open data: an election in the NIST SP 1500-100 format, or its protocols as CSV.",
    no_args_is_help=True,
)

ElectionOption = Annotated[int, typer.Option("--election", help="The election's id.")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to FILE instead of standard output.")
]


def register(app: typer.Typer) -> None:
    """Add the ``export`` group and ``verify-file``."""
    app.add_typer(export_app, name="export")
    app.command("verify-file", help="Verify an open-data file's detached Ed25519 signature.")(
        verify_file_command
    )


# --- signing -------------------------------------------------------------------------------------


def _signer() -> Ed25519PrivateKey:
    try:
        return signing_key()
    except SigningKeyError as exc:
        fail(f"cannot sign: {exc}")


def sign_written(path: Path) -> dict[str, str]:
    """Sign a file just written (``<file>.sig``); the summary's fields naming the signature."""
    key = _signer()
    try:
        target, _ = sign_file(path, key)
    except OSError as exc:
        fail(f"cannot write the signature of {path}: {exc}")
    return {"signature": str(target), "key": fingerprint(key)}


_OPEN_DATA = re.compile(r"^/data/elections/\d+/(nist-1500-100\.json|results\.json|protocols\.csv)$")
"""The datasets of a publication that are signed (``saylau.publication.sources``)."""


def sign_published(out: Path) -> dict[str, Any]:
    """Sign every open dataset of the publication in ``out`` (``<file>.sig`` beside it, rewritten
    only when the file changed), remove the signatures of datasets no longer published, and
    publish the public key at ``/data/signing-key.pem``."""
    key = _signer()
    published = {p for p in read_manifest(out) if _OPEN_DATA.match(p)}
    written = 0
    try:
        for path in sorted(published):
            _, changed = sign_file(out / path.lstrip("/"), key)
            written += changed
        elections = out / "data" / "elections"
        stale = [
            sig
            for sig in (elections.glob(f"*/*{SIGNATURE_SUFFIX}") if elections.is_dir() else [])
            if "/" + sig.relative_to(out).as_posix().removesuffix(SIGNATURE_SUFFIX) not in published
        ]
        for sig in stale:
            sig.unlink()
        pem = public_pem(key).encode("ascii")
        target = out / "data" / PUBLIC_KEY_FILE
        if not target.is_file() or target.read_bytes() != pem:
            write_atomically(target, pem)
    except OSError as exc:
        fail(f"published, but cannot sign the open data in {out}: {exc}")
    return {
        "signed": len(published),
        "signatures_written": written,
        "signatures_removed": len(stale),
        "key": fingerprint(key),
    }


def _public(path: Path | None) -> Ed25519PublicKey:
    try:
        if path is None:
            return signing_key(create=False).public_key()
        try:
            return load_public_key(path.read_bytes())
        except OSError as exc:
            fail(f"cannot read --public-key {path}: {exc}")
    except SigningKeyError as exc:
        fail(f"{exc}; give the signing commission's key with --public-key PEM")


def verify_file_command(
    file: Annotated[Path, typer.Argument(help="The signed file (an open-data export).")],
    signature: Annotated[
        Path | None,
        typer.Option("--signature", help="The detached signature; default: FILE.sig."),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="The signer's public key (PEM); default: this server's."),
    ] = None,
) -> None:
    """Check a file against its detached Ed25519 signature; exit 2 saying what does not hold."""
    sig = signature if signature is not None else signature_path(file)
    try:
        body = sig.read_bytes()
    except OSError as exc:
        fail(f"cannot read the signature {sig}: {exc}")
    key = _public(public_key)
    try:
        verified = verify_file(file, body, key)
    except FileSignatureError as exc:
        fail(f"{file}: {exc}")
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    write_output(
        {
            "file": str(file),
            "valid": True,
            "key": verified.key_id,
            "sha256": verified.sha256,
            "bytes": verified.size,
        }
    )


# --- the exports ---------------------------------------------------------------------------------


def _emit(body: bytes, out: Path | None, election: int, kind: str) -> None:
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    try:
        out.write_bytes(body)
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")
    summary = {"election_id": election, "format": kind, "bytes": len(body), "out": str(out)}
    write_output({**summary, **sign_written(out)})


@export_app.command("nist")
def export_nist(election: ElectionOption, out: OutOption = None) -> None:
    """The election as a NIST SP 1500-100 v2 Election Results Reporting document (JSON):
    definitive protocols only, identifiers stable across exports."""
    body = read(nist.report_bytes, election)
    _emit(body, out, election, "nist-1500-100")


@export_app.command("protocols")
def export_protocols(election: ElectionOption, out: OutOption = None) -> None:
    """Every definitive protocol of the election as CSV, one row per ballot line."""

    def table(session: Session, election_id: int) -> bytes:
        election_of(session, election_id)
        return b"".join(protocols.csv_chunks(session, election_id))

    body = read(table, election)
    _emit(body, out, election, "protocols-csv")
