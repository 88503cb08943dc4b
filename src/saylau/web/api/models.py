"""Types shared by the API's request and response models.

Inputs are bounded so that nothing a client sends can overflow a database column or the calendar:
ids and counts fit a 32-bit integer, dates lie between 1900 and 2199, texts have a length. Outputs
keep the law core's exact figures: a fraction is written ``"numerator/denominator"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from saylau.law.deposit import DepositDue
from saylau.law.nomination import Label
from saylau.law.protocol import Violation
from saylau.law.quota import QuotaCheck
from saylau.services.documents import DocumentsReport

MAX_ID = 2**31 - 1
MAX_COUNT = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
"""A whole, non-negative number (votes, ballots, voters, tenge)."""


def _in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}")
    return day


def _moment_in_range(moment: datetime) -> datetime:
    _in_range(moment.astimezone(UTC).date())
    return moment


YEARS = r"^(19|20|21)\d\d-"
"""The years accepted, as the start of an ISO 8601 date (the schema states the range)."""
Day = Annotated[date, AfterValidator(_in_range), Field(json_schema_extra={"pattern": YEARS})]
"""A calendar date (ISO 8601), 1900–2199."""
Moment = Annotated[
    AwareDatetime, AfterValidator(_moment_in_range), Field(json_schema_extra={"pattern": YEARS})
]
"""A moment with its UTC offset (ISO 8601), 1900–2199."""
Name = Annotated[str, Field(min_length=1, max_length=300)]
Note = Annotated[str, Field(max_length=500)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Seed = Annotated[str, Field(min_length=1, max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
"""A machine identifier: a document id, a stage id, a warning name…"""
FractionText = Annotated[str, Field(max_length=40, pattern=r"^-?\d+/\d+$", examples=["7/20"])]
"""An exact fraction, ``"numerator/denominator"``."""


def fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


class Out(BaseModel):
    """Base of response models: built from the services' results, never from client input."""

    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    """Base of request models: unknown fields are refused, so a typo cannot go unnoticed."""

    model_config = ConfigDict(extra="forbid")


class LabelOut(Out):
    """A name in the three languages of the interface."""

    kk: str
    ru: str
    en: str

    @classmethod
    def of(cls, label: Label) -> LabelOut:
        return cls(kk=label.kk, ru=label.ru, en=label.en)


class ViolationOut(Out):
    """A control relation of the protocol that does not hold (CL art. 43; decision #19)."""

    name: str
    severity: str
    relation: str
    left: int
    right: int
    article: str
    note: str

    @classmethod
    def of(cls, v: Violation) -> ViolationOut:
        return cls(
            name=v.name,
            severity=v.severity.value,
            relation=v.relation,
            left=v.left,
            right=v.right,
            article=v.article,
            note=v.note,
        )

    @classmethod
    def all(cls, violations: Sequence[Violation]) -> list[ViolationOut]:
        return [cls.of(v) for v in violations]


class MissingDocumentOut(Out):
    document: str
    name: LabelOut
    article: str
    provided_by: str
    iin: str | None
    """The list person the document is for (party lists' per-person documents)."""


class DocumentsOut(Out):
    """A nomination's checklist and what it still lacks (CL art. 104 paras 3, 3-1)."""

    route: str
    required: list[str]
    missing: list[MissingDocumentOut]
    complete: bool

    @classmethod
    def of(cls, report: DocumentsReport) -> DocumentsOut:
        return cls(
            route=report.route.value,
            required=list(report.required),
            missing=[
                MissingDocumentOut(
                    document=m.document,
                    name=LabelOut.of(m.name),
                    article=m.article,
                    provided_by=m.provided_by.value,
                    iin=m.iin,
                )
                for m in report.missing
            ],
            complete=report.complete,
        )


class DepositDueOut(Out):
    """The deposit a candidacy owes, with every factor (CL art. 104 paras 1, 1-1; decision #15)."""

    route: str
    year: int
    minimum_wage: int
    multiplier: int
    per_person: int
    persons: int
    full_amount: int
    previous_result: FractionText | None
    share_due: FractionText
    amount: int
    article: str

    @classmethod
    def of(cls, due: DepositDue) -> DepositDueOut:
        return cls(
            route=due.route.value,
            year=due.year,
            minimum_wage=due.minimum_wage,
            multiplier=due.multiplier,
            per_person=due.per_person,
            persons=due.persons,
            full_amount=due.full_amount,
            previous_result=None if due.previous_result is None else fraction(due.previous_result),
            share_due=fraction(due.share_due),
            amount=due.amount,
            article=due.article,
        )


class QuotaMemberOut(Out):
    person: str
    categories: list[str]


class QuotaOut(Out):
    """The 30% quota of a list or of a party's mandates (CL art. 104 para 4; art. 97-1 para 5)."""

    categories: list[str]
    members: list[QuotaMemberOut]
    count: int
    size: int
    share: FractionText
    required_share: FractionText
    required: int
    met: bool
    shortfall: int
    additions_needed: int | None
    article: str

    @classmethod
    def of(cls, check: QuotaCheck | None) -> QuotaOut | None:
        if check is None:
            return None
        return cls(
            categories=[c.value for c in check.categories],
            members=[
                QuotaMemberOut(person=m.person, categories=[c.value for c in m.categories])
                for m in check.members
            ],
            count=check.count,
            size=check.size,
            share=fraction(check.share),
            required_share=fraction(check.required_share),
            required=check.required,
            met=check.met,
            shortfall=check.shortfall,
            additions_needed=check.additions_needed,
            article=check.article,
        )


class Created(Out):
    """Whether a call created something (False: it already existed, nothing was written)."""

    created: bool


IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
"""An optional filter by a row id."""
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in the path."""
