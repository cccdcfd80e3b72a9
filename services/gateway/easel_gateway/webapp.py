"""The web UI edition's pages: the built Preact app (webui/, `npm run build` -> webui/dist) served under `/`.

The app is one page (index.html, a hash router inside it) and Vite's content-hashed files under /assets, which
may be cached for a year. The API stays where it is; these routes are left out of the OpenAPI document. Every
page carries the security headers below: the Content-Security-Policy allows scripts and styles from this origin
only (the build has no inline script), and no site may frame the app.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from easel_proto.errors import NotFound

router = APIRouter(include_in_schema=False)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
ASSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # Vite's flat, hashed file names: no folders, no dot-dot
NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Easel</title></head>
<body><h1>The web UI is not built</h1><p>Build it with <code>make install</code>, or
<code>cd webui &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload this page (or set EASEL_WEBUI_DIR to
a built <code>dist</code> folder). The API is unaffected: see <a href="/docs">/docs</a>.</p></body></html>"""
# the repository's webui/dist (an editable install); the gateway image sets EASEL_WEBUI_DIR
DEFAULT_DIR = Path(__file__).resolve().parents[3] / "webui" / "dist"


def folder(request: Request) -> Path:
    configured = request.app.state.settings.webui_dir
    return Path(configured) if configured else DEFAULT_DIR


@router.get("/")
async def index(request: Request) -> Response:
    page = folder(request) / "index.html"
    if not page.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503, headers={**HEADERS, "Cache-Control": "no-store"})
    return FileResponse(page, media_type="text/html", headers={**HEADERS, "Cache-Control": "no-cache"})


@router.get("/assets/{name}")
async def asset(name: str, request: Request) -> Response:
    path = folder(request) / "assets" / name
    if not ASSET.match(name) or not path.is_file():
        raise NotFound(f"no asset {name}")
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type,
                        headers={**HEADERS, "Cache-Control": "public, max-age=31536000, immutable"})
