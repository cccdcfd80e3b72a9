"""Webhook signing secrets at rest: sealed with AES-GCM under the deployment's key, opened only to sign.

The secrets have to be read back to sign (HMAC), so they cannot be hashed. Each is stored as
`v1.<key id>.<base64url(nonce, ciphertext and tag)>`; the associated data is the row's table and id, so a sealed
secret copied into another row does not open. The key is `EASEL_WEBHOOK_SECRET_KEY` (32+ random characters;
required when EASEL_ENV=prod; in dev one is made once in the data dir, as the embedded stack does), and the AES key
is its SHA-256. The key id is the first 8 hex digits of the SHA-256 of the AES key: it names which key sealed a
secret without telling anything about it.

Rotation: set the new key in `EASEL_WEBHOOK_SECRET_KEY` and the old one in `EASEL_WEBHOOK_SECRET_OLD_KEYS`; at its
start the jobs service seals every secret again under the new key (`reseal`), after which the old key can go. A
secret no configured key opens (the old key left out too soon, or a wrong one) does not stop that start: it is left as
it is and counted (`Unopened`), the service says so, and only that endpoint's (or callback's) deliveries fail until
the key is configured or the secret rotated; dispatching jobs does not depend on webhook keys.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import Connection

from easel_common.db import UTCDateTime
from easel_common.kept_secrets import kept_secret

VERSION = "v1"
NONCE_BYTES = 12
ENDPOINTS = "webhook_endpoints"  # the tables whose rows' ids bind their secrets
CALLBACKS = "webhook_callback_secrets"


def _aes_key(text: str) -> bytes:
    return hashlib.sha256(b"easel webhook secrets\n" + text.encode()).digest()


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def is_sealed(stored: str) -> bool:
    """Whether a stored value is sealed (a plain secret starts with whsec_)."""
    return stored.startswith(VERSION + ".")


class Unopenable(ValueError):
    """A sealed secret no configured key opens: sealed under a key that is not configured, or altered. `key_id` names
    the key it says it was sealed under (never anything of the secret)."""

    def __init__(self, message: str, key_id: str) -> None:
        super().__init__(message)
        self.key_id = key_id


class SecretBox:
    """Seals and opens webhook secrets; `current` seals, every key opens."""

    def __init__(self, current: str, old: list[str] | tuple[str, ...] = ()) -> None:
        keys = [_aes_key(k) for k in (current, *old)]
        self._keys = {_key_id(k): AESGCM(k) for k in keys}
        self.current = _key_id(keys[0])

    def seal(self, table: str, row_id: str, secret: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.current].encrypt(nonce, secret.encode(), f"{table}:{row_id}".encode())
        return f"{VERSION}.{self.current}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"

    def open(self, table: str, row_id: str, stored: str) -> str:
        """The secret; raises ValueError for a value that is not sealed, sealed under a key this box lacks, or
        altered (or moved from another row)."""
        version, key_id, body = (stored.split(".", 2) + ["", ""])[:3]
        if version != VERSION or not body:
            raise ValueError(f"{table} {row_id}: the stored secret is not sealed")
        aead = self._keys.get(key_id)
        if aead is None:
            raise Unopenable(f"{table} {row_id}: sealed under key {key_id}, which is not configured "
                             "(EASEL_WEBHOOK_SECRET_KEY, EASEL_WEBHOOK_SECRET_OLD_KEYS)", key_id)
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{table}:{row_id}".encode()).decode()
        except InvalidTag:  # an altered value, or another row's
            raise Unopenable(f"{table} {row_id}: the stored secret does not open", key_id) from None

    @property
    def key_ids(self) -> list[str]:
        """The configured keys' ids, the current one first."""
        return list(self._keys)

    def sealed_now(self, stored: str | None) -> bool:
        """Whether a stored value is sealed under the current key (None: nothing to seal)."""
        return stored is None or stored.startswith(f"{VERSION}.{self.current}.")


def box_of(settings) -> SecretBox:
    """The deployment's box: EASEL_WEBHOOK_SECRET_KEY (and the old keys), or in dev a key kept in the data dir."""
    old = [k.get_secret_value() for k in settings.webhook_secret_old_keys]
    if settings.webhook_secret_key is not None:
        return SecretBox(settings.webhook_secret_key.get_secret_value(), old)
    return SecretBox(kept_secret(Path(settings.data_dir) / "webhook.secret"), old)


