"""The party and candidate portal (``/portal``): party agents submit lists and district
nominations, self-nominees sign up and apply; both follow their case and upload documents; after
the results, party agents give their lists' seats and choose successors."""

from __future__ import annotations

from fastapi import APIRouter

from saylau.web.pages.portal import agent, candidate, cases, mandates

router = APIRouter(include_in_schema=False)
router.include_router(cases.router)
router.include_router(agent.router)
router.include_router(candidate.router)
router.include_router(mandates.router)
