"""A small, complete territory for service tests: two regions, both maslikhat levels, commissions,
users with roles and three parties.

Region "Testoblast" (an oblast) has a district and a city of oblast significance with two precincts
each; "Testcapital" (the capital, no second level) has two precincts. Rows are inserted directly:
this is test set-up, not a workflow under test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from saylau.domain.roles import CommissionLevel, Role
from saylau.law.bodies import ContestKind
from saylau.law.calendar import ElectionKind
from saylau.law.rules import MaslikhatKind
from saylau.storage.models import (
    Body,
    BodyKind,
    Commission,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    Party,
    PartyBranch,
    Precinct,
    Region,
    RoleAssignment,
    Unit,
    User,
)


@dataclass
class World:
    regions: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    precincts: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)
    commissions: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    parties: dict[str, int] = field(default_factory=dict)
    election: int | None = None
    contests: dict[str, int] = field(default_factory=dict)
    districts: dict[str, int] = field(default_factory=dict)


PRECINCTS = {
    # name: (region, unit, number, voters)
    "p1": ("oblast", "district", 1, 1000),
    "p2": ("oblast", "district", 2, 1200),
    "p3": ("oblast", "city", 3, 1500),
    "p4": ("oblast", "city", 4, 900),
    "p5": ("capital", None, 1, 2000),
    "p6": ("capital", None, 2, 1800),
}


def build_world(session: Session) -> World:
    world = World()
    oblast = Region(
        code="KZ-35",
        kind=MaslikhatKind.OBLAST,
        name_kk="Тестоблыс",
        name_ru="Тестобласть",
        name_en="Testoblast",
        iana_zone="Asia/Almaty",
    )
    capital = Region(
        code="KZ-71",
        kind=MaslikhatKind.CAPITAL,
        name_kk="Тестастана",
        name_ru="Тестастана",
        name_en="Testcapital",
        iana_zone="Asia/Almaty",
    )
    session.add_all([oblast, capital])
    session.flush()
    world.regions = {"oblast": oblast.id, "capital": capital.id}
    district = Unit(
        region_id=oblast.id, kind=MaslikhatKind.DISTRICT, name_kk="Аудан", name_en="Raion"
    )
    city = Unit(region_id=oblast.id, kind=MaslikhatKind.CITY, name_kk="Қала", name_en="Town")
    session.add_all([district, city])
    session.flush()
    world.units = {"district": district.id, "city": city.id}
    for name, (region, unit, number, voters) in PRECINCTS.items():
        precinct = Precinct(
            region_id=world.regions[region],
            unit_id=world.units[unit] if unit else None,
            number=number,
            address=f"{name} street",
            voters=voters,
        )
        session.add(precinct)
        session.flush()
        world.precincts[name] = precinct.id
    bodies = {
        "mazhilis": Body(kind=BodyKind.MAZHILIS, name_kk="Мәжіліс", name_en="Mazhilis", seats=98),
        "oblast": Body(
            kind=BodyKind.OBLAST,
            region_id=oblast.id,
            name_kk="Облыстық мәслихат",
            name_en="Testoblast maslikhat",
            seats=6,
        ),
        "capital": Body(
            kind=BodyKind.CAPITAL,
            region_id=capital.id,
            name_kk="Қалалық мәслихат",
            name_en="Testcapital maslikhat",
            seats=5,
        ),
        "district": Body(
            kind=BodyKind.DISTRICT,
            region_id=oblast.id,
            unit_id=district.id,
            name_kk="Аудандық мәслихат",
            name_en="Raion maslikhat",
            seats=2,
        ),
        "city": Body(
            kind=BodyKind.CITY,
            region_id=oblast.id,
            unit_id=city.id,
            name_kk="Қалалық мәслихат",
            name_en="Town maslikhat",
            seats=2,
        ),
    }
    session.add_all(bodies.values())
    session.flush()
    world.bodies = {name: body.id for name, body in bodies.items()}

    cec = Commission(level=CommissionLevel.CEC, name="CEC")
    session.add(cec)
    session.flush()
    tec_oblast = Commission(
        level=CommissionLevel.TEC_REGION,
        parent_id=cec.id,
        region_id=oblast.id,
        name="Testoblast TEC",
    )
    tec_capital = Commission(
        level=CommissionLevel.TEC_REGION,
        parent_id=cec.id,
        region_id=capital.id,
        name="Testcapital TEC",
    )
    session.add_all([tec_oblast, tec_capital])
    session.flush()
    tec_district = Commission(
        level=CommissionLevel.TEC_UNIT,
        parent_id=tec_oblast.id,
        region_id=oblast.id,
        unit_id=district.id,
        name="Raion TEC",
    )
    tec_city = Commission(
        level=CommissionLevel.TEC_UNIT,
        parent_id=tec_oblast.id,
        region_id=oblast.id,
        unit_id=city.id,
        name="Town TEC",
    )
    session.add_all([tec_district, tec_city])
    session.flush()
    world.commissions = {
        "cec": cec.id,
        "tec_oblast": tec_oblast.id,
        "tec_capital": tec_capital.id,
        "tec_district": tec_district.id,
        "tec_city": tec_city.id,
    }
    parents = {"district": tec_district.id, "city": tec_city.id, None: tec_capital.id}
    for name, (_region, unit, _number, _voters) in PRECINCTS.items():
        pec = Commission(
            level=CommissionLevel.PEC,
            parent_id=parents[unit],
            region_id=world.regions[_region],
            unit_id=world.units[unit] if unit else None,
            precinct_id=world.precincts[name],
            name=f"PEC {name}",
        )
        session.add(pec)
        session.flush()
        world.commissions[f"pec_{name}"] = pec.id

    parties = {
        "alpha": Party(code="alpha", name_kk="Альфа", name_en="Alpha"),
        "beta": Party(code="beta", name_kk="Бета", name_en="Beta"),
        "gamma": Party(code="gamma", name_kk="Гамма", name_en="Gamma"),
    }
    session.add_all(parties.values())
    session.flush()
    world.parties = {name: party.id for name, party in parties.items()}
    for party in parties.values():
        for region_id in world.regions.values():
            session.add(PartyBranch(party_id=party.id, region_id=region_id))

    def user(username: str, role: Role, commission: str | None, party: str | None = None) -> None:
        account = User(username=username, full_name=username)
        session.add(account)
        session.flush()
        session.add(
            RoleAssignment(
                user_id=account.id,
                role=role,
                commission_id=world.commissions[commission] if commission else None,
                party_id=world.parties[party] if party else None,
            )
        )
        world.users[username] = account.id

    user("cec_admin", Role.CEC_ADMIN, "cec")
    user("oblast_admin", Role.TEC_ADMIN, "tec_oblast")
    user("capital_admin", Role.TEC_ADMIN, "tec_capital")
    user("oblast_coordinator", Role.TEC_COORDINATOR, "tec_oblast")
    user("capital_coordinator", Role.TEC_COORDINATOR, "tec_capital")
    for name in PRECINCTS:
        user(f"typist_{name}_a", Role.PEC_TYPIST, f"pec_{name}")
        user(f"typist_{name}_b", Role.PEC_TYPIST, f"pec_{name}")
    user("alpha_agent", Role.PARTY_AGENT, None, "alpha")
    user("analyst", Role.ANALYST, None)
    session.flush()
    return world


# contest name: (body, kind, seats, district number or None, precincts of the district)
CONTESTS = {
    "mazhilis_list": ("mazhilis", ContestKind.MAZHILIS_LIST, 69, None, ()),
    "mazhilis_m1": (
        "mazhilis",
        ContestKind.MAZHILIS_SMD,
        1,
        1,
        ("p1", "p2", "p3", "p4", "p5", "p6"),
    ),
    "oblast_list": ("oblast", ContestKind.FIRST_LEVEL_LIST, 3, None, ()),
    "oblast_o1": ("oblast", ContestKind.FIRST_LEVEL_SMD, 1, 1, ("p1", "p2")),
    "oblast_o2": ("oblast", ContestKind.FIRST_LEVEL_SMD, 1, 2, ("p3",)),
    "oblast_o3": ("oblast", ContestKind.FIRST_LEVEL_SMD, 1, 3, ("p4",)),
    "capital_list": ("capital", ContestKind.FIRST_LEVEL_LIST, 2, None, ()),
    "capital_c1": ("capital", ContestKind.FIRST_LEVEL_SMD, 1, 1, ("p5",)),
    "capital_c2": ("capital", ContestKind.FIRST_LEVEL_SMD, 1, 2, ("p6",)),
    "district_d1": ("district", ContestKind.SECOND_LEVEL_SMD, 1, 1, ("p1",)),
    "district_d2": ("district", ContestKind.SECOND_LEVEL_SMD, 1, 2, ("p2",)),
    "city_t1": ("city", ContestKind.SECOND_LEVEL_SMD, 1, 1, ("p3",)),
    "city_t2": ("city", ContestKind.SECOND_LEVEL_SMD, 1, 2, ("p4",)),
}


def build_election(session: Session, world: World) -> World:
    """The 19 March 2023 election over the test world, with every contest and district.

    Inserted directly for tests of later workflows; the election-setup service has its own tests.
    """
    election = Election(
        name="Test elections 2023",
        kind=ElectionKind.EARLY,
        rules="2023",
        called_on=date(2023, 1, 19),
        polling_day=date(2023, 3, 19),
    )
    session.add(election)
    session.flush()
    world.election = election.id
    for name, (body, kind, seats, number, precincts) in CONTESTS.items():
        district_id = None
        if number is not None:
            district = District(
                election_id=election.id, body_id=world.bodies[body], number=number, name=name
            )
            session.add(district)
            session.flush()
            for precinct in precincts:
                session.add(
                    DistrictPrecinct(district_id=district.id, precinct_id=world.precincts[precinct])
                )
            district_id = district.id
            world.districts[name] = district.id
        contest = Contest(
            election_id=election.id,
            body_id=world.bodies[body],
            kind=kind,
            district_id=district_id,
            seats=seats,
        )
        session.add(contest)
        session.flush()
        world.contests[name] = contest.id
    return world
