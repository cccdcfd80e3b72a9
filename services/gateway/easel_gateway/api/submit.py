"""POST /v1/jobs on a lean path: the same steps as the declared route (api/jobs.py create_job), done explicitly.

FastAPI's per-request machinery (solving ten dependencies, parsing the content type through `email`, telemetry
scopes, exit stacks) cost more CPU than the submission itself (bench/load.py). This route sits in front of the
declared one and serves an ordinary submission (a JSON body that is valid, an Idempotency-Key within its length) in
the order FastAPI would: read and decode the body, the caller's credential (rate limit, then the route's permission
from permissions.py), the body's and the header's validation with the route's own fields, then `create_job` itself,
and the reply serialized with the route's response field. Anything else (no body, another content type, invalid
JSON, a field refused) goes to the declared route untouched, which answers as it always has (its 401 before its
422), so no answer differs; the declared route also keeps the OpenAPI document as it was.

Exceptions reach the app's handlers (errors.py) as a declared route's do; the middleware (audit, metrics, body
limit) see the same route path, `scope["route"].path == "/v1/jobs"`.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from easel_gateway import deps
from easel_gateway.api import jobs as jobs_api
from easel_gateway.errors import UNPARSED

PATH = "/v1/jobs"
DECLINED = "easel.lean_declined"  # set on a request this route hands to the declared one
MAX_KEY = 255  # Idempotency-Key's max_length on the declared route


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and content_type.partition(";")[0].strip().lower() == "application/json"


class LeanSubmit(Route):
    """POST /v1/jobs, served without FastAPI's dependency layer; everything unusual goes to `declared`."""

    def __init__(self, declared: APIRoute) -> None:
        super().__init__(PATH, self._serve, methods=["POST"], name=declared.name, include_in_schema=False)
        self.declared = declared
        self.status = declared.status_code or 200

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "POST" or DECLINED in scope:
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match == Match.FULL:
            child["route"] = self  # as a declared route: permissions, audit and metrics read its path
        return match, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        await wrap_app_handling_exceptions(self._app(request), request)(scope, receive, send)

    def _app(self, request: Request):
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            response = await self._serve(request)
            if response is None:  # not ours to answer: the declared route, with the body as it came
                await self._decline(request, scope, send)
            else:
                await response(scope, receive, send)
        return app

    async def _serve(self, request: Request) -> Response | None:
        headers = request.headers
        key = headers.get("idempotency-key")
        if not _is_json(headers.get("content-type")) or (key is not None and len(key) > MAX_KEY):
            return None
        try:
            raw = await request.body()
        except HTTPException:
            raise
        except Exception as exc:  # as the declared route answers a body it cannot read
            raise HTTPException(status_code=400, detail=UNPARSED) from exc
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        body, errors = self.declared.body_field.validate(data, {}, loc=("body",))
        if errors:
            return None
        caller = await deps.principal(request, await deps._bearer(request), await deps._basic(request))
        sub = Response()
        del sub.headers["content-length"]
        sub.status_code = None  # type: ignore[assignment]
        record = await jobs_api.create_job(body, caller, sub, request, key)
        content = self.declared.response_field.serialize_json(record)
        response = Response(content, status_code=sub.status_code or self.status, media_type="application/json")
        response.headers.raw.extend(sub.headers.raw)
        return response

    async def _decline(self, request: Request, scope: Scope, send: Send) -> None:
        """Hand the request to the router again, this route left out; the body, if read, is replayed."""
        scope[DECLINED] = True
        receive = request.receive
        if hasattr(request, "_body"):
            body = request._body
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await request.receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            receive = replay
        await scope["router"](scope, receive, send)


def install(app: FastAPI) -> None:
    """Put the lean route in front of the declared `create_job`."""
    app.router.routes.insert(0, LeanSubmit(_declared()))


def _declared() -> APIRoute:
    for route in jobs_api.router.routes:
        if isinstance(route, APIRoute) and route.name == "create_job":
            return route
    raise LookupError("no create_job route")
