"""Nomination routes, registration documents (CL arts. 103–105; monograph §3.1, §3.2, §3.6)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.errors import LawInputError
from saylau.law.nomination import (
    Contest,
    DocumentRole,
    NominationRoute,
    Nominator,
    Provider,
    RefusalReason,
    check_documents,
    permitted_routes,
    required_documents,
    route_for,
    routes_open,
)
from saylau.law.rules import RULES_2016, RULES_2021, RULES_2023, MaslikhatKind


def test_party_lists_are_for_parties_only() -> None:
    """CL art. 103 para 1 subpara 1: only political parties put forward lists."""
    assert permitted_routes(Contest.PARTY_LIST) == (NominationRoute.PARTY_LIST,)
    assert route_for(Nominator.POLITICAL_PARTY, Contest.PARTY_LIST) is NominationRoute.PARTY_LIST
    for nominator in (Nominator.PUBLIC_ASSOCIATION, Nominator.CITIZEN):
        with pytest.raises(LawInputError) as caught:
            route_for(nominator, Contest.PARTY_LIST)
        assert caught.value.value == nominator.value
        assert "103" in caught.value.rule


def test_single_member_nominators() -> None:
    """CL art. 103 para 1 subpara 2: parties, public associations, self-nomination."""
    assert permitted_routes(Contest.SINGLE_MEMBER) == (
        NominationRoute.PARTY_SMD,
        NominationRoute.PUBLIC_ASSOCIATION_SMD,
        NominationRoute.SELF_NOMINATED_SMD,
    )
    assert route_for(Nominator.CITIZEN, Contest.SINGLE_MEMBER) is NominationRoute.SELF_NOMINATED_SMD
    assert (
        route_for(Nominator.PUBLIC_ASSOCIATION, Contest.SINGLE_MEMBER)
        is NominationRoute.PUBLIC_ASSOCIATION_SMD
    )


def test_party_non_party_split() -> None:
    """Monograph §3.1: "party" candidates are those nominated by a party, the rest "non-party"."""
    assert [r.party_nominated for r in NominationRoute] == [True, True, False, False]


def test_routes_by_level_and_rule_set() -> None:
    """CL art. 9 paras 3–4: 2023 first level mixed (all routes), second level SMD only;
    2021 lists only; 2016 single-member only."""
    assert routes_open(MaslikhatKind.OBLAST, RULES_2023) == tuple(NominationRoute)
    assert routes_open(MaslikhatKind.DISTRICT, RULES_2023) == permitted_routes(
        Contest.SINGLE_MEMBER
    )
    assert routes_open(MaslikhatKind.CITY, RULES_2021) == (NominationRoute.PARTY_LIST,)
    assert routes_open(MaslikhatKind.CAPITAL, RULES_2016) == permitted_routes(Contest.SINGLE_MEMBER)


def ids(route: NominationRoute) -> list[str]:
    return [d.id for d in required_documents(route)]


def test_party_list_documents() -> None:
    """CL art. 104 para 3 / Table 4: six documents, membership for lists only."""
    assert ids(NominationRoute.PARTY_LIST) == [
        "nomination_minutes",
        "biography",
        "deposit_payment",
        "asset_declaration_certificate",
        "consent",
        "party_membership",
    ]
    by_id = {d.id: d for d in required_documents(NominationRoute.PARTY_LIST)}
    assert by_id["deposit_payment"].provided_by is Provider.POLITICAL_PARTY
    assert by_id["biography"].per_person
    assert by_id["party_membership"].per_person
    assert not by_id["nomination_minutes"].per_person


def test_nominated_smd_documents() -> None:
    """CL art. 104 para 3-1 part 1: five documents; the candidate pays the deposit."""
    for route in (NominationRoute.PARTY_SMD, NominationRoute.PUBLIC_ASSOCIATION_SMD):
        assert ids(route) == [
            "nomination_minutes",
            "biography",
            "deposit_payment",
            "asset_declaration_certificate",
            "consent",
        ]
        by_id = {d.id: d for d in required_documents(route)}
        assert by_id["deposit_payment"].provided_by is Provider.CANDIDATE


def test_self_nominee_documents() -> None:
    """CL art. 104 para 3-1 part 2: four documents; the application of intent is both the
    founding act and the consent (Table 4 repeats it in both rows)."""
    documents = required_documents(NominationRoute.SELF_NOMINATED_SMD)
    assert [d.id for d in documents] == [
        "intent_application",
        "biography",
        "deposit_payment",
        "asset_declaration_certificate",
    ]
    assert documents[0].roles == (DocumentRole.FOUNDING_ACT, DocumentRole.CONSENT)


@pytest.mark.parametrize("route", list(NominationRoute))
def test_every_table_4_row_is_covered(route: NominationRoute) -> None:
    """Table 4: founding act, biography, deposit, asset declaration, consent for every route;
    membership for lists only. Every document has kk/ru/en names and an article."""
    roles = {role for d in required_documents(route) for role in d.roles}
    expected = set(DocumentRole) - {DocumentRole.MEMBERSHIP}
    if route is NominationRoute.PARTY_LIST:
        expected.add(DocumentRole.MEMBERSHIP)
    assert roles == expected
    for d in required_documents(route):
        assert d.name.kk and d.name.ru and d.name.en
        assert d.article.startswith("CL art. 104")


def test_table_4_wording() -> None:
    """Names follow the monograph's Table 4 (English rendering of the seed table)."""
    smd = {d.id: d for d in required_documents(NominationRoute.PARTY_SMD)}
    assert smd["consent"].name.en == (
        "Candidate's application consenting to run as a deputy candidate nominated by the party "
        "or public association"
    )
    assert smd["biography"].name.kk == "өмірбаяндық деректер"


