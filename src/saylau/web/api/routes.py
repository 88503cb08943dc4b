"""Every router of the JSON API, included into the application with one line."""

from __future__ import annotations

from fastapi import APIRouter

from saylau.web.api import (
    approvals,
    audit,
    ballots,
    candidates,
    commission_members,
    districts,
    documents,
    elections,
    mandates,
    observers,
    parties,
    protocols,
    recall,
    registration,
    results,
    subscriptions,
    territory,
    turnout,
    users,
)

router = APIRouter()
for module in (
    territory,
    commission_members,
    users,
    elections,
    districts,
    parties,
    candidates,
    documents,
    registration,
    ballots,
    protocols,
    turnout,
    results,
    mandates,
    recall,
    observers,
    audit,
    subscriptions,
    approvals,
):
    router.include_router(module.router)
