"""The commission interface: server-rendered pages for election commissions (issue #4 §2)."""

from fastapi import APIRouter

from saylau.web.pages.commission import (
    approvals,
    audit,
    ballots,
    commissions,
    dashboard,
    districts,
    mandates,
    observers,
    protocols,
    recall,
    registration,
    results,
    territory,
    turnout,
)

router = APIRouter(include_in_schema=False)
for module in (
    dashboard,
    territory,
    districts,
    commissions,
    registration,
    ballots,
    turnout,
    protocols,
    results,
    mandates,
    recall,
    observers,
    approvals,
    audit,
):
    router.include_router(module.router)
