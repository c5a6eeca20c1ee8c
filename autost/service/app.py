"""The ASGI app of ``autost serve``: JSON API, pages, plotly's script, the job supervisor.

The OpenAPI schema is served at ``/api/openapi.json``; FastAPI's documentation pages are
off because they load their scripts from a CDN, and nothing here is fetched from outside.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from importlib.resources import files
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from autost import __version__
from autost.service import analysis, api, errors, jobs, pages
from autost.service.auth import CHALLENGE, may_read
from autost.service.protection import BodyLimit, SecurityHeaders
from autost.service.studies import StudyCache
from autost.service.supervisor import Supervisor


def create_app(storage, token: str, slots: int = 1, run_jobs: bool = True,
               private: bool = False) -> FastAPI:
    """The app over ``storage`` (an open Storage); writes need ``token``, and so do reads
    when ``private``; ``slots`` jobs run at once (``run_jobs=False`` queues them without
    starting any, for tests)."""
    supervisor = Supervisor(storage, slots)
    storage.optuna_storage()  # Optuna's tables exist before the first study is read

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if run_jobs:  # a real server (tests that only queue jobs skip both)
            supervisor.start()
            threading.Thread(target=api.warm, name="autost-warm", daemon=True).start()
        try:
            yield
        finally:
            if run_jobs:
                supervisor.stop()

    app = FastAPI(title="autost", version=__version__, lifespan=lifespan,
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
                  description="Training-free architecture search for spiking transformers: "
                              "studies, candidates, Pareto fronts and a job queue.")
    app.state.storage = storage
    app.state.token = token
    app.state.private = private
    app.state.supervisor = supervisor
    app.state.studies = StudyCache(storage)
    errors.install(app)

    @app.middleware("http")
    async def private_reads(request: Request, call_next):
        if may_read(request):
            return await call_next(request)
        if request.url.path.startswith("/api/"):
            return errors.error(401, "this server is private: send the header "
                                     "'Authorization: Bearer TOKEN' with reads too", CHALLENGE)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": here}), status_code=303)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)

    app.include_router(api.router)
    app.include_router(analysis.router)
    app.include_router(jobs.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(files("autost.service") / "static")),
              name="static")
    return app
