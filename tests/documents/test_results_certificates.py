"""Result protocols of territorial commissions and certificates (issue #6 §§3–4), on SQLite and
PostgreSQL, read back through the PDF's text layer.

The capital's maslikhat of the test world: two list seats and two districts (p5, p6). Per
precinct the lists get alpha 300, beta 150, gamma 150 (+10 against all, 2 invalid): 1,200 list
votes, Hare quota 1200/2 = 600 (CL art. 111-1 para 1); alpha 1 whole seat, remainder 0; beta and
gamma both 1/2: the remaining seat goes to beta, registered earlier (para 4). District 1:
Абаев 200, Бекова 120 — elected; district 2: Абаев 150 = Бекова 150 — a runoff (art. 109-1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.documents.bulk import generate
from saylau.documents.certificates import (
    candidate_certificate_data,
    certificate_subjects,
    deputy_certificate_data,
    observer_credential_data,
    render_certificate,
)
from saylau.documents.language import LANGUAGES, both, exact
from saylau.documents.results import (
    render_result_protocol,
    result_protocol_bodies,
    result_protocol_data,
)
from saylau.domain.states import CandidacyState
from saylau.services.commissions import Appointment, appoint_member
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict
from saylau.services.mandates import register_deputy
from saylau.services.observers import (
    AccreditationApplication,
    ObserverKind,
    accredit_organisation,
    apply_for_accreditation,
    assign_observer,
    issue_credentials,
)
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.storage.models import (
    AuditEvent,
    Body,
    BodyKind,
    Contest,
    ContestResult,
    Mandate,
    MandateSource,
    MandateState,
    Nomination,
)
from saylau.storage.models.organisation import CommissionPosition
from tests.documents.conftest import close, pdf_png, pdf_text, render_page
from tests.security.dual import run_approved
from tests.services.count_world import CountWorld, double_entry, figures, run, setup
from tests.services.test_results import capital_admin
from tests.world import PRECINCTS

Factory = sessionmaker[Session]
MOMENT = datetime(2023, 3, 22, 9, 0, tzinfo=UTC)
IN_TIME = datetime(2023, 3, 22, 6, 0, tzinfo=UTC)
LIST_VOTES = {"alpha": 300, "beta": 150, "gamma": 150}
DISTRICT_VOTES = {
    "capital_c1": ("p5", {"Абаев": 200, "Бекова": 120, "Жұмабаев": 30}),
    "capital_c2": ("p6", {"Абаев": 150, "Бекова": 150, "Жұмабаев": 30}),
}
CHAIR = "Сәрсенбаева Гүлнар Асқарқызы"
SECRETARY = "Иванов Пётр Сергеевич"
OBSERVER = "Нұрланова Айгерім"


@dataclass
class Counted:
    cw: CountWorld
    election: int
    body: int
    deputy: int
    candidate: int
    """A registered candidate (Бекова, district 1) with a registration date."""
    observer: int


def _on(day: date) -> Callable[[], datetime]:
    moment = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
    return lambda: moment


def build_counted(factory: Factory) -> Counted:
    """The capital's election counted, tabulated and published; its TEC staffed; one deputy
    registered; one observer accredited, credentialled and assigned to both precincts."""
    cw = setup(factory)
    election = cw.world.election
    assert election is not None
    ids = cw.choices["capital_list"]
    for precinct in ("p5", "p6"):
        data = figures({ids[k]: v for k, v in LIST_VOTES.items()}, against_all=10, invalid=2)
        double_entry(factory, cw, "capital_list", precinct, data)
    for name, (precinct, votes) in DISTRICT_VOTES.items():
        ids = cw.choices[name]
        data = figures({ids[k]: v for k, v in votes.items()}, against_all=10, invalid=2)
        double_entry(factory, cw, name, precinct, data)
    admin = capital_admin(factory, cw)
    tec = cw.world.commissions["tec_capital"]
    for full_name, position in ((CHAIR, CommissionPosition.CHAIR), (SECRETARY, "secretary")):
        run(
            factory,
            admin,
            appoint_member,
            tec,
            Appointment(full_name, position, appointed_on=date(2023, 1, 20)),
            at=IN_TIME,
        )
    run(factory, admin, tabulate_election, election, at=IN_TIME)
    run_approved(factory, admin, publish_results, election, at=IN_TIME)
    with factory() as session, session.begin():
        mandate = session.scalars(
            select(Mandate).where(
                Mandate.contest_id == cw.contest("capital_c1"),
                Mandate.source == MandateSource.SINGLE_MEMBER,
            )
        ).one()
        nomination = session.get(Nomination, cw.nominations["capital_c1"]["Бекова"])
        assert nomination is not None
        nomination.registered_at = datetime(2023, 2, 17, 10, 0, tzinfo=UTC)
    run(factory, admin, register_deputy, mandate.id, date(2023, 3, 22), at=IN_TIME)
    operator = Actor.operator()
    org = execute(
        factory,
        operator,
        apply_for_accreditation,
        AccreditationApplication("Әділ сайлау", ObserverKind.NGO, tec),
        clock=_on(date(2023, 1, 2)),
    )
    execute(factory, operator, accredit_organisation, org.id, clock=_on(date(2023, 2, 1)))
    [observer] = execute(
        factory, operator, issue_credentials, org.id, [OBSERVER], clock=_on(date(2023, 2, 10))
    )
    execute(
        factory,
        operator,
        assign_observer,
        observer.id,
        election,
        [cw.precinct("p5"), cw.precinct("p6")],
        clock=_on(date(2023, 3, 1)),
    )
    return Counted(
        cw,
        election,
        cw.world.bodies["capital"],
        mandate.id,
        cw.nominations["capital_c1"]["Бекова"],
        observer.id,
    )


@pytest.fixture
def counted(factory: Factory) -> Counted:
    return build_counted(factory)


def flat(text: str) -> str:
    """Text without any white space: table cells wrap lines where the text layer puts breaks."""
    return "".join(text.split())


def stored(factory: Factory, contest_id: int) -> ContestResult:
    with factory() as session:
        result = session.scalars(
            select(ContestResult).where(ContestResult.contest_id == contest_id)
        ).one()
        session.expunge(result)
        return result


def test_result_protocol_shows_the_stored_allocation_trace(
    factory: Factory, counted: Counted
) -> None:
    """CL art. 111-1 paras 1, 3, 4: quota, quotients, remainders and the remaining seat, as
    stored by the tabulation, in the text layer in Kazakh and in Russian."""
    with factory() as session:
        pdf = render_result_protocol(session, counted.election, counted.body, generated_at=MOMENT)
    text = pdf_text(pdf)
    squeezed = flat(pdf_text(pdf, layout=False))  # reading order: one cell after another
    allocation = stored(factory, counted.cw.contest("capital_list")).outcome["allocation"]
    # the stored figures are the ones worked out by hand above
    assert Fraction(allocation["quota"]) == 600
    rows = {r["party"]: r for r in allocation["rows"]}
    assert [Fraction(rows[p]["remainder"]) for p in ("alpha", "beta", "gamma")] == [
        0,
        Fraction(1, 2),
        Fraction(1, 2),
    ]
    [award] = allocation["awards"]
    assert (award["party"], award["reason"], award["tied_with"]) == (
        "beta",
        "earlier_registration",
        ["gamma"],
    )
    # … and the protocol prints them
    assert "Избирательная квота: 600 (≈ 600,000000)" in text
    assert "Сайлау квотасы" in text
    for party, name in (("alpha", "Альфа"), ("beta", "Бета"), ("gamma", "Гамма")):
        row = rows[party]
        assert any(
            ln.startswith(name) and exact(row["quotient"]) in ln and exact(row["remainder"]) in ln
            for ln in text.splitlines()
        ), name
    assert "Мандат 1 → Бета" in text and "1-мандат → Бета" in text
    names = {"kk": {"beta": "Бета", "gamma": "Гамма", "alpha": "Альфа"}}
    names["ru"] = names["kk"]
    for step in allocation["steps"]:
        rendered = both(step, names)
        for language in LANGUAGES:
            assert flat(rendered[language]) in squeezed, (language, rendered[language])
    assert "тең" in both(allocation["steps"][-1], names)["kk"]  # the tie named in Kazakh
    # threshold tests: exact shares and percentages (alpha 600/1220 = 30/61)
    assert "30/61" in text and "49,18 %" in text
    assert "Өту шегі / Барьер: 1/20 (5,00 %)" in text


def test_result_protocol_totals_winners_runoff_and_signatures(
    factory: Factory, counted: Counted
) -> None:
    with factory() as session:
        data = result_protocol_data(session, counted.election, counted.body)
        pdf = render_result_protocol(session, counted.election, counted.body, generated_at=MOMENT)
    text = pdf_text(pdf)
    squeezed = flat(pdf_text(pdf, layout=False))
    assert data["final"] and "АЛДЫН АЛА" not in text
    assert "Қалалық мәслихат" in text and "ПРОТОКОЛ О РЕЗУЛЬТАТАХ ВЫБОРОВ" in text
    totals = stored(factory, counted.cw.contest("capital_list")).totals
    # 2 precincts × (600 + 10 + 2) in the boxes of 2 × 1,000 voters: turnout 1224/2000 = 153/250
    assert totals["turnout"] == "153/250" and totals["valid"] == 1220
    assert "153/250" in text and "61,20 %" in text and flat("1 220") in squeezed
    elected = stored(factory, counted.cw.contest("capital_c1")).outcome
    assert elected["status"] == "elected"
    assert elected["winner"]["name"] in text and "избран(а)" in text and "сайланды" in text
    runoff = stored(factory, counted.cw.contest("capital_c2")).outcome
    assert runoff["status"] == "runoff" and runoff["follow_up_contest_id"]
    for candidate in runoff["runoff"]:
        assert flat(candidate["name"]) in squeezed
    assert flat("назначено повторное голосование") in squeezed
    with factory() as session:
        follower = session.get(Contest, runoff["follow_up_contest_id"])
        assert follower is not None
        assert f"{follower.election.polling_day:%d.%m.%Y}" in text  # by 19 April (art. 109-1)
    for name in (CHAIR, SECRETARY):
        assert name in text
    assert "Төраға" in text and "Председатель" in text and "Секретарь" in text


def test_result_protocol_before_the_count_is_marked_provisional(factory: Factory) -> None:
    cw = setup(factory)
    assert cw.world.election is not None
    with factory() as session:
        bodies = result_protocol_bodies(session, cw.world.election)
        assert cw.world.bodies["capital"] in bodies and len(bodies) == 5
        pdf = render_result_protocol(session, cw.world.election, cw.world.bodies["oblast"])
    text = pdf_text(pdf)
    assert "АЛДЫН АЛА" in text and "ПРЕДВАРИТЕЛЬНО" in text
    assert "Төраға" in text  # the signature lines are there even with no member recorded


def test_certificates_carry_names_terms_and_assignments(factory: Factory, counted: Counted) -> None:
    with factory() as session:
        candidate = candidate_certificate_data(session, counted.candidate)
        deputy = deputy_certificate_data(session, counted.deputy)
        observer = observer_credential_data(session, counted.observer, counted.election)
        mandate = session.get(Mandate, counted.deputy)
        assert mandate is not None and mandate.person_id is not None
        subjects = certificate_subjects(session, counted.election)
    assert counted.deputy in subjects["deputy"] and counted.observer in subjects["observer"]
    assert counted.candidate in subjects["candidate"]

    text = pdf_text(render_certificate(candidate, generated_at=MOMENT))
    assert "КАНДИДАТТЫҢ КУӘЛІГІ" in text and "УДОСТОВЕРЕНИЕ КАНДИДАТА" in text
    assert candidate["person"]["kk"].startswith("Бекова") and candidate["person"]["kk"] in text
    assert "17.02.2023" in text  # the registration day (16:00 in Asia/Almaty)
    assert "№ 1 capital_c1" in text and "политическая партия: Бета" in text

    pdf = render_certificate(deputy, generated_at=MOMENT)
    text = pdf_text(pdf)
    squeezed = flat(pdf_text(pdf, layout=False))
    assert "ДЕПУТАТТЫҢ КУӘЛІГІ" in text and "УДОСТОВЕРЕНИЕ ДЕПУТАТА" in text
    assert deputy["person"]["kk"].startswith("Абаев") and deputy["person"]["kk"] in text
    # the convocation: from the deputy's first day (registration, 22 March) for five years
    assert "22.03.2023 – 22.03.2028" in text
    assert flat("одномандатный избирательный округ № 1") in squeezed
    assert "Қалалық мәслихат" in text
    with factory() as session:
        registered = session.scalars(
            select(Mandate.id).where(Mandate.state == MandateState.REGISTERED)
        ).all()
        decision = session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "register_deputy")
        ).one()
    assert registered == [counted.deputy]
    assert flat(f"запись журнала аудита № {decision}") in squeezed
    assert flat(f"аудит жазбасы № {decision}") in squeezed

    text = pdf_text(render_certificate(observer, generated_at=MOMENT))
    assert "БАЙҚАУШЫНЫҢ КУӘЛІГІ" in text and "УДОСТОВЕРЕНИЕ НАБЛЮДАТЕЛЯ" in text
    assert OBSERVER in text and observer["number"].startswith("OBS-") and observer["number"] in text
    assert "p5 street" in text and "p6 street" in text  # both assigned precincts
    assert "Әділ сайлау" in text and "01.02.2023 – 01.02.2024" in text
    numbers = [str(PRECINCTS[name][2]) for name in ("p5", "p6")]  # numbered within the region
    assert [a["precinct"] for a in observer["assignments"]] == numbers


def test_a_certificate_is_refused_to_the_unregistered(factory: Factory, counted: Counted) -> None:
    with factory() as session, session.begin():
        nomination = session.get(Nomination, counted.cw.nominations["capital_c1"]["Жұмабаев"])
        assert nomination is not None
        nomination.state = CandidacyState.WITHDRAWN
    with factory() as session:
        with pytest.raises(Conflict) as refused:
            candidate_certificate_data(session, counted.cw.nominations["capital_c1"]["Жұмабаев"])
        assert refused.value.code == "not_registered"
        list_seat = session.scalars(
            select(Mandate.id).where(Mandate.source == MandateSource.PARTY_LIST)
        ).first()
        assert list_seat is not None
        with pytest.raises(Conflict):
            deputy_certificate_data(session, list_seat)  # won, not yet given to a person


def test_each_certificate_kind_has_its_colour_band(factory: Factory, counted: Counted) -> None:
    with factory() as session:
        deputy = deputy_certificate_data(session, counted.deputy)
        observer = observer_credential_data(session, counted.observer)
    for data, colour in ((deputy, "#8a1c2b"), (observer, "#2e7d4f")):
        image = render_page(render_certificate(data, generated_at=MOMENT))
        x, y = image.width // 2, round(12 / 25.4 * 50)  # 12 mm down: inside the band
        assert close(image.pixel(x, y), colour, tolerance=10), image.pixel(x, y)


def test_bulk_runs_write_every_result_protocol_and_certificate(
    factory: Factory, counted: Counted, tmp_path: Path
) -> None:
    """``saylau documents results|certificates``: one protocol per body, one certificate per
    registered candidate, registered deputy and assigned observer."""
    with factory() as session:
        results = generate(
            session, "results", counted.election, tmp_path, workers=1, generated_at=MOMENT
        )
        certificates = generate(
            session, "certificates", counted.election, tmp_path, workers=1, generated_at=MOMENT
        )
        bodies = result_protocol_bodies(session, counted.election)
        subjects = certificate_subjects(session, counted.election)
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        f"body-{b:05d}.pdf" for b in bodies
    ]
    assert results.documents == len(bodies) == 5
    written = {p.parent.name: p for p in (tmp_path / "certificates").rglob("*.pdf")}
    assert set(written) == {"candidate", "deputy", "observer"}
    assert certificates.documents == sum(len(ids) for ids in subjects.values())
    assert OBSERVER in pdf_text(written["observer"].read_bytes())


# --- the demo election (called from tests/demo/test_generator.py) -------------------------------


def check_result_documents(factory: Factory, election_id: int) -> None:
    """The result protocol of the largest first-level maslikhat, a candidate's and a deputy's
    certificate and an observer's credential render for the demo election, with the stored quota,
    winners, names and the observer's precinct in the text."""
    with factory() as session:
        body = session.scalars(
            select(Body)
            .join(Contest, Contest.body_id == Body.id)
            .where(Contest.election_id == election_id, Contest.district_id.is_(None))
            .where(Body.kind != BodyKind.MAZHILIS)
            .order_by(Body.seats.desc(), Body.id)
            .limit(1)
        ).one()
        data = result_protocol_data(session, election_id, body.id)
        pdf = render_result_protocol(session, election_id, body.id)
        subjects = certificate_subjects(session, election_id)
        candidate = candidate_certificate_data(session, subjects["candidate"][0])
        deputy = deputy_certificate_data(session, subjects["deputy"][0])
        observer = observer_credential_data(session, subjects["observer"][-1], election_id)
    assert data["final"] and data["lists"], "the demo's list contest is tabulated and final"
    part = data["lists"][0]
    assert f"Избирательная квота: {part['quota']}" in pdf_text(pdf)
    squeezed = flat(pdf_text(pdf, layout=False))
    winners = [line["winner"] for line in data["districts"] if line["winner"]]
    assert winners and all(flat(name) in squeezed for name in winners)
    for certificate in (candidate, deputy):
        assert flat(certificate["person"]["kk"]) in flat(pdf_text(render_certificate(certificate)))
    assert observer["assignments"], "every demo observer is assigned to a precinct"
    text = pdf_text(render_certificate(observer))
    assert observer["number"] in text
    assert all(str(a["precinct"]) in text for a in observer["assignments"])


