"""Voter services: the areas precincts serve (all-or-nothing, idempotent, searchable in Kazakh and
Russian) and the voter register (keyed digests only, the IIN never stored or repeated)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.law.iin import iin_check_digit
from saylau.services.context import Actor, execute
from saylau.services.errors import InvalidInput
from saylau.services.imports import read_rows, rows_of
from saylau.services.voters import (
    check_registration,
    find_by_place,
    import_areas,
    import_register,
    register_loaded,
    search_key,
)
from saylau.storage.models import AuditEvent
from saylau.storage.models.territory import PrecinctArea, VoterRegisterEntry
from tests.world import build_world

OPERATOR = Actor.operator()
KEY = b"test-register-key-0123456789"

AREAS = [
    {
        "region": "KZ-35",
        "precinct": 1,
        "settlement": "Ақсу",
        "street": "Абай көшесі",
        "houses": "1–39",
    },
    {"region": "KZ-35", "precinct": 1, "settlement": "Ақсу", "street": "Жамбыл көшесі"},
    {
        "region": "KZ-35",
        "precinct": 2,
        "settlement": "Ақсу",
        "street": "Абай көшесі",
        "houses": "41–99",
    },
    {"region": "KZ-71", "precinct": 1, "settlement": "Астана", "street": "Ёлочная улица"},
]


def iin(serial: int) -> str:
    """A valid IIN (born 1 January 1980, male) with the given serial."""
    for n in range(serial, serial + 100):
        first = f"800101300{n:02d}"[:11]
        digit = iin_check_digit(first)
        if digit is not None:
            return first + str(digit)
    raise AssertionError("no valid IIN")


def world(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        build_world(session)


def test_areas_are_imported_and_found_by_words_in_any_case(
    factory: sessionmaker[Session],
) -> None:
    world(factory)
    report = execute(factory, OPERATOR, import_areas, rows_of(AREAS))
    assert report.tally("precinct_area").created == 4
    with factory() as session:
        found, more = find_by_place(session, "KZ-35", "абай")
        assert [(m.number, m.houses) for m in found] == [(1, "1–39"), (2, "41–99")]
        assert not more
        found, _ = find_by_place(session, "KZ-35", "АҚСУ жамбыл")
        assert [(m.number, m.street) for m in found] == [(1, "Жамбыл көшесі")]
        found, _ = find_by_place(session, "KZ-71", "елочная")  # ё is read as е
        assert [m.number for m in found] == [1]
        assert find_by_place(session, "KZ-71", "абай") == ([], False)
        found, more = find_by_place(session, "KZ-35", "ақсу", limit=2)
        assert len(found) == 2 and more
        assert find_by_place(session, "KZ-35", "100%_") == ([], False)
    again = execute(factory, OPERATOR, import_areas, rows_of(AREAS))
    assert again.changed == 0 and again.tally("precinct_area").unchanged == 4
    with factory() as session:
        events = session.scalar(
            select(func.count()).where(AuditEvent.action == "import_precinct_areas")
        )
        assert events == 3  # one per precinct, not again for the unchanged re-import
    assert search_key("  Абай   КӨШЕСІ ") == "абай көшесі"


def test_a_bad_area_row_imports_nothing_and_is_named_by_line_and_field(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world(factory)
    path = tmp_path / "areas.csv"
    path.write_text(
        "region,precinct,settlement,street,houses\n"
        "KZ-35,1,Ақсу,Абай көшесі,1–39\n"
        "KZ-35,9,Ақсу,Абай көшесі,41–99\n"
        "KZ-35,2,,Абай көшесі,\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as refused:
        execute(factory, OPERATOR, import_areas, read_rows(path))
    message = refused.value.message
    assert "nothing imported" in message
    assert "row 2 (line 3), field precinct=9" in message
    assert "row 3 (line 4), field settlement" in message
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(PrecinctArea)) == 0


def test_the_register_holds_digests_and_answers_one_iin(factory: sessionmaker[Session]) -> None:
    world(factory)
    voter, other, stranger = iin(10), iin(20), iin(30)
    with factory() as session:
        assert not register_loaded(session)
    rows = rows_of(
        [
            {"iin": voter, "region": "KZ-35", "precinct": 3},
            {"iin": other, "region": "KZ-71", "precinct": 1},
        ]
    )
    report = execute(factory, OPERATOR, import_register, rows, KEY)
    assert report.tally("voter").created == 2
    with factory() as session:
        assert register_loaded(session)
        found = check_registration(session, KEY, voter)
        assert found is not None and (found.region_code, found.number) == ("KZ-35", 3)
        assert found.address == "p3 street"
        assert check_registration(session, KEY, stranger) is None
        assert check_registration(session, b"another-key-0123456789", voter) is None
        with pytest.raises(InvalidInput) as invalid:
            check_registration(session, KEY, voter[:-1] + str((int(voter[-1]) + 1) % 10))
        assert voter[:11] not in invalid.value.message
        stored = [(e.digest, e.precinct_id) for e in session.scalars(select(VoterRegisterEntry))]
        assert len(stored) == 2 and all(len(d) == 64 for d, _ in stored)
        everything = " ".join(
            str(v) for e in session.scalars(select(AuditEvent)) for v in (e.before, e.after)
        )
        assert voter not in everything and voter not in " ".join(d for d, _ in stored)
    # Loading a region again replaces its register; the other region's stays.
    execute(
        factory,
        OPERATOR,
        import_register,
        rows_of([{"iin": stranger, "region": "KZ-35", "precinct": 1}]),
        KEY,
    )
    with factory() as session:
        assert check_registration(session, KEY, voter) is None
        assert check_registration(session, KEY, other) is not None
        again = check_registration(session, KEY, stranger)
        assert again is not None and again.number == 1


def test_a_bad_register_row_imports_nothing_and_never_repeats_the_iin(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world(factory)
    voter = iin(10)
    broken = voter[:-1] + str((int(voter[-1]) + 1) % 10)
    path = tmp_path / "voters.csv"
    path.write_text(
        "iin,region,precinct\n"
        f"{voter},KZ-35,1\n"
        f"{broken},KZ-35,2\n"
        f"{voter},KZ-35,3\n"
        f"{iin(40)},KZ-35,77\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as refused:
        execute(factory, OPERATOR, import_register, read_rows(path), KEY)
    message = refused.value.message
    assert "row 2 (line 3), field iin" in message and "checksum" in message
    assert "row 3 (line 4), field iin" in message and "same IIN as row 1 (line 2)" in message
    assert "row 4 (line 5), field precinct=77" in message
    assert (
        voter not in message
        and broken not in message
        and voter[:11] not in str(refused.value.params)
    )
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(VoterRegisterEntry)) == 0
