"""Nomination: who may nominate in which contest, the documents each route needs, refusal reasons.

Sources: CL art. 103 para 1 (maslikhat nominators), art. 87 para 1 (Mazhilis, same pattern),
art. 104 paras 3, 3-1 (documents for registration), art. 104 paras 6 subpara 3–4 and 6-1 subpara 3–4
(refusal and cancellation of registration), art. 105 para 1 (withdrawal); monograph §3.1, §3.2
(Table 4), §3.6, §3.8.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from saylau.law.errors import LawInputError
from saylau.law.rules import ElectoralSystem, MaslikhatKind, RuleSet


@dataclass(frozen=True)
class Label:
    """A name in the three languages of the interface."""

    kk: str
    ru: str
    en: str


class Contest(StrEnum):
    """The two kinds of contest a candidate can be nominated in (CL art. 9)."""

    PARTY_LIST = "party_list"
    SINGLE_MEMBER = "single_member"


class Nominator(StrEnum):
    """Who nominates (monograph §3.1: store the type, derive the party / non-party split)."""

    POLITICAL_PARTY = "political_party"
    PUBLIC_ASSOCIATION = "public_association"
    """A public association other than a party, or its structural subdivision whose charter allows
    it to nominate (CL art. 103 para 1 subpara 2)."""
    CITIZEN = "citizen"
    """Self-nomination (CL art. 103 para 5-1)."""


class NominationRoute(StrEnum):
    """A permitted (nominator, contest) pair (CL art. 103 para 1; Mazhilis: art. 87 para 1)."""

    PARTY_LIST = "party_list"
    PARTY_SMD = "party_smd"
    PUBLIC_ASSOCIATION_SMD = "public_association_smd"
    SELF_NOMINATED_SMD = "self_nominated_smd"

    @property
    def nominator(self) -> Nominator:
        return _ROUTE_PARTS[self][0]

    @property
    def contest(self) -> Contest:
        return _ROUTE_PARTS[self][1]

    @property
    def party_nominated(self) -> bool:
        """The monograph's "party" vs "non-party" split of candidates (§3.1)."""
        return self.nominator is Nominator.POLITICAL_PARTY


_ROUTE_PARTS: Mapping[NominationRoute, tuple[Nominator, Contest]] = MappingProxyType(
    {
        NominationRoute.PARTY_LIST: (Nominator.POLITICAL_PARTY, Contest.PARTY_LIST),
        NominationRoute.PARTY_SMD: (Nominator.POLITICAL_PARTY, Contest.SINGLE_MEMBER),
        NominationRoute.PUBLIC_ASSOCIATION_SMD: (
            Nominator.PUBLIC_ASSOCIATION,
            Contest.SINGLE_MEMBER,
        ),
        NominationRoute.SELF_NOMINATED_SMD: (Nominator.CITIZEN, Contest.SINGLE_MEMBER),
    }
)


def permitted_routes(contest: Contest) -> tuple[NominationRoute, ...]:
    """Routes open in a contest: lists — parties only; single-member districts — parties, public
    associations (and their structural subdivisions), self-nomination (CL art. 103 para 1)."""
    return tuple(route for route in NominationRoute if route.contest is contest)


def route_for(nominator: Nominator, contest: Contest) -> NominationRoute:
    """The route for a nominator in a contest; refuses pairs the law does not permit
    (e.g. a public association or a citizen cannot put forward a party list, CL art. 103 para 1)."""
    for route in NominationRoute:
        if route.nominator is nominator and route.contest is contest:
            return route
    raise LawInputError(
        "nominator",
        nominator.value,
        f"may not nominate in a {contest.value} contest; permitted: "
        f"{[r.nominator.value for r in permitted_routes(contest)]} (CL art. 103 para 1)",
    )


