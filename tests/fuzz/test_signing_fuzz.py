"""Signed QR payloads and detached file signatures under hostile input.

Contract: any text is verified or refused with :class:`PayloadError`; a signed payload verifies
only while its canonical content is unchanged — any change of a figure, a key, the key id or the
signature fails cleanly. Likewise a ``.sig`` file and the file it signs (FileSignatureError).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from saylau.documents.signing import (
    FileSignatureError,
    PayloadError,
    canonical,
    sign_bytes,
    sign_payload,
    verify_file,
    verify_payload,
)
from tests.fuzz.hostile import bounded, count, json_values, mutated, texts

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key()
PROTOCOL = {"p": 17, "c": 4, "v": 1000, "votes": {"1": 400, "2": 290}, "state": "definitive"}
SIGNED = sign_payload(PROTOCOL, KEY)


@bounded(300)
@given(text=st.one_of(texts, json_values.map(lambda v: json.dumps(v))))
def test_any_text_is_verified_or_refused(text: str) -> None:
    count("QR: verify_payload (any text)")
    try:
        verify_payload(text, PUBLIC)
    except PayloadError:
        return
    raise AssertionError(f"unsigned text verified: {text!r}")


@bounded(300)
@given(data=st.data())
def test_a_changed_payload_never_verifies(data: st.DataObject) -> None:
    count("QR: verify_payload (mutated signed payloads)")
    document: dict[str, Any] = json.loads(SIGNED)
    if data.draw(st.booleans()):  # change the JSON document
        changed = data.draw(mutated(document))
        if data.draw(st.booleans()) and isinstance(changed.get("votes"), dict):
            changed["votes"] = data.draw(mutated(changed["votes"]))
        text = json.dumps(changed, allow_nan=True)
        same = canonical(changed) == canonical(document)
    else:  # change the text: one character replaced, inserted or removed
        at = data.draw(st.integers(0, len(SIGNED) - 1))
        new = data.draw(st.characters())
        how = data.draw(st.sampled_from(("replace", "insert", "delete")))
        tail = SIGNED[at + 1 :] if how != "insert" else SIGNED[at:]
        text = SIGNED[:at] + ("" if how == "delete" else new) + tail
        try:
            same = canonical(json.loads(text)) == canonical(document)
        except (ValueError, TypeError, RecursionError, AttributeError):
            same = False
    try:
        verified = verify_payload(text, PUBLIC)
    except PayloadError:
        assert not same
        return
    assert same, f"an altered payload verified: {text!r}"
    assert verified.data == PROTOCOL


@bounded(150)
@given(data=st.data())
def test_a_changed_file_or_signature_never_verifies(data: st.DataObject) -> None:
    count("signature: verify_file (mutated .sig and file)")
    body = b"precinct,votes\n1,400\n"
    signature = sign_bytes(body, KEY, "results.csv")
    target = data.draw(st.sampled_from(("signature", "file", "document")))
    if target == "signature":
        at = data.draw(st.integers(0, len(signature) - 1))
        signature = (
            signature[:at]
            + bytes([signature[at] ^ data.draw(st.integers(1, 255))])
            + (signature[at + 1 :])
        )
    elif target == "file":
        body = body + data.draw(st.binary(min_size=1, max_size=20))
    else:
        signature = json.dumps(data.draw(mutated(json.loads(signature)))).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.csv"
        path.write_bytes(body)
        try:
            verify_file(path, signature, PUBLIC)
        except FileSignatureError:
            return
    original = json.loads(sign_bytes(b"precinct,votes\n1,400\n", KEY))
    changed = json.loads(signature)
    signed = ("key", "sha256", "size", "signature", "algorithm", "format")
    assert all(changed.get(k) == original[k] for k in signed), "an altered signature verified"
    assert body == b"precinct,votes\n1,400\n"
