"""The party and candidate portal (``/portal``): party agents submit lists and district
nominations, self-nominees sign up and apply; both follow their case and upload documents."""

from __future__ import annotations

from fastapi import APIRouter

from saylau.web.pages.portal import agent, candidate, cases

router = APIRouter(include_in_schema=False)
router.include_router(cases.router)
router.include_router(agent.router)
router.include_router(candidate.router)
