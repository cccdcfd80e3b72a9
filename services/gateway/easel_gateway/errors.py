"""The one place errors become HTTP: every error body is {code, message, details}, except on the web UI's paths
(/sdapi, /controlnet, /inference, /internal), where it is the web UI's {error, detail, body, errors} (with
Easel's `code` and `details` beside them); `detail` names the bad field and the problem."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from easel_proto.errors import EaselError

log = logging.getLogger(__name__)
WEBUI_PREFIXES = ("/sdapi/", "/controlnet/", "/inference", "/internal/")


def error_response(exc: EaselError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(exc.to_wire().model_dump(mode="json"), status_code=exc.status, headers=headers)


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def webui_path(request: Request) -> bool:
    return request.url.path.startswith(WEBUI_PREFIXES)


def _challenge(request: Request) -> str:
    """Basic on the web UI's API (as a web UI started with --api-auth asks), Bearer on Easel's own."""
    return 'Basic realm="easel"' if webui_path(request) else "Bearer"


def respond(request: Request, status: int, name: str, code: str, message: str, details: dict[str, Any],
            headers: dict[str, str] | None = None) -> JSONResponse:
    """The error in the shape the request's path calls for."""
    if webui_path(request):
        problems = details.get("errors")
        errors = "; ".join(f"{p['field']}: {p['reason']}" for p in problems) if problems else message
        body = {"error": name, "detail": message, "body": "", "errors": errors, "code": code, "details": details}
    else:
        body = {"code": code, "message": message, "details": details}
    return JSONResponse(body, status_code=status, headers=headers or None)


def install(app: FastAPI) -> None:
    @app.exception_handler(EaselError)
    async def easel_error(request: Request, exc: EaselError) -> JSONResponse:
        headers = {"WWW-Authenticate": _challenge(request)} if exc.status == 401 else {}
        if exc.status == 503 or exc.details.get("retry_after_s") is not None:
            headers["Retry-After"] = str(exc.details.get("retry_after_s", 1))
        wire = exc.to_wire()
        return respond(request, exc.status, type(exc).__name__, wire.code, wire.message, wire.details or {}, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": _field(e["loc"]), "reason": e["msg"], "type": e["type"]} for e in exc.errors()]
        first = problems[0]
        return respond(request, 422, "RequestValidationError", "validation_error",
                       f"{first['field']}: {first['reason']}",
                       {"field": first["field"], "reason": first["reason"], "errors": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code,
                                                                                          "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = _challenge(request)
        return respond(request, exc.status_code, "HTTPException", code, str(exc.detail), {}, headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return respond(request, 500, "InternalError", "internal", "internal error", {})
