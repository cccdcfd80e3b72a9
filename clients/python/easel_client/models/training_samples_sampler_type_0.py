from enum import StrEnum


class TrainingSamplesSamplerType0(StrEnum):
    DDIM = "DDIM"
    DPM2 = "DPM2"
    DPM2_A = "DPM2 a"
    DPM_2M = "DPM++ 2M"
    DPM_2M_SDE = "DPM++ 2M SDE"
    DPM_SDE = "DPM++ SDE"
    EULER = "Euler"
    EULER_A = "Euler a"
    HEUN = "Heun"
    LMS = "LMS"
    PLMS = "PLMS"
    UNIPC = "UniPC"

    def __str__(self) -> str:
        return str(self.value)
