"""The OpenAPI document, fuzzed: every operation, with data generated from its schema (valid and
invalid), never answers with a server error nor with a response its schema does not describe.

Schemathesis drives the ASGI application directly, over the test world with its election, ballots
and a few counted protocols, on SQLite and PostgreSQL. To reach beyond "not found", generated ids are folded onto
the world's small ids; each case acts as one of several users (by bearer token, or anonymously) at
one of several moments of the 2023 calendar, so nominations, registration, counting and results
are all exercised. The number of examples is bounded so that the run stays well under a minute.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import RecallState
from saylau.services import context
from saylau.services.tabulation import tabulate_contest
from saylau.storage.models import (
    Mandate,
    MandateSource,
    MandateState,
    Observer,
    ObserverOrganisation,
    RecallCase,
)
from saylau.web.app import create_app
from tests.services.count_world import (
    NEXT_DAY,
    CountWorld,
    actor,
    build_count_world,
    double_entry,
    figures,
)
from tests.services.nomination_world import (
    AFTER_REGISTRATION,
    NOMINATING,
    REGISTERING,
)
from tests.web.test_api_helpers import Api, Clock

POSITIVE_EXAMPLES = int(os.environ.get("SAYLAU_FUZZ_EXAMPLES", "6"))
NEGATIVE_EXAMPLES = max(1, POSITIVE_EXAMPLES // 2)
FOLD = {
    "election_id": 2,
    "region_id": 3,
    "unit_id": 3,
    "body_id": 6,
    "district_id": 13,
    "contest_id": 14,
    "precinct_id": 7,
    "party_id": 4,
    "party_list_id": 10,
    "protocol_id": 4,
    "commission_id": 18,
    "user_id": 30,
    "number": 4,
}
"""Generated ids are folded onto the world's small ids (a few beyond, to reach "not found")."""
OTHER_IDS = 4
CALLS = [0]
"""API calls made so far (reported with ``SAYLAU_FUZZ_REPORT=1``, for ``docs/security.md``)."""