def contests_in(kind: MaslikhatKind, rules: RuleSet) -> tuple[Contest, ...]:
    """The contests of a maslikhat of this kind under ``rules`` (CL art. 9 paras 3–4)."""
    system = rules.system_for(kind)
    if system is ElectoralSystem.MIXED:
        return (Contest.PARTY_LIST, Contest.SINGLE_MEMBER)
    if system is ElectoralSystem.PARTY_LIST:
        return (Contest.PARTY_LIST,)
    return (Contest.SINGLE_MEMBER,)


def routes_open(kind: MaslikhatKind, rules: RuleSet) -> tuple[NominationRoute, ...]:
    """Every nomination route open at a maslikhat of this kind under ``rules``."""
    return tuple(route for c in contests_in(kind, rules) for route in permitted_routes(c))


class DocumentRole(StrEnum):
    """The rows of the monograph's Table 4: what each document does for registration."""

    FOUNDING_ACT = "founding_act"
    BIOGRAPHY = "biography"
    DEPOSIT = "deposit"
    ASSET_DECLARATION = "asset_declaration"
    CONSENT = "consent"
    MEMBERSHIP = "membership"


class Provider(StrEnum):
    """Who hands the document in."""

    POLITICAL_PARTY = "political_party"
    NOMINATOR = "nominator"
    """The nominating party or public association (or its structural subdivision)."""
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class RequiredDocument:
    """One document a route needs for registration.

    ``id`` is stable across routes (the same kind of document has the same id); the names are those
    of the route (monograph Table 4 for kk/en, the statute's wording for ru).
    """

    id: str
    name: Label
    roles: tuple[DocumentRole, ...]
    provided_by: Provider
    per_person: bool
    """One for every person on the list (party lists), not one per nomination."""
    article: str


_ASSETS = Label(
    kk="кандидат пен оның жұбайының (зайыбының) активтер мен міндеттемелер туралы декларацияларды "
    "тапсырғаны туралы мемлекеттік кіріс органының анықтамасы",
    ru="справка органа государственных доходов о сдаче кандидатом и его (её) супругой (супругом) "
    "деклараций об активах и обязательствах",
    en="Certificate of the state revenue body that the candidate and spouse have filed "
    "declarations of assets and liabilities",
)
_CANDIDATE_DEPOSIT = Label(
    kk="кандидаттың сайлау жарнасын енгізгенін растайтын құжат",
    ru="документ, подтверждающий внесение кандидатом избирательного взноса",
    en="Document confirming payment of the electoral deposit by the candidate",
)
_BIOGRAPHY = Label(
    kk="өмірбаяндық деректер",
    ru="биографические данные о кандидате",
    en="Biographical data",
)

_PARTY_LIST_DOCUMENTS = (
    RequiredDocument(
        id="nomination_minutes",
        name=Label(
            kk="саяси партияның жоғары органының партиялық тізімді ұсыну туралы хаттамасынан "
            "үзінді көшірме",
            ru="выписка из протокола высшего руководящего органа филиала (представительства) "
            "политической партии о выдвижении партийного списка с копией документа о регистрации "
            "партии",
            en="Extract from the minutes of the supreme body of the political party on nominating "
            "the party list",
        ),
        roles=(DocumentRole.FOUNDING_ACT,),
        provided_by=Provider.POLITICAL_PARTY,
        per_person=False,
        article="CL art. 104 para 3 subpara 1",
    ),
    RequiredDocument(
        id="biography",
        name=Label(
            kk="партиялық тізімге енген әрбір адам туралы өмірбаяндық деректер",
            ru="биографические данные о каждом лице, включённом в партийный список",
            en="Biographical data on each person included in the party list",
        ),
        roles=(DocumentRole.BIOGRAPHY,),
        provided_by=Provider.POLITICAL_PARTY,
        per_person=True,
        article="CL art. 104 para 3 subpara 3",
    ),
    RequiredDocument(
        id="deposit_payment",
        name=Label(
            kk="саяси партияның сайлау жарнасын енгізгенін растайтын құжат",
            ru="документ, подтверждающий внесение политической партией избирательного взноса",
            en="Document confirming payment of the electoral deposit by the political party",
        ),
        roles=(DocumentRole.DEPOSIT,),
        provided_by=Provider.POLITICAL_PARTY,
        per_person=False,
        article="CL art. 104 para 3 subpara 4",
    ),
    RequiredDocument(
        id="asset_declaration_certificate",
        name=_ASSETS,
        roles=(DocumentRole.ASSET_DECLARATION,),
        provided_by=Provider.CANDIDATE,
        per_person=True,
        article="CL art. 104 para 3 subpara 5; para 2",
    ),
    RequiredDocument(
        id="consent",
        name=Label(
            kk="азаматтың партиялық тізімге енгізуге келісімі туралы өтініші",
            ru="заявление гражданина о согласии быть включённым в партийный список",
            en="Candidate's application consenting to inclusion in the party list",
        ),
        roles=(DocumentRole.CONSENT,),
        provided_by=Provider.CANDIDATE,
        per_person=True,
        article="CL art. 104 para 3 subpara 2; art. 103 para 4",
    ),
    RequiredDocument(
        id="party_membership",
        name=Label(
            kk="кандидаттың саяси партияға мүшелігін растайтын құжат",
            ru="документ, подтверждающий членство лица, включённого в партийный список, в "
            "политической партии, выдвинувшей список",
            en="Document confirming the candidate's membership in the political party",
        ),
        roles=(DocumentRole.MEMBERSHIP,),
        provided_by=Provider.POLITICAL_PARTY,
        per_person=True,
        article="CL art. 104 para 3 subpara 6; art. 103 para 3",
    ),
)

