from enum import StrEnum


class TrainingMethod(StrEnum):
    DREAMBOOTH = "dreambooth"
    DREAMBOOTH_LORA = "dreambooth_lora"
    HYPERNETWORK = "hypernetwork"
    LORA = "lora"
    TEXTUAL_INVERSION = "textual_inversion"

    def __str__(self) -> str:
        return str(self.value)
