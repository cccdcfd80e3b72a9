from enum import StrEnum


class Sampler(StrEnum):
    DDIM = "DDIM"
    DPM2 = "DPM2"
    DPM2_A = "DPM2 a"
    DPM2_A_KARRAS = "DPM2 a Karras"
    DPM2_KARRAS = "DPM2 Karras"
    DPM_2M = "DPM++ 2M"
    DPM_2M_KARRAS = "DPM++ 2M Karras"
    DPM_2M_SDE = "DPM++ 2M SDE"
    DPM_2M_SDE_EXPONENTIAL = "DPM++ 2M SDE Exponential"
    DPM_2M_SDE_HEUN = "DPM++ 2M SDE Heun"
    DPM_2M_SDE_KARRAS = "DPM++ 2M SDE Karras"
    DPM_2S_A = "DPM++ 2S a"
    DPM_2S_A_KARRAS = "DPM++ 2S a Karras"
    DPM_3M_SDE = "DPM++ 3M SDE"
    DPM_SDE = "DPM++ SDE"
    DPM_SDE_KARRAS = "DPM++ SDE Karras"
    EULER = "Euler"
    EULER_A = "Euler a"
    HEUN = "Heun"
    LCM = "LCM"
    LMS = "LMS"
    LMS_KARRAS = "LMS Karras"
    PLMS = "PLMS"
    UNIPC = "UniPC"

    def __str__(self) -> str:
        return str(self.value)
