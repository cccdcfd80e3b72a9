from enum import StrEnum


class TrainingHypernetworkWeightInitType0(StrEnum):
    KAIMINGNORMAL = "KaimingNormal"
    KAIMINGUNIFORM = "KaimingUniform"
    NORMAL = "Normal"
    XAVIERNORMAL = "XavierNormal"
    XAVIERUNIFORM = "XavierUniform"

    def __str__(self) -> str:
        return str(self.value)
