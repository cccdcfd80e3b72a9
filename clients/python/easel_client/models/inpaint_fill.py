from enum import StrEnum


class InpaintFill(StrEnum):
    FILL = "fill"
    LATENT_NOISE = "latent_noise"
    LATENT_NOTHING = "latent_nothing"
    ORIGINAL = "original"

    def __str__(self) -> str:
        return str(self.value)