# --- samples (docs/samples) ---------------------------------------------------------------------


def write_samples(directory: Path, factory: Factory | None = None) -> list[Path]:
    """Render ``result-protocol.png`` and ``certificate-{candidate,deputy,observer}.png`` into
    ``directory`` (first page, 60 dpi) from the deterministic world above, on a fresh SQLite
    database unless ``factory`` is given. Run: ``.venv/bin/python -m
    tests.documents.test_results_certificates docs/samples``."""
    import tempfile

    from saylau.storage.db import make_engine, migrate, session_factory

    engine = None
    if factory is None:
        folder = tempfile.mkdtemp(prefix="saylau-samples-")
        engine = make_engine(f"sqlite:///{folder}/samples.sqlite3")
        migrate(engine)
        factory = session_factory(engine)
    counted = build_counted(factory)
    documents: dict[str, bytes] = {}
    with factory() as session:
        documents["result-protocol"] = render_result_protocol(
            session, counted.election, counted.body, generated_at=MOMENT
        )
        certificates: dict[str, dict[str, Any]] = {
            "candidate": candidate_certificate_data(session, counted.candidate),
            "deputy": deputy_certificate_data(session, counted.deputy),
            "observer": observer_credential_data(session, counted.observer, counted.election),
        }
    for kind, data in certificates.items():
        documents[f"certificate-{kind}"] = render_certificate(data, generated_at=MOMENT)
    if engine is not None:
        engine.dispose()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, pdf in documents.items():
        path = directory / f"{name}.png"
        path.write_bytes(pdf_png(pdf, resolution=60))
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for written_path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")):
        print(written_path)
