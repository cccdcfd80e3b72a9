from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainingDreamboothRequest")


@_attrs_define
class TrainingDreamboothRequest:
    """
    Attributes:
        instance_prompt (str): The prompt of an instance image without a caption, naming the subject ("a photo of sks
            dog").
        class_cfg_scale (float | None | Unset): CFG scale of the generated class images. Default: 7.0.
        class_dataset (None | str | Unset): A dataset of class images the caller may use; prior preservation runs when
            it is set (with class_prompt). With fewer images than num_class_images, the rest are generated.
        class_negative_prompt (None | str | Unset): The negative prompt of the generated class images. Default: ''.
        class_prompt (None | str | Unset): The prompt of the class images (prior preservation). Without class_dataset,
            the training first generates num_class_images of them with the base model.
        class_steps (int | None | Unset): Sampling steps of each generated class image. Default: 20.
        num_class_images (int | None | Unset): How many class images prior preservation uses (diffusers'
            --num_class_images): those of class_dataset, and the rest generated on a GPU worker with the base model at the
            training's resolution, as your txt2img jobs (counted in your job quotas). Null: 100 when there is no
            class_dataset, else the dataset's images. At most the deployment's limit (default 200).
        prior_loss_weight (float | None | Unset):  Default: 1.0.
        train_text_encoder (bool | None | Unset): dreambooth only: fine-tune the text encoder too. Default: False.
    """

    instance_prompt: str
    class_cfg_scale: float | None | Unset = 7.0
    class_dataset: None | str | Unset = UNSET
    class_negative_prompt: None | str | Unset = ""
    class_prompt: None | str | Unset = UNSET
    class_steps: int | None | Unset = 20
    num_class_images: int | None | Unset = UNSET
    prior_loss_weight: float | None | Unset = 1.0
    train_text_encoder: bool | None | Unset = False

    def to_dict(self) -> dict[str, Any]:
        instance_prompt = self.instance_prompt

        class_cfg_scale: float | None | Unset
        if isinstance(self.class_cfg_scale, Unset):
            class_cfg_scale = UNSET
        else:
            class_cfg_scale = self.class_cfg_scale

        class_dataset: None | str | Unset
        if isinstance(self.class_dataset, Unset):
            class_dataset = UNSET
        else:
            class_dataset = self.class_dataset

        class_negative_prompt: None | str | Unset
        if isinstance(self.class_negative_prompt, Unset):
            class_negative_prompt = UNSET
        else:
            class_negative_prompt = self.class_negative_prompt

        class_prompt: None | str | Unset
        if isinstance(self.class_prompt, Unset):
            class_prompt = UNSET
        else:
            class_prompt = self.class_prompt

        class_steps: int | None | Unset
        if isinstance(self.class_steps, Unset):
            class_steps = UNSET
        else:
            class_steps = self.class_steps

        num_class_images: int | None | Unset
        if isinstance(self.num_class_images, Unset):
            num_class_images = UNSET
        else:
            num_class_images = self.num_class_images

        prior_loss_weight: float | None | Unset
        if isinstance(self.prior_loss_weight, Unset):
            prior_loss_weight = UNSET
        else:
            prior_loss_weight = self.prior_loss_weight

        train_text_encoder: bool | None | Unset
        if isinstance(self.train_text_encoder, Unset):
            train_text_encoder = UNSET
        else:
            train_text_encoder = self.train_text_encoder

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "instance_prompt": instance_prompt,
            }
        )
        if class_cfg_scale is not UNSET:
            field_dict["class_cfg_scale"] = class_cfg_scale
        if class_dataset is not UNSET:
            field_dict["class_dataset"] = class_dataset
        if class_negative_prompt is not UNSET:
            field_dict["class_negative_prompt"] = class_negative_prompt
        if class_prompt is not UNSET:
            field_dict["class_prompt"] = class_prompt
        if class_steps is not UNSET:
            field_dict["class_steps"] = class_steps
        if num_class_images is not UNSET:
            field_dict["num_class_images"] = num_class_images
        if prior_loss_weight is not UNSET:
            field_dict["prior_loss_weight"] = prior_loss_weight
        if train_text_encoder is not UNSET:
            field_dict["train_text_encoder"] = train_text_encoder

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        instance_prompt = d.pop("instance_prompt")

        def _parse_class_cfg_scale(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        class_cfg_scale = _parse_class_cfg_scale(d.pop("class_cfg_scale", UNSET))

        def _parse_class_dataset(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        class_dataset = _parse_class_dataset(d.pop("class_dataset", UNSET))

        def _parse_class_negative_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        class_negative_prompt = _parse_class_negative_prompt(d.pop("class_negative_prompt", UNSET))

        def _parse_class_prompt(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        class_prompt = _parse_class_prompt(d.pop("class_prompt", UNSET))

        def _parse_class_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        class_steps = _parse_class_steps(d.pop("class_steps", UNSET))

        def _parse_num_class_images(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        num_class_images = _parse_num_class_images(d.pop("num_class_images", UNSET))

        def _parse_prior_loss_weight(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        prior_loss_weight = _parse_prior_loss_weight(d.pop("prior_loss_weight", UNSET))

        def _parse_train_text_encoder(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        train_text_encoder = _parse_train_text_encoder(d.pop("train_text_encoder", UNSET))

        training_dreambooth_request = cls(
            instance_prompt=instance_prompt,
            class_cfg_scale=class_cfg_scale,
            class_dataset=class_dataset,
            class_negative_prompt=class_negative_prompt,
            class_prompt=class_prompt,
            class_steps=class_steps,
            num_class_images=num_class_images,
            prior_loss_weight=prior_loss_weight,
            train_text_encoder=train_text_encoder,
        )

        return training_dreambooth_request
