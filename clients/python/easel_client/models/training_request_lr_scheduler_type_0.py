from enum import StrEnum


class TrainingRequestLrSchedulerType0(StrEnum):
    CONSTANT = "constant"
    CONSTANT_WITH_WARMUP = "constant_with_warmup"
    COSINE = "cosine"
    COSINE_WITH_RESTARTS = "cosine_with_restarts"
    LINEAR = "linear"
    POLYNOMIAL = "polynomial"

    def __str__(self) -> str:
        return str(self.value)
