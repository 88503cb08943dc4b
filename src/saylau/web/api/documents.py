"""A nomination's documents: the checklist of each route, what a file lacks — before submitting
and once submitted — and the documents received (SUBMIT_NOMINATION), with the legal reasons for
refusing a candidacy."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from saylau.law.nomination import NominationRoute, RefusalReason, required_documents
from saylau.services.candidacy import CandidacyRef, load_candidacy
from saylau.services.context import Context
from saylau.services.documents import check_nomination_documents
from saylau.services.nomination import DocumentReceipt, documents_status, record_documents
from saylau.web.api.candidacies import Documents, RefText, parse_ref, require_file
from saylau.web.api.models import DocumentsOut, In, LabelOut, Out
from saylau.web.api.pagination import Page, Paging, page_of
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("candidates")

Iin = Annotated[str, Field(min_length=1, max_length=12)]


class DocumentsIn(In):
    documents: Documents = Field(default_factory=list)
    """The file's own documents received."""
    persons: dict[Iin, Documents] = Field(default_factory=dict, max_length=1_000)
    """A list person's IIN → their documents received."""


class CheckDocumentsIn(DocumentsIn):
    route: NominationRoute


class RequiredDocumentOut(Out):
    id: str
    name: LabelOut
    provided_by: str
    per_person: bool
    article: str


class ChecklistOut(Out):
    route: NominationRoute
    documents: list[RequiredDocumentOut]


class ReasonOut(Out):
    reason: RefusalReason
    label: LabelOut
    article: str


def _receipts(body: DocumentsIn) -> list[DocumentReceipt]:
    return [DocumentReceipt(d) for d in body.documents] + [
        DocumentReceipt(d, iin) for iin, documents in body.persons.items() for d in documents
    ]


def read_documents(ctx: Context, ref: CandidacyRef) -> DocumentsOut:
    """What a candidacy's file lacks, for those who handle it."""
    require_file(ctx, load_candidacy(ctx, ref))
    return DocumentsOut.of(documents_status(ctx, ref))


@router.get("/candidacies/{ref}/documents", response_model=DocumentsOut)
def get_documents(ref: RefText, services: Services) -> DocumentsOut:
    """The checklist of a candidacy and what its file still lacks."""
    return services(read_documents, parse_ref(ref))


@router.post("/candidacies/{ref}/documents", response_model=DocumentsOut)
def post_documents(ref: RefText, body: DocumentsIn, services: Services) -> DocumentsOut:
    """Record documents received (idempotent) until registration closes; a complete file moves
    the candidacy on."""
    return services(
        then(record_documents, lambda _s, r: DocumentsOut.of(r)), parse_ref(ref), _receipts(body)
    )


@router.post("/documents/check", response_model=DocumentsOut)
def post_documents_check(body: CheckDocumentsIn) -> DocumentsOut:
    """What a file would still lack, before anything is submitted: for a self-nominee, a party
    agent or a commission alike (public; nothing is saved)."""
    report = check_nomination_documents(body.route, body.documents, body.persons)
    return DocumentsOut.of(report)


@router.get("/nomination-routes/{route}/documents", response_model=ChecklistOut)
def get_checklist(route: NominationRoute) -> ChecklistOut:
    """The documents a nomination route needs (CL art. 104 paras 3, 3-1; monograph Table 4)."""
    return ChecklistOut(
        route=route,
        documents=[
            RequiredDocumentOut(
                id=d.id,
                name=LabelOut.of(d.name),
                provided_by=d.provided_by.value,
                per_person=d.per_person,
                article=d.article,
            )
            for d in required_documents(route)
        ],
    )


@router.get("/refusal-reasons", response_model=Page[ReasonOut])
def get_refusal_reasons(paging: Paging) -> Page[ReasonOut]:
    """The legal grounds for refusing, cancelling or dropping a candidacy, in three languages."""
    reasons = [
        ReasonOut(reason=r, label=LabelOut.of(r.label), article=r.article) for r in RefusalReason
    ]
    return page_of(reasons, paging)
