"""Signed open data (issue #9 §4): every export file gets a detached Ed25519 signature made with
the commission server's key, and ``saylau verify-file`` refuses an altered byte, another key and an
edited signature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.documents.signing import (
    FileSignatureError,
    fingerprint,
    private_pem,
    public_pem,
    sign_bytes,
    signature_path,
    verify_file,
)
from tests.cli.test_export import db  # noqa: F401  (the fixture: a counted election)
from tests.services.count_world import CountWorld

runner = CliRunner()


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ed25519PrivateKey:
    """The commission server's key, in a file named by SAYLAU_SIGNING_KEY (one key store)."""
    private = Ed25519PrivateKey.generate()
    path = tmp_path / "server-key.pem"
    path.write_bytes(private_pem(private))
    monkeypatch.setenv("SAYLAU_SIGNING_KEY", str(path))
    return private


def verify(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["verify-file", *args])
    return result.exit_code, result.stdout, result.stderr


def flip(path: Path, index: int) -> None:
    body = bytearray(path.read_bytes())
    body[index % len(body)] ^= 0x01
    path.write_bytes(bytes(body))


def test_every_export_is_signed_and_verifies_until_a_byte_changes(
    db: tuple[sessionmaker[Session], CountWorld],  # noqa: F811
    key: Ed25519PrivateKey,
    tmp_path: Path,
) -> None:
    _, cw = db
    election = str(cw.world.election)
    exports = {
        "nist": ["export", "nist", "--election", election, "--out"],
        "protocols": ["export", "protocols", "--election", election, "--out"],
        "results": ["results", "export", election, "--out"],
    }
    public = tmp_path / "public.pem"
    printed = runner.invoke(app, ["protocol", "public-key"])  # the key published for verifiers
    assert printed.exit_code == 0
    public.write_text(printed.stdout, encoding="ascii")
    for name, command in exports.items():
        out = tmp_path / f"{name}.out"
        result = runner.invoke(app, [*command, str(out)])
        assert result.exit_code == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["signature"] == str(signature_path(out))
        assert summary["key"] == fingerprint(key)
        code, stdout, stderr = verify(str(out), "--public-key", str(public))
        assert code == 0, stderr
        assert json.loads(stdout)["valid"] is True
        assert verify(str(out))[0] == 0  # default: this server's own key
        body = out.read_bytes()
        flip(out, len(body) // 2)
        code, _, stderr = verify(str(out), "--public-key", str(public))
        assert code == 2 and "ALTERED" in stderr, stderr
        out.write_bytes(body)
        assert verify(str(out), "--public-key", str(public))[0] == 0
    # Another commission's key does not verify these files.
    other = tmp_path / "other.pem"
    other.write_text(public_pem(Ed25519PrivateKey.generate()), encoding="ascii")
    code, _, stderr = verify(str(tmp_path / "nist.out"), "--public-key", str(other))
    assert code == 2 and "wrong public key" in stderr
    # A signature file edited to claim the altered file's digest no longer verifies.
    sig = signature_path(tmp_path / "results.out")
    document = json.loads(sig.read_text(encoding="ascii"))
    document["size"] += 1
    sig.write_text(json.dumps(document), encoding="ascii")
    code, _, stderr = verify(str(tmp_path / "results.out"), "--public-key", str(public))
    assert code == 2 and "signature INVALID" in stderr
    # A renamed file still verifies with --signature; a missing signature is named.
    renamed = tmp_path / "renamed.csv"
    renamed.write_bytes((tmp_path / "protocols.out").read_bytes())
    sig_of = str(signature_path(tmp_path / "protocols.out"))
    assert verify(str(renamed), "--signature", sig_of, "--public-key", str(public))[0] == 0
    code, _, stderr = verify(str(renamed), "--public-key", str(public))
    assert code == 2 and "cannot read the signature" in stderr


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(min_size=1, max_size=2000), data=st.data())
def test_any_single_byte_change_is_refused(
    tmp_path: Path, body: bytes, data: st.DataObject
) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "file.bin"
    path.write_bytes(body)
    signature = sign_bytes(body, key, "file.bin")
    assert verify_file(path, signature, key.public_key()).size == len(body)
    index = data.draw(st.integers(0, len(body) - 1))
    bit = data.draw(st.integers(0, 7))
    changed = bytearray(body)
    changed[index] ^= 1 << bit
    path.write_bytes(bytes(changed))
    with pytest.raises(FileSignatureError, match="ALTERED"):
        verify_file(path, signature, key.public_key())
    path.write_bytes(body + b"\n")  # an appended byte too
    with pytest.raises(FileSignatureError, match="ALTERED"):
        verify_file(path, signature, key.public_key())


def test_publish_signs_its_open_datasets_and_publishes_the_key(
    db: tuple[sessionmaker[Session], CountWorld],  # noqa: F811
    key: Ed25519PrivateKey,
    tmp_path: Path,
) -> None:
    _, cw = db
    out = tmp_path / "site"
    result = runner.invoke(app, ["publish", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["signed"] == 3
    public = out / "data" / "signing-key.pem"
    assert public.read_text(encoding="ascii") == public_pem(key)
    folder = out / "data" / "elections" / str(cw.world.election)
    for name in ("nist-1500-100.json", "results.json", "protocols.csv"):
        code, _, stderr = verify(str(folder / name), "--public-key", str(public))
        assert code == 0, stderr
    stamp = signature_path(folder / "results.json").stat().st_mtime_ns
    again = runner.invoke(app, ["publish", "--out", str(out), "--quiet"])
    assert again.exit_code == 0
    assert signature_path(folder / "results.json").stat().st_mtime_ns == stamp  # unchanged
    flip(folder / "protocols.csv", 10)
    code, _, stderr = verify(str(folder / "protocols.csv"), "--public-key", str(public))
    assert code == 2 and "ALTERED" in stderr
