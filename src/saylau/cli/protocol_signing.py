"""``saylau protocol public-key | verify``: the signed QR codes of printed result protocols.

A printed result protocol carries its data and an Ed25519 signature of the commission server in a
QR code (issue #6 §2; :mod:`saylau.documents.signing`). ``public-key`` prints the server's public
key (PEM) for the commissions that verify; ``verify`` checks a scanned payload — given as the
argument or read from ``--file`` — against ``--public-key PEM`` (or the server's own key), prints
the protocol's data and ``signature valid``, and exits 2 with the reason for a tampered payload,
a wrong key or text that is not a payload. Neither command opens the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from saylau.cli.jsonio import fail
from saylau.documents.signing import (
    PayloadError,
    SigningKeyError,
    load_public_key,
    public_pem,
    signing_key,
    verify_payload,
)


def register(protocol_app: typer.Typer) -> None:
    """Add ``public-key`` and ``verify`` to the ``protocol`` group."""
    protocol_app.command("public-key", help="Print the public key that verifies protocol QRs.")(
        public_key
    )
    protocol_app.command("verify", help="Verify a scanned protocol QR payload.")(verify)


def public_key() -> None:
    """Print the server's Ed25519 public key as PEM (generating the key pair on first use)."""
    try:
        typer.echo(public_pem(signing_key()), nl=False)
    except SigningKeyError as exc:
        fail(str(exc))


def _public(path: Path | None) -> Ed25519PublicKey:
    try:
        if path is None:
            return signing_key(create=False).public_key()
        try:
            pem = path.read_bytes()
        except OSError as exc:
            fail(f"cannot read --public-key {path}: {exc}")
        return load_public_key(pem)
    except SigningKeyError as exc:
        fail(f"{exc}; give the signing commission's key with --public-key PEM")


def verify(
    payload: Annotated[
        str | None, typer.Argument(help="The scanned payload (the QR code's text).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the payload from this file.")
    ] = None,
    public_key_file: Annotated[
        Path | None,
        typer.Option("--public-key", help="The signer's public key (PEM); default: this server's."),
    ] = None,
) -> None:
    """Check a scanned payload's Ed25519 signature; print its data and ``signature valid``."""
    if (payload is None) == (file is None):
        fail("give the payload either as the argument or with --file, not both")
    if file is not None:
        try:
            payload = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read --file {file}: {exc}")
    assert payload is not None
    key = _public(public_key_file)
    try:
        verified = verify_payload(payload.strip(), key)
    except PayloadError as exc:
        fail(str(exc))
    typer.echo(json.dumps(verified.data, ensure_ascii=False, indent=2, sort_keys=True))
    typer.echo(f"signature valid (Ed25519 key {verified.key_id})")
