from enum import StrEnum


class ImportBodyBase(StrEnum):
    SD15 = "sd15"
    SD21 = "sd21"
    SDXL = "sdxl"
    TINY = "tiny"

    def __str__(self) -> str:
        return str(self.value)
