"""Privacy on the count world (issue #9 §10), the fast twin of the national demo's
``check_privacy``: the whole static publication (every public view instance in kk/ru/en with its
twins, every open-data file with its signature, the NIST export), the served datasets and views
carry no IIN, no voter register entry, no candidate's private document and no subscriber's
address — and the scanner does find each of them when one is planted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.demo.privacy import check_privacy, personal_data, published_files, scan, scan_all
from tests.security.dual import run_approved
from tests.services.count_world import actor, run, setup
from tests.services.test_results import IN_TIME, count_everything
from tests.services.test_voters import KEY, iin
from tests.world import CONTESTS

from saylau.domain.roles import Role
from saylau.publication import publish
from saylau.services.context import Actor, execute
from saylau.services.imports import rows_of
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.services.uploads import Upload, store_file
from saylau.services.voters import import_register
from saylau.storage.models import Subscription, SubscriptionKind

PDF = (
    b"%PDF-1.7\n1 0 obj <<>> endobj\nprivate biography of a candidate, not for the public\n%%EOF\n"
)
FILE_NAME = "Абаев_жеке_куәлік_private.pdf"
ADDRESS = "private.reader@example.org"
REGISTER = [iin(10), iin(20), iin(30)]


def test_no_personal_data_in_any_public_response(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    cw = setup(factory)
    count_everything(factory, cw, list(CONTESTS))
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    run(factory, cec, tabulate_election, cw.world.election, at=IN_TIME)
    run_approved(factory, cec, publish_results, cw.world.election, at=IN_TIME)
    rows = rows_of([{"iin": x, "region": "KZ-35", "precinct": 3} for x in REGISTER])
    execute(factory, Actor.operator(), import_register, rows, KEY)
    execute(factory, Actor.operator(), store_file, "biography", Upload(FILE_NAME, PDF))
    with factory() as session, session.begin():
        session.add(
            Subscription(
                contest_id=cw.contest("capital_c1"),
                kind=SubscriptionKind.EMAIL,
                target=ADDRESS,
                secret="s" * 64,
                token="t" * 64,
                created_at=datetime(2023, 3, 1, tzinfo=UTC),
            )
        )
    assert cw.world.election is not None
    out = tmp_path / "site"
    report = publish(factory, out)
    with factory() as session:
        data = personal_data(session, REGISTER)
    assert len(data.iins) > len(REGISTER) and len(data.digests) == len(REGISTER)
    assert FILE_NAME in data.literals and ADDRESS in data.literals
    scanned = scan_all(published_files(out), data)
    assert scanned >= report.files > 100
    assert check_privacy(factory, cw.world.election, REGISTER) > 50

    # The scanner is not blind: each kind of datum planted in a response is found.
    person_iin = sorted(data.iins - set(REGISTER))[0]
    digest = sorted(data.digests)[0]
    assert scan(f"<td>{person_iin}</td>", data) == [f"IIN {person_iin}"]
    assert scan(f"x,{REGISTER[0]},y", data) == [f"IIN {REGISTER[0]}"]
    assert scan(f'"{digest}"', data) == [f"register digest {digest}"]
    assert scan(f"<a>{FILE_NAME}</a>", data) == [f"personal datum {FILE_NAME!r}"]
    assert scan(PDF.decode("latin-1"), data)
    assert scan(f"mailto:{ADDRESS}", data)
    assert scan("id 123456789012, votes 000000000000", data) == []  # not valid IINs
    leaked = out / "en" / "leak.html"
    leaked.write_text(f"<p>{FILE_NAME}</p>", encoding="utf-8")
    with pytest.raises(AssertionError, match="personal data in public responses"):
        scan_all(published_files(out), data)
