"""The reliability tests' election: the count world (tests/services/count_world.py) grown by many
precincts in the capital, so that an import of its protocols runs long enough to be killed part-way,
with two capital coordinators to make the double entry of every protocol from two files.

Every added precinct votes in four contests: the Mazhilis list and its single-member district
``mazhilis_m1``, the capital's list and its district ``capital_c1``. The entry files are generated
from a seed: the two coordinators' files agree except on a few rows (those protocols end as
``entries_differ``, waiting for resolution), so an import yields several protocol states.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Role
from saylau.storage.models import (
    AuditEvent,
    Contest,
    ContestResult,
    DistrictPrecinct,
    Precinct,
    Protocol,
    ProtocolEntry,
    ProtocolVote,
    RoleAssignment,
    User,
)
from tests.services.count_world import CountWorld, build_count_world, figures

CONTESTS = ("mazhilis_list", "mazhilis_m1", "capital_list", "capital_c1")
"""The contests every added precinct votes in."""

COORDINATORS = ("capital_coordinator", "capital_coordinator_b")


@dataclass
class KillWorld:
    cw: CountWorld
    precincts: list[int]
    """The added precincts (whose protocols the files hold)."""

    @property
    def election(self) -> int:
        election = self.cw.world.election
        assert election is not None
        return election

    def coordinator(self, which: int) -> list[str]:
        """``--as/--role/--commission`` of coordinator 0 or 1."""
        return [
            "--as",
            COORDINATORS[which],
            "--role",
            Role.TEC_COORDINATOR.value,
            "--commission",
            str(self.cw.world.commissions["tec_capital"]),
        ]


def build_kill_world(session: Session, added: int) -> KillWorld:
    """The count world, ``added`` capital precincts more and a second capital coordinator."""
    cw = build_count_world(session)
    world = cw.world
    precincts = [
        Precinct(
            region_id=world.regions["capital"],
            unit_id=None,
            number=100 + n,
            address=f"capital precinct {100 + n}",
            voters=1000,
        )
        for n in range(added)
    ]
    session.add_all(precincts)
    session.flush()
    session.add_all(
        DistrictPrecinct(district_id=world.districts[name], precinct_id=p.id)
        for name in ("mazhilis_m1", "capital_c1")
        for p in precincts
    )
    second = User(username=COORDINATORS[1], full_name=COORDINATORS[1])
    session.add(second)
    session.flush()
    session.add(
        RoleAssignment(
            user_id=second.id,
            role=Role.TEC_COORDINATOR,
            commission_id=world.commissions["tec_capital"],
        )
    )
    session.flush()
    return KillWorld(cw, [p.id for p in precincts])


def entry_files(kw: KillWorld, folder: Path, seed: int, differ: float = 0.02) -> list[Path]:
    """The two coordinators' import files (JSON lists), one row per contest and precinct."""
    rng = random.Random(seed)
    first: list[dict[str, Any]] = []
    second: list[dict[str, Any]] = []
    for precinct in kw.precincts:
        for name in CONTESTS:
            choices = kw.cw.choices[name]
            votes = {choice: rng.randint(50, 250) for choice in choices.values()}
            row = {"contest": kw.cw.contest(name), "precinct": precinct}
            document = figures(votes, voters=1000, invalid=rng.randint(0, 9)).as_json()
            first.append({**row, **document})
            if rng.random() < differ:
                document = dict(document, invalid=document["invalid"] + 1)
                document["ballots_in_boxes"] += 1
                document["ballots_issued"] += 1
                document["ballots_cancelled"] -= 1
            second.append({**row, **document})
    paths = [folder / "entries-a.json", folder / "entries-b.json"]
    for path, rows in zip(paths, (first, second), strict=True):
        path.write_text(json.dumps(rows), encoding="utf-8")
    return paths


# --- running saylau as a separate process ----------------------------------------------------------


def saylau_command() -> list[str]:
    """The installed console script next to this interpreter (``python -m saylau`` otherwise)."""
    script = Path(sys.executable).with_name("saylau")
    return [str(script)] if script.exists() else [sys.executable, "-m", "saylau"]


def environment(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SAYLAU_TEST_POSTGRES_URL"}
    env["SAYLAU_DATABASE_URL"] = url
    return env


@dataclass
class Outcome:
    returncode: int
    seconds: float
    killed: bool
    probed: bool
    """Whether the probe, asked right before the kill, found the process inside a transaction."""
    stdout: str
    stderr: str


def run_saylau(
    url: str,
    args: list[str],
    *,
    kill_after: float | None = None,
    probe: Callable[[], bool] | None = None,
    application: str = "saylau",
) -> Outcome:
    """Run ``saylau ARGS`` on the database ``url``; SIGKILL it after ``kill_after`` seconds if it
    is still running then (``killed`` says whether the signal landed), asking ``probe`` first.
    ``application`` names its PostgreSQL connections (``PGAPPNAME``) for the probe."""
    env = environment(url)
    env["PGAPPNAME"] = application
    started = time.monotonic()
    process = subprocess.Popen(
        [*saylau_command(), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = probed = False
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            probed = probe() if probe is not None else False
            process.kill()  # SIGKILL: no handler, no clean-up, no rollback by the process
            killed = True
    stdout, stderr = process.communicate(timeout=900)
    killed = killed and process.returncode == -signal.SIGKILL  # not if it ended just before
    return Outcome(
        process.returncode, time.monotonic() - started, killed, probed and killed, stdout, stderr
    )


# --- what a database holds, for comparison ---------------------------------------------------------


def snapshot(session: Session) -> dict[str, Any]:
    """Everything an import and a tabulation write, keyed by natural keys (never by generated
    ids, which a killed PostgreSQL transaction may have consumed)."""
    keys = {
        pid: (c, p)
        for pid, c, p in session.execute(
            select(Protocol.id, Protocol.contest_id, Protocol.precinct_id)
        )
    }
    protocols = {}
    for protocol in session.scalars(select(Protocol)):
        protocols[keys[protocol.id]] = (
            protocol.state.value,
            protocol.version,
            protocol.voters_on_list,
            protocol.ballots_in_boxes,
            protocol.against_all,
            protocol.invalid,
        )
    votes = sorted(
        (*keys[pid], choice, n)
        for pid, choice, n in session.execute(
            select(ProtocolVote.protocol_id, ProtocolVote.choice_id, ProtocolVote.votes)
        )
    )
    entries = sorted(
        (*keys[pid], entry_no, typist, json.dumps(data, sort_keys=True))
        for pid, entry_no, typist, data in session.execute(
            select(
                ProtocolEntry.protocol_id,
                ProtocolEntry.entry_no,
                ProtocolEntry.typist_id,
                ProtocolEntry.data,
            )
        )
    )
    results = {
        r.contest_id: (
            r.status,
            r.precincts_counted,
            r.precincts_total,
            json.dumps(r.totals, sort_keys=True),
            json.dumps(r.outcome, sort_keys=True),
            r.outcome_status,
            r.inputs_digest,
        )
        for r in session.scalars(select(ContestResult))
    }
    logged = sorted(
        session.execute(
            select(AuditEvent.action, AuditEvent.entity_id).where(
                AuditEvent.action == "enter_protocol"
            )
        ).all()
    )
    return {
        "protocols": protocols,
        "votes": votes,
        "entries": entries,
        "results": results,
        "contests": sorted(session.scalars(select(Contest.id))),
        "entries_logged": len(logged),
    }


def copy_sqlite(source: Path, target: Path) -> str:
    shutil.copy(source, target)
    return f"sqlite:///{target}"
