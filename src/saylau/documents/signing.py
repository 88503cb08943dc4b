"""The commission server's Ed25519 key: it signs the data a result protocol carries in its QR code.

A higher commission scans the QR code of a printed protocol and checks, without retyping, that the
figures are those the server made definitive (issue #6 §2). The payload is compact JSON with the
signature in ``sig``; the signature covers the canonical JSON of everything else (sorted keys, no
spaces, ASCII), so any change of a figure, an id or the key's fingerprint breaks it.

The private key is read from the PEM file named by ``SAYLAU_SIGNING_KEY``; otherwise one is
generated once into the user's data directory, created readable by its owner only (like the
session secret of ``saylau.web.config``). The public key is exported as PEM
(``saylau protocol public-key``) for whoever verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from platformdirs import user_data_dir

ENV_KEY = "SAYLAU_SIGNING_KEY"
KEY_FILE = "protocol_signing_key.pem"
SIGNATURE = "sig"
KEY_ID = "key"


class SigningKeyError(Exception):
    """The signing key cannot be read (missing file, not an Ed25519 PEM key)."""


class PayloadError(Exception):
    """A scanned payload that is not a signed protocol, or whose signature does not verify."""


def default_key_path() -> Path:
    """Where the generated key is kept when ``SAYLAU_SIGNING_KEY`` is not set."""
    return Path(user_data_dir("saylau", appauthor=False)) / KEY_FILE


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key {path}: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def private_pem(key: Ed25519PrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 PEM (the file's format)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _generate(path: Path) -> None:
    """A new key written to ``path``, created with owner-only permissions from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by a concurrent process in the meantime: use theirs
        return
    with os.fdopen(descriptor, "wb") as file:
        file.write(private_pem(Ed25519PrivateKey.generate()))


def signing_key(*, create: bool = True) -> Ed25519PrivateKey:
    """The server's private key: ``SAYLAU_SIGNING_KEY``'s PEM file, or the data directory's key
    (generated on first use when ``create``; without it a missing key is a SigningKeyError)."""
    configured = os.environ.get(ENV_KEY)
    if configured:
        return _read_private(Path(configured))
    path = default_key_path()
    if not path.exists():
        if not create:
            raise SigningKeyError(f"no signing key: {ENV_KEY} is not set and {path} does not exist")
        _generate(path)
    return _read_private(path)


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as SubjectPublicKeyInfo PEM, for verifiers."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM, or a SigningKeyError saying why not."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"a {type(key).__name__}, not an Ed25519 public key")
    return key


