"""The commission interface: server-rendered pages for election commissions (issue #4 §2)."""

from fastapi import APIRouter

from saylau.web.pages.commission import (
    audit,
    dashboard,
    mandates,
    observers,
    protocols,
    recall,
    registration,
    results,
    territory,
)

router = APIRouter(include_in_schema=False)
for module in (
    dashboard,
    territory,
    registration,
    protocols,
    results,
    mandates,
    recall,
    observers,
    audit,
):
    router.include_router(module.router)
