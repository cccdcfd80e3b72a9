from enum import StrEnum


class TrainingHypernetworkActivationType0(StrEnum):
    ELU = "elu"
    GELU = "gelu"
    LEAKYRELU = "leakyrelu"
    LINEAR = "linear"
    MISH = "mish"
    RELU = "relu"
    SIGMOID = "sigmoid"
    SILU = "silu"
    SOFTPLUS = "softplus"
    SWISH = "swish"
    TANH = "tanh"

    def __str__(self) -> str:
        return str(self.value)
