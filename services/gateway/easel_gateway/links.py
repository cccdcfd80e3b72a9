"""Time-limited image links: a job's images for whoever holds the link (an app's users, a CDN), without a key.

With S3 the link is a presigned GET URL, and S3 checks it. With the local store it is the gateway's own
`/v1/links/{token}`, the token a JWT (HS256, PyJWT) naming the object and when it expires, signed with the gateway's
link secret (`EASEL_LINK_SECRET`; unset: one made once in the data dir, which every gateway on that data dir shares).
A link is made only for an image its caller may read, and names only that object.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import jwt

from easel_common.kept_secrets import kept_secret
from easel_common.storage import ObjectStore
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import Gone, NotFound
from easel_proto.wire import now

ALGORITHM = "HS256"
AUDIENCE = "easel-image-link"


def _secret(settings: GatewaySettings) -> str:
    if settings.link_secret is not None:
        return settings.link_secret.get_secret_value()
    return kept_secret(Path(settings.data_dir) / "link.secret")


class Links:
    def __init__(self, settings: GatewaySettings, store: ObjectStore) -> None:
        self.store, self.ttl_s = store, settings.image_link_ttl_s
        self.base = (settings.public_url or "").rstrip("/")
        self._presign = getattr(store, "download_url", None)
        self._key = None if self._presign is not None else _secret(settings)

    def link(self, key: str) -> tuple[str, datetime]:
        """(URL, when it stops working) for the object `key`."""
        expires = now() + timedelta(seconds=self.ttl_s)
        if self._presign is not None:
            return self._presign(key, expires_s=self.ttl_s), expires
        token = jwt.encode({"k": key, "exp": expires, "aud": AUDIENCE}, self._key, algorithm=ALGORITHM)
        return f"{self.base}/v1/links/{token}", expires

    def key_of(self, token: str) -> str:
        """The object a gateway link names; Gone once it has expired, NotFound for anything that is not a link."""
        try:
            claims = jwt.decode(token, self._key or "", algorithms=[ALGORITHM], audience=AUDIENCE,
                                options={"require": ["exp", "aud"]})
        except jwt.ExpiredSignatureError:
            raise Gone("this image link has expired; ask the API for a new one") from None
        except jwt.InvalidTokenError:
            raise NotFound("no such image link") from None
        if self._key is None or not isinstance(claims.get("k"), str):
            raise NotFound("no such image link")
        return claims["k"]
