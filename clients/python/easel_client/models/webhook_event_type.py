from enum import StrEnum


class WebhookEventType(StrEnum):
    JOB_CANCELED = "job.canceled"
    JOB_FAILED = "job.failed"
    JOB_SUCCEEDED = "job.succeeded"
    MODEL_IMPORTED = "model.imported"
    MODEL_IMPORT_FAILED = "model.import_failed"
    TRAINING_CANCELED = "training.canceled"
    TRAINING_FAILED = "training.failed"
    TRAINING_SUCCEEDED = "training.succeeded"

    def __str__(self) -> str:
        return str(self.value)