def tables() -> list[tuple[str, sa.TableClause, str]]:
    return [(name, sa.table(name, sa.column(key), sa.column("secret"), sa.column("previous_secret"),
                            sa.column("previous_secret_until", UTCDateTime)), key)
            for name, key in ((ENDPOINTS, "id"), (CALLBACKS, "user_id"))]


@dataclass
class Unopened:
    """The secrets in use that no configured key opens, left as they were: the rows of each table (endpoint ids,
    callback secrets' user ids) and the key ids they are sealed under."""

    rows: dict[str, set[str]] = field(default_factory=lambda: {ENDPOINTS: set(), CALLBACKS: set()})
    key_ids: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any(self.rows.values())

    def add(self, table: str, row_id: str, key_id: str) -> None:
        self.rows[table].add(row_id)
        self.key_ids.add(key_id)

    def summary(self, box: SecretBox) -> str:
        """What an operator reads at start: how many, under which key ids, and what to do (never a secret)."""
        return (f"webhook signing secrets that no configured key opens: {len(self.rows[ENDPOINTS])} endpoint(s) and "
                f"{len(self.rows[CALLBACKS])} callback secret(s), sealed under key id(s) "
                f"{', '.join(sorted(self.key_ids))} (configured: {', '.join(box.key_ids)}); their deliveries fail "
                "until the key that sealed them is set in EASEL_WEBHOOK_SECRET_OLD_KEYS and the jobs service "
                "restarted, or their owners rotate those secrets; job dispatch is not affected")


def _resealed(conn: Connection, box: SecretBox, unopened: Unopened | None):
    """Each row holding a secret not sealed under the current key, with those of its secrets sealed again. A sealed
    one no configured key opens raises, or with `unopened` is left out and counted (a previous secret only while
    it still signs: one whose overlap has ended is never used again)."""
    prefix = f"{VERSION}.{box.current}."
    at = datetime.now(UTC)
    for table, t, key in tables():
        stale = sa.or_(~t.c.secret.startswith(prefix, autoescape=True),
                       sa.and_(t.c.previous_secret.is_not(None),
                               ~t.c.previous_secret.startswith(prefix, autoescape=True)))
        for row_id, secret, previous, until in conn.execute(
                sa.select(t.c[key], t.c.secret, t.c.previous_secret, t.c.previous_secret_until).where(stale)).all():
            values = {}
            for name, stored in (("secret", secret), ("previous_secret", previous)):
                if box.sealed_now(stored):
                    continue
                try:
                    values[name] = box.seal(table, row_id, box.open(table, row_id, stored) if is_sealed(stored)
                                            else stored)
                except Unopenable as exc:
                    if unopened is None:
                        raise
                    if name == "secret" or (until is not None and until > at):
                        unopened.add(table, row_id, exc.key_id)
            yield t, key, row_id, secret, previous, values


def reseal(conn: Connection, box: SecretBox, unopened: Unopened | None = None) -> int:
    """Seal under the current key every secret that is not: plain ones (rows from before secrets were sealed:
    migration 0013) and those under an old key (after a rotation, at each start). Each row is written only if it
    still holds what was read (a secret rotated meanwhile is kept). A secret no configured key opens raises
    (migration 0013), or, given `unopened` (the service's start), is left as it is and counted there, so a key
    left out of the settings costs its webhooks' deliveries, not the service. Returns how many rows were sealed
    again."""
    changed = 0
    for t, key, row_id, secret, previous, values in _resealed(conn, box, unopened):
        if not values:
            continue
        same = t.c.previous_secret.is_(None) if previous is None else t.c.previous_secret == previous
        done = conn.execute(sa.update(t).where(t.c[key] == row_id, t.c.secret == secret, same).values(**values))
        changed += done.rowcount
    return changed


def unopenable(conn: Connection, box: SecretBox) -> Unopened:
    """The secrets in use that no configured key opens, counted without writing anything."""
    unopened = Unopened()
    for _ in _resealed(conn, box, unopened):
        pass
    return unopened


def unsealed(conn: Connection) -> int:
    """How many rows hold a secret that is not sealed at all."""
    return sum(conn.execute(sa.select(sa.func.count()).select_from(t).where(sa.or_(
        ~t.c.secret.startswith(VERSION + ".", autoescape=True),
        sa.and_(t.c.previous_secret.is_not(None),
                ~t.c.previous_secret.startswith(VERSION + ".", autoescape=True))))).scalar_one()
        for _, t, _ in tables())
