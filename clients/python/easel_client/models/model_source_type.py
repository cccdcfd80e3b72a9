from enum import StrEnum


class ModelSourceType(StrEnum):
    HF = "hf"
    HTTP = "http"
    MERGE = "merge"
    S3 = "s3"
    TRAINING = "training"
    UPLOAD = "upload"

    def __str__(self) -> str:
        return str(self.value)
