"""Passwords: argon2id hashes, checked off the event loop (each check costs tens of milliseconds)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from easel_proto.errors import WeakPassword

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked against when the username is unknown, so both cases take the same time.
_DECOY = _hasher.hash("decoy password that matches nothing")


def check_strength(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise WeakPassword(f"password: must be at least {min_length} characters", field="password",
                           min_length=min_length)
    if len(set(password)) < 4:
        raise WeakPassword("password: too few distinct characters", field="password")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify(stored_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(stored_hash or _DECOY, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)
