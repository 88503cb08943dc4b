"""Self-nominees applying online: a public sign-up, draft files, and the application itself.

Anyone may open an account (:func:`sign_up`): it holds the role ``candidate`` and nothing else.
The account uploads the scanned documents of the self-nomination checklist as drafts
(:func:`upload_draft`), and applies in a district of its choice (:func:`apply`). An application
that still lacks a document is stopped, naming every missing one (CL art. 104 para 3-1 part 2;
the monograph's 2023 figures show incomplete files as the main reason self-nominees were refused).

A candidate covers no territory of its own, so it can act on nobody's candidacy through the other
services. Here, once its ownership is checked, it acts *as itself* (the audit log names the
account and the role ``candidate``) within the territory of its application's contest only
(:func:`_within`), through the same nomination services a party uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import CommissionLevel, Role
from saylau.law.nomination import NominationRoute, Nominator
from saylau.services.candidacy import INACTIVE_STATES, CandidacyKind, CandidacyRef
from saylau.services.contests import contest_scope
from saylau.services.context import Actor, Context
from saylau.services.documents import DocumentsReport, check_nomination_documents
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.nomination import NominationSubmitted, SmdNominationInput, submit_nomination
from saylau.services.persons import PersonInput
from saylau.services.uploads import StoredFile, Upload, describe, store_file, upload_document
from saylau.services.users import LOCALES, USERNAME, _check_password, _hasher, user_snapshot
from saylau.storage.models import (
    CandidateApplication,
    Contest,
    DocumentFile,
    Nomination,
    RoleAssignment,
    SubmittedDocument,
    User,
)

ROUTE = NominationRoute.SELF_NOMINATED_SMD


@dataclass(frozen=True)
class SignUp:
    username: str
    password: str
    full_name: str = ""
    locale: str = "kk"


@dataclass(frozen=True)
class Account:
    """The account made by :func:`sign_up` and its one role."""

    user_id: int
    username: str
    assignment_id: int


def sign_up(ctx: Context, data: SignUp) -> Account:
    """Open a self-nominee's account (public): user name and password (kept as an argon2 hash,
    as for every account), holding the role ``candidate`` only."""
    username = data.username.strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            "invalid_username",
            f"username={data.username!r}: 3–100 characters, lower-case letters, digits, "
            "'_', '.', '-', starting with a letter or digit",
            field="username",
        )
    if data.locale not in LOCALES:
        raise InvalidInput(
            "invalid_locale", f"locale={data.locale!r}: one of {', '.join(LOCALES)}", field="locale"
        )
    _check_password(data.password, username)
    if ctx.session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(
            "username_taken", f"username={username!r} is already taken", field="username"
        )
    user = User(
        username=username,
        full_name=data.full_name.strip()[:300],
        password_hash=_hasher().hash(data.password),
        locale=data.locale,
        active=True,
        created_at=ctx.now,
    )
    ctx.session.add(user)
    ctx.session.flush()
    assignment = RoleAssignment(user_id=user.id, role=Role.CANDIDATE)
    ctx.session.add(assignment)
    ctx.session.flush()
    ctx.audit(
        "sign_up", "user", user.id, None, {**user_snapshot(user), "role": Role.CANDIDATE.value}
    )
    return Account(user.id, user.username, assignment.id)


def _candidate(ctx: Context) -> int:
    """The acting candidate's user id; anyone else is refused."""
    if ctx.actor.role is not Role.CANDIDATE or ctx.actor.user_id is None:
        raise PermissionDenied(
            "candidates_only",
            f"the role {ctx.actor.role.value} does not apply as a self-nominee; sign up first",
        )
    return ctx.actor.user_id


def _within(ctx: Context, contest: Contest) -> Context:
    """The candidate acting within its application's contest only, in the same transaction and
    at the same moment."""
    scope = contest_scope(ctx.session, contest)
    if scope.region_id is None:  # a national contest (a Mazhilis district across regions)
        level = CommissionLevel.CEC
    elif scope.unit_id is not None:
        level = CommissionLevel.TEC_UNIT
    else:
        level = CommissionLevel.TEC_REGION
    actor: Actor = replace(ctx.actor, level=level, region_id=scope.region_id, unit_id=scope.unit_id)
    now = ctx.now
    return Context(ctx.session, actor, lambda: now)


# --- drafts -------------------------------------------------------------------------------------


def _drafts(session: Session, user_id: int) -> list[DocumentFile]:
    return list(
        session.execute(
            select(DocumentFile)
            .where(
                DocumentFile.owner_user_id == user_id,
                DocumentFile.submitted_document_id.is_(None),
            )
            .order_by(DocumentFile.id)
        ).scalars()
    )


def drafts(ctx: Context) -> tuple[StoredFile, ...]:
    """The acting candidate's draft files, not yet part of an application."""
    return tuple(describe(row) for row in _drafts(ctx.session, _candidate(ctx)))


