from enum import StrEnum


class ModelInfoStatusType0(StrEnum):
    FAILED = "failed"
    IMPORTING = "importing"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
