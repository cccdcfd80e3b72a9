"""Web UI payloads as Easel job requests: every field of the web UI's API, its aliases and integer codes, and
refusals that name the field as the client sent it."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from easel_gateway.sdapi import convert, grid, infotext, respond, xyz
from easel_gateway.sdapi.fields import as_sent
from easel_gateway.sdapi.payloads import ExtrasSingle, Img2Img, Txt2Img
from easel_proto.errors import InvalidInput
from easel_proto.v1 import jobs
from easel_proto.v1.registry import ModelInfo

SEED_REQUEST = Path("/work/shared/reference/seed-inference.json")
PNG = base64.b64encode(b"\x89PNG not really").decode()


def t2i(**fields) -> jobs.JobRequest:
    return convert.txt2img(Txt2Img(**fields)).job


def i2i(**fields) -> jobs.JobRequest:
    return convert.img2img(Img2Img(init_images=[PNG], **fields)).job


def refused(make, **fields) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        make(**fields)
    return caught.value


def unit(**fields) -> dict:
    return {"enabled": True, "model": "control_x", "image": PNG, **fields}


@pytest.mark.skipif(not SEED_REQUEST.exists(), reason="the brief's request is not on this machine")
def test_the_brief_inference_request_converts_as_the_web_ui_reads_it():
    body = json.loads(SEED_REQUEST.read_text())
    converted = convert.txt2img(Txt2Img(**body["txt2img_payload"]), model=body["model"], pool="default")
    job = converted.job
    assert job.model == "v1-5-pruned.ckpt" and job.pool == "default"
    assert job.sampler == "DPM++ SDE Karras"  # sampler_name "" falls back to sampler_index
    assert (job.steps, job.width, job.height, job.seed, job.cfg_scale) == (20, 512, 512, 1115411476, 7)
    assert job.styles == [] and job.hires is None and job.denoising_strength is None
    assert job.negative_prompt == "easynegative" and job.eta == 0
    (cn,) = job.controlnets
    assert (cn.model, cn.module, cn.weight) == ("control_v11p_sd15_scribble [d4ba51ff]", "scribble_hed", 0.7)
    assert (cn.processor_res, cn.threshold_a, cn.threshold_b) == (512, 32, 64)
    assert (cn.guidance_start, cn.guidance_end, cn.resize_mode) == (0, 0.7, "crop_and_resize")
    assert converted.names["controlnets.0"] == "alwayson_scripts.controlnet.args.0"


@pytest.mark.parametrize(("fields", "sampler", "scheduler"), [
    ({"sampler_name": "Euler a"}, "Euler a", None),
    ({"sampler_index": "k_euler_a"}, "Euler a", None),
    ({"sampler_name": "dpm++ 2m karras"}, "DPM++ 2M Karras", None),
    ({"sampler_name": "Euler Karras"}, "Euler", "karras"),  # the older spelling of sampler + schedule
    ({"sampler_name": "DPM++ 2M", "scheduler": "Karras"}, "DPM++ 2M", "karras"),
    ({"sampler_name": "Euler Karras", "scheduler": "exponential"}, "Euler", "exponential"),
    ({"sampler_name": "", "sampler_index": "DDIM", "scheduler": "SGM Uniform"}, "DDIM", "sgm_uniform"),
    ({"sampler_name": "DPM++ 3M SDE", "scheduler": "Align Your Steps"}, "DPM++ 3M SDE", "align_your_steps"),
    ({"sampler_name": "k_dpmpp_2m_sde_heun", "scheduler": "KL Optimal"}, "DPM++ 2M SDE Heun", "kl_optimal"),
    ({"sampler_name": "Euler a", "scheduler": "SGMUniform"}, "Euler a", "sgm_uniform"),
    ({}, None, None),
])
def test_samplers_and_schedulers_by_name_alias_or_label(fields, sampler, scheduler):
    job = t2i(**fields)
    assert (job.sampler, job.scheduler) == (sampler, scheduler)


def test_sizes_are_floored_to_multiples_of_8_and_override_settings_apply_to_this_job():
    job = t2i(width=515, height=300, override_settings={
        "sd_model_checkpoint": "fox [abcd1234]", "sd_vae": "Automatic", "CLIP_stop_at_last_layers": 2,
        "eta_noise_seed_delta": 31337})
    assert (job.width, job.height) == (512, 296)
    assert (job.model, job.vae, job.clip_skip) == ("fox [abcd1234]", "Automatic", 2)
    assert refused(t2i, width=4).details["field"] == "width"


def test_the_refiner_and_sdxl_options_that_differ_from_the_defaults():
    job = t2i(refiner_checkpoint="sdxl-refiner", override_settings={
        "sdxl_crop_top": 16, "sdxl_crop_left": 0, "sdxl_refiner_high_aesthetic_score": 7.5,
        "sdxl_refiner_low_aesthetic_score": 2.5})
    assert job.refiner.model == "sdxl-refiner" and job.refiner.switch_at == 0.8  # the web UI's default switch
    assert job.sdxl.model_fields_set == {"crop_top", "aesthetic_score"}
    assert (job.sdxl.crop_top, job.sdxl.aesthetic_score) == (16, 7.5)
    # the defaults alone, or "use same checkpoint", ask for nothing SDXL-only
    plain = t2i(refiner_checkpoint="None", override_settings={"sdxl_crop_top": 0, "sdxl_crop_left": 0})
    assert plain.refiner is None and plain.sdxl is None


def test_seeds_styles_and_ignored_fields():
    job = t2i(seed=-1, subseed=5, subseed_strength=0.3, seed_resize_from_w=-1, seed_resize_from_h=0,
              styles=["", "noir", ""], s_churn=1, do_not_save_samples=True, save_images=True, tiling=True)
    assert (job.seed, job.subseed, job.subseed_strength) == (-1, 5, 0.3)
    assert job.seed_resize_from_w is None and job.seed_resize_from_h is None
    assert job.styles == ["noir"] and job.tiling is True


def test_hires_fix_fields():
    job = t2i(enable_hr=True, hr_scale=1.5, hr_upscaler="", hr_second_pass_steps=0, denoising_strength=0.4,
              hr_prompt="sharp", hr_sampler_name="Use same sampler", hr_checkpoint_name="Use same checkpoint")
    hr = job.hires
    assert (hr.scale, hr.upscaler, hr.steps, hr.denoising_strength, hr.prompt) == (1.5, None, None, 0.4, "sharp")
    job = t2i(enable_hr=True, hr_resize_x=128, hr_resize_y=96, hr_upscaler="Latent (nearest)",
              hr_second_pass_steps=5)
    assert (job.hires.width, job.hires.height, job.hires.upscaler, job.hires.steps) == (128, 96,
                                                                                          "Latent (nearest)", 5)
    assert t2i(enable_hr=False, hr_scale=3).hires is None
    assert refused(t2i, enable_hr=True, hr_checkpoint_name="other").details["field"] == "hr_checkpoint_name"
    assert refused(t2i, enable_hr=True, sampler_name="Euler", hr_sampler_name="DDIM").details["field"] == \
        "hr_sampler_name"
    assert refused(t2i, enable_hr=True, hr_scale=20).details["field"] == "hr_scale"


def test_img2img_codes_and_mask_fields():
    job = i2i(mask=PNG, resize_mode=2, inpainting_fill=3, inpaint_full_res=1, inpaint_full_res_padding=24,
              inpainting_mask_invert=1, mask_blur_x=2, mask_blur_y=6, denoising_strength=0.6)
    assert (job.resize_mode, job.inpainting_fill) == ("resize_and_fill", "latent_nothing")
    assert job.inpaint_full_res is True and job.inpaint_full_res_padding == 24 and job.inpainting_mask_invert is True
    assert job.mask_blur == 6 and job.denoising_strength == 0.6 and job.mask == PNG
    assert i2i(mask_blur=9, mask_blur_x=1).mask_blur == 9
    assert i2i().resize_mode == "just_resize" and i2i().inpainting_fill == "fill"
    for field, value in (("resize_mode", 4), ("inpainting_fill", 7)):
        assert refused(i2i, **{field: value}).details["field"] == field
    assert refused(lambda **f: convert.img2img(Img2Img(**f)).job).details["field"] == "init_images"


def test_controlnet_units_every_alias_and_form():
    job = t2i(alwayson_scripts={"ControlNet": {"args": [
        {"enabled": False, "model": "control_x", "image": PNG},  # disabled: skipped
        unit(model="None"),  # no model: skipped
        {"model": "control_x", "image": PNG},  # enabled defaults to false, as in the extension
        unit(image={"image": PNG, "mask": "bWFzaw=="}, resize_mode="Inner Fit (Scale to Fit)", control_mode=2,
             guidance=0.5, lowvram=True, processor_res=-1, threshold_a=-1, threshold_b=80, module="Canny"),
        unit(image=None, input_image=[PNG, "bWFzaw=="], resize_mode=0, control_mode="My prompt is more important",
             hr_option="Low res only", save_detected_map=False, pixel_perfect=True),
        unit(image=[{"image": PNG}], mask_image="bWFzaw==", resize_mode="Envelope (Outer Fit)"),
    ]}})
    first, second, third = job.controlnets
    assert (first.resize_mode, first.control_mode, first.guidance_end) == ("crop_and_resize", "controlnet", 0.5)
    assert (first.mask, first.processor_res, first.threshold_a, first.threshold_b) == ("bWFzaw==", None, None, 80)
    assert first.module == "canny"
    assert (second.image, second.mask, second.resize_mode) == (PNG, "bWFzaw==", "just_resize")
    assert second.control_mode == "prompt" and second.pixel_perfect is True
    assert (third.image, third.mask, third.resize_mode) == (PNG, "bWFzaw==", "resize_and_fill")
    names = convert.txt2img(Txt2Img(alwayson_scripts={"controlnet": {"args": [{}, unit()]}})).names
    assert names["controlnets.0"] == "alwayson_scripts.controlnet.args.1"


@pytest.mark.parametrize(("bad", "field"), [
    (unit(image=[{"image": PNG}, {"image": PNG}]), "alwayson_scripts.controlnet.args.0.image"),
    (unit(guidance_start=0.9, guidance_end=0.1), "alwayson_scripts.controlnet.args.0.guidance_start"),
    (unit(weight=3), "alwayson_scripts.controlnet.args.0.weight"),
    (unit(resize_mode="Stretch"), "alwayson_scripts.controlnet.args.0.resize_mode"),
    (unit(control_mode=5), "alwayson_scripts.controlnet.args.0.control_mode"),
    (unit(effective_region_mask=PNG), "alwayson_scripts.controlnet.args.0.effective_region_mask"),
    (unit(guidance=0.5, guidance_end=0.6), "alwayson_scripts.controlnet.args.0.guidance"),
])
def test_bad_controlnet_units_name_the_unit_field(bad, field):
    assert refused(t2i, alwayson_scripts={"controlnet": {"args": [bad]}}).details["field"] == field


@pytest.mark.parametrize(("fields", "field"), [
    ({"restore_faces": True, "override_settings": {"face_restoration_model": None}},
     "override_settings.face_restoration_model"),
    ({"restore_faces": True, "override_settings": {"code_former_weight": 2}}, "override_settings.code_former_weight"),
    ({"refiner_checkpoint": "sdxl-refiner", "refiner_switch_at": 2}, "refiner_switch_at"),
    ({"override_settings": {"sdxl_crop_top": -4}}, "override_settings.sdxl_crop_top"),
    ({"alwayson_scripts": {"Dynamic Prompts": {"args": []}}}, "alwayson_scripts.Dynamic Prompts"),
    ({"cfg_scale": 45}, "cfg_scale"),
    ({"sampler_name": "Warp"}, "sampler_name"),
    ({"override_settings": {"CLIP_stop_at_last_layers": 99}}, "override_settings.CLIP_stop_at_last_layers"),
    ({"override_settings": {"sd_model_checkpoint": 3}}, "override_settings.sd_model_checkpoint"),
    ({"sampler_name": "DPM fast"}, "sampler_name"),
    ({"sampler_name": "", "sampler_index": "Restart"}, "sampler_index"),
    ({"batch_size": 0}, "batch_size"),
])
def test_refusals_name_the_payload_field(fields, field):
    assert refused(t2i, **fields).details["field"] == field


def test_refusals_from_resolving_the_job_name_the_payload_field():
    converted = convert.txt2img(Txt2Img(enable_hr=True, alwayson_scripts={"controlnet": {"args": [{}, unit()]}}),
                                model="fox", pool="gpu")
    for raised, sent in (("controlnets.0.model", "alwayson_scripts.controlnet.args.1.model"),
                         ("hires.upscaler", "hr_upscaler"), ("model", "model"), ("pool", "endpoint_name"),
                         ("styles.0", "styles.0"), ("clip_skip", "override_settings.CLIP_stop_at_last_layers")):
        with pytest.raises(InvalidInput) as caught, as_sent(converted.names):
            raise InvalidInput(raised, "no")
        assert caught.value.details["field"] == sent


def test_extras_fields():
    p = ExtrasSingle(image=PNG, upscaler_1="Lanczos", upscaler_2="Nearest", extras_upscaler_2_visibility=0.5,
                     upscaling_resize=3)
    job = convert.extras(p, [p.image], ["image"]).job
    assert job.init_images == [PNG]
    assert (job.extras.upscaler, job.extras.upscaler_2, job.extras.upscaler_2_visibility) == ("Lanczos", "Nearest",
                                                                                             0.5)
    assert job.extras.scale == 3 and job.extras.width is None
    p = ExtrasSingle(image=PNG, resize_mode=1, upscaling_resize_w=100, upscaling_resize_h=80, upscaling_crop=False)
    job = convert.extras(p, [p.image], ["image"]).job
    assert (job.extras.width, job.extras.height, job.extras.crop, job.extras.scale) == (100, 80, False, None)
    with pytest.raises(InvalidInput) as caught:
        convert.extras(ExtrasSingle(image=PNG, gfpgan_visibility=2), [PNG], ["image"])
    assert caught.value.details["field"] == "gfpgan_visibility"
    with pytest.raises(InvalidInput) as caught:
        convert.extras(ExtrasSingle(image=PNG, upscaling_resize=20), [PNG], ["image"])
    assert caught.value.details["field"] == "upscaling_resize"


def _png_with(text: str) -> str:
    meta = PngInfo()
    meta.add_text("parameters", text)
    meta.add_text("Software", "easel")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG", pnginfo=meta)
    return base64.b64encode(out.getvalue()).decode()


def test_infotext_parses_as_png_info_reports_it():
    text = ('a fox, (snow:1.2)\nin the woods\nNegative prompt: blurry, dark\nSteps: 20, Sampler: DPM++ 2M, '
            'Schedule type: Karras, CFG scale: 7.5, Seed: 42, Size: 512x768, Model: tiny-sd, '
            'Lora hashes: "fox: abc, owl: def"')
    out = infotext.png_info(_png_with(text), 1 << 20)
    assert out["info"] == text and out["items"] == {"Software": "easel"}
    params = out["parameters"]
    assert params["Prompt"] == "a fox, (snow:1.2)\nin the woods" and params["Negative prompt"] == "blurry, dark"
    assert (params["Steps"], params["Sampler"], params["Schedule type"], params["CFG scale"]) == (
        "20", "DPM++ 2M", "Karras", "7.5")
    assert (params["Size-1"], params["Size-2"], params["Lora hashes"]) == ("512", "768", "fox: abc, owl: def")
    assert infotext.parse("just a prompt") == {"Prompt": "just a prompt", "Negative prompt": ""}


def test_a_request_infotext_fills_only_what_the_request_leaves_out():
    job = t2i(infotext="a cat\nNegative prompt: dog\nSteps: 12, Sampler: DDIM, CFG scale: 5, Seed: 7, "
                       "Size: 128x64", steps=4)
    assert (job.prompt, job.negative_prompt, job.steps, job.sampler, job.cfg_scale, job.seed) == (
        "a cat", "dog", 4, "DDIM", 5, 7)
    assert (job.width, job.height) == (128, 64)


@pytest.mark.parametrize(("text", "kind", "values"), [
    ("1-5", int, [1, 2, 3, 4, 5]),
    ("1-10 (+3)", int, [1, 4, 7, 10]),
    ("10-1 (-4)", int, [10, 6, 2]),
    ("1-10 [4]", int, [1, 4, 7, 10]),
    ("0.5-1.5 (+0.5)", float, [0.5, 1.0, 1.5]),
    ("1-2 [3]", float, [1.0, 1.5, 2.0]),
    ("7", int, ["7"]),
])
def test_xyz_number_ranges(text, kind, values):
    assert xyz._numbers(text, kind) == values


def test_xyz_axes_are_numbered_as_the_web_ui_numbers_each_tab():
    txt2img, img2img = xyz.axes_for(False), xyz.axes_for(True)
    assert txt2img[:12] == ["Nothing", "Seed", "Var. seed", "Var. strength", "Steps", "Hires steps", "CFG Scale",
                            "Prompt S/R", "Prompt order", "Sampler", "Hires sampler", "Checkpoint name"]
    assert img2img[5:11] == ["CFG Scale", "Image CFG Scale", "Prompt S/R", "Prompt order", "Sampler",
                             "Checkpoint name"]
    assert xyz._axis(4, "x", False).label == "Steps" and xyz._axis("cfg scale", "x", True).label == "CFG Scale"
    with pytest.raises(InvalidInput, match="not supported"):
        xyz._axis("Sigma Churn", "script_args.0", False)


def test_xyz_values_csv_dropdowns_and_prompt_order():
    steps = xyz.SUPPORTED["Steps"]
    assert xyz._values(steps, "4, 8-10", None, False, "f") == [4, 8, 9, 10]
    sampler = xyz.SUPPORTED["Sampler"]
    assert xyz._values(sampler, "", ["Euler", "DDIM"], False, "f") == ["Euler", "DDIM"]
    assert xyz._values(sampler, '"Euler a", DDIM', ["ignored"], True, "f") == ["Euler a", "DDIM"]
    orders = xyz._values(xyz.SUPPORTED["Prompt order"], "a, b", None, False, "f")
    update = {"prompt": "x a y b z"}
    xyz.SUPPORTED["Prompt order"].apply(update, orders[1], orders)
    assert update["prompt"] == "x b y a z"


def test_grids_with_labels_grow_by_the_legend():
    cells = [Image.new("RGB", (64, 48), c) for c in ("red", "green", "blue", "white")]
    sheet = grid.grid(cells, rows=2)
    assert sheet.size == (128, 96) and sheet.getpixel((70, 10)) == (0, 128, 0)
    labelled = grid.annotate(sheet, 64, 48, [[grid.Label("Steps: 4")], [grid.Label("Steps: 8")]],
                             [[grid.Label("a fox", active=False)], [grid.Label("a fox")]])
    assert labelled.width > 128 and labelled.height > 96
    assert grid.grid(cells, rows=1, margin=4).size == (64 * 4 + 12, 48)


@pytest.mark.parametrize("sampler", ["DPM fast", "DPM adaptive", "Restart", "DDIM CFG++", "k_dpm_fast"])
def test_samplers_easel_does_not_run_are_refused_by_name_not_substituted(sampler):
    error = refused(t2i, sampler_name=sampler)
    assert error.details["field"] == "sampler_name" and "not available on Easel" in str(error)


def test_an_unknown_scheduler_is_automatic_with_a_warning_as_in_the_web_ui():
    payload = Txt2Img(sampler_name="Euler", scheduler="zigzag", enable_hr=True, hr_scheduler="wobbly")
    job = convert.txt2img(payload).job
    assert job.scheduler == "automatic"
    found = convert.warnings(payload)
    assert len(found) == 2 and "'zigzag'" in found[0] and "Automatic" in found[0] and "'wobbly'" in found[1]
    assert convert.warnings(Txt2Img(scheduler="Karras")) == []


def test_the_reply_info_carries_the_warning():
    model = ModelInfo(id="m-tiny", name="tiny", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
    spec = jobs.GenerationSpec(prompt="a fox", model=model, sampler="Euler", steps=2, cfg_scale=7.0, width=64,
                               height=64, seeds=[1])
    out = respond.Output(spec=spec, created_at="20260101000000")
    info = json.loads(respond.generation(Txt2Img(scheduler="zigzag"), out)["info"])
    assert "'zigzag'" in info["warnings"][0]
    assert "warnings" not in json.loads(respond.generation(Txt2Img(scheduler="karras"), out)["info"])


def test_churn_and_noise_scale_reach_the_job():
    job = t2i(sampler_name="Euler", s_churn=0.5, s_tmin=0.1, s_tmax=10.0, s_noise=1.003)
    assert (job.s_churn, job.s_tmin, job.s_tmax, job.s_noise) == (0.5, 0.1, 10.0, 1.003)
    # as the worker writes them into the PNG's infotext, and reads them back from a request's infotext
    job = t2i(infotext="a fox\nSteps: 3, Sampler: Euler, Schedule type: KL Optimal, Sigma churn: 0.25, "
                       "Sigma noise: 0.9")
    assert (job.scheduler, job.s_churn, job.s_noise) == ("kl_optimal", 0.25, 0.9)


def test_restore_faces_takes_the_face_restoration_options_and_names_them():
    job = convert.txt2img(Txt2Img(restore_faces=True), options={"face_restoration_model": "GFPGAN"}).job
    assert [(f.restorer, f.codeformer_weight, f.visibility) for f in job.face_restore] == [("GFPGAN", 0.5, 1.0)]
    overrides = {"face_restoration_model": "CodeFormer", "code_former_weight": 0.2}
    converted = convert.txt2img(Txt2Img(restore_faces=True, override_settings=overrides),
                                options={"face_restoration_model": "GFPGAN"})
    assert [(f.restorer, f.codeformer_weight) for f in converted.job.face_restore] == [("CodeFormer", 0.2)]
    with pytest.raises(InvalidInput) as caught, as_sent(converted.names):
        raise InvalidInput("face_restore.0.restorer", "no face restorer model 'CodeFormer'")
    assert caught.value.details["field"] == "override_settings.face_restoration_model"
    off = convert.txt2img(Txt2Img(restore_faces=False), options={"face_restoration_model": "GFPGAN",
                                                                 "face_restoration": True})
    assert off.job.face_restore == []
    on = convert.txt2img(Txt2Img(), options={"face_restoration": True})  # left out: the face_restoration option
    assert [f.restorer for f in on.job.face_restore] == ["CodeFormer"]
    assert convert.txt2img(Txt2Img()).job.face_restore == []


def test_extras_face_passes_run_gfpgan_then_codeformer_by_their_visibilities():
    p = ExtrasSingle(image=PNG, codeformer_visibility=0.7, codeformer_weight=0.3, gfpgan_visibility=0.4)
    converted = convert.extras(p, [PNG], ["image"])
    assert [(f.restorer, f.visibility) for f in converted.job.face_restore] == [("GFPGAN", 0.4), ("CodeFormer", 0.7)]
    assert converted.job.face_restore[1].codeformer_weight == 0.3
    with pytest.raises(InvalidInput) as caught, as_sent(converted.names):
        raise InvalidInput("face_restore.1.restorer", "no face restorer model 'CodeFormer'")
    assert caught.value.details["field"] == "codeformer_visibility"
    assert convert.extras(ExtrasSingle(image=PNG), [PNG], ["image"]).job.face_restore == []



def test_token_merging_as_the_web_ui_picks_it_per_pass():
    over = {"override_settings": {"token_merging_ratio": 0.5}}
    assert t2i(**over).token_merging_ratio == 0.5 and t2i().token_merging_ratio == 0
    # the hires pass: token_merging_ratio_hr, else the first pass's
    job = t2i(enable_hr=True, override_settings={"token_merging_ratio": 0.5, "token_merging_ratio_hr": 0.3})
    assert (job.token_merging_ratio, job.hires.token_merging_ratio) == (0.5, 0.3)
    assert t2i(enable_hr=True, **over).hires.token_merging_ratio == 0.5
    # saved options apply unless override_settings say otherwise
    saved = {"token_merging_ratio": 0.2, "token_merging_ratio_img2img": 0.4}
    assert convert.txt2img(Txt2Img(), options=saved).job.token_merging_ratio == 0.2
    assert convert.img2img(Img2Img(init_images=[PNG]), options=saved).job.token_merging_ratio == 0.4
    assert convert.img2img(Img2Img(init_images=[PNG], **over), options=saved).job.token_merging_ratio == 0.5
    assert i2i(override_settings={"token_merging_ratio_img2img": 0.6}).token_merging_ratio == 0.6


@pytest.mark.parametrize("value", [0.95, -0.1, "half", True])
def test_a_token_merging_ratio_out_of_range_names_the_field(value):
    field = "override_settings.token_merging_ratio"
    assert refused(t2i, override_settings={"token_merging_ratio": value}).details["field"] == field
    hr = {"override_settings": {"token_merging_ratio_hr": value}, "enable_hr": True}
    assert refused(t2i, **hr).details["field"] == "override_settings.token_merging_ratio_hr"


def test_saved_token_merging_options_take_the_web_ui_range():
    from easel_gateway.sdapi.options import _check

    for key in ("token_merging_ratio", "token_merging_ratio_img2img", "token_merging_ratio_hr"):
        _check(key, 0.5)  # honoured now: no longer refused
        _check(key, 0)
        for bad in (0.95, -0.1, "0.5"):
            with pytest.raises(InvalidInput) as caught:
                _check(key, bad)
            assert caught.value.details["field"] == key
