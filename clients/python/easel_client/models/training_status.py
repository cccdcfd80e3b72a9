from enum import StrEnum


class TrainingStatus(StrEnum):
    CANCELED = "canceled"
    FAILED = "failed"
    PREPARING = "preparing"
    QUEUED = "queued"
    RUNNING = "running"
    STARTING = "starting"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
