"""The one place errors become HTTP: every error body is {code, message, details}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from easel_proto.errors import EaselError

log = logging.getLogger(__name__)


def error_response(exc: EaselError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exc.to_wire().model_dump(mode="json"), status_code=exc.status, headers=headers)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(EaselError)
    async def easel_error(_r: Request, exc: EaselError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else {}
        if exc.status == 503 or exc.details.get("retry_after_s") is not None:
            headers["Retry-After"] = str(exc.details.get("retry_after_s", 1))
        return error_response(exc, headers or None)

    @app.exception_handler(RequestValidationError)
    async def invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": _field(e["loc"]), "reason": e["msg"], "type": e["type"]} for e in exc.errors()]
        first = problems[0]
        body = {"code": "validation_error", "message": f"{first['field']}: {first['reason']}",
                "details": {"field": first["field"], "reason": first["reason"], "errors": problems}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_r: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"code": code, "message": str(exc.detail), "details": {}}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(_r: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse({"code": "internal", "message": "internal error", "details": {}}, status_code=500)
