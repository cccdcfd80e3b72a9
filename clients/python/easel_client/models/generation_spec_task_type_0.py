from enum import StrEnum


class GenerationSpecTaskType0(StrEnum):
    DETECT = "detect"
    EXTRAS = "extras"
    IMG2IMG = "img2img"
    INTERROGATE = "interrogate"
    MERGE = "merge"
    TXT2IMG = "txt2img"

    def __str__(self) -> str:
        return str(self.value)