def fingerprint(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short identifier of the key pair: the first 16 hex digits of SHA-256 of the raw public
    key. It travels in the payload so that a verifier knows which key to use."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, ASCII only."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_payload(document: Mapping[str, Any], key: Ed25519PrivateKey) -> str:
    """The QR text: ``document`` with the key's fingerprint and the Ed25519 signature added."""
    if SIGNATURE in document or KEY_ID in document:
        raise ValueError(f"the document must not carry {SIGNATURE!r} or {KEY_ID!r} itself")
    signed: dict[str, Any] = {**document, KEY_ID: fingerprint(key)}
    signed[SIGNATURE] = _b64(key.sign(canonical(signed)))
    return canonical(signed).decode("ascii")


@dataclass(frozen=True)
class Verified:
    """A payload whose signature holds: its data (without the signature) and the key used."""

    data: dict[str, Any]
    key_id: str


def verify_payload(text: str, public: Ed25519PublicKey) -> Verified:
    """Check a scanned payload against ``public``; a PayloadError says what is wrong."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # also a 4,301-digit number, a deep nesting
        raise PayloadError(f"the payload is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PayloadError("the payload is not a JSON object")
    signature = document.pop(SIGNATURE, None)
    if not isinstance(signature, str):
        raise PayloadError(f"the payload carries no signature ({SIGNATURE!r})")
    try:
        raw = _unb64(signature)
    except (binascii.Error, ValueError):
        raise PayloadError("the signature is not base64url text") from None
    expected = fingerprint(public)
    key_id = document.get(KEY_ID)
    if key_id != expected:
        raise PayloadError(
            f"signed by key {key_id!r}, not by the given key {expected!r}: wrong public key "
            "(or the key id was altered)"
        )
    try:
        public.verify(raw, canonical(document))
    except InvalidSignature:
        raise PayloadError(
            "signature INVALID: the payload was altered after signing (or was not signed by "
            "this key)"
        ) from None
    return Verified(data={k: v for k, v in document.items() if k != KEY_ID}, key_id=expected)


# --- detached signatures of open-data files (issue #9 §4) ------------------------------------------

FILE_FORMAT = "saylau-signature/1"
"""The ``format`` of a detached signature file."""
SIGNATURE_SUFFIX = ".sig"
PUBLIC_KEY_FILE = "signing-key.pem"
"""The public key's name beside published files (``/data/signing-key.pem``)."""
_CHUNK = 1 << 20


class FileSignatureError(Exception):
    """A file whose detached signature does not hold, or a signature file that is not one."""


def signature_path(path: Path) -> Path:
    """Where a file's detached signature lives: ``<file>.sig`` beside it."""
    return path.with_name(path.name + SIGNATURE_SUFFIX)


def _digest_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks (a national NIST export is large)."""
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _statement(key_id: str, sha256: str, size: int) -> bytes:
    """The signed bytes: what the file is (its SHA-256 and size) and who signs it. Anyone can
    rebuild them from the file and the ``.sig`` (sorted-key JSON, no spaces) and check them with
    any Ed25519 implementation, e.g. ``openssl pkeyutl -verify -rawin``."""
    return canonical(
        {
            "algorithm": "Ed25519",
            "format": FILE_FORMAT,
            "key": key_id,
            "sha256": sha256,
            "size": size,
        }
    )


def _signature_document(key: Ed25519PrivateKey, sha256: str, size: int, name: str) -> bytes:
    key_id = fingerprint(key)
    document = {
        "format": FILE_FORMAT,
        "algorithm": "Ed25519",
        "key": key_id,
        "file": name,
        "sha256": sha256,
        "size": size,
        "signature": _b64(key.sign(_statement(key_id, sha256, size))),
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("ascii")


def sign_bytes(body: bytes, key: Ed25519PrivateKey, name: str = "") -> bytes:
    """The detached signature (``.sig`` JSON) of ``body``; ``name`` is informational only (a
    renamed file still verifies). Ed25519 is deterministic: the same bytes give the same
    signature, so a re-publication rewrites no unchanged ``.sig``."""
    return _signature_document(key, hashlib.sha256(body).hexdigest(), len(body), name)


def sign_file(path: Path, key: Ed25519PrivateKey) -> tuple[Path, bool]:
    """Write ``<path>.sig`` for the file ``path``; (its path, whether its bytes changed)."""
    sha256, size = _digest_file(path)
    body = _signature_document(key, sha256, size, path.name)
    target = signature_path(path)
    try:
        if target.read_bytes() == body:
            return target, False
    except OSError:
        pass
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(body)
    os.replace(temporary, target)
    return target, True


@dataclass(frozen=True)
class FileVerified:
    """A file whose detached signature holds."""

    key_id: str
    sha256: str
    size: int


def verify_file(path: Path, signature: bytes, public: Ed25519PublicKey) -> FileVerified:
    """Check ``path`` against its detached ``signature`` (the ``.sig`` bytes) and ``public``;
    a FileSignatureError says what does not hold (altered file, wrong key, altered signature)."""
    try:
        document = json.loads(signature)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise FileSignatureError(f"the signature file is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise FileSignatureError(f"not a Saylau file signature (format {FILE_FORMAT!r} expected)")
    key_id, sha256, size, raw = (document.get(k) for k in ("key", "sha256", "size", "signature"))
    if not (isinstance(key_id, str) and isinstance(sha256, str) and isinstance(raw, str)) or (
        isinstance(size, bool) or not isinstance(size, int)
    ):
        raise FileSignatureError("the signature file lacks key, sha256, size or signature")
    if document.get("algorithm") != "Ed25519":
        raise FileSignatureError(f"algorithm {document.get('algorithm')!r}: only Ed25519 is used")
    expected = fingerprint(public)
    if key_id != expected:
        raise FileSignatureError(
            f"signed by key {key_id!r}, not by the given key {expected!r}: wrong public key "
            "(or the key id was altered)"
        )
    try:
        signature_bytes = _unb64(raw)
        public.verify(signature_bytes, _statement(key_id, sha256, size))
    except (binascii.Error, ValueError, InvalidSignature):
        raise FileSignatureError(
            "signature INVALID: the signature file was altered (or not made by this key)"
        ) from None
    actual_sha, actual_size = _digest_file(path)
    if (actual_sha, actual_size) != (sha256, size):
        raise FileSignatureError(
            f"{path.name} was ALTERED after signing: it has {actual_size} bytes with SHA-256 "
            f"{actual_sha}, the signed file had {size} bytes with SHA-256 {sha256}"
        )
    return FileVerified(key_id=key_id, sha256=sha256, size=size)
