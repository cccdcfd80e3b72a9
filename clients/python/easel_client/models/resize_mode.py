from enum import StrEnum


class ResizeMode(StrEnum):
    CROP_AND_RESIZE = "crop_and_resize"
    JUST_RESIZE = "just_resize"
    LATENT_UPSCALE = "latent_upscale"
    RESIZE_AND_FILL = "resize_and_fill"

    def __str__(self) -> str:
        return str(self.value)
