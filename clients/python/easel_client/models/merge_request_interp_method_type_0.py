from enum import StrEnum


class MergeRequestInterpMethodType0(StrEnum):
    ADD_DIFFERENCE = "Add difference"
    NO_INTERPOLATION = "No interpolation"
    WEIGHTED_SUM = "Weighted sum"

    def __str__(self) -> str:
        return str(self.value)