_NOMINATED_SMD_DOCUMENTS = (
    RequiredDocument(
        id="nomination_minutes",
        name=Label(
            kk="кандидатты ұсыну туралы партияның немесе қоғамдық бірлестіктің жоғары басшылық "
            "органының хаттамасынан үзінді",
            ru="выписка из протокола высшего руководящего органа политической партии "
            "(общественного объединения) о выдвижении кандидата с выпиской из устава и копией "
            "документа о регистрации",
            en="Extract from the minutes of the supreme governing body of the party or public "
            "association on nominating the candidate",
        ),
        roles=(DocumentRole.FOUNDING_ACT,),
        provided_by=Provider.NOMINATOR,
        per_person=False,
        article="CL art. 104 para 3-1 part 1 subpara 1; art. 103 para 5-1",
    ),
    RequiredDocument(
        id="biography",
        name=_BIOGRAPHY,
        roles=(DocumentRole.BIOGRAPHY,),
        provided_by=Provider.NOMINATOR,
        per_person=False,
        article="CL art. 104 para 3-1 part 1 subpara 3",
    ),
    RequiredDocument(
        id="deposit_payment",
        name=_CANDIDATE_DEPOSIT,
        roles=(DocumentRole.DEPOSIT,),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 1 subpara 5; para 1-1",
    ),
    RequiredDocument(
        id="asset_declaration_certificate",
        name=_ASSETS,
        roles=(DocumentRole.ASSET_DECLARATION,),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 1 subpara 4; para 2",
    ),
    RequiredDocument(
        id="consent",
        name=Label(
            kk="кандидаттың партиядан немесе қоғамдық бірлестіктен депутаттыққа кандидат болып "
            "дауысқа түсуге келісімі туралы өтініші",
            ru="заявление гражданина о согласии баллотироваться кандидатом по данному округу от "
            "выдвинувшей его политической партии (общественного объединения)",
            en="Candidate's application consenting to run as a deputy candidate nominated by the "
            "party or public association",
        ),
        roles=(DocumentRole.CONSENT,),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 1 subpara 2",
    ),
)

