"""What the gateway's OpenAPI says beyond its routes' models: operation ids, non-JSON answers, and the spec as
tools/gen_client.py reads it (clients/python is generated from it)."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

# Answers that are not JSON, typed so a generated client reads them (an image as bytes, a stream as text).
PNG: dict[int | str, dict[str, Any]] = {200: {"description": "The image", "content": {
    "image/png": {"schema": {"type": "string", "format": "binary"}}}}}
# An event stream's schema is one event's (as OpenAPI 3.1 tools read it: schemathesis checks each event against it).
EVENT_STREAM: dict[int | str, dict[str, Any]] = {200: {"description": "Server-Sent Events", "content": {
    "text/event-stream": {"schema": {
        "type": "object", "required": ["event", "data"], "properties": {
            "event": {"type": "string", "description": "What happened: the status, or progress"},
            "data": {"type": "string", "contentMediaType": "application/json", "description": "The event as JSON"},
            "id": {"type": "string", "description": "Send it back as Last-Event-ID to resume after it"},
            "retry": {"type": "integer"}}}}}}}


def operation_id(route: APIRoute) -> str:
    """The route's function name (create_job, txt2img), which a generated client names its calls after; FastAPI's
    default appends the path and method (create_job_v1_jobs_post). Names are unique (tests/unit/test_openapi.py)."""
    return route.name


def spec() -> dict[str, Any]:
    """The OpenAPI of an app with default settings, built without connecting anywhere."""
    from easel_gateway.main import create_app  # main imports this module

    return create_app().openapi()
