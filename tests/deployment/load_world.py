"""``python -m tests.deployment.load_world``: the count world (tests/services/count_world.py) into the
database of ``SAYLAU_DATABASE_URL``, every contest counted, tabulated and published by the CEC —
the small election ``scripts/try-deployment`` serves (a demo build takes minutes)."""

from __future__ import annotations

import sys

from saylau.domain.roles import Role
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.storage.db import make_engine, session_factory
from tests.security.dual import run_approved
from tests.services.count_world import actor, run, setup
from tests.services.test_results import IN_TIME, count_everything
from tests.world import CONTESTS


def main() -> None:
    engine = make_engine()
    try:
        factory = session_factory(engine)
        world = setup(factory)
        count_everything(factory, world, list(CONTESTS))
        cec = actor(factory, "cec_admin", Role.CEC_ADMIN, world.world.commissions["cec"])
        election = world.world.election
        run(factory, cec, tabulate_election, election, at=IN_TIME)
        run_approved(factory, cec, publish_results, election, at=IN_TIME)
        print(f"loaded the count world: election {election}", file=sys.stderr)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
