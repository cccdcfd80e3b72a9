from enum import StrEnum


class DatasetInfoVisibilityType0(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"
    ROLES = "roles"

    def __str__(self) -> str:
        return str(self.value)
