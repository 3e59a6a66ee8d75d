"""The REST API: every domain's router under one prefix, and errors as clear JSON.

Every refusal has one shape, `backend.errors.ErrorOut` ({error, message, details}), and the
OpenAPI document says so for each route (`ERROR_RESPONSES`). JSON bodies too large or nested
too deep are refused before they are parsed (`backend.body_guard`)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException

from backend.auth.router import router as auth_router
from backend.body_guard import RequestGuard
from backend.conversations.router import router as conversations_router
from backend.dispatch.router import router as dispatch_router
from backend.errors import ERROR_RESPONSES, DomainError
from backend.ledger.router import router as ledger_router
from backend.listings.router import router as listings_router
from backend.matching.router import router as matching_router
from backend.people.router import router as people_router
from backend.requests.router import router as requests_router
from backend.trust.router import ratings_router, reports_router

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    for router in (
        auth_router,
        people_router,
        requests_router,
        matching_router,
        dispatch_router,
        ledger_router,
        conversations_router,
        listings_router,
        ratings_router,
        reports_router,
    ):
        api.include_router(router, responses=ERROR_RESPONSES)
    return api


def install_error_handlers(app: FastAPI) -> None:
    app.add_middleware(RequestGuard, prefixes=(f"{API_PREFIX}/",))

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": exc.code, "message": exc.message, "details": _jsonable(exc.details)},
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p != "body"),
                "message": err["msg"],
                "type": err["type"],
            }
            for err in exc.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return JSONResponse(
            status_code=422,
            content={"error": "validation_error", "message": summary, "details": problems},
        )

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        # FastAPI's own refusals (an unknown path, a method not allowed, a body that is not
        # readable) in the same shape as ours.
        return JSONResponse(
            status_code=exc.status_code,
            content={
                "error": _HTTP_CODES.get(exc.status_code, "http_error"),
                "message": exc.detail,
            },
            headers=exc.headers,
        )

    @app.exception_handler(DataError)
    async def _data_error(_request: Request, exc: DataError) -> JSONResponse:
        # A value the database cannot hold (a number past its column, text it cannot store)
        # that no check caught before: refused, nothing written. The statement's parameters
        # are not logged (they may be a password).
        log.warning("database refused a value, answered 422: %s", type(exc.orig).__name__)
        return JSONResponse(
            status_code=422,
            content={
                "error": "invalid_input",
                "message": "a value is out of the range the database can hold",
            },
        )

    @app.exception_handler(IntegrityError)
    async def _integrity_error(_request: Request, exc: IntegrityError) -> JSONResponse:
        # A race lost to a unique constraint: nothing was written, the caller may retry.
        log.info("integrity error answered with 409: %s", exc.orig)
        return JSONResponse(
            status_code=409,
            content={"error": "conflict", "message": "this conflicts with existing data"},
        )


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


def _jsonable(details: dict[str, object]) -> dict[str, object]:
    return {
        k: v if isinstance(v, str | int | float | bool | None) else str(v)
        for k, v in details.items()
    }
