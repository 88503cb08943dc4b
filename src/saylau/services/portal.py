"""What the party and candidate portal shows: open contests, one's candidacies, and one
candidacy's whole case — checklist, files, deposit, decision and the next deadline.

Reads only. A party agent sees its party's candidacies, a candidate its own application, a
commission member (DECIDE_REGISTRATION) those of its territory; anyone else is refused (and the
refusal logged when run through ``execute``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, Role
from saylau.domain.states import CandidacyState
from saylau.law.calendar import Calendar
from saylau.law.deposit import DepositDue
from saylau.law.nomination import Label, NominationRoute, RefusalReason, required_documents
from saylau.law.quota import QuotaCheck
from saylau.services.applicants import applications, owns
from saylau.services.candidacy import (
    PENDING_STATES,
    Candidacy,
    CandidacyRef,
    candidacy_scope,
    contest_of,
    deposit_due_for,
    deposit_paid,
    documents_report,
    load_candidacy,
    route_of,
)
from saylau.services.contests import contest_region_id, contest_scope
from saylau.services.context import Context
from saylau.services.deadlines import contest_calendar
from saylau.services.documents import DocumentsReport
from saylau.services.errors import PermissionDenied, ServiceError
from saylau.services.nomination import list_quota_of
from saylau.services.parties import require_may_nominate
from saylau.services.uploads import (
    StoredFile,
    candidacy_of_file,
    describe,
    files_of,
    load_file,
)
from saylau.storage.models import (
    Contest,
    Election,
    ElectionStatus,
    Nomination,
    Party,
    PartyList,
)

DEADLINES = ("registration_closes", "polling_opens", "results_deadline")
"""The stages a candidacy's case runs up against, in order: its file and deposit are due by the
close of registration, then polling and the results."""


@dataclass(frozen=True)
class ContestInfo:
    """A contest as the portal names it: election, body (three languages), list or district."""

    id: int
    election_id: int
    election: str
    body: Label
    is_list: bool
    district: int | None
    nomination_closes: datetime
    """Local time of the contest's region."""


@dataclass(frozen=True)
class Deadline:
    stage: str
    at: datetime
    """Local time of the contest's region."""
    article: str


@dataclass(frozen=True)
class CandidacySummary:
    ref: str
    contest: ContestInfo
    route: NominationRoute
    party: Label | None
    candidate: str
    """The person's name (a district nomination) or empty (a list)."""
    persons: int
    state: CandidacyState
    submitted_at: datetime
    missing: int
    """Checklist documents still missing."""


@dataclass(frozen=True)
class ListPerson:
    position: int
    iin: str
    name: str
    name_ru: str
    withdrawn: bool
    missing: tuple[str, ...]
    """This person's documents still missing (checklist ids)."""


@dataclass(frozen=True)
class CandidacyView:
    """One candidacy's case as its nominator follows it."""

    summary: CandidacySummary
    documents: DocumentsReport
    received: tuple[str, ...]
    """The checklist ids received for the file itself."""
    files: tuple[StoredFile, ...]
    persons: tuple[ListPerson, ...]
    deposit: DepositDue
    paid: int
    quota: QuotaCheck | None
    reason: RefusalReason | None
    note: str
    registered_at: datetime | None
    next_deadline: Deadline | None
    open: bool
    """Documents are still taken (pending, before registration closes)."""


# --- naming --------------------------------------------------------------------------------------


def party_label(party: Party) -> Label:
    return Label(party.name_kk, party.name_ru or party.name_kk, party.name_en)


def _calendar(
    session: Session, contest: Contest, cache: dict[tuple[int, int | None], Calendar]
) -> Calendar:
    key = (contest.election_id, contest_region_id(session, contest))
    if key not in cache:
        cache[key] = contest_calendar(session, contest)
    return cache[key]


