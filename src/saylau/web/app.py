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
from saylau.services.sessions import SessionPolicy
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.types import utcnow
from saylau.web import errors
from saylau.web.api import auth
from saylau.web.api.routes import router as api_router
from saylau.web.api.routing import ERROR_RESPONSES
from saylau.web.config import COOKIE, SECURE_COOKIE, secret_key, secure_cookies_setting
from saylau.web.limits import RequestLimits
from saylau.web.pages import commission as commission_pages
from saylau.web.pages import portal as portal_pages
from saylau.web.pages import public as public_pages
from saylau.web.pages import session as session_pages
from saylau.web.security import SecurityHeaders


def create_app(
    sessions: sessionmaker[Session] | None = None,
    *,
    secret: str | None = None,
    secure_cookies: bool | None = None,
    clock: Callable[[], datetime] = utcnow,
    auth_clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The application over ``sessions`` (default: the configured database, migrated).

    ``secure_cookies`` marks the session cookie HTTPS-only and names it ``__Host-…``; None takes
    ``SAYLAU_SECURE_COOKIES`` (off when unset: ``saylau serve`` decides by the address it listens
    on, :func:`saylau.web.config.secure_cookies_default`).
    ``clock`` is the moment services act at (a training rehearsal or a test may fix it);
    ``auth_clock`` the real moment sessions, tokens, lock-outs and one-time codes are judged at
    (a wall clock even during a rehearsal: an authenticator app reads the real time).
    """
    if secure_cookies is None:
        secure_cookies = bool(secure_cookies_setting())
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
    app.state.auth_clock = auth_clock
    app.add_middleware(RequestLimits)  # innermost: its 413 gets the security headers
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret or secret_key(),
        session_cookie=SECURE_COOKIE if secure_cookies else COOKIE,
        max_age=int(SessionPolicy.from_env().absolute.total_seconds()),
        path="/",
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
