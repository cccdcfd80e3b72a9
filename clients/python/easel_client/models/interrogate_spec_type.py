from enum import StrEnum


class InterrogateSpecType(StrEnum):
    CLIP = "clip"
    DEEPDANBOORU = "deepdanbooru"

    def __str__(self) -> str:
        return str(self.value)
