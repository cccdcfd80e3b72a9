from enum import StrEnum


class BodyCreateDatasetVisibility(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"
    ROLES = "roles"

    def __str__(self) -> str:
        return str(self.value)
