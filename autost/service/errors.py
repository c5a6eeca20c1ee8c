"""Errors as JSON: ``{"error": message}`` with a status code, never a traceback.

A name in the path that names nothing (a study, an arch_id, a job) is 404; bad input in
the query or the body (an invalid space TOML, an objective, a budget below 1) is 422 with
the message the command line prints for it; anything unexpected is 500 with one line
that points to the server's log.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from autost.exceptions import (
    AutostError,
    DatasetError,
    NotStoredError,
    SearchConfigError,
    UnknownNameError,
)

log = logging.getLogger("autost.service")


class NotFound(AutostError):
    """A study, candidate or job named in the request does not exist."""


class BadInput(AutostError):
    """The request's query or body is invalid (422)."""


def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def status_of(exc: AutostError) -> int:
    if isinstance(exc, SearchConfigError | DatasetError):  # a setting of the body: an unknown
        return 422  # sampler or dataset too, though the command line calls that misuse
    if isinstance(exc, NotFound | NotStoredError | UnknownNameError):
        return 404
    return 422


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into one JSON error."""

    @app.exception_handler(AutostError)
    async def autost_error(request: Request, exc: AutostError):
        return error(status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        return error(422, "; ".join(_describe(e) for e in exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error(500, f"internal error ({type(exc).__name__}); the server's log has "
                          "the details")


def _describe(e: dict) -> str:
    where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
    return f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid"))
