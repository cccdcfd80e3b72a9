"""ASGI middleware: body size limit and request metrics."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easel_gateway.errors import error_response
from easel_gateway.metrics import REQUEST_SECONDS
from easel_proto.errors import PayloadTooLarge


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, whether or not Content-Length is sent.

    Model uploads (PUT /v1/models/uploads/...) are streamed to disk by their route under their own cap
    (EASEL_MAX_UPLOAD_BYTES), so they are not counted here. `larger` gives (method, path) a cap of its own (dataset
    uploads: EASEL_MAX_DATASET_UPLOAD_BYTES).
    """

    UNLIMITED_PREFIX = "/v1/models/uploads/"

    def __init__(self, app: ASGIApp, limit: int, larger: dict[tuple[str, str], int] | None = None) -> None:
        self.app, self.default, self.larger = app, limit, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"] == "PUT"
                                       and scope["path"].startswith(self.UNLIMITED_PREFIX)):
            return await self.app(scope, receive, send)
        limit = self.larger.get((scope["method"], scope["path"].rstrip("/")), self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, receive, send, limit)
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        exc = PayloadTooLarge(f"request body over {limit} bytes", limit=limit)
        await error_response(Request(scope), exc)(scope, receive, send)  # in the shape the path answers in


class RequestMetrics:
    """Observe latency per route template (not per URL, which would explode the label set)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            REQUEST_SECONDS.labels(scope["method"], path, str(status)).observe(time.perf_counter() - start)
