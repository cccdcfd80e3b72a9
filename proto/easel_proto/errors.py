"""The one error hierarchy: each error has a stable code and an HTTP status.

Errors cross NATS as `common.Error` data; only the gateway turns them into HTTP.
"""

from __future__ import annotations

from typing import Any, ClassVar

from easel_proto.v1.common import Error


class EaselError(Exception):
    """Base of every error Easel reports to a caller."""

    code: ClassVar[str] = "internal"
    status: ClassVar[int] = 500
    _by_code: ClassVar[dict[str, type[EaselError]]] = {}

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        EaselError._by_code[cls.code] = cls

    def to_wire(self) -> Error:
        return Error(code=self.code, message=self.message, details=self.details)

    @classmethod
    def from_wire(cls, error: Error) -> EaselError:
        """Rebuild the error a remote service raised."""
        kind = EaselError._by_code.get(error.code, EaselError)
        exc = kind.__new__(kind)
        EaselError.__init__(exc, error.message, **(error.details or {}))
        if kind is EaselError:
            exc.code = error.code  # keep an unknown code as sent
        return exc


class InvalidInput(EaselError):
    """A request field is missing, malformed or out of range; details name the field."""

    code = "validation_error"
    status = 422

    def __init__(self, field: str, reason: str, **details: Any) -> None:
        super().__init__(f"{field}: {reason}", field=field, reason=reason, **details)


class Unauthenticated(EaselError):
    code = "unauthenticated"
    status = 401


class TokenExpired(Unauthenticated):
    code = "token_expired"


class WeakPassword(EaselError):
    code = "weak_password"
    status = 422


class TooManyAttempts(EaselError):
    """Sign-in is locked for a while after repeated failures; details carry retry_after_s."""

    code = "too_many_attempts"
    status = 429


class Forbidden(EaselError):
    code = "forbidden"
    status = 403


class NotFound(EaselError):
    code = "not_found"
    status = 404


class Conflict(EaselError):
    code = "conflict"
    status = 409


class QuotaExceeded(EaselError):
    """A quota would be exceeded; details name the limit and when to retry."""

    code = "quota_exceeded"
    status = 429


class RateLimited(EaselError):
    """Too many requests per second for the caller's rate limit."""

    code = "rate_limited"
    status = 429


class Gone(EaselError):
    """It existed, and was deleted on purpose (a job's images after its tenant's retention)."""

    code = "gone"
    status = 410


class PayloadTooLarge(EaselError):
    code = "payload_too_large"
    status = 413


class Unavailable(EaselError):
    """A dependency (a service, the broker, the store) did not answer in time."""

    code = "unavailable"
    status = 503


class JobCanceled(EaselError):
    """The job was canceled by its owner while it ran."""

    code = "canceled"
    status = 409


class GenerationFailed(EaselError):
    """The worker could not produce the job's images."""

    code = "generation_failed"
    status = 500


class TrainingFailed(EaselError):
    """The trainer could not finish a training run (a crash, out of memory, a non-finite loss)."""

    code = "training_failed"
    status = 500


class DeliveriesExhausted(EaselError):
    """Every delivery attempt of a job ended without a result (worker crashes, timeouts)."""

    code = "deliveries_exhausted"
    status = 500