def test_check_documents_reports_what_is_missing() -> None:
    """The "what's missing" checklist (art. 104 para 6 subpara 3: missing documents → refusal)."""
    route = NominationRoute.SELF_NOMINATED_SMD
    assert [d.id for d in check_documents(route, set())] == ids(route)
    assert check_documents(route, set(ids(route))) == ()
    missing = check_documents(route, {"biography", "intent_application"})
    assert [d.id for d in missing] == ["deposit_payment", "asset_declaration_certificate"]


def test_check_documents_refuses_unknown_ids() -> None:
    """A typo or another route's document must not make a file look complete."""
    with pytest.raises(LawInputError) as caught:
        check_documents(NominationRoute.SELF_NOMINATED_SMD, {"party_membership"})
    assert caught.value.value == ["party_membership"]
    with pytest.raises(LawInputError):
        check_documents(NominationRoute.PARTY_LIST, {"biografy"})


@settings(max_examples=100)
@given(route=st.sampled_from(NominationRoute), data=st.data())
def test_missing_is_the_complement(route: NominationRoute, data: st.DataObject) -> None:
    """Missing = required − provided, in checklist order."""
    all_ids = ids(route)
    provided = data.draw(st.sets(st.sampled_from(all_ids)))
    assert [d.id for d in check_documents(route, provided)] == [
        i for i in all_ids if i not in provided
    ]


def test_refusal_reasons() -> None:
    """Monograph §3.6 grounds (CL art. 104 paras 6, 6-1) and §3.8 practical drop-out reasons."""
    expected = {
        "nomination_procedure_broken",
        "early_campaigning",
        "defamation",
        "abuse_of_office",
        "bribery",
        "concealed_assets",
        "requirements_not_met",
        "incomplete_documents",
        "filed_after_registration_closed",
        "withdrawn_by_own_application",
    }
    assert expected <= {r.value for r in RefusalReason}
    labels = [r.label for r in RefusalReason]
    for language in ("kk", "ru", "en"):
        texts = [getattr(label, language) for label in labels]
        assert all(texts) and len(set(texts)) == len(texts)
    assert RefusalReason.WITHDRAWN_BY_OWN_APPLICATION.article.startswith("CL art. 105")
    assert all(r.article.startswith("CL art. 10") for r in RefusalReason)
