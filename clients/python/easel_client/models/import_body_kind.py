from enum import StrEnum


class ImportBodyKind(StrEnum):
    ANNOTATOR = "annotator"
    CHECKPOINT = "checkpoint"
    CONTROLNET = "controlnet"
    EMBEDDING = "embedding"
    FACE_DETECTOR = "face_detector"
    FACE_RESTORER = "face_restorer"
    HYPERNETWORK = "hypernetwork"
    INTERROGATOR = "interrogator"
    LORA = "lora"
    UPSCALER = "upscaler"
    VAE = "vae"

    def __str__(self) -> str:
        return str(self.value)