_SELF_NOMINATED_DOCUMENTS = (
    RequiredDocument(
        id="intent_application",
        name=Label(
            kk="округ бойынша кандидат ретінде сайлауға түсу ниеті туралы өтініш",
            ru="заявление о намерении баллотироваться кандидатом по данному избирательному округу",
            en="Application stating the intention to run as a candidate in the district",
        ),
        roles=(DocumentRole.FOUNDING_ACT, DocumentRole.CONSENT),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 2 subpara 1; art. 103 para 5-1",
    ),
    RequiredDocument(
        id="biography",
        name=_BIOGRAPHY,
        roles=(DocumentRole.BIOGRAPHY,),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 2 subpara 2",
    ),
    RequiredDocument(
        id="deposit_payment",
        name=_CANDIDATE_DEPOSIT,
        roles=(DocumentRole.DEPOSIT,),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 2 subpara 4; para 1-1",
    ),
    RequiredDocument(
        id="asset_declaration_certificate",
        name=_ASSETS,
        roles=(DocumentRole.ASSET_DECLARATION,),
        provided_by=Provider.CANDIDATE,
        per_person=False,
        article="CL art. 104 para 3-1 part 2 subpara 3; para 2",
    ),
)

_DOCUMENTS: Mapping[NominationRoute, tuple[RequiredDocument, ...]] = MappingProxyType(
    {
        NominationRoute.PARTY_LIST: _PARTY_LIST_DOCUMENTS,
        NominationRoute.PARTY_SMD: _NOMINATED_SMD_DOCUMENTS,
        NominationRoute.PUBLIC_ASSOCIATION_SMD: _NOMINATED_SMD_DOCUMENTS,
        NominationRoute.SELF_NOMINATED_SMD: _SELF_NOMINATED_DOCUMENTS,
    }
)


def required_documents(route: NominationRoute) -> tuple[RequiredDocument, ...]:
    """The registration documents of a route, in the order of Table 4 (CL art. 104 paras 3, 3-1).

    For a self-nominee the application of intent is both the founding act and the consent, as the
    statute lists it once (art. 104 para 3-1 part 2).
    """
    return _DOCUMENTS[route]


def check_documents(route: NominationRoute, provided: Set[str]) -> tuple[RequiredDocument, ...]:
    """The documents still missing, in checklist order; empty when the file is complete.

    An id that the route does not use is refused (it is a mistake, not a document), so a typo cannot
    make a file look complete.
    """
    documents = required_documents(route)
    known = {d.id for d in documents}
    unknown = sorted(set(provided) - known)
    if unknown:
        raise LawInputError(
            "provided",
            unknown,
            f"not a registration document of route {route.value}; known: {sorted(known)} "
            "(CL art. 104 paras 3, 3-1)",
        )
    return tuple(d for d in documents if d.id not in provided)


class RefusalReason(StrEnum):
    """Why a candidacy or list is refused, cancelled or drops out before registration.

    The statutory grounds of CL art. 104 para 6 subparas 3–4 and para 6-1 subparas 3–4 (monograph
    §3.6), plus the practical reasons of the 2023 statistics (§3.8): withdrawal by one's own
    application (art. 105 para 1) and filing after registration closed (art. 104 para 8).
    """

    NOMINATION_PROCEDURE_BROKEN = "nomination_procedure_broken"
    INCOMPLETE_DOCUMENTS = "incomplete_documents"
    EARLY_CAMPAIGNING = "early_campaigning"
    DEFAMATION = "defamation"
    BRIBERY = "bribery"
    REQUIREMENTS_NOT_MET = "requirements_not_met"
    ABUSE_OF_OFFICE = "abuse_of_office"
    CONCEALED_ASSETS = "concealed_assets"
    LIST_MAJORITY_WITHDREW = "list_majority_withdrew"
    FILED_AFTER_REGISTRATION_CLOSED = "filed_after_registration_closed"
    WITHDRAWN_BY_OWN_APPLICATION = "withdrawn_by_own_application"

    @property
    def label(self) -> Label:
        return _REFUSAL[self][0]

    @property
    def article(self) -> str:
        return _REFUSAL[self][1]


