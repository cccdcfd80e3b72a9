from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TrainEmbedding")


@_attrs_define
class TrainEmbedding:
    """
    Attributes:
        data_root (str):
        embedding_name (str):
        batch_size (int | Unset):  Default: 1.
        clip_grad_mode (str | Unset):  Default: 'disabled'.
        clip_grad_value (float | str | Unset):  Default: 0.1.
        create_image_every (int | Unset):  Default: 500.
        gradient_step (int | Unset):  Default: 1.
        id_task (None | str | Unset):
        latent_sampling_method (str | Unset):  Default: 'once'.
        learn_rate (float | str | Unset):  Default: 0.005.
        log_directory (None | str | Unset):
        preview_cfg_scale (float | Unset):  Default: 7.0.
        preview_from_txt2img (bool | Unset):  Default: False.
        preview_height (int | Unset):  Default: 512.
        preview_negative_prompt (str | Unset):  Default: ''.
        preview_prompt (str | Unset):  Default: ''.
        preview_sampler_index (int | None | Unset):
        preview_sampler_name (None | str | Unset):
        preview_seed (int | Unset):  Default: -1.
        preview_steps (int | Unset):  Default: 20.
        preview_width (int | Unset):  Default: 512.
        save_embedding_every (int | Unset):  Default: 500.
        save_image_with_stored_embedding (bool | Unset):  Default: True.
        shuffle_tags (bool | Unset):  Default: False.
        steps (int | Unset):  Default: 100000.
        tag_drop_out (float | Unset):  Default: 0.0.
        template_filename (str | Unset):  Default: 'subject_filewords.txt'.
        training_height (int | Unset):  Default: 512.
        training_width (int | Unset):  Default: 512.
        use_weight (bool | Unset):  Default: False.
        varsize (bool | Unset):  Default: False.
    """

    data_root: str
    embedding_name: str
    batch_size: int | Unset = 1
    clip_grad_mode: str | Unset = "disabled"
    clip_grad_value: float | str | Unset = 0.1
    create_image_every: int | Unset = 500
    gradient_step: int | Unset = 1
    id_task: None | str | Unset = UNSET
    latent_sampling_method: str | Unset = "once"
    learn_rate: float | str | Unset = 0.005
    log_directory: None | str | Unset = UNSET
    preview_cfg_scale: float | Unset = 7.0
    preview_from_txt2img: bool | Unset = False
    preview_height: int | Unset = 512
    preview_negative_prompt: str | Unset = ""
    preview_prompt: str | Unset = ""
    preview_sampler_index: int | None | Unset = UNSET
    preview_sampler_name: None | str | Unset = UNSET
    preview_seed: int | Unset = -1
    preview_steps: int | Unset = 20
    preview_width: int | Unset = 512
    save_embedding_every: int | Unset = 500
    save_image_with_stored_embedding: bool | Unset = True
    shuffle_tags: bool | Unset = False
    steps: int | Unset = 100000
    tag_drop_out: float | Unset = 0.0
    template_filename: str | Unset = "subject_filewords.txt"
    training_height: int | Unset = 512
    training_width: int | Unset = 512
    use_weight: bool | Unset = False
    varsize: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data_root = self.data_root

        embedding_name = self.embedding_name

        batch_size = self.batch_size

        clip_grad_mode = self.clip_grad_mode

        clip_grad_value: float | str | Unset
        if isinstance(self.clip_grad_value, Unset):
            clip_grad_value = UNSET
        else:
            clip_grad_value = self.clip_grad_value

        create_image_every = self.create_image_every

        gradient_step = self.gradient_step

        id_task: None | str | Unset
        if isinstance(self.id_task, Unset):
            id_task = UNSET
        else:
            id_task = self.id_task

        latent_sampling_method = self.latent_sampling_method

        learn_rate: float | str | Unset
        if isinstance(self.learn_rate, Unset):
            learn_rate = UNSET
        else:
            learn_rate = self.learn_rate

        log_directory: None | str | Unset
        if isinstance(self.log_directory, Unset):
            log_directory = UNSET
        else:
            log_directory = self.log_directory

        preview_cfg_scale = self.preview_cfg_scale

        preview_from_txt2img = self.preview_from_txt2img

        preview_height = self.preview_height

        preview_negative_prompt = self.preview_negative_prompt

        preview_prompt = self.preview_prompt

        preview_sampler_index: int | None | Unset
        if isinstance(self.preview_sampler_index, Unset):
            preview_sampler_index = UNSET
        else:
            preview_sampler_index = self.preview_sampler_index

        preview_sampler_name: None | str | Unset
        if isinstance(self.preview_sampler_name, Unset):
            preview_sampler_name = UNSET
        else:
            preview_sampler_name = self.preview_sampler_name

        preview_seed = self.preview_seed

        preview_steps = self.preview_steps

        preview_width = self.preview_width

        save_embedding_every = self.save_embedding_every

        save_image_with_stored_embedding = self.save_image_with_stored_embedding

        shuffle_tags = self.shuffle_tags

        steps = self.steps

        tag_drop_out = self.tag_drop_out

        template_filename = self.template_filename

        training_height = self.training_height

        training_width = self.training_width

        use_weight = self.use_weight

        varsize = self.varsize

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data_root": data_root,
                "embedding_name": embedding_name,
            }
        )
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if clip_grad_mode is not UNSET:
            field_dict["clip_grad_mode"] = clip_grad_mode
        if clip_grad_value is not UNSET:
            field_dict["clip_grad_value"] = clip_grad_value
        if create_image_every is not UNSET:
            field_dict["create_image_every"] = create_image_every
        if gradient_step is not UNSET:
            field_dict["gradient_step"] = gradient_step
        if id_task is not UNSET:
            field_dict["id_task"] = id_task
        if latent_sampling_method is not UNSET:
            field_dict["latent_sampling_method"] = latent_sampling_method
        if learn_rate is not UNSET:
            field_dict["learn_rate"] = learn_rate
        if log_directory is not UNSET:
            field_dict["log_directory"] = log_directory
        if preview_cfg_scale is not UNSET:
            field_dict["preview_cfg_scale"] = preview_cfg_scale
        if preview_from_txt2img is not UNSET:
            field_dict["preview_from_txt2img"] = preview_from_txt2img
        if preview_height is not UNSET:
            field_dict["preview_height"] = preview_height
        if preview_negative_prompt is not UNSET:
            field_dict["preview_negative_prompt"] = preview_negative_prompt
        if preview_prompt is not UNSET:
            field_dict["preview_prompt"] = preview_prompt
        if preview_sampler_index is not UNSET:
            field_dict["preview_sampler_index"] = preview_sampler_index
        if preview_sampler_name is not UNSET:
            field_dict["preview_sampler_name"] = preview_sampler_name
        if preview_seed is not UNSET:
            field_dict["preview_seed"] = preview_seed
        if preview_steps is not UNSET:
            field_dict["preview_steps"] = preview_steps
        if preview_width is not UNSET:
            field_dict["preview_width"] = preview_width
        if save_embedding_every is not UNSET:
            field_dict["save_embedding_every"] = save_embedding_every
        if save_image_with_stored_embedding is not UNSET:
            field_dict["save_image_with_stored_embedding"] = save_image_with_stored_embedding
        if shuffle_tags is not UNSET:
            field_dict["shuffle_tags"] = shuffle_tags
        if steps is not UNSET:
            field_dict["steps"] = steps
        if tag_drop_out is not UNSET:
            field_dict["tag_drop_out"] = tag_drop_out
        if template_filename is not UNSET:
            field_dict["template_filename"] = template_filename
        if training_height is not UNSET:
            field_dict["training_height"] = training_height
        if training_width is not UNSET:
            field_dict["training_width"] = training_width
        if use_weight is not UNSET:
            field_dict["use_weight"] = use_weight
        if varsize is not UNSET:
            field_dict["varsize"] = varsize

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        data_root = d.pop("data_root")

        embedding_name = d.pop("embedding_name")

        batch_size = d.pop("batch_size", UNSET)

        clip_grad_mode = d.pop("clip_grad_mode", UNSET)

        def _parse_clip_grad_value(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        clip_grad_value = _parse_clip_grad_value(d.pop("clip_grad_value", UNSET))

        create_image_every = d.pop("create_image_every", UNSET)

        gradient_step = d.pop("gradient_step", UNSET)

        def _parse_id_task(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id_task = _parse_id_task(d.pop("id_task", UNSET))

        latent_sampling_method = d.pop("latent_sampling_method", UNSET)

        def _parse_learn_rate(data: object) -> float | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(float | str | Unset, data)

        learn_rate = _parse_learn_rate(d.pop("learn_rate", UNSET))

        def _parse_log_directory(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        log_directory = _parse_log_directory(d.pop("log_directory", UNSET))

        preview_cfg_scale = d.pop("preview_cfg_scale", UNSET)

        preview_from_txt2img = d.pop("preview_from_txt2img", UNSET)

        preview_height = d.pop("preview_height", UNSET)

        preview_negative_prompt = d.pop("preview_negative_prompt", UNSET)

        preview_prompt = d.pop("preview_prompt", UNSET)

        def _parse_preview_sampler_index(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        preview_sampler_index = _parse_preview_sampler_index(d.pop("preview_sampler_index", UNSET))

        def _parse_preview_sampler_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        preview_sampler_name = _parse_preview_sampler_name(d.pop("preview_sampler_name", UNSET))

        preview_seed = d.pop("preview_seed", UNSET)

        preview_steps = d.pop("preview_steps", UNSET)

        preview_width = d.pop("preview_width", UNSET)

        save_embedding_every = d.pop("save_embedding_every", UNSET)

        save_image_with_stored_embedding = d.pop("save_image_with_stored_embedding", UNSET)

        shuffle_tags = d.pop("shuffle_tags", UNSET)

        steps = d.pop("steps", UNSET)

        tag_drop_out = d.pop("tag_drop_out", UNSET)

        template_filename = d.pop("template_filename", UNSET)

        training_height = d.pop("training_height", UNSET)

        training_width = d.pop("training_width", UNSET)

        use_weight = d.pop("use_weight", UNSET)

        varsize = d.pop("varsize", UNSET)

        train_embedding = cls(
            data_root=data_root,
            embedding_name=embedding_name,
            batch_size=batch_size,
            clip_grad_mode=clip_grad_mode,
            clip_grad_value=clip_grad_value,
            create_image_every=create_image_every,
            gradient_step=gradient_step,
            id_task=id_task,
            latent_sampling_method=latent_sampling_method,
            learn_rate=learn_rate,
            log_directory=log_directory,
            preview_cfg_scale=preview_cfg_scale,
            preview_from_txt2img=preview_from_txt2img,
            preview_height=preview_height,
            preview_negative_prompt=preview_negative_prompt,
            preview_prompt=preview_prompt,
            preview_sampler_index=preview_sampler_index,
            preview_sampler_name=preview_sampler_name,
            preview_seed=preview_seed,
            preview_steps=preview_steps,
            preview_width=preview_width,
            save_embedding_every=save_embedding_every,
            save_image_with_stored_embedding=save_image_with_stored_embedding,
            shuffle_tags=shuffle_tags,
            steps=steps,
            tag_drop_out=tag_drop_out,
            template_filename=template_filename,
            training_height=training_height,
            training_width=training_width,
            use_weight=use_weight,
            varsize=varsize,
        )

        train_embedding.additional_properties = d
        return train_embedding

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
