"""/v1/links/{token}: an image through a time-limited link (links.py), for whoever holds it; no credential."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from easel_gateway.errors import declared
from easel_gateway.openapi import PNG

router = APIRouter(prefix="/v1/links", tags=["jobs"])


@router.get("/{token}", response_class=Response,
            responses={**PNG, **declared(404, 410, 413, 422)})  # 413: BodyLimit; 422 in our shape
async def image_by_link(token: str, request: Request) -> Response:
    """The image a link from `GET /v1/jobs/{id}?links=true` names, until it expires (410 after; 404 for anything
    that is not a link, or an image deleted since)."""
    key = request.app.state.links.key_of(token)
    data = await request.app.state.store.get(key)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})
