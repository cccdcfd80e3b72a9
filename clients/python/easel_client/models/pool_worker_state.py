from enum import StrEnum


class PoolWorkerState(StrEnum):
    BUSY = "busy"
    DRAINING = "draining"
    IDLE = "idle"
    STARTING = "starting"

    def __str__(self) -> str:
        return str(self.value)
