"""Signed caller identity between services: auth vouches for a caller, the gateway proves it holds the statement.

A service never trusts a principal written in a message body. Instead:

- **Statement** (auth issues it, in `VerifyKeyReply.statement`): an EdDSA JWT signed with auth's caller key,
  naming the principal (user, tenant, roles, permissions, key or session) and, in `cnf`, the public key of the
  gateway process that asked. It lives `caller_statement_ttl_s` at most, never past the credential.
- **Proof** (the gateway signs one per request with that process's own key, which never leaves it): an EdDSA JWT
  over the NATS subject, a SHA-256 of the body, the time and a random id.

A service checks both with auth's public key (`caller_public_key`): a statement without its holder's key is useless,
so one seen on the wire cannot be used by anyone else, and a proof is good for one subject, one body, once, within
`MAX_SKEW_S`. PyJWT with `cryptography` (Ed25519) does the signing; nothing here is hand-rolled crypto.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import jwt
from cachetools import TTLCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from easel_proto.errors import InvalidInput, Unauthenticated
from easel_proto.v1.common import Principal

STATEMENT_HEADER = "Easel-Caller"
PROOF_HEADER = "Easel-Proof"
ISSUER, AUDIENCE = "easel-auth", "easel-services"
MAX_SKEW_S = 30.0  # a proof older (or newer) than this is refused; its id is remembered twice as long
_ALG = "EdDSA"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def body_digest(body: bytes) -> str:
    return _b64(hashlib.sha256(body).digest())


def new_private_key() -> str:
    """A new caller signing key, as auth's `EASEL_CALLER_KEY` holds it (base64url of the 32-byte seed)."""
    return _b64(Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))


def private_key(text: str) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(_unb64(text.strip()))
    except ValueError as exc:
        raise ValueError("a caller key is the base64url of a 32-byte Ed25519 seed (easel-auth new-caller-key)") from exc


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The base64url raw public key, as `EASEL_CALLER_PUBLIC_KEY` holds it."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return _b64(public.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(_unb64(text.strip()))
    except ValueError as exc:
        raise ValueError("a caller public key is the base64url of a 32-byte Ed25519 public key") from exc


class Issuer:
    """Auth's side: signs statements about callers it has verified."""

    def __init__(self, key: Ed25519PrivateKey, ttl_s: float) -> None:
        self.key, self.ttl_s = key, ttl_s
        self.public_key = public_key_text(key)

    def issue(self, who: Principal, holder: str, valid_until: datetime | None) -> tuple[str, datetime]:
        """A statement about `who` for the gateway process holding `holder`; returns it and when it expires."""
        try:
            public_key(holder)
        except ValueError as exc:
            raise InvalidInput("holder", str(exc)) from None
        issued = time.time()
        expires = issued + self.ttl_s
        if valid_until is not None:
            expires = min(expires, valid_until.timestamp())
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": who.user_id, "tid": who.tenant_id, "name": who.username,
            "roles": who.roles, "perms": who.permissions, "kid": who.key_id, "sid": who.session_id,
            "iat": int(issued), "exp": int(expires), "cnf": {"ed25519": holder},
        }
        return jwt.encode(claims, self.key, algorithm=_ALG), datetime.fromtimestamp(int(expires), UTC)


class Holder:
    """The gateway's side: a key pair made when the process starts; it signs one proof per request."""

    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()
        self.public_key = public_key_text(self._key)

    def proof(self, subject: str, body: bytes) -> str:
        claims = {"sub": subject, "bh": body_digest(body), "iat": time.time(), "jti": secrets.token_urlsafe(16)}
        return jwt.encode(claims, self._key, algorithm=_ALG, headers={"typ": "easel-proof"})

    def headers(self, statement: str, subject: str, body: bytes) -> dict[str, str]:
        return {STATEMENT_HEADER: statement, PROOF_HEADER: self.proof(subject, body)}


class Verifier:
    """A service's side: who the caller of one request is, or Unauthenticated."""

    def __init__(self, auth_key: Ed25519PublicKey, clock=time.time) -> None:
        self.auth_key, self.clock = auth_key, clock
        self._seen: TTLCache[str, bool] = TTLCache(maxsize=200_000, ttl=2 * MAX_SKEW_S)
        # A caller sends the same statement with many requests: its signature is checked once (half the cost of a
        # request here), its expiry every time.
        self._statements: TTLCache[str, tuple[dict, Ed25519PublicKey]] = TTLCache(maxsize=20_000, ttl=60.0)

    def _statement(self, statement: str) -> tuple[dict, Ed25519PublicKey]:
        known = self._statements.get(statement)
        if known is None:
            claims = jwt.decode(statement, self.auth_key, algorithms=[_ALG], audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "cnf"]})
            known = self._statements[statement] = (claims, public_key(claims["cnf"]["ed25519"]))
        elif known[0]["exp"] <= self.clock():
            raise jwt.ExpiredSignatureError("Signature has expired")
        return known

    def verify(self, headers: Mapping[str, str], subject: str, body: bytes) -> Principal:
        statement, proof = headers.get(STATEMENT_HEADER), headers.get(PROOF_HEADER)
        if not statement or not proof:
            raise Unauthenticated("no caller statement: requests for a user must come through the gateway")
        try:
            claims, holder = self._statement(statement)
            bound = jwt.decode(proof, holder, algorithms=[_ALG], options={"require": ["iat", "jti", "sub"]})
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError) as exc:
            raise Unauthenticated(f"caller statement refused: {exc}") from None
        if bound["sub"] != subject or bound.get("bh") != body_digest(body):
            raise Unauthenticated("caller proof refused: it was made for another request")
        if abs(self.clock() - float(bound["iat"])) > MAX_SKEW_S:
            raise Unauthenticated("caller proof refused: too old")
        if self._seen.get(bound["jti"]):
            raise Unauthenticated("caller proof refused: replayed")
        self._seen[bound["jti"]] = True
        return Principal(user_id=claims["sub"], tenant_id=claims["tid"], username=claims["name"],
                         roles=claims.get("roles") or [], permissions=claims.get("perms") or [],
                         key_id=claims.get("kid"), session_id=claims.get("sid"))


def dev_key_paths(data_dir: Path) -> tuple[Path, Path]:
    """Where auth keeps a caller key it generated in dev, and its public half for the other services."""
    return data_dir / "caller.key", data_dir / "caller.pub"


def load_issuer(configured: str | None, data_dir: Path, ttl_s: float) -> Issuer:
    """Auth's issuer: from `EASEL_CALLER_KEY`, else (dev) a key generated once into the data dir."""
    secret_path, public_path = dev_key_paths(data_dir)
    if configured:
        key = private_key(configured)
    elif secret_path.exists():
        key = private_key(secret_path.read_text())
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        text = new_private_key()
        fd = os.open(secret_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text + "\n")
        key = private_key(text)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_text(public_key_text(key) + "\n")  # dev: how services on this machine find it
    return Issuer(key, ttl_s)


def load_verifier(configured: str | None, data_dir: Path) -> Verifier:
    """A service's verifier: from `EASEL_CALLER_PUBLIC_KEY`, else (dev) the public key auth wrote in the data dir."""
    if configured:
        return Verifier(public_key(configured))
    _, public_path = dev_key_paths(data_dir)
    if not public_path.exists():
        raise RuntimeError(f"no caller public key: set EASEL_CALLER_PUBLIC_KEY (or start auth first in dev, which "
                           f"writes {public_path})")
    return Verifier(public_key(public_path.read_text()))
