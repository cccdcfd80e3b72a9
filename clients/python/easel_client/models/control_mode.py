from enum import StrEnum


class ControlMode(StrEnum):
    BALANCED = "balanced"
    CONTROLNET = "controlnet"
    PROMPT = "prompt"

    def __str__(self) -> str:
        return str(self.value)
