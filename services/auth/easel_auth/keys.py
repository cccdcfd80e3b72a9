"""API key format and hashing: esk_<8 hex lookup prefix>_<secret>, stored as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_RE = re.compile(r"^esk_([0-9a-f]{8})_([A-Za-z0-9_-]{20,128})$")


def new_key() -> tuple[str, str]:
    """A fresh key and its public lookup prefix."""
    prefix = secrets.token_hex(4)
    return f"esk_{prefix}_{secrets.token_urlsafe(32)}", prefix


def parse(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    match = KEY_RE.match(key)
    return match.group(1) if match else None


def digest(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is safe; argon2 is for passwords.
    return hashlib.sha256(key.encode()).hexdigest()


def matches(key: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(key), stored_digest)
