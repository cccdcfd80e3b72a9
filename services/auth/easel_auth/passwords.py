"""Passwords: argon2id hashes, checked off the event loop (each check costs tens of milliseconds)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from easel_proto.errors import WeakPassword

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked against when the username is unknown, so both cases take the same time.
_DECOY = _hasher.hash("decoy password that matches nothing")
# Each hash or check takes 64 MiB and about 0.1 s of a core (measured on a 2-core machine): a few threads of
# their own bound both under a burst of sign-ins, and a burst waits here rather than in the loop's default pool.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="argon2")


def check_strength(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise WeakPassword(f"password: must be at least {min_length} characters", field="password",
                           min_length=min_length)
    if len(set(password)) < 4:
        raise WeakPassword("password: too few distinct characters", field="password")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_POOL, _hasher.hash, password)


async def verify(stored_hash: str | None, password: str, *, timeout: float | None = None) -> bool:
    """True when the password matches the hash; TimeoutError when it could not be checked within `timeout` s."""
    def check() -> bool:
        try:
            return _hasher.verify(stored_hash or _DECOY, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    if timeout is not None and timeout <= 0:
        raise TimeoutError
    # a check still queued when the time is up is dropped from the queue; one already running finishes unheard
    return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(_POOL, check), timeout)
