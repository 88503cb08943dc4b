"""The register of political parties and their regional branches: set-up data, inserted directly.

No service records a party or a branch (the parties service only admits a stored party to an
election, and ``reference_load.load_reference_2023`` brings the seven 2023 parties only together
with the whole 2023 country). Parties are registered by the Ministry of Justice, outside the
election administration, so this is reference data rather than a workflow's product; the gap is
reported to the lead. Replace this module by the service call once one exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session, sessionmaker

from saylau.storage.models import Party, PartyBranch


def register_parties(
    factory: sessionmaker[Session],
    parties: Sequence[tuple[str, str, str]],
    branches: Mapping[str, Sequence[int]],
) -> dict[str, int]:
    """Store ``(code, name_kk, name_en)`` parties with branches in the given region ids."""
    ids: dict[str, int] = {}
    with factory() as session, session.begin():
        for code, name_kk, name_en in parties:
            party = Party(code=code, name_kk=name_kk, name_en=name_en)
            session.add(party)
            session.flush()
            ids[code] = party.id
            session.add_all(
                PartyBranch(party_id=party.id, region_id=region_id) for region_id in branches[code]
            )
    return ids