def draft_report(ctx: Context) -> DocumentsReport:
    """What an application made now would still lack (a read)."""
    have = {row.document for row in _drafts(ctx.session, _candidate(ctx))}
    return check_nomination_documents(ROUTE, have)


def upload_draft(ctx: Context, document: str, upload: Upload) -> DocumentsReport:
    """Keep a file for the application's checklist document ``document``; a new file for the
    same document replaces the draft before it. Returns what is still missing."""
    user_id = _candidate(ctx)
    check_nomination_documents(ROUTE, {document})  # an unknown document id is refused
    for old in _drafts(ctx.session, user_id):
        if old.document == document:
            ctx.session.delete(old)
    ctx.session.flush()
    store_file(ctx, document, upload)
    return draft_report(ctx)


# --- the application ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """A self-nominee's application: the district contest and the applicant's particulars."""

    contest_id: int
    person: PersonInput


def apply(ctx: Context, data: Application) -> NominationSubmitted:
    """Apply as a self-nominee in a single-member district (CL art. 103 para 5-1).

    Stopped with every missing document named (``application_incomplete``) unless the drafts
    cover the whole checklist; otherwise submitted like any nomination (window, IIN, eligibility,
    one district) and the drafts become the file's documents. One application per account and
    election at a time (a refused or withdrawn application may be followed by another).
    """
    user_id = _candidate(ctx)
    contest = ctx.get(Contest, data.contest_id, "contest")
    earlier = ctx.session.execute(
        select(CandidateApplication.nomination_id)
        .join(Nomination, Nomination.id == CandidateApplication.nomination_id)
        .where(
            CandidateApplication.user_id == user_id,
            CandidateApplication.election_id == contest.election_id,
            Nomination.state.not_in(INACTIVE_STATES),
        )
    ).scalar_one_or_none()
    if earlier is not None:
        raise Conflict(
            "already_applied",
            f"this account already applied in election {contest.election_id} (smd:{earlier})",
            field="contest_id",
            nomination=earlier,
        )
    files = _drafts(ctx.session, user_id)
    report = check_nomination_documents(ROUTE, {row.document for row in files})
    if not report.complete:
        missing = [m.document for m in report.missing]
        raise InvalidInput(
            "application_incomplete",
            f"documents: the application lacks {missing} (CL art. 104 para 3-1 part 2)",
            field="documents",
            missing=missing,
        )
    documents = tuple(dict.fromkeys(row.document for row in files))
    result = submit_nomination(
        _within(ctx, contest),
        SmdNominationInput(
            contest_id=contest.id,
            nominator=Nominator.CITIZEN,
            person=replace(data.person, documents=()),
            documents=documents,
        ),
    )
    receipts = {
        receipt.document: receipt.id
        for receipt in ctx.session.execute(
            select(SubmittedDocument).where(SubmittedDocument.nomination_id == result.nomination_id)
        ).scalars()
    }
    for row in files:
        row.submitted_document_id = receipts[row.document]
    application = CandidateApplication(
        user_id=user_id,
        nomination_id=result.nomination_id,
        election_id=contest.election_id,
        applied_at=ctx.now,
    )
    ctx.session.add(application)
    ctx.session.flush()
    ctx.audit(
        "apply_self_nomination",
        "candidate_application",
        application.id,
        None,
        {"nomination_id": result.nomination_id, "files": [row.id for row in files]},
    )
    return result


def owns(session: Session, user_id: int | None, nomination_id: int) -> bool:
    """Whether the account made the application of this nomination."""
    if user_id is None:
        return False
    found = session.execute(
        select(CandidateApplication.id).where(
            CandidateApplication.user_id == user_id,
            CandidateApplication.nomination_id == nomination_id,
        )
    ).first()
    return found is not None


def require_own(ctx: Context, ref: CandidacyRef) -> Nomination:
    """The acting candidate's own nomination ``ref``, or a refusal."""
    user_id = _candidate(ctx)
    nomination = ctx.session.get(Nomination, ref.id) if ref.kind is CandidacyKind.SMD else None
    if nomination is None or not owns(ctx.session, user_id, nomination.id):
        raise PermissionDenied(
            "not_your_application",
            f"{ref} is not an application made by {ctx.actor.username}",
            field="candidacy",
        )
    return nomination


def upload_own_document(
    ctx: Context, ref: CandidacyRef, document: str, upload: Upload
) -> DocumentsReport:
    """A further file for the candidate's own application (e.g. a replaced page)."""
    nomination = require_own(ctx, ref)
    contest = ctx.get(Contest, nomination.contest_id, "contest")
    return upload_document(_within(ctx, contest), ref, document, upload)


def applications(ctx: Context) -> tuple[int, ...]:
    """The nominations the acting candidate applied for, newest first."""
    user_id = _candidate(ctx)
    return tuple(
        ctx.session.execute(
            select(CandidateApplication.nomination_id)
            .where(CandidateApplication.user_id == user_id)
            .order_by(CandidateApplication.id.desc())
        ).scalars()
    )
