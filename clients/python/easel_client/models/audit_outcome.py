from enum import StrEnum


class AuditOutcome(StrEnum):
    DENIED = "denied"
    ERROR = "error"
    INVALID = "invalid"
    OK = "ok"

    def __str__(self) -> str:
        return str(self.value)
