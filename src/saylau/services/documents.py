"""The document checklist of a nomination (CL art. 104 paras 3, 3-1; monograph Table 4).

Each route has its checklist (``saylau.law.nomination.required_documents``); a party list's
per-person documents are needed from every person on it. :func:`check_nomination_documents` says
what a file would still lack and refuses an unknown or misplaced document, so a typo cannot make a
file look complete. Nothing here reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from saylau.law.errors import LawInputError
from saylau.law.nomination import (
    Label,
    NominationRoute,
    Provider,
    check_documents,
    required_documents,
)
from saylau.services.errors import InvalidInput, law_input


@dataclass(frozen=True)
class MissingDocument:
    """A document of the checklist not (yet) received; ``iin`` names the list person it is for."""

    document: str
    name: Label
    article: str
    provided_by: Provider
    iin: str | None = None

    @property
    def text(self) -> str:
        """``document``, or ``document@iin`` for a list person's document."""
        return self.document if self.iin is None else f"{self.document}@{self.iin}"


@dataclass(frozen=True)
class DocumentsReport:
    """What a nomination's file lacks (CL art. 104 paras 3, 3-1; monograph Table 4)."""

    route: NominationRoute
    required: tuple[str, ...]
    missing: tuple[MissingDocument, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def check_nomination_documents(
    route: NominationRoute,
    documents: Collection[str],
    persons: Mapping[str, Collection[str]] | None = None,
) -> DocumentsReport:
    """The documents a file would still lack, checked before submission; writes nothing.

    ``documents`` are the file's own documents; for a party list, ``persons`` maps each listed
    person's IIN to their per-person documents (consent, biography, asset certificate,
    membership), which every person on the list needs (CL art. 104 para 3). The checklist and its
    order are the law core's (``saylau.law.nomination.check_documents``), which also refuses an
    unknown document id, so a typo cannot make a file look complete.
    """
    checklist = required_documents(route)
    per_person = {d.id for d in checklist if d.per_person}
    listed = {d.id for d in checklist}
    own = set(documents)
    misplaced = sorted(own & per_person)
    if misplaced:
        raise InvalidInput(
            "per_person_document",
            f"documents={misplaced}: each listed person hands these in; give them per person "
            "(CL art. 104 para 3)",
            field="documents",
        )
    try:
        missing = [
            MissingDocument(d.id, d.name, d.article, d.provided_by)
            for d in check_documents(route, own | per_person)
        ]
    except LawInputError as error:
        raise law_input(error, "documents") from error
    for iin, given in (persons or {}).items():
        wrong = sorted(set(given) - per_person)
        if wrong:
            raise InvalidInput(
                "not_per_person",
                f"persons[{iin}].documents={wrong}: not a per-person document of route "
                f"{route.value}; per-person: {sorted(per_person)}",
                field=f"persons[{iin}].documents",
            )
        missing += [
            MissingDocument(d.id, d.name, d.article, d.provided_by, iin)
            for d in check_documents(route, set(given) | (listed - per_person))
        ]
    return DocumentsReport(route, tuple(d.id for d in checklist), tuple(missing))
