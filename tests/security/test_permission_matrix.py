"""The permission matrix, tested exhaustively (issue #9 §2).

Every role × every action × every territory relation (same commission, a child territory, the
parent, a sibling, another region, the nation; own party / another party) is decided by
:meth:`Context.authorize` and compared with a decision derived here independently: the role's row of
:data:`PERMISSIONS` read as data, and the territory rule written out below from the test world's
hierarchy (not by calling ``may`` or ``Actor.covers``). Every refusal must leave one audit event
naming its reason. The counts are printed (``-s``) and recorded in docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import PERMISSIONS, Action, CommissionLevel, Role
from saylau.services.context import Actor, Context, Scope, execute
from saylau.services.errors import PermissionDenied
from saylau.storage.models import AuditEvent
from tests.world import World, build_world

Factory = sessionmaker[Session]


@dataclass(frozen=True)
class Place:
    """Where an actor sits: a commission level over a territory, a party, or nowhere."""

    name: str
    level: CommissionLevel | None
    territory: tuple[str, ...] = ()
    """Path from the nation down: ("oblast",), ("oblast", "district"), ("oblast", "district", "p1")."""
    party: str | None = None


PLACES = (
    Place("cec", CommissionLevel.CEC),
    Place("tec_oblast", CommissionLevel.TEC_REGION, ("oblast",)),
    Place("tec_district", CommissionLevel.TEC_UNIT, ("oblast", "district")),
    Place("pec_p1", CommissionLevel.PEC, ("oblast", "district", "p1")),
    Place("party_alpha", None, party="alpha"),
    Place("nowhere", None),
)

# Targets: a territory path (empty = national) or a party.
TARGETS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "nation": ((), None),
    "region_oblast": (("oblast",), None),
    "region_capital": (("capital",), None),
    "unit_district": (("oblast", "district"), None),
    "unit_city": (("oblast", "city"), None),
    "precinct_p1": (("oblast", "district", "p1"), None),
    "precinct_p2": (("oblast", "district", "p2"), None),
    "precinct_p3": (("oblast", "city", "p3"), None),
    "precinct_p5": (("capital", "p5"), None),
    "party_alpha": ((), "alpha"),
    "party_beta": ((), "beta"),
}


def relation(role: Role, place: Place, target: tuple[tuple[str, ...], str | None]) -> str:
    """How a target lies relative to where the actor sits, from the paths alone. A party agent
    is placed by its party, every other role by its commission."""
    path, party = target
    if role is Role.PARTY_AGENT:
        if place.party is None or party is None:
            return "no_party"
        return "own_party" if party == place.party else "other_party"
    if place.level is None:
        return "no_commission"
    if place.level is CommissionLevel.CEC:
        return "same" if not path else "child"
    mine = place.territory
    if path == mine:
        return "same"
    if path[: len(mine)] == mine:
        return "child"
    if mine[: len(path)] == path:
        return "parent"  # the nation, or a region/unit above the commission
    if path[:1] != mine[:1]:
        return "other_region"
    return "sibling"


COVERED = {"same", "child", "own_party"}
"""The territory rule: an actor acts on its commission's territory and below (CL arts. 10–19), a
party agent on its own party; a parent, a sibling, another region, another party, or — for
someone holding no commission — anything, is refused."""


def scope_of(world: World, target: tuple[tuple[str, ...], str | None]) -> Scope:
    path, party = target
    if party is not None:
        return Scope(party_id=world.parties[party])
    region = world.regions[path[0]] if path else None
    unit = precinct = None
    for part in path[1:]:
        if part in world.units:
            unit = world.units[part]
        else:
            precinct = world.precincts[part]
    return Scope(region_id=region, unit_id=unit, precinct_id=precinct)


def actor_at(world: World, role: Role, place: Place) -> Actor:
    path = place.territory
    return Actor(
        user_id=None,
        username=f"{role.value}@{place.name}",
        role=role,
        commission_id=world.commissions.get(place.name),
        level=place.level,
        region_id=world.regions[path[0]] if path else None,
        unit_id=world.units[path[1]] if len(path) > 1 else None,
        precinct_id=world.precincts[path[2]] if len(path) > 2 else None,
        party_id=world.parties[place.party] if place.party else None,
    )


def _attempt(ctx: Context, action: Action, scope: Scope) -> None:
    ctx.authorize(action, scope)


def test_every_role_action_and_territory_is_decided_as_the_matrix_says(factory: Factory) -> None:
    with factory() as session, session.begin():
        world = build_world(session)
    cases = refused = allowed = 0
    relations: set[str] = set()
    mismatches: list[str] = []
    logged: list[tuple[str, str, str, str, dict[str, int] | None]] = []
    for role in Role:
        permitted = PERMISSIONS[role]
        for place in PLACES:
            who = actor_at(world, role, place)
            for target_name, target in TARGETS.items():
                rel = relation(role, place, target)
                relations.add(rel)
                scope = scope_of(world, target)
                for action in Action:
                    cases += 1
                    expected = (
                        None
                        if action in permitted and rel in COVERED
                        else "role_forbids"
                        if action not in permitted
                        else "outside_territory"
                    )
                    try:
                        execute(factory, who, _attempt, action, scope)
                        decided = None
                    except PermissionDenied as denied:
                        decided = denied.code
                    case = f"{role.value}@{place.name} {action.value} on {target_name} ({rel})"
                    if decided != expected:
                        mismatches.append(f"{case}: expected {expected}, decided {decided}")
                    elif decided is None:
                        allowed += 1
                    else:
                        refused += 1
                        target_logged = (
                            {k: v for k, v in vars(scope).items() if v is not None}
                            if decided == "outside_territory"
                            else None
                        )
                        logged.append(
                            (who.username, role.value, decided, action.value, target_logged)
                        )
    with factory() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "refused").order_by(AuditEvent.id)
        ).all()
        recorded = [
            (
                e.username,
                e.role,
                e.entity_id,
                (e.after or {}).get("action"),
                (e.after or {}).get("target"),
            )
            for e in events
        ]
    assert recorded == logged, "a refusal is missing from the audit log or names the wrong reason"
    assert not mismatches, "\n".join(mismatches[:40])
    assert relations >= {
        "same",
        "child",
        "parent",
        "sibling",
        "other_region",
        "own_party",
        "other_party",
        "no_party",
        "no_commission",
    }
    print(
        f"\npermission matrix: {len(Role)} roles × {len(Action)} actions × {len(PLACES)} places"
        f" × {len(TARGETS)} targets ({len(relations)} relations) = {cases} cases:"
        f" {allowed} allowed, {refused} refused, each refusal audited"
    )
    assert cases == len(Role) * len(Action) * len(PLACES) * len(TARGETS)


@pytest.mark.parametrize("role", list(Role))
def test_the_matrix_is_data_a_role_gains_nothing_by_its_level(role: Role) -> None:
    """A role's actions do not depend on where it sits: the level only narrows the territory."""
    assert PERMISSIONS[role] <= frozenset(Action)
    if role in (Role.PUBLIC, Role.ANALYST, Role.OBSERVER, Role.CANDIDATE):
        assert not PERMISSIONS[role] & {
            Action.PUBLISH_RESULTS,
            Action.CORRECT_DEFINITIVE_PROTOCOL,
            Action.MANAGE_BALLOTS,
            Action.MANAGE_TERRITORY,
        }
