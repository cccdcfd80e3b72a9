from enum import StrEnum


class ModelPatchVisibilityType0(StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"
    ROLES = "roles"

    def __str__(self) -> str:
        return str(self.value)
