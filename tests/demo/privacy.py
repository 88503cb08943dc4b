"""Privacy of the public site and the open data (issue #9 §10): no IIN, no voter register entry,
no candidate's private document, no subscriber's address in any public response.

:func:`personal_data` gathers from the database what must never be public: every person's IIN,
the voter register's keyed digests (and the IINs a test loaded into it), the names and a content
marker of uploaded document files, the subscribers' addresses. :func:`scan` looks in a response
for any 12-digit run that is a valid IIN (check digit per :mod:`saylau.law.iin` — a leaked IIN of
someone not in the database is a leak too), any 64-hex run that is a register digest, and each
literal. It is linear in the response: the runs are found by one regular expression each and
looked up in sets, so the national demo's responses are scanned in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.web.public_views_check import LANGUAGES, sample

from saylau.law.iin import IinError, parse_iin
from saylau.storage.models import DocumentFile, Person, Subscription
from saylau.storage.models.territory import VoterRegisterEntry
from saylau.web.app import create_app
from saylau.web.pages.public import all_views

_TWELVE = re.compile(r"(?<!\d)\d{12}(?!\d)")
_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
MARKER_BYTES = 24
"""A document file's content is looked for by this many bytes from its middle (its start is the
format's magic number, common to every PDF)."""


@dataclass
class PersonalData:
    """What no public response may contain."""

    iins: set[str] = field(default_factory=set)
    digests: set[str] = field(default_factory=set)
    literals: set[str] = field(default_factory=set)
    """Document file names and content markers, subscribers' addresses."""


def personal_data(session: Session, register_iins: Iterable[str] = ()) -> PersonalData:
    data = PersonalData()
    data.iins.update(session.scalars(select(Person.iin)))
    data.iins.update(register_iins)
    data.digests.update(session.scalars(select(VoterRegisterEntry.digest)))
    for name, content in session.execute(select(DocumentFile.filename, DocumentFile.content)):
        data.literals.add(name)
        middle = len(content) // 2
        marker = content[middle : middle + MARKER_BYTES]
        if len(marker) == MARKER_BYTES:
            data.literals.add(marker.decode("latin-1"))
    data.literals.update(session.scalars(select(Subscription.target)))
    data.literals.discard("")
    return data


def valid_iin(text: str) -> bool:
    try:
        parse_iin(text)
    except IinError:
        return False
    return True


def scan(text: str, data: PersonalData) -> list[str]:
    """What of ``data`` (or any valid IIN) ``text`` contains."""
    found = [f"IIN {m}" for m in _TWELVE.findall(text) if m in data.iins or valid_iin(m)]
    found += [f"register digest {m}" for m in _HEX64.findall(text) if m in data.digests]
    found += [f"personal datum {literal!r}" for literal in data.literals if literal in text]
    return found


def scan_all(responses: Iterable[tuple[str, bytes]], data: PersonalData) -> int:
    """Scan every (where, body); fail naming each leak. Returns the number of bodies scanned."""
    leaks: list[tuple[str, str]] = []
    scanned = 0
    for where, body in responses:
        scanned += 1
        text = body.decode("latin-1")  # byte-exact: the IIN digits and markers are ASCII/bytes
        leaks.extend((where, leak) for leak in scan(text, data))
        utf8 = body.decode("utf-8", errors="ignore")
        if utf8 != text:  # names of files in Kazakh or Russian
            leaks.extend((where, leak) for leak in scan(utf8, data) if "personal datum" in leak)
    assert not leaks, f"personal data in public responses: {leaks[:20]}"
    return scanned


def published_files(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every file of a static publication (with the signatures and the public key)."""
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield "/" + path.relative_to(root).as_posix(), path.read_bytes()


def _view_responses(client: TestClient, session: Session) -> Iterator[tuple[str, bytes]]:
    """Each public view's sampled instances: the JSON and CSV twins and the page in every
    language (the instances ``check_public_views`` serves)."""
    for view in all_views():
        for params in sample(list(view.instances(session))):
            paths = [view.data_path(params, "json"), view.data_path(params, "csv")]
            paths += [view.page_path(language, params) for language in LANGUAGES]
            for path in paths:
                response = client.get(path)
                assert response.status_code == 200, path
                yield path, response.content


def check_privacy(
    factory: sessionmaker[Session],
    election_id: int,
    register_iins: Iterable[str] = (),
    extra: Mapping[str, bytes] | None = None,
) -> int:
    """No personal data in the public views (sampled as ``check_public_views`` samples them),
    the front page, the open-data dictionary and the election's datasets (NIST SP 1500-100,
    results, protocols), nor in ``extra`` responses. Returns the number of responses scanned."""
    fixed = [
        "/data/elections.json",
        "/en/",
        "/kk/open-data/",
        f"/data/elections/{election_id}/nist-1500-100.json",
        f"/data/elections/{election_id}/results.json",
        f"/data/elections/{election_id}/protocols.csv",
    ]
    with factory() as session:
        data = personal_data(session, register_iins)
        assert data.iins, "no personal data to look for: the check would prove nothing"
        with TestClient(create_app(factory, secret="privacy-check")) as client:
            responses = list(_view_responses(client, session))
            for path in fixed:
                response = client.get(path)
                assert response.status_code == 200, path
                responses.append((path, response.content))
    responses.extend((extra or {}).items())
    return scan_all(responses, data)
