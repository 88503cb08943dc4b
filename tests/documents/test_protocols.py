"""Precinct protocol forms and filled result protocols with signed QR codes (issue #6 §2).

Rendered for the counting test world (``tests/services/count_world.py``) on SQLite and PostgreSQL,
read back through the PDF's text layer (``pdftotext``) and, for the QR code, decoded from
a rendered PNG (``pdftoppm`` then ``zbarimg``, Debian ``zbar-tools``) and verified.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.documents.numwords import words
from saylau.documents.protocol_forms import (
    FORMULAS,
    form_keys,
    protocol_form_data,
    render_protocol_form,
)
from saylau.documents.protocols import (
    PAYLOAD_TYPE,
    definitive_protocol_ids,
    payload_document,
    render_protocol,
)
from saylau.documents.signing import (
    PayloadError,
    SigningKeyError,
    default_key_path,
    fingerprint,
    private_pem,
    public_pem,
    sign_payload,
    signing_key,
    verify_payload,
)
from saylau.law.protocol import PROTOCOL_FIELDS, RELATIONS
from saylau.services.errors import Conflict
from saylau.storage.models import CommissionMember, Protocol
from saylau.storage.models.organisation import CommissionPosition
from tests.services.count_world import CountWorld, double_entry, figures, setup

MOMENT = datetime(2023, 3, 20, 8, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
"""A fixed key: the same protocol gives the same PDF."""

MEMBERS = (
    ("Сәрсенбаева Гүлнар Асқарқызы", CommissionPosition.CHAIR),
    ("Омаров Ерлан Қайратұлы", CommissionPosition.DEPUTY_CHAIR),
    ("Иванова Мария Петровна", CommissionPosition.SECRETARY),
    ("Төлеуов Нұрлан", CommissionPosition.MEMBER),
)


def _tool(name: str, package: str = "poppler-utils") -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} (Debian {package}) is needed to read the documents: .ci/run installs it"
        )
    return path


def pdf_text(pdf: bytes) -> str:
    """The text layer in reading order (a table cell's lines stay together), as one line with
    single plain spaces (figures are grouped by no-break spaces)."""
    text = subprocess.run(
        [_tool("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.replace("\u00a0", " ").split())


def qr_payloads(pdf: bytes, tmp_path: Path) -> list[str]:
    """Every QR code of the document, decoded by zbarimg from its pages rendered at 200 dpi."""
    source = tmp_path / "protocol.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "200", str(source), str(tmp_path / "page")], check=True
    )
    pages = sorted(str(p) for p in tmp_path.glob("page*.png"))
    result = subprocess.run(
        [_tool("zbarimg", "zbar-tools"), "--raw", "-q", *pages],
        capture_output=True,
        check=False,
    )
    # 0: symbols found on every page; 4: on some pages only (the QR is on the last one).
    assert result.returncode in (0, 4), result.stderr.decode()
    return [line for line in result.stdout.decode().splitlines() if line.strip()]


def add_members(factory: sessionmaker[Session], commission_id: int) -> None:
    with factory() as session, session.begin():
        for name, position in MEMBERS:
            session.add(
                CommissionMember(commission_id=commission_id, full_name=name, position=position)
            )
        session.add(
            CommissionMember(
                commission_id=commission_id,
                full_name="Босатылған Мүше",
                position=CommissionPosition.MEMBER,
                released_on=datetime(2023, 3, 1).date(),
            )
        )


def definitive(factory: sessionmaker[Session], cw: CountWorld) -> int:
    """The oblast_o1 protocol of p1, definitive: 1 234 / 567 / 89 votes, 21 against all."""
    choices = cw.choices["oblast_o1"]
    votes = {choices["Абаев"]: 1234, choices["Бекова"]: 567, choices["Жұмабаев"]: 89}
    double_entry(
        factory,
        cw,
        "oblast_o1",
        "p1",
        figures(votes, voters=2345, against_all=21, invalid=11, cancelled=100),
    )
    with factory() as session:
        protocol_id = session.scalar(
            select(Protocol.id).where(
                Protocol.contest_id == cw.contest("oblast_o1"),
                Protocol.precinct_id == cw.precinct("p1"),
            )
        )
    assert protocol_id is not None
    return protocol_id


def test_the_form_lists_the_ballot_in_order_with_empty_lines(
    factory: sessionmaker[Session],
) -> None:
    cw = setup(factory)
    add_members(factory, cw.world.commissions["pec_p1"])
    with factory() as session:
        data = protocol_form_data(session, cw.contest("oblast_list"), cw.precinct("p1"))
        pdf = render_protocol_form(
            session, cw.contest("oblast_list"), cw.precinct("p1"), generated_at=MOMENT
        )
    text = pdf_text(pdf)
    assert "ХАТТАМАСЫ" in text and "ПРОТОКОЛ участковой избирательной" in text
    # The ballot's lines in ballot order, numbered 9.1, 9.2, 9.3 (CL art. 37 para 1).
    positions = [
        text.index(f"9.{n} {party}") for n, party in enumerate(("Alpha", "Beta", "Gamma"), 1)
    ]
    assert positions == sorted(positions)
    assert [c["kk"] for c in data["choices"]] == ["Alpha", "Beta", "Gamma"]
    # Every line of the protocol in the law's order, in Kazakh and in Russian.
    at = 0
    for line in PROTOCOL_FIELDS:  # in their order, Kazakh then Russian
        at = text.index(f"{line.label_kk} {line.label_ru}", at)
    assert text.index("Әрбір кандидат үшін") < positions[0] < text.index("«Бәріне қарсымын»")
    # The voters on the list when printed, in digits and in words in both languages.
    assert "1 000" in text and "бір мың" in text and "одна тысяча" in text
    # Nothing of the count is filled in.
    assert not any(row.get("value") for row in data["lines"])
    # The control relations with line numbers, and the serving members in order of office.
    packed = text.replace(" ", "")
    assert "2=3+4" in packed and "8=Σ9+10+11" in packed
    names = [text.index(name) for name, _ in MEMBERS]
    assert names == sorted(names)
    assert "Босатылған" not in text  # a released member does not sign
    assert "2023-03-20 08:00 UTC" in text


def test_a_form_without_members_has_blank_signature_lines(
    factory: sessionmaker[Session],
) -> None:
    cw = setup(factory)
    with factory() as session:
        text = pdf_text(render_protocol_form(session, cw.contest("oblast_o1"), cw.precinct("p1")))
        keys = set(form_keys(session, cw.world.election or 0))
    assert "Комиссия төрағасы" in text and "Председатель комиссии" in text
    assert text.count("Комиссия мүшесі") == 4
    for surname in ("Абаев", "Бекова", "Жұмабаев"):
        assert surname in text
    # One form per contest and precinct whose voters receive its ballot.
    assert (cw.contest("oblast_o1"), cw.precinct("p1")) in keys
    assert (cw.contest("oblast_o1"), cw.precinct("p3")) not in keys
    assert (cw.contest("mazhilis_list"), cw.precinct("p6")) in keys


def test_the_filled_protocol_in_digits_and_words_with_a_verifying_qr(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    cw = setup(factory)
    add_members(factory, cw.world.commissions["pec_p1"])
    protocol_id = definitive(factory, cw)
    with factory() as session:
        pdf = render_protocol(session, protocol_id, key=KEY, generated_at=MOMENT)
        again = render_protocol(session, protocol_id, key=KEY, generated_at=MOMENT)
        assert list(definitive_protocol_ids(session, cw.world.election or 0)) == [protocol_id]
    assert pdf == again  # reproducible
    text = pdf_text(pdf)
    # Every figure in digits and in words, in Kazakh and Russian (CL art. 43 para 8).
    for number in (2345, 1234, 567, 89, 21, 11, 1922, 1911, 100, 2022):
        assert f"{number:,}".replace(",", " ") in text, number
        assert words(number, "kk") in text, words(number, "kk")
        assert words(number, "ru") in text, words(number, "ru")
    assert "екі мың үш жүз қырық бес" in text and "две тысячи триста сорок пять" in text
    # Control relations shown with the figures put in, and checked.
    packed = text.replace(" ", "")
    assert "2=3+4:2022=1922+100✓" in packed
    assert "8=Σ9+10+11:1922=1890+21+11✓" in packed
    assert text.count("✓") == len(RELATIONS) - 1  # all but "against all only if on ballot"
    # The QR code decodes and verifies with the server's public key.
    [payload] = qr_payloads(pdf, tmp_path)
    verified = verify_payload(payload, KEY.public_key())
    choices = cw.choices["oblast_o1"]
    assert verified.data["t"] == PAYLOAD_TYPE
    assert verified.data["protocol"]["votes"] == {
        str(choices["Абаев"]): 1234,
        str(choices["Бекова"]): 567,
        str(choices["Жұмабаев"]): 89,
    }
    assert verified.data["protocol"]["ballots_in_boxes"] == 1922
    assert verified.data["precinct_id"] == cw.precinct("p1")
    assert verified.data["version"] == 0
    # A changed figure, or another key, fails.
    tampered = payload.replace('"against_all":21', '"against_all":12')
    assert tampered != payload
    with pytest.raises(PayloadError, match="INVALID"):
        verify_payload(tampered, KEY.public_key())
    with pytest.raises(PayloadError, match="wrong public key"):
        verify_payload(payload, Ed25519PrivateKey.generate().public_key())


def test_only_a_definitive_protocol_is_printed(factory: sessionmaker[Session]) -> None:
    cw = setup(factory)
    choices = cw.choices["oblast_o1"]
    votes = {choices["Абаев"]: 1, choices["Бекова"]: 2, choices["Жұмабаев"]: 3}
    from saylau.services.protocols import enter_protocol
    from tests.services.count_world import run, typist

    status = run(
        factory,
        typist(factory, cw, "p1", "a"),
        enter_protocol,
        cw.contest("oblast_o1"),
        cw.precinct("p1"),
        figures(votes),
    )
    with factory() as session, pytest.raises(Conflict, match="definitive"):
        payload_document(session, status.protocol_id)


def check_protocol_documents(factory: sessionmaker[Session], election_id: int) -> None:
    """For the national demo (``tests/demo/test_generator.py``): a definitive protocol renders
    with its figures in words in both languages and a QR code that decodes and verifies, and the
    pre-filled form of the same contest and precinct lists the ballot in order."""
    with factory() as session:
        protocol_id = next(iter(definitive_protocol_ids(session, election_id)))
        protocol = session.get(Protocol, protocol_id)
        assert protocol is not None and protocol.ballots_in_boxes is not None
        in_boxes = protocol.ballots_in_boxes
        form_data = protocol_form_data(session, protocol.contest_id, protocol.precinct_id)
        form = render_protocol_form(
            session, protocol.contest_id, protocol.precinct_id, generated_at=MOMENT
        )
        pdf = render_protocol(session, protocol_id, key=KEY, generated_at=MOMENT)
    form_text, text = pdf_text(form), pdf_text(pdf)
    assert "SYNTHETIC" in form_text and "SYNTHETIC" in text
    labels = [f"{c['kk']} {c['ru']}" for c in form_data["choices"]]
    assert labels, "the demo's ballot has lines"
    positions = [form_text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert words(in_boxes, "kk") in text and words(in_boxes, "ru") in text
    with tempfile.TemporaryDirectory() as folder:
        [payload] = qr_payloads(pdf, Path(folder))
    verified = verify_payload(payload, KEY.public_key())
    assert verified.data["protocol_id"] == protocol_id
    assert verified.data["protocol"]["ballots_in_boxes"] == in_boxes


def test_every_control_relation_has_a_formula() -> None:
    assert {r.name for r in RELATIONS} == set(FORMULAS)


def test_the_signing_key_is_generated_once_for_its_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SAYLAU_SIGNING_KEY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with pytest.raises(SigningKeyError, match="no signing key"):
        signing_key(create=False)
    key = signing_key()
    path = default_key_path()
    assert path.is_relative_to(tmp_path) and path.stat().st_mode & 0o777 == 0o600
    assert fingerprint(signing_key()) == fingerprint(key)  # kept, not made again
    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("hello", encoding="utf-8")
    monkeypatch.setenv("SAYLAU_SIGNING_KEY", str(not_a_key))
    with pytest.raises(SigningKeyError, match="not an unencrypted PEM private key"):
        signing_key()


def test_cli_public_key_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "signing.pem"
    key_file.write_bytes(private_pem(KEY))
    monkeypatch.setenv("SAYLAU_SIGNING_KEY", str(key_file))
    runner = CliRunner()
    exported = runner.invoke(app, ["protocol", "public-key"])
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == public_pem(KEY)
    public = tmp_path / "public.pem"
    public.write_text(exported.stdout, encoding="utf-8")

    payload = sign_payload({"t": PAYLOAD_TYPE, "protocol": {"invalid": 3}}, KEY)
    ok = runner.invoke(app, ["protocol", "verify", payload, "--public-key", str(public)])
    assert ok.exit_code == 0, ok.output
    assert "signature valid" in ok.stdout
    assert json.loads(ok.stdout[: ok.stdout.rindex("}") + 1])["protocol"] == {"invalid": 3}
    scanned = tmp_path / "scan.txt"
    scanned.write_text(payload + "\n", encoding="utf-8")
    from_file = runner.invoke(app, ["protocol", "verify", "--file", str(scanned)])
    assert from_file.exit_code == 0, from_file.output  # the server's own key by default

    bad = runner.invoke(app, ["protocol", "verify", payload.replace('"invalid":3', '"invalid":4')])
    assert bad.exit_code == 2
    assert "signature INVALID" in bad.stderr
    other = tmp_path / "other.pem"
    other.write_text(public_pem(Ed25519PrivateKey.generate()), encoding="utf-8")
    wrong = runner.invoke(app, ["protocol", "verify", payload, "--public-key", str(other)])
    assert wrong.exit_code == 2 and "wrong public key" in wrong.stderr
    garbage = runner.invoke(app, ["protocol", "verify", "not json"])
    assert garbage.exit_code == 2 and "not JSON" in garbage.stderr


# --- samples (docs/samples) ---------------------------------------------------------------------


def write_samples(directory: Path) -> list[Path]:
    """Render ``protocol-form.png`` and ``protocol.png`` into ``directory`` (first page, 60 dpi)
    from the counting test world on a fresh SQLite database, with the fixed key and time (the same
    files every time). Run: ``.venv/bin/python -m tests.documents.test_protocols docs/samples``."""
    from saylau.storage.db import make_engine, migrate, session_factory

    with tempfile.TemporaryDirectory(prefix="saylau-samples-") as folder:
        engine = make_engine(f"sqlite:///{folder}/samples.sqlite3")
        migrate(engine)
        factory = session_factory(engine)
        cw = setup(factory)
        add_members(factory, cw.world.commissions["pec_p1"])
        protocol_id = definitive(factory, cw)
        with factory() as session:
            documents = {
                "protocol-form": render_protocol_form(
                    session, cw.contest("oblast_list"), cw.precinct("p1"), generated_at=MOMENT
                ),
                "protocol": render_protocol(session, protocol_id, key=KEY, generated_at=MOMENT),
            }
        engine.dispose()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, pdf in documents.items():
        path = directory / f"{name}.png"
        path.write_bytes(
            subprocess.run(
                [_tool("pdftoppm"), "-png", "-r", "60", "-singlefile", "-"],
                input=pdf,
                capture_output=True,
                check=True,
            ).stdout
        )
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for written_path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")):
        print(written_path)
