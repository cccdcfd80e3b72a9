"""The one place errors become HTTP: every error body is {code, message, details}, except on the web UI's paths
(/sdapi, /controlnet, /inference, /internal), where it is the web UI's {error, detail, body, errors} (with
Easel's `code` and `details` beside them); `detail` names the bad field and the problem. Routes declare these
answers in the OpenAPI with `declared`."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from easel_gateway.metrics import REJECTIONS
from easel_proto.errors import EaselError

log = logging.getLogger(__name__)
WEBUI_PREFIXES = ("/sdapi/", "/controlnet/", "/inference", "/internal/")
UNPARSED = "There was an error parsing the body"  # FastAPI's 400 detail
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class ErrorBody(BaseModel):
    """Easel's error body."""

    code: str
    message: str
    details: dict[str, Any]


class WebUIErrorBody(BaseModel):
    """The web UI's error body, with Easel's code and details beside it."""

    error: str
    detail: str
    body: str
    errors: str
    code: str
    details: dict[str, Any]


MEANING = {
    401: "Missing, invalid, expired or revoked credentials",
    403: "The caller lacks a permission this needs",
    404: "Not found, or not the caller's to see",
    409: "In conflict with the current state",
    410: "Deleted on purpose, e.g. a job's images after its tenant's retention",
    413: "The request body is too large",
    422: "A field is missing, malformed or out of range; details.field names it",
    429: "A rate limit, quota or sign-in lock; Retry-After says when to try again",
    503: "A service did not answer in time; Retry-After says when to try again",
}
# What any route behind a credential may answer: refused, not allowed, too large (BodyLimit), malformed, over a
# limit, auth out of reach; a sign-in the same, less 403.
SIGNED_IN = (401, 403, 413, 422, 429, 503)
SIGN_IN = (401, 413, 422, 429, 503)


def declared(*statuses: int, webui: bool = False) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of these error statuses, in the body shape the route's path answers in."""
    model = WebUIErrorBody if webui else ErrorBody
    return {status: {"model": model, "description": MEANING[status]} for status in statuses}


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _problem(error: dict) -> dict[str, str]:
    if error["type"] == "json_invalid":  # its loc is ("body", character offset), not a field
        where = error["loc"][-1]
        return {"field": "body", "reason": f"not valid JSON ({error.get('ctx', {}).get('error', 'decode error')} "
                                          f"at character {where})", "type": "json_invalid"}
    return {"field": _field(error["loc"]), "reason": error["msg"], "type": error["type"]}


def _invalid(request: Request, problems: list[dict[str, str]]) -> JSONResponse:
    first = problems[0]
    return respond(request, 422, "RequestValidationError", "validation_error", f"{first['field']}: {first['reason']}",
                   {"field": first["field"], "reason": first["reason"], "errors": problems})


@functools.lru_cache(maxsize=256)
def _template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)))


def _allowed(request: Request) -> str | None:
    """The methods the API declares for the path, from its most specific template (/v1/models/uploads rather than
    /v1/models/{model_id}): a path is served by one route per method, and Starlette's 405 names only the first
    route's. None for a path the API does not declare."""
    path = request.url.path
    matching = [(template.count("{"), template) for template in request.app.openapi()["paths"]
                if _template(template).fullmatch(path)]
    if not matching:
        return None
    operations = request.app.openapi()["paths"][min(matching)[1]]
    return ", ".join(sorted(method.upper() for method in operations if method.upper() in METHODS))


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


def error_response(request: Request, exc: EaselError) -> JSONResponse:
    """An Easel error as the request's path answers it, with its WWW-Authenticate or Retry-After header."""
    headers = {"WWW-Authenticate": _challenge(request)} if exc.status == 401 else {}
    if exc.status == 503 or exc.details.get("retry_after_s") is not None:
        headers["Retry-After"] = str(exc.details.get("retry_after_s", 1))
    wire = exc.to_wire()
    # a limit refused it: any 429, or the 503 of a gateway whose submission places are taken (details.limit)
    if exc.status == 429 or (exc.status == 503 and exc.details.get("limit")):
        _count_rejection(request, wire.code, exc.details.get("limit"))
    return respond(request, exc.status, type(exc).__name__, wire.code, wire.message, wire.details or {}, headers)


def _count_rejection(request: Request, code: str, limit: object) -> None:
    """A refusal for the rejections metric: its code, the limit it names and the caller's tenant, when known."""
    principal = getattr(request.state, "principal", None)  # set once the caller is known (deps.principal)
    tenant = principal.tenant_id if principal is not None else ""
    REJECTIONS.labels(code, limit if isinstance(limit, str) else "", tenant).inc()


def install(app: FastAPI) -> None:
    @app.exception_handler(EaselError)
    async def easel_error(request: Request, exc: EaselError) -> JSONResponse:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(request, [_problem(e) for e in exc.errors()])

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == UNPARSED:  # FastAPI's answer to a body that is not even text
            return _invalid(request, [{"field": "body", "reason": "not valid JSON (send UTF-8)",
                                       "type": "json_invalid"}])
        code = {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code,
                                                                                          "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 401:
            headers["WWW-Authenticate"] = _challenge(request)
        if exc.status_code == 405:
            headers["Allow"] = _allowed(request) or headers.get("Allow", "")
        return respond(request, exc.status_code, "HTTPException", code, str(exc.detail), {}, headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return respond(request, 500, "InternalError", "internal", "internal error", {})
