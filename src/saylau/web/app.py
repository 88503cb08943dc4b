"""The web application: ``create_app()`` builds it, ``saylau serve`` runs it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from saylau import __version__
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.types import utcnow
from saylau.web import errors
from saylau.web.api import auth
from saylau.web.api.routes import router as api_router
from saylau.web.api.routing import ERROR_RESPONSES
from saylau.web.config import SESSION_MAX_AGE, secret_key
from saylau.web.pages import commission as commission_pages
from saylau.web.pages import portal as portal_pages
from saylau.web.pages import public as public_pages
from saylau.web.pages import session as session_pages
from saylau.web.security import SecurityHeaders


def create_app(
    sessions: sessionmaker[Session] | None = None,
    *,
    secret: str | None = None,
    secure_cookies: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The application over ``sessions`` (default: the configured database, migrated).

    ``secure_cookies`` marks the session cookie HTTPS-only; set it behind TLS in production.
    ``clock`` is the moment services act at (a training rehearsal or a test may fix it).
    """
    if sessions is None:
        engine = make_engine()
        migrate(engine)
        sessions = session_factory(engine)
    app = FastAPI(
        title="Saylau",
        version=__version__,
        description="Kazakhstan's maslikhat elections: administration, results and open data.",
        openapi_url="/openapi.json",
    )
    app.state.factory = sessions
    app.state.clock = clock
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secret_key(),
        session_cookie="saylau_session",
        max_age=SESSION_MAX_AGE,
        same_site="strict",
        https_only=secure_cookies,
    )
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    app.include_router(auth.router, responses=ERROR_RESPONSES)
    app.include_router(api_router)
    app.include_router(session_pages.router)
    app.include_router(commission_pages.router)
    app.include_router(portal_pages.router)
    app.include_router(public_pages.router)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    static = resources.files("saylau.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app