def contest_info(
    session: Session, contest: Contest, cache: dict[tuple[int, int | None], Calendar] | None = None
) -> ContestInfo:
    calendar = _calendar(session, contest, {} if cache is None else cache)
    body = contest.body
    return ContestInfo(
        id=contest.id,
        election_id=contest.election_id,
        election=contest.election.name,
        body=Label(body.name_kk, body.name_ru or body.name_kk, body.name_en),
        is_list=contest.kind.is_list,
        district=contest.district.number if contest.district is not None else None,
        nomination_closes=calendar.stage("nomination_closes").at,
    )


def summary(
    session: Session,
    candidacy: Candidacy,
    cache: dict[tuple[int, int | None], Calendar] | None = None,
) -> CandidacySummary:
    contest = contest_of(session, candidacy)
    party = session.get(Party, candidacy.party_id) if candidacy.party_id is not None else None
    if isinstance(candidacy, PartyList):
        candidate, persons = "", len([e for e in candidacy.entries if not e.withdrawn])
    else:
        candidate, persons = candidacy.person.full_name, 1
    info = contest_info(session, contest, cache)
    return CandidacySummary(
        ref=str(CandidacyRef.of(candidacy)),
        contest=info,
        route=route_of(candidacy),
        party=party_label(party) if party is not None else None,
        candidate=candidate,
        persons=persons,
        state=candidacy.state,
        submitted_at=candidacy.submitted_at.astimezone(info.nomination_closes.tzinfo),
        missing=len(documents_report(session, candidacy).missing),
    )


# --- who may look --------------------------------------------------------------------------------


def authorize_candidacy(ctx: Context, candidacy: Candidacy) -> None:
    """Refuse unless the actor nominated this candidacy or decides on it."""
    role = ctx.actor.role
    if role is Role.CANDIDATE:
        if isinstance(candidacy, Nomination) and owns(ctx.session, ctx.actor.user_id, candidacy.id):
            return
        raise PermissionDenied(
            "not_your_application",
            f"{CandidacyRef.of(candidacy)} is not an application made by {ctx.actor.username}",
            field="candidacy",
        )
    if role is Role.PARTY_AGENT:
        ctx.authorize(Action.SUBMIT_NOMINATION, candidacy_scope(ctx.session, candidacy))
        return
    ctx.authorize(
        Action.DECIDE_REGISTRATION, contest_scope(ctx.session, contest_of(ctx.session, candidacy))
    )


# --- reads ---------------------------------------------------------------------------------------


def next_deadline(calendar: Calendar, now: datetime, state: CandidacyState) -> Deadline | None:
    """The first stage of :data:`DEADLINES` still ahead that matters in ``state``."""
    stages = DEADLINES if state in PENDING_STATES else DEADLINES[1:]
    for stage_id in stages:
        stage = calendar.stage(stage_id)
        if stage.at > now:
            return Deadline(stage.id, stage.at, stage.article)
    return None


def candidacy_view(ctx: Context, ref: CandidacyRef) -> CandidacyView:
    """The whole case of one candidacy (a read)."""
    candidacy = load_candidacy(ctx, ref)
    authorize_candidacy(ctx, candidacy)
    session = ctx.session
    contest = contest_of(session, candidacy)
    calendar = contest_calendar(session, contest)
    report = documents_report(session, candidacy)
    persons: tuple[ListPerson, ...] = ()
    if isinstance(candidacy, PartyList):
        persons = tuple(
            ListPerson(
                entry.position,
                entry.person.iin,
                entry.person.full_name,
                " ".join(
                    p
                    for p in (
                        entry.person.surname_ru,
                        entry.person.name_ru,
                        entry.person.patronymic_ru,
                    )
                    if p
                ),
                entry.withdrawn,
                tuple(m.document for m in report.missing if m.iin == entry.person.iin),
            )
            for entry in candidacy.entries
        )
    missing_own = {m.document for m in report.missing if m.iin is None}
    per_person = {d.id for d in required_documents(report.route) if d.per_person}
    registration_closes = calendar.stage("registration_closes").at
    return CandidacyView(
        summary=summary(session, candidacy),
        documents=report,
        received=tuple(d for d in report.required if d not in missing_own and d not in per_person),
        files=files_of(session, candidacy),
        persons=persons,
        deposit=deposit_due_for(session, candidacy),
        paid=deposit_paid(session, candidacy),
        quota=list_quota_of(session, candidacy) if isinstance(candidacy, PartyList) else None,
        reason=candidacy.refusal_reason,
        note=candidacy.state_note,
        registered_at=(
            candidacy.registered_at.astimezone(registration_closes.tzinfo)
            if candidacy.registered_at is not None
            else None
        ),
        next_deadline=next_deadline(calendar, ctx.now, candidacy.state),
        open=candidacy.state in PENDING_STATES and ctx.now <= registration_closes,
    )