MOMENTS = (
    NOMINATING,
    REGISTERING,
    AFTER_REGISTRATION,
    datetime(2023, 3, 19, 16, 30, tzinfo=UTC),  # election night, local 22:30
    NEXT_DAY,
    datetime(2023, 4, 20, 6, 0, tzinfo=UTC),
)
USERS = (
    "cec_admin",
    "oblast_admin",
    "oblast_coordinator",
    "typist_p1_a",
    "typist_p1_b",
    "alpha_agent",
    None,
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FRAME_OPERATIONS = ("/api/auth/",)
"""The sign-in operations of the application's frame document no error bodies; they are fuzzed
for server errors only."""


@pytest.fixture
def fuzz_api(factory: sessionmaker[Session]) -> Iterator[Api]:
    """The world on each database (``factory`` is SQLite, then PostgreSQL when configured)."""
    with factory() as session, session.begin():
        cw = build_count_world(session)
        _later_rows(session, cw)
    _count_some(factory, cw)
    clock = Clock()
    with TestClient(create_app(factory, secret="fuzz-secret", clock=clock)) as client:
        api = Api(client, factory, cw.world, clock)
        for user in USERS:
            if user is not None:
                api.token(user)
        yield api


def _count_some(factory: sessionmaker[Session], cw: CountWorld) -> None:
    """Two definitive protocols of one district and its provisional tabulation."""
    choices = cw.choices["oblast_o1"]
    votes = dict(zip(choices.values(), (300, 200, 100), strict=True))
    for precinct in ("p1", "p2"):
        double_entry(factory, cw, "oblast_o1", precinct, figures(votes))
    commission = cw.world.commissions["tec_oblast"]
    coordinator = actor(factory, "oblast_coordinator", Role.TEC_COORDINATOR, commission)
    context.execute(
        factory, coordinator, tabulate_contest, cw.contest("oblast_o1"), clock=lambda: NEXT_DAY
    )


def _later_rows(session: Session, cw: CountWorld) -> None:
    """Rows of later workflows, inserted directly (set-up): a deputy and a list seat, an
    accredited observer organisation with an observer, and a recall application."""
    world = cw.world
    deputy = Mandate(
        body_id=world.bodies["capital"],
        contest_id=cw.contest("capital_c1"),
        source=MandateSource.SINGLE_MEMBER,
        party_id=world.parties["alpha"],
        person_id=cw.persons["capital_c1"]["Абаев"],
        state=MandateState.REGISTERED,
        term_start=date(2023, 4, 1),
        application_received_on=date(2023, 3, 25),
    )
    seat = Mandate(
        body_id=world.bodies["oblast"],
        contest_id=cw.contest("oblast_list"),
        source=MandateSource.PARTY_LIST,
        party_id=world.parties["alpha"],
        state=MandateState.WON,
    )
    session.add_all([deputy, seat])
    organisation = ObserverOrganisation(
        name="Watch",
        kind="ngo",
        accrediting_commission_id=world.commissions["tec_oblast"],
        applied_on=date(2023, 1, 10),
        review_due=date(2023, 2, 9),
        accredited_on=date(2023, 1, 20),
        valid_until=date(2024, 1, 20),
    )
    session.add(organisation)
    session.flush()
    session.add(Observer(organisation_id=organisation.id, full_name="Observer", credential="OBS-1"))
    session.add(
        RecallCase(
            mandate_id=deputy.id,
            state=RecallState.APPLIED,
            initiator="A voter",
            applied_on=date(2023, 4, 10),
            timeline={},
        )
    )


def _fold(value: Any, key: str = "") -> Any:
    """Ids onto the world's small ids, keeping every other value as generated."""
    if isinstance(value, dict):
        return {k: _fold(v, str(k)) for k, v in value.items()}
    if isinstance(value, list) and key.endswith("_ids"):
        return [_fold(v, key[:-1]) for v in value]
    if key == "ref" and isinstance(value, str) and ":" in value:
        kind, _, number = value.partition(":")
        return f"{kind}:{1 + int(number) % 12}" if number.isdigit() else value
    is_id = key in FOLD or key.endswith("_id")
    if is_id and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return 1 + value % FOLD.get(key, OTHER_IDS)
    return value


def _choose(case: Any, options: tuple[Any, ...], salt: str) -> Any:
    digest = hashlib.sha256(f"{salt}{case.path}{case.body!r}{case.query!r}".encode()).digest()
    return options[digest[0] % len(options)]


def _fuzz(
    api: Api,
    operation: Any,
    mode: GenerationMode,
    examples: int,
    checks: list[Any],
    seen: dict[str, set[int]],
) -> None:
    """``examples`` cases of ``operation``, each as a chosen user at a chosen moment."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if case.path_parameters:
            case.path_parameters = _fold(case.path_parameters)
        if isinstance(case.body, dict):
            case.body = _fold(case.body)
        api.clock.now = _choose(case, MOMENTS, "moment")
        user = _choose(case, USERS, "user")
        headers = {"Accept-Language": _choose(case, ("kk", "ru", "en"), "language")}
        if user is not None:
            headers["Authorization"] = f"Bearer {api.tokens[user]}"
        response = case.call_and_validate(headers=headers, checks=checks)
        CALLS[0] += 1
        seen.setdefault(f"{operation.method.upper()} {operation.path}", set()).add(
            response.status_code
        )

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing of the operation can be made invalid


def test_every_operation_answers_within_its_schema(fuzz_api: Api) -> None:
    config = schemathesis.Config.from_dict({"generation": {"allow-x00": False}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_api.client.app, config=config)
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(operations) > 100
    for operation in operations:
        frame = operation.path.startswith(FRAME_OPERATIONS)
        checks = [not_a_server_error] if frame else CHECKS
        for mode, examples in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):
            try:
                _fuzz(fuzz_api, operation, mode, examples, checks, seen)
            except (Exception, BaseExceptionGroup) as error:  # collect all, then report
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}): {error}"
                )
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
    if os.environ.get("SAYLAU_FUZZ_REPORT"):
        for name, statuses in sorted(seen.items()):
            print(name, sorted(statuses))
        print(f"schemathesis: {len(operations)} operations, {CALLS[0]} calls so far")
