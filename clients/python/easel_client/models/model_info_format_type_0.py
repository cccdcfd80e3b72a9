from enum import StrEnum


class ModelInfoFormatType0(StrEnum):
    BUILTIN = "builtin"
    DIFFUSERS = "diffusers"
    SAFETENSORS = "safetensors"

    def __str__(self) -> str:
        return str(self.value)
