"""The checkpoint merge's arithmetic on small state dicts: the web UI's merger rules (easel_worker.merge)."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_worker import merge

UNET = "model.diffusion_model.input_blocks.0.0.weight"
VAE_W = "first_stage_model.decoder.conv_in.weight"
TEXT = "cond_stage_model.transformer.text_model.final_layer_norm.weight"
POS = "cond_stage_model.transformer.text_model.embeddings.position_ids"


def sd(value: float, extra: dict[str, torch.Tensor] | None = None) -> dict[str, torch.Tensor]:
    return {UNET: torch.full((2, 4, 3, 3), value), VAE_W: torch.full((3,), value), TEXT: torch.full((4,), value),
            POS: torch.arange(4), **(extra or {})}


def test_weighted_sum_is_a_times_one_minus_m_plus_b_times_m():
    out = merge.merge_state_dicts(sd(1.0), sd(3.0), method="Weighted sum", multiplier=0.25).tensors
    assert torch.allclose(out[UNET], torch.full((2, 4, 3, 3), 1.5))  # 0.75*1 + 0.25*3
    assert torch.allclose(out[TEXT], torch.full((4,), 1.5))
    assert torch.equal(out[POS], torch.arange(4))  # skipped on merge, and an integer tensor besides
    assert out[UNET].dtype == torch.float32


def test_add_difference_is_a_plus_b_minus_c_times_m_and_a_weight_c_lacks_adds_nothing():
    b = sd(5.0, {"model.only_in_b_and_a": torch.full((2,), 9.0)})
    a = sd(1.0, {"model.only_in_b_and_a": torch.full((2,), 2.0)})
    out = merge.merge_state_dicts(a, b, sd(3.0), method="Add difference", multiplier=0.5).tensors
    assert torch.allclose(out[UNET], torch.full((2, 4, 3, 3), 2.0))  # 1 + (5-3)*0.5
    assert torch.allclose(out["model.only_in_b_and_a"], torch.full((2,), 2.0))  # C lacks it: no difference


def test_a_weight_b_lacks_keeps_the_primarys():
    a = sd(1.0, {"model.a_only": torch.full((2,), 7.0)})
    out = merge.merge_state_dicts(a, sd(3.0), multiplier=0.5).tensors
    assert torch.equal(out["model.a_only"], torch.full((2,), 7.0))
    assert torch.allclose(out[UNET], torch.full((2, 4, 3, 3), 2.0))


def test_no_interpolation_keeps_a_and_converts_to_fp16():
    out = merge.merge_state_dicts(sd(1.0), None, method="No interpolation", save_as_half=True).tensors
    assert out[UNET].dtype == torch.float16 and torch.all(out[UNET] == 1.0)
    assert out[POS].dtype == torch.int64  # integers are not halved


def test_save_as_half_on_a_weighted_sum():
    out = merge.merge_state_dicts(sd(1.0), sd(2.0), multiplier=0.5, save_as_half=True).tensors
    assert out[UNET].dtype == torch.float16 and torch.allclose(out[UNET].float(), torch.full((2, 4, 3, 3), 1.5))


def test_discard_weights_drops_the_matching_names():
    out = merge.merge_state_dicts(sd(1.0), sd(2.0), discard_weights=r"^first_stage_model\.").tensors
    assert VAE_W not in out and UNET in out and TEXT in out
    with pytest.raises(InvalidInput, match="every weight") as exc:
        merge.merge_state_dicts(sd(1.0), sd(2.0), discard_weights=".")
    assert exc.value.details["field"] == "discard_weights"


def test_a_baked_vae_replaces_the_first_stage_weights_only():
    vae = {"decoder.conv_in.weight": torch.full((3,), 42.0), "loss.logvar": torch.zeros(1),
           "model_ema.decay": torch.zeros(1), "decoder.not_in_the_checkpoint": torch.ones(1)}
    out = merge.merge_state_dicts(sd(1.0), sd(3.0), multiplier=0.5, vae=vae).tensors
    assert torch.equal(out[VAE_W], torch.full((3,), 42.0))
    assert not any(k.startswith(("first_stage_model.loss", "first_stage_model.model_ema")) for k in out)
    assert "first_stage_model.decoder.not_in_the_checkpoint" not in out
    assert torch.allclose(out[UNET], torch.full((2, 4, 3, 3), 2.0))


def test_inputs_that_need_each_other_are_refused_naming_the_field():
    with pytest.raises(InvalidInput) as exc:
        merge.merge_state_dicts(sd(1.0), None, method="Weighted sum")
    assert exc.value.details["field"] == "secondary_model_name"
    with pytest.raises(InvalidInput) as exc:
        merge.merge_state_dicts(sd(1.0), sd(2.0), None, method="Add difference")
    assert exc.value.details["field"] == "tertiary_model_name"
    with pytest.raises(InvalidInput) as exc:
        merge.merge_state_dicts(sd(1.0), {UNET: torch.ones(5)}, method="Weighted sum")
    assert exc.value.details["field"] == "secondary_model_name" and UNET in exc.value.message


def test_an_inpainting_primary_merges_its_first_four_channels_with_a_plain_secondary():
    a = {UNET: torch.ones(2, 9, 3, 3)}
    out = merge.merge_state_dicts(a, {UNET: torch.full((2, 4, 3, 3), 3.0)}, multiplier=0.5)
    assert out.inpainting
    assert torch.allclose(out.tensors[UNET][:, :4], torch.full((2, 4, 3, 3), 2.0))
    assert torch.equal(out.tensors[UNET][:, 4:], torch.ones(2, 5, 3, 3))
    with pytest.raises(InvalidInput, match="A must be the inpainting model"):
        merge.merge_state_dicts({UNET: torch.ones(2, 4, 3, 3)}, {UNET: torch.ones(2, 9, 3, 3)})


def test_a_merge_of_files_writes_the_web_uis_metadata(tmp_path):
    paths = {}
    for name, value in (("a", 1.0), ("b", 3.0)):
        paths[name] = tmp_path / f"{name}.safetensors"
        save_file(sd(value), paths[name], metadata={"ss_note": name})
    spec = jobs.MergeSpec(interp_method="Weighted sum", multiplier=0.5, name="ab", metadata={"author": "me"},
                          discard_weights="position_ids")
    dest = tmp_path / "out.safetensors"
    merge.run(spec, ("a", "aa" * 32, paths["a"]), ("b", "bb" * 32, paths["b"]), None, None, dest)
    out = load_file(dest)
    assert torch.allclose(out[UNET], torch.full((2, 4, 3, 3), 2.0)) and POS not in out
    with safe_open(dest, "pt") as f:
        meta = f.metadata()
    assert meta["format"] == "pt" and meta["author"] == "me" and meta["ss_note"] == "b"  # B's copied over A's
    recipe = json.loads(meta["sd_merge_recipe"])
    assert recipe["interp_method"] == "Weighted sum" and recipe["multiplier"] == 0.5
    assert recipe["primary_model_hash"] == "aa" * 32 and recipe["tertiary_model_hash"] is None
    assert set(json.loads(meta["sd_merge_models"])) == {"aa" * 32, "bb" * 32}
