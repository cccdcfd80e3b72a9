from enum import StrEnum


class PoolSourceType0(StrEnum):
    API = "api"
    CONFIG = "config"

    def __str__(self) -> str:
        return str(self.value)
