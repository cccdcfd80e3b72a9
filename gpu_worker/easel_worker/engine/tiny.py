"""The built-in tiny Stable Diffusion models: the real architectures at toy size with random weights.

tiny-sd is an SD 1.x pipeline, tiny-sdxl an SDXL one (two text encoders, pooled text and size conditioning).
They exist so tests, CI and dispatch benchmarks exercise the genuine diffusers code paths without downloading
gigabytes of weights; their images are noise, by design.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

TINY_SD = "tiny-sd"
TINY_SDXL = "tiny-sdxl"
_MAX_TOKENS = 77  # CLIP's context length; the pipeline pads every prompt to it
_BOS, _EOS = "<|startoftext|>", "<|endoftext|>"
# The toy shapes both families share (tiny_parts' SDXL refiner too): two stages, attention in the lower one.
UNET_SHAPE = dict(
    block_out_channels=(32, 64),
    layers_per_block=1,
    sample_size=32,
    in_channels=4,
    out_channels=4,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
    norm_num_groups=32,
)
# SDXL's UNet: linear projections, more transformer layers lower down, size and pooled-text embeddings.
XL_UNET_ATTENTION = dict(attention_head_dim=(2, 4), use_linear_projection=True, transformer_layers_per_block=(1, 2),
                         addition_embed_type="text_time")
VAE_SHAPE = dict(
    block_out_channels=(32, 64),
    in_channels=3,
    out_channels=3,
    down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
    up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
    latent_channels=4,
    sample_size=64,
)


def tiny_sd_dir(cache_dir: Path, name: str = TINY_SD) -> Path:
    """Where a tiny model lives inside a worker's cache."""
    return Path(cache_dir) / "builtin" / name


def ensure_tiny_sd(cache_dir: Path, name: str = TINY_SD) -> Path:
    """Return the tiny model's folder (tiny-sd or tiny-sdxl), building it on first use."""
    dest = tiny_sd_dir(cache_dir, name)
    # The build lands by an atomic rename, so the folder existing means it is complete.
    if (dest / "model_index.json").is_file():
        return dest
    return _BUILDERS[name](dest)


def build_tiny_sd(dest: Path) -> Path:
    """Build the tiny SD 1.x pipeline with seeded weights and move it into dest atomically."""
    return _build_into(dest, _build_pipeline)


def build_tiny_sdxl(dest: Path) -> Path:
    """Build the tiny SDXL pipeline with seeded weights and move it into dest atomically."""
    return _build_into(dest, _build_xl_pipeline)


def _build_into(dest: Path, build) -> Path:
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        build(tmp / "tokenizer-src").save_pretrained(tmp / "model", safe_serialization=True)
        try:
            os.replace(tmp / "model", dest)
        except OSError:
            # Another process finished first; theirs is identical, so keep it.
            if not (dest / "model_index.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _build_pipeline(tokenizer_dir: Path):
    """Construct the pipeline in memory; every module is seeded so all machines agree."""
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    tokenizer = _write_tokenizer(tokenizer_dir, CLIPTokenizer)
    torch.manual_seed(0)
    unet = UNet2DConditionModel(**UNET_SHAPE, cross_attention_dim=32, attention_head_dim=8)
    torch.manual_seed(0)
    vae = AutoencoderKL(**VAE_SHAPE)
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            layer_norm_eps=1e-5,
            max_position_embeddings=_MAX_TOKENS,
            projection_dim=32,
            vocab_size=len(tokenizer),
        )
    ).eval()
    # Mirrors a real SD 1.x checkpoint's scheduler config, so sampler overrides behave alike.
    scheduler = PNDMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        num_train_timesteps=1000,
        set_alpha_to_one=False,
        skip_prk_steps=True,
        steps_offset=1,
    )
    return StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def _build_xl_pipeline(tokenizer_dir: Path):
    """SDXL at toy size: CLIP-L-like and bigG-like encoders (32 and 64 wide: of different widths, as SDXL's, so
    a single-file checkpoint tells them apart), a UNet with text_time embeddings."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionXLPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection, CLIPTokenizer

    tokenizer = _write_tokenizer(tokenizer_dir / "one", CLIPTokenizer)
    # SDXL's second tokenizer is the same vocabulary padding with "!", as OpenCLIP does.
    tokenizer_2 = _write_tokenizer(tokenizer_dir / "two", CLIPTokenizer, pad_token="!")
    hidden, hidden_2 = 32, 64

    def text_config(width: int, act: str) -> CLIPTextConfig:
        return CLIPTextConfig(
            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id, hidden_size=width, intermediate_size=37,
            num_attention_heads=4, num_hidden_layers=3, layer_norm_eps=1e-5, max_position_embeddings=_MAX_TOKENS,
            projection_dim=width, vocab_size=len(tokenizer), hidden_act=act,
        )

    torch.manual_seed(0)
    text_encoder = CLIPTextModel(text_config(hidden, "quick_gelu")).eval()
    torch.manual_seed(1)
    text_encoder_2 = CLIPTextModelWithProjection(text_config(hidden_2, "gelu")).eval()
    time_dim = 8  # each of the six size numbers (original h/w, crop top/left, target h/w) is embedded this wide
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        **UNET_SHAPE,
        **XL_UNET_ATTENTION,
        addition_time_embed_dim=time_dim,
        projection_class_embeddings_input_dim=6 * time_dim + hidden_2,  # size embeddings + pooled text
        cross_attention_dim=hidden + hidden_2,  # both encoders' states side by side
    )
    torch.manual_seed(0)
    vae = AutoencoderKL(**VAE_SHAPE, scaling_factor=0.13025, force_upcast=True)  # SDXL's scaling and upcast
    # SDXL's own scheduler config.
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        num_train_timesteps=1000,
        steps_offset=1,
        timestep_spacing="leading",
        interpolation_type="linear",
    )
    return StableDiffusionXLPipeline(
        vae=vae, text_encoder=text_encoder, text_encoder_2=text_encoder_2, tokenizer=tokenizer,
        tokenizer_2=tokenizer_2, unet=unet, scheduler=scheduler, force_zeros_for_empty_prompt=True,
        add_watermarker=False,
    )


def _write_tokenizer(folder: Path, tokenizer_cls, **options):
    """Write a byte-level CLIP vocabulary without merges and load it the supported way."""
    # Without merges every word splits into bytes, so each byte needs a plain and an end-of-word form.
    symbols = list(_bytes_to_unicode().values())
    tokens = symbols + [s + "</w>" for s in symbols] + [_BOS, _EOS]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n", encoding="utf-8")
    tokenizer = tokenizer_cls.from_pretrained(folder, model_max_length=_MAX_TOKENS, local_files_only=True, **options)
    # transformers can silently build a near-empty tokenizer from these files; refuse to ship one.
    if len(tokenizer("a photo of a cat").input_ids) < 10:
        raise RuntimeError("the tiny tokenizer did not load its vocabulary")
    return tokenizer


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte-to-printable-character table."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return dict(sorted(table.items()))


_BUILDERS = {TINY_SD: build_tiny_sd, TINY_SDXL: build_tiny_sdxl}
BUILTIN_MODELS = frozenset(_BUILDERS)