_REFUSAL: Mapping[RefusalReason, tuple[Label, str]] = MappingProxyType(
    {
        RefusalReason.NOMINATION_PROCEDURE_BROKEN: (
            Label(
                kk="ұсыну тәртібінің бұзылуы",
                ru="нарушение правил выдвижения",
                en="Nomination rules broken",
            ),
            "CL art. 104 para 6 subpara 3, para 6-1 subpara 3",
        ),
        RefusalReason.INCOMPLETE_DOCUMENTS: (
            Label(
                kk="тіркеуге қажетті құжаттардың ұсынылмауы",
                ru="непредставление необходимых документов для регистрации",
                en="Documents required for registration not submitted",
            ),
            "CL art. 104 para 6 subpara 3, para 6-1 subpara 3",
        ),
        RefusalReason.EARLY_CAMPAIGNING: (
            Label(
                kk="тіркеу мерзімі аяқталғанға дейін сайлауалды үгіт жүргізу",
                ru="предвыборная агитация до окончания срока регистрации",
                en="Campaigning before registration closed",
            ),
            "CL art. 104 para 6 subparas 3–4, para 6-1 subpara 3",
        ),
        RefusalReason.DEFAMATION: (
            Label(
                kk="басқа кандидаттың ар-намысы мен қадір-қасиетін қорлайтын жалған мәліметтер "
                "таратылғанын соттың анықтауы",
                ru="установление судом распространения ложных сведений, порочащих честь и "
                "достоинство другого кандидата",
                en="Defamation of another candidate established by a court",
            ),
            "CL art. 104 para 6 subpara 3, para 6-1 subpara 3",
        ),
        RefusalReason.BRIBERY: (
            Label(
                kk="сайлаушыларды сатып алу фактілерін соттың анықтауы",
                ru="установление судом фактов подкупа избирателей",
                en="Bribery of voters established by a court",
            ),
            "CL art. 104 para 6 subparas 3–4, para 6-1 subpara 3",
        ),
        RefusalReason.REQUIREMENTS_NOT_MET: (
            Label(
                kk="кандидаттың Конституция мен Конституциялық заңда қойылатын талаптарға сәйкес "
                "келмеуі",
                ru="несоответствие кандидата требованиям Конституции и Конституционного закона",
                en="Candidate does not meet the requirements of the Constitution and the law",
            ),
            "CL art. 104 para 6 subpara 4, para 6-1 subpara 3",
        ),
        RefusalReason.ABUSE_OF_OFFICE: (
            Label(
                kk="сайлауалды науқанда лауазымдық немесе қызметтік жағдайын пайдалану",
                ru="использование должностного или служебного положения в предвыборной кампании",
                en="Use of official position in the campaign",
            ),
            "CL art. 104 para 6 subpara 4, para 6-1 subpara 3",
        ),
        RefusalReason.CONCEALED_ASSETS: (
            Label(
                kk="активтер мен міндеттемелер туралы декларациядағы мәліметтердің дұрыс еместігі",
                ru="недостоверность сведений об активах и обязательствах в декларации",
                en="False or concealed information in the declaration of assets and liabilities",
            ),
            "CL art. 104 para 6 subpara 4, para 6-1 subpara 4",
        ),
        RefusalReason.LIST_MAJORITY_WITHDREW: (
            Label(
                kk="партиялық тізімнен тізімдегі адамдардың елу пайыздан астамының шығуы",
                ru="выход из партийного списка лиц, составляющих более пятидесяти процентов списка",
                en="More than half of the persons on the party list withdrew",
            ),
            "CL art. 104 para 6 subpara 3",
        ),
        RefusalReason.FILED_AFTER_REGISTRATION_CLOSED: (
            Label(
                kk="құжаттар тіркеу мерзімі аяқталғаннан кейін тапсырылған",
                ru="документы поданы после окончания срока регистрации",
                en="Application filed after registration closed",
            ),
            "CL art. 104 para 8 (practice, monograph §3.8)",
        ),
        RefusalReason.WITHDRAWN_BY_OWN_APPLICATION: (
            Label(
                kk="кандидатураны өз өтініші бойынша қайтарып алу",
                ru="снятие кандидатуры по собственному заявлению",
                en="Withdrawn by the candidate's own application",
            ),
            "CL art. 105 para 1 (practice, monograph §3.8)",
        ),
    }
)