def party_candidacies(ctx: Context) -> tuple[CandidacySummary, ...]:
    """The acting party agent's party's lists and nominations, newest first."""
    party_id = ctx.actor.party_id
    if ctx.actor.role is not Role.PARTY_AGENT or party_id is None:
        raise PermissionDenied(
            "party_agents_only", f"the role {ctx.actor.role.value} acts for no party"
        )
    lists = ctx.session.execute(
        select(PartyList).where(PartyList.party_id == party_id).order_by(PartyList.id.desc())
    ).scalars()
    nominations = ctx.session.execute(
        select(Nomination).where(Nomination.party_id == party_id).order_by(Nomination.id.desc())
    ).scalars()
    cache: dict[tuple[int, int | None], Calendar] = {}
    return tuple(summary(ctx.session, c, cache) for c in [*lists, *nominations])


def own_candidacies(ctx: Context) -> tuple[CandidacySummary, ...]:
    """The acting candidate's applications, newest first."""
    return tuple(
        summary(ctx.session, load_candidacy(ctx, CandidacyRef.parse(f"smd:{nomination_id}")))
        for nomination_id in applications(ctx)
    )


def open_contests(ctx: Context, *, lists: bool) -> tuple[ContestInfo, ...]:
    """Contests (party-list ones, or district ones) whose nomination is open now; for a party
    agent only those its party may nominate in (admitted, with a branch in the region)."""
    cache: dict[tuple[int, int | None], Calendar] = {}
    standing: dict[tuple[int, int | None], bool] = {}
    rows = ctx.session.execute(
        select(Contest)
        .join(Election, Election.id == Contest.election_id)
        .where(Election.status == ElectionStatus.CALLED)
        .order_by(Contest.election_id, Contest.body_id, Contest.district_id)
    ).scalars()
    found: list[ContestInfo] = []
    for contest in rows:
        if contest.kind.is_list is not lists:
            continue
        calendar = _calendar(ctx.session, contest, cache)
        opens, closes = calendar.stage("nomination_opens"), calendar.stage("nomination_closes")
        if not opens.at <= ctx.now <= closes.at:
            continue
        if ctx.actor.role is Role.PARTY_AGENT and ctx.actor.party_id is not None:
            key = (contest.election_id, contest_region_id(ctx.session, contest))
            if key not in standing:
                try:
                    require_may_nominate(ctx.session, key[0], ctx.actor.party_id, key[1])
                    standing[key] = True
                except ServiceError:  # not admitted, or no branch there
                    standing[key] = False
            if not standing[key]:
                continue
        found.append(contest_info(ctx.session, contest, cache))
    return tuple(found)


def file_download(ctx: Context, file_id: int) -> tuple[StoredFile, bytes]:
    """A stored file and its bytes, for its uploader (a draft) or whoever may see its
    candidacy (:func:`authorize_candidacy`)."""
    row = load_file(ctx, file_id)
    candidacy = candidacy_of_file(ctx.session, row)
    if candidacy is None:
        if row.owner_user_id is None or row.owner_user_id != ctx.actor.user_id:
            raise PermissionDenied(
                "not_your_file",
                f"document file {file_id} is a draft of another account",
                field="file_id",
            )
    else:
        authorize_candidacy(ctx, candidacy)
    return describe(row), row.content
