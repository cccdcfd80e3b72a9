from enum import StrEnum


class Scheduler(StrEnum):
    ALIGN_YOUR_STEPS = "align_your_steps"
    AUTOMATIC = "automatic"
    BETA = "beta"
    DDIM = "ddim"
    EXPONENTIAL = "exponential"
    KARRAS = "karras"
    KL_OPTIMAL = "kl_optimal"
    NORMAL = "normal"
    POLYEXPONENTIAL = "polyexponential"
    SGM_UNIFORM = "sgm_uniform"
    SIMPLE = "simple"
    UNIFORM = "uniform"

    def __str__(self) -> str:
        return str(self.value)
