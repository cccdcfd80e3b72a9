from enum import StrEnum


class JobStatus(StrEnum):
    CANCELED = "canceled"
    FAILED = "failed"
    PROCESSING = "processing"
    QUEUED = "queued"
    STARTING = "starting"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
