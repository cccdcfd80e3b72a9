from enum import StrEnum


class ReadUsageBucketType0(StrEnum):
    DAY = "day"
    HOUR = "hour"

    def __str__(self) -> str:
        return str(self.value)
