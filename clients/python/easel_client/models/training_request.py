from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.training_method import TrainingMethod
from ..models.training_request_lr_scheduler_type_0 import TrainingRequestLrSchedulerType0
from ..models.training_request_mixed_precision_type_0 import TrainingRequestMixedPrecisionType0
from ..models.training_request_save_precision_type_0 import TrainingRequestSavePrecisionType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.training_dreambooth_request import TrainingDreamboothRequest
    from ..models.training_hypernetwork import TrainingHypernetwork
    from ..models.training_learning_rates import TrainingLearningRates
    from ..models.training_lora import TrainingLora
    from ..models.training_samples import TrainingSamples
    from ..models.training_textual_inversion import TrainingTextualInversion


T = TypeVar("T", bound="TrainingRequest")


@_attrs_define
class TrainingRequest:
    """What a user asks for (POST /v1/trainings): a method, a base model and a dataset by reference, and the run's
    settings; the gateway turns it into a TrainingSpec.

        Attributes:
            base_model (str): The base checkpoint: id, name, title or short hash of a checkpoint the caller may use.
            dataset (str): The id of a dataset the caller may use (POST /v1/datasets).
            method (TrainingMethod):
            batch_size (int | None | Unset):  Default: 1.
            checkpoint_every (int | None | Unset): Write a resumable checkpoint every this many steps (0: only when
                stopped). Default: 100.
            default_caption (None | str | Unset): The caption of an image without one. Default: ''.
            dreambooth (None | TrainingDreamboothRequest | Unset): Required by dreambooth and dreambooth_lora.
            epochs (int | None | Unset): Passes over the dataset (times its repeats) when max_steps is null.
            flip (bool | None | Unset): Mirror each image at random (seeded) as augmentation. Default: False.
            gradient_accumulation_steps (int | None | Unset):  Default: 1.
            gradient_checkpointing (bool | None | Unset):  Default: False.
            hypernetwork (None | TrainingHypernetwork | Unset):
            keep_checkpoints (int | None | Unset):  Default: 2.
            learning_rates (None | TrainingLearningRates | Unset):
            lora (None | TrainingLora | Unset):
            lr_scheduler (None | TrainingRequestLrSchedulerType0 | Unset):  Default:
                TrainingRequestLrSchedulerType0.CONSTANT.
            lr_warmup_steps (int | None | Unset):  Default: 0.
            max_grad_norm (float | None | Unset): Gradient clipping; 0: off. Default: 1.0.
            max_steps (int | None | Unset): Optimizer steps; wins over epochs.
            mixed_precision (None | TrainingRequestMixedPrecisionType0 | Unset):  Default:
                TrainingRequestMixedPrecisionType0.NO.
            name (None | str | Unset): The registered model's name and the artefact's file name; textual_inversion: the
                token's (the embedding is called by it). Null: the token, else the dataset's name with the method.
            noise_offset (float | None | Unset):  Default: 0.0.
            pool (None | str | Unset): The GPU pool to train on (pools:use:<pool>); null: the caller's default pool.
            prompt_templates (list[str] | None | Unset): Each image's prompt, cycled over the images: [name] is the textual-
                inversion token, [filewords] the image's caption. Null: "a photo of [name], [filewords]" for textual inversion,
                "[filewords]" otherwise.
            repeats (int | None | Unset): How many times each image counts in an epoch. Default: 1.
            resolution (int | None | Unset): Images are resized (shorter side) and centre-cropped to this square; null: the
                base model's size.
            samples (None | TrainingSamples | Unset):
            save_precision (None | TrainingRequestSavePrecisionType0 | Unset): Weights of a LoRA or dreambooth artefact;
                embeddings and hypernetworks are always fp32. Default: TrainingRequestSavePrecisionType0.FP16.
            seed (int | None | Unset):  Default: 0.
            snr_gamma (float | None | Unset): Min-SNR loss weighting (5 is usual); null: plain MSE.
            textual_inversion (None | TrainingTextualInversion | Unset): Required by textual_inversion.
            weight_decay (float | None | Unset): AdamW's; null: 1e-2, 0 for textual inversion and hypernetworks.
    """

    base_model: str
    dataset: str
    method: TrainingMethod
    batch_size: int | None | Unset = 1
    checkpoint_every: int | None | Unset = 100
    default_caption: None | str | Unset = ""
    dreambooth: None | TrainingDreamboothRequest | Unset = UNSET
    epochs: int | None | Unset = UNSET
    flip: bool | None | Unset = False
    gradient_accumulation_steps: int | None | Unset = 1
    gradient_checkpointing: bool | None | Unset = False
    hypernetwork: None | TrainingHypernetwork | Unset = UNSET
    keep_checkpoints: int | None | Unset = 2
    learning_rates: None | TrainingLearningRates | Unset = UNSET
    lora: None | TrainingLora | Unset = UNSET
    lr_scheduler: None | TrainingRequestLrSchedulerType0 | Unset = TrainingRequestLrSchedulerType0.CONSTANT
    lr_warmup_steps: int | None | Unset = 0
    max_grad_norm: float | None | Unset = 1.0
    max_steps: int | None | Unset = UNSET
    mixed_precision: None | TrainingRequestMixedPrecisionType0 | Unset = TrainingRequestMixedPrecisionType0.NO
    name: None | str | Unset = UNSET
    noise_offset: float | None | Unset = 0.0
    pool: None | str | Unset = UNSET
    prompt_templates: list[str] | None | Unset = UNSET
    repeats: int | None | Unset = 1
    resolution: int | None | Unset = UNSET
    samples: None | TrainingSamples | Unset = UNSET
    save_precision: None | TrainingRequestSavePrecisionType0 | Unset = TrainingRequestSavePrecisionType0.FP16
    seed: int | None | Unset = 0
    snr_gamma: float | None | Unset = UNSET
    textual_inversion: None | TrainingTextualInversion | Unset = UNSET
    weight_decay: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.training_dreambooth_request import TrainingDreamboothRequest  # noqa: PLC0415
        from ..models.training_hypernetwork import TrainingHypernetwork  # noqa: PLC0415
        from ..models.training_learning_rates import TrainingLearningRates  # noqa: PLC0415
        from ..models.training_lora import TrainingLora  # noqa: PLC0415
        from ..models.training_samples import TrainingSamples  # noqa: PLC0415
        from ..models.training_textual_inversion import TrainingTextualInversion  # noqa: PLC0415

        base_model = self.base_model

        dataset = self.dataset

        method = self.method.value

        batch_size: int | None | Unset
        if isinstance(self.batch_size, Unset):
            batch_size = UNSET
        else:
            batch_size = self.batch_size

        checkpoint_every: int | None | Unset
        if isinstance(self.checkpoint_every, Unset):
            checkpoint_every = UNSET
        else:
            checkpoint_every = self.checkpoint_every

        default_caption: None | str | Unset
        if isinstance(self.default_caption, Unset):
            default_caption = UNSET
        else:
            default_caption = self.default_caption

        dreambooth: dict[str, Any] | None | Unset
        if isinstance(self.dreambooth, Unset):
            dreambooth = UNSET
        elif isinstance(self.dreambooth, TrainingDreamboothRequest):
            dreambooth = self.dreambooth.to_dict()
        else:
            dreambooth = self.dreambooth

        epochs: int | None | Unset
        if isinstance(self.epochs, Unset):
            epochs = UNSET
        else:
            epochs = self.epochs

        flip: bool | None | Unset
        if isinstance(self.flip, Unset):
            flip = UNSET
        else:
            flip = self.flip

        gradient_accumulation_steps: int | None | Unset
        if isinstance(self.gradient_accumulation_steps, Unset):
            gradient_accumulation_steps = UNSET
        else:
            gradient_accumulation_steps = self.gradient_accumulation_steps

        gradient_checkpointing: bool | None | Unset
        if isinstance(self.gradient_checkpointing, Unset):
            gradient_checkpointing = UNSET
        else:
            gradient_checkpointing = self.gradient_checkpointing

        hypernetwork: dict[str, Any] | None | Unset
        if isinstance(self.hypernetwork, Unset):
            hypernetwork = UNSET
        elif isinstance(self.hypernetwork, TrainingHypernetwork):
            hypernetwork = self.hypernetwork.to_dict()
        else:
            hypernetwork = self.hypernetwork

        keep_checkpoints: int | None | Unset
        if isinstance(self.keep_checkpoints, Unset):
            keep_checkpoints = UNSET
        else:
            keep_checkpoints = self.keep_checkpoints

        learning_rates: dict[str, Any] | None | Unset
        if isinstance(self.learning_rates, Unset):
            learning_rates = UNSET
        elif isinstance(self.learning_rates, TrainingLearningRates):
            learning_rates = self.learning_rates.to_dict()
        else:
            learning_rates = self.learning_rates

        lora: dict[str, Any] | None | Unset
        if isinstance(self.lora, Unset):
            lora = UNSET
        elif isinstance(self.lora, TrainingLora):
            lora = self.lora.to_dict()
        else:
            lora = self.lora

        lr_scheduler: None | str | Unset
        if isinstance(self.lr_scheduler, Unset):
            lr_scheduler = UNSET
        elif isinstance(self.lr_scheduler, TrainingRequestLrSchedulerType0):
            lr_scheduler = self.lr_scheduler.value
        else:
            lr_scheduler = self.lr_scheduler

        lr_warmup_steps: int | None | Unset
        if isinstance(self.lr_warmup_steps, Unset):
            lr_warmup_steps = UNSET
        else:
            lr_warmup_steps = self.lr_warmup_steps

        max_grad_norm: float | None | Unset
        if isinstance(self.max_grad_norm, Unset):
            max_grad_norm = UNSET
        else:
            max_grad_norm = self.max_grad_norm

        max_steps: int | None | Unset
        if isinstance(self.max_steps, Unset):
            max_steps = UNSET
        else:
            max_steps = self.max_steps

        mixed_precision: None | str | Unset
        if isinstance(self.mixed_precision, Unset):
            mixed_precision = UNSET
        elif isinstance(self.mixed_precision, TrainingRequestMixedPrecisionType0):
            mixed_precision = self.mixed_precision.value
        else:
            mixed_precision = self.mixed_precision

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        noise_offset: float | None | Unset
        if isinstance(self.noise_offset, Unset):
            noise_offset = UNSET
        else:
            noise_offset = self.noise_offset

        pool: None | str | Unset
        if isinstance(self.pool, Unset):
            pool = UNSET
        else:
            pool = self.pool

        prompt_templates: list[str] | None | Unset
        if isinstance(self.prompt_templates, Unset):
            prompt_templates = UNSET
        elif isinstance(self.prompt_templates, list):
            prompt_templates = self.prompt_templates

        else:
            prompt_templates = self.prompt_templates

        repeats: int | None | Unset
        if isinstance(self.repeats, Unset):
            repeats = UNSET
        else:
            repeats = self.repeats

        resolution: int | None | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        else:
            resolution = self.resolution

        samples: dict[str, Any] | None | Unset
        if isinstance(self.samples, Unset):
            samples = UNSET
        elif isinstance(self.samples, TrainingSamples):
            samples = self.samples.to_dict()
        else:
            samples = self.samples

        save_precision: None | str | Unset
        if isinstance(self.save_precision, Unset):
            save_precision = UNSET
        elif isinstance(self.save_precision, TrainingRequestSavePrecisionType0):
            save_precision = self.save_precision.value
        else:
            save_precision = self.save_precision

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        snr_gamma: float | None | Unset
        if isinstance(self.snr_gamma, Unset):
            snr_gamma = UNSET
        else:
            snr_gamma = self.snr_gamma

        textual_inversion: dict[str, Any] | None | Unset
        if isinstance(self.textual_inversion, Unset):
            textual_inversion = UNSET
        elif isinstance(self.textual_inversion, TrainingTextualInversion):
            textual_inversion = self.textual_inversion.to_dict()
        else:
            textual_inversion = self.textual_inversion

        weight_decay: float | None | Unset
        if isinstance(self.weight_decay, Unset):
            weight_decay = UNSET
        else:
            weight_decay = self.weight_decay

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "base_model": base_model,
                "dataset": dataset,
                "method": method,
            }
        )
        if batch_size is not UNSET:
            field_dict["batch_size"] = batch_size
        if checkpoint_every is not UNSET:
            field_dict["checkpoint_every"] = checkpoint_every
        if default_caption is not UNSET:
            field_dict["default_caption"] = default_caption
        if dreambooth is not UNSET:
            field_dict["dreambooth"] = dreambooth
        if epochs is not UNSET:
            field_dict["epochs"] = epochs
        if flip is not UNSET:
            field_dict["flip"] = flip
        if gradient_accumulation_steps is not UNSET:
            field_dict["gradient_accumulation_steps"] = gradient_accumulation_steps
        if gradient_checkpointing is not UNSET:
            field_dict["gradient_checkpointing"] = gradient_checkpointing
        if hypernetwork is not UNSET:
            field_dict["hypernetwork"] = hypernetwork
        if keep_checkpoints is not UNSET:
            field_dict["keep_checkpoints"] = keep_checkpoints
        if learning_rates is not UNSET:
            field_dict["learning_rates"] = learning_rates
        if lora is not UNSET:
            field_dict["lora"] = lora
        if lr_scheduler is not UNSET:
            field_dict["lr_scheduler"] = lr_scheduler
        if lr_warmup_steps is not UNSET:
            field_dict["lr_warmup_steps"] = lr_warmup_steps
        if max_grad_norm is not UNSET:
            field_dict["max_grad_norm"] = max_grad_norm
        if max_steps is not UNSET:
            field_dict["max_steps"] = max_steps
        if mixed_precision is not UNSET:
            field_dict["mixed_precision"] = mixed_precision
        if name is not UNSET:
            field_dict["name"] = name
        if noise_offset is not UNSET:
            field_dict["noise_offset"] = noise_offset
        if pool is not UNSET:
            field_dict["pool"] = pool
        if prompt_templates is not UNSET:
            field_dict["prompt_templates"] = prompt_templates
        if repeats is not UNSET:
            field_dict["repeats"] = repeats
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if samples is not UNSET:
            field_dict["samples"] = samples
        if save_precision is not UNSET:
            field_dict["save_precision"] = save_precision
        if seed is not UNSET:
            field_dict["seed"] = seed
        if snr_gamma is not UNSET:
            field_dict["snr_gamma"] = snr_gamma
        if textual_inversion is not UNSET:
            field_dict["textual_inversion"] = textual_inversion
        if weight_decay is not UNSET:
            field_dict["weight_decay"] = weight_decay

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.training_dreambooth_request import TrainingDreamboothRequest  # noqa: PLC0415
        from ..models.training_hypernetwork import TrainingHypernetwork  # noqa: PLC0415
        from ..models.training_learning_rates import TrainingLearningRates  # noqa: PLC0415
        from ..models.training_lora import TrainingLora  # noqa: PLC0415
        from ..models.training_samples import TrainingSamples  # noqa: PLC0415
        from ..models.training_textual_inversion import TrainingTextualInversion  # noqa: PLC0415

        d = dict(src_dict)
        base_model = d.pop("base_model")

        dataset = d.pop("dataset")

        method = TrainingMethod(d.pop("method"))

        def _parse_batch_size(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        batch_size = _parse_batch_size(d.pop("batch_size", UNSET))

        def _parse_checkpoint_every(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        checkpoint_every = _parse_checkpoint_every(d.pop("checkpoint_every", UNSET))

        def _parse_default_caption(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        default_caption = _parse_default_caption(d.pop("default_caption", UNSET))

        def _parse_dreambooth(data: object) -> None | TrainingDreamboothRequest | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dreambooth_type_0 = TrainingDreamboothRequest.from_dict(data)

                return dreambooth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingDreamboothRequest | Unset, data)

        dreambooth = _parse_dreambooth(d.pop("dreambooth", UNSET))

        def _parse_epochs(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        epochs = _parse_epochs(d.pop("epochs", UNSET))

        def _parse_flip(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        flip = _parse_flip(d.pop("flip", UNSET))

        def _parse_gradient_accumulation_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        gradient_accumulation_steps = _parse_gradient_accumulation_steps(d.pop("gradient_accumulation_steps", UNSET))

        def _parse_gradient_checkpointing(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        gradient_checkpointing = _parse_gradient_checkpointing(d.pop("gradient_checkpointing", UNSET))

        def _parse_hypernetwork(data: object) -> None | TrainingHypernetwork | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                hypernetwork_type_0 = TrainingHypernetwork.from_dict(data)

                return hypernetwork_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingHypernetwork | Unset, data)

        hypernetwork = _parse_hypernetwork(d.pop("hypernetwork", UNSET))

        def _parse_keep_checkpoints(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        keep_checkpoints = _parse_keep_checkpoints(d.pop("keep_checkpoints", UNSET))

        def _parse_learning_rates(data: object) -> None | TrainingLearningRates | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                learning_rates_type_0 = TrainingLearningRates.from_dict(data)

                return learning_rates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingLearningRates | Unset, data)

        learning_rates = _parse_learning_rates(d.pop("learning_rates", UNSET))

        def _parse_lora(data: object) -> None | TrainingLora | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                lora_type_0 = TrainingLora.from_dict(data)

                return lora_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingLora | Unset, data)

        lora = _parse_lora(d.pop("lora", UNSET))

        def _parse_lr_scheduler(data: object) -> None | TrainingRequestLrSchedulerType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lr_scheduler_type_0 = TrainingRequestLrSchedulerType0(data)

                return lr_scheduler_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingRequestLrSchedulerType0 | Unset, data)

        lr_scheduler = _parse_lr_scheduler(d.pop("lr_scheduler", UNSET))

        def _parse_lr_warmup_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        lr_warmup_steps = _parse_lr_warmup_steps(d.pop("lr_warmup_steps", UNSET))

        def _parse_max_grad_norm(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_grad_norm = _parse_max_grad_norm(d.pop("max_grad_norm", UNSET))

        def _parse_max_steps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_steps = _parse_max_steps(d.pop("max_steps", UNSET))

        def _parse_mixed_precision(data: object) -> None | TrainingRequestMixedPrecisionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                mixed_precision_type_0 = TrainingRequestMixedPrecisionType0(data)

                return mixed_precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingRequestMixedPrecisionType0 | Unset, data)

        mixed_precision = _parse_mixed_precision(d.pop("mixed_precision", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_noise_offset(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        noise_offset = _parse_noise_offset(d.pop("noise_offset", UNSET))

        def _parse_pool(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        pool = _parse_pool(d.pop("pool", UNSET))

        def _parse_prompt_templates(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                prompt_templates_type_0 = cast(list[str], data)

                return prompt_templates_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        prompt_templates = _parse_prompt_templates(d.pop("prompt_templates", UNSET))

        def _parse_repeats(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        repeats = _parse_repeats(d.pop("repeats", UNSET))

        def _parse_resolution(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        def _parse_samples(data: object) -> None | TrainingSamples | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                samples_type_0 = TrainingSamples.from_dict(data)

                return samples_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingSamples | Unset, data)

        samples = _parse_samples(d.pop("samples", UNSET))

        def _parse_save_precision(data: object) -> None | TrainingRequestSavePrecisionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                save_precision_type_0 = TrainingRequestSavePrecisionType0(data)

                return save_precision_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingRequestSavePrecisionType0 | Unset, data)

        save_precision = _parse_save_precision(d.pop("save_precision", UNSET))

        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))

        def _parse_snr_gamma(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        snr_gamma = _parse_snr_gamma(d.pop("snr_gamma", UNSET))

        def _parse_textual_inversion(data: object) -> None | TrainingTextualInversion | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                textual_inversion_type_0 = TrainingTextualInversion.from_dict(data)

                return textual_inversion_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TrainingTextualInversion | Unset, data)

        textual_inversion = _parse_textual_inversion(d.pop("textual_inversion", UNSET))

        def _parse_weight_decay(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        weight_decay = _parse_weight_decay(d.pop("weight_decay", UNSET))

        training_request = cls(
            base_model=base_model,
            dataset=dataset,
            method=method,
            batch_size=batch_size,
            checkpoint_every=checkpoint_every,
            default_caption=default_caption,
            dreambooth=dreambooth,
            epochs=epochs,
            flip=flip,
            gradient_accumulation_steps=gradient_accumulation_steps,
            gradient_checkpointing=gradient_checkpointing,
            hypernetwork=hypernetwork,
            keep_checkpoints=keep_checkpoints,
            learning_rates=learning_rates,
            lora=lora,
            lr_scheduler=lr_scheduler,
            lr_warmup_steps=lr_warmup_steps,
            max_grad_norm=max_grad_norm,
            max_steps=max_steps,
            mixed_precision=mixed_precision,
            name=name,
            noise_offset=noise_offset,
            pool=pool,
            prompt_templates=prompt_templates,
            repeats=repeats,
            resolution=resolution,
            samples=samples,
            save_precision=save_precision,
            seed=seed,
            snr_gamma=snr_gamma,
            textual_inversion=textual_inversion,
            weight_decay=weight_decay,
        )

        return training_request
