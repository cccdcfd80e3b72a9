"""The web UI's selectable scripts through /sdapi/v1: prompt matrix, X/Y/Z plot, loopback, poor man's outpainting.
Each runs as ordinary jobs of the caller; a labelled grid comes first in `images`."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image, ImageChops

from helpers import new_user

SMALL = {"steps": 2, "width": 64, "height": 64, "sampler_name": "Euler a", "seed": 11}
XYZ_TAIL = [True, False, False, False, False, False, False, 0, False]  # legend on, v1.7+ layout, text values


def size(b64: str) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(b64))).size


def png_b64(width: int, height: int, color=(30, 120, 200)) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


async def specs(api, user) -> list[dict]:
    """The caller's jobs' specs, oldest first."""
    items = (await api.get("/v1/jobs", headers=user["headers"], params={"limit": 100})).json()["items"]
    return [job["spec"] for job in reversed(items)]


async def test_prompt_matrix_runs_every_combination_and_draws_a_labelled_grid(api, user):
    r = await api.post("/sdapi/v1/txt2img", headers=user["headers"], json={
        **SMALL, "prompt": "a fox|in snow|at night", "script_name": "Prompt matrix",
        "script_args": [False, False, "positive", "comma", 0]})
    assert r.status_code == 200, r.text[:300]
    body, info = r.json(), json.loads(r.json()["info"])
    grid, *cells = body["images"]
    assert [size(c) for c in cells] == [(64, 64)] * 4
    width, height = size(grid)
    assert width == 2 * 64 + 64 * 3 // 4 and height > 2 * 64  # 2x2 cells, row labels left, column labels on top
    assert info["index_of_first_image"] == 1
    assert info["all_prompts"] == ["a fox", "a fox, in snow", "a fox, at night", "a fox, in snow, at night"]
    assert info["all_seeds"] == [11] * 4
    assert sorted(s["prompt"] for s in await specs(api, user)) == sorted(info["all_prompts"])


async def test_without_return_grid_a_script_returns_only_its_images(api, admin_headers):
    user = await new_user(api, admin_headers)
    r = await api.post("/sdapi/v1/options", headers=user["headers"], json={"return_grid": False})
    assert r.status_code == 200, r.text
    r = await api.post("/sdapi/v1/txt2img", headers=user["headers"], json={
        **SMALL, "prompt": "a fox|in snow", "script_name": "prompt matrix", "script_args": [False, True]})
    assert r.status_code == 200, r.text[:300]
    assert len(r.json()["images"]) == 2 and json.loads(r.json()["info"])["all_seeds"] == [11, 12]


async def test_xyz_plot_runs_a_job_per_cell_and_draws_the_2x2_grid_first(api, user):
    args = [4, "2, 3", [], 6, "5,9", [], 0, "", [], *XYZ_TAIL]  # X: Steps, Y: CFG Scale (txt2img numbering)
    args[10] = True  # include the cells
    r = await api.post("/sdapi/v1/txt2img", headers=user["headers"], json={
        **SMALL, "prompt": "a lighthouse", "script_name": "X/Y/Z plot", "script_args": args})
    assert r.status_code == 200, r.text[:300]
    grid, *cells = r.json()["images"]
    assert len(cells) == 4
    width, height = size(grid)
    assert width == 2 * 64 + 64 * 3 // 4 and height > 2 * 64
    info = json.loads(r.json()["info"])
    assert info["all_seeds"] == [11] * 4 and info["index_of_first_image"] == 1
    assert info["extra_generation_params"]["X Type"] == "Steps"
    assert sorted((s["steps"], s["cfg_scale"]) for s in await specs(api, user)) == [(2, 5), (2, 9), (3, 5), (3, 9)]


async def test_xyz_plot_axes_by_label_sampler_checkpoint_and_prompt_sr(api, user):
    args = ["Sampler", "", ["Euler", "DDIM"], "Checkpoint name", "", ["tiny-sd"], "Prompt S/R", "fox, owl", [],
            *XYZ_TAIL]
    r = await api.post("/sdapi/v1/txt2img", headers=user["headers"], json={
        **SMALL, "prompt": "a fox at dawn", "script_name": "x/y/z plot", "script_args": args})
    assert r.status_code == 200, r.text[:300]
    (grid,) = r.json()["images"]  # two Z values: their two 2x1 sub-grids side by side, under their titles
    assert size(grid)[0] > 4 * 64 and size(grid)[1] > 64
    got = sorted((s["sampler"], s["model"]["name"], s["prompt"]) for s in await specs(api, user))
    assert got == [("DDIM", "tiny-sd", "a fox at dawn"), ("DDIM", "tiny-sd", "a owl at dawn"),
                   ("Euler", "tiny-sd", "a fox at dawn"), ("Euler", "tiny-sd", "a owl at dawn")]


async def test_xyz_plot_with_an_unknown_checkpoint_queues_nothing(api, user):
    args = [10, "", ["tiny-sd", "no-such-model"], 0, "", [], 0, "", [], *XYZ_TAIL]  # img2img axis 10: Checkpoint name
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [png_b64(64, 64)], "script_name": "x/y/z plot", "script_args": args})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"].startswith("script_args.1:") and "no-such-model" in r.json()["detail"]
    assert await specs(api, user) == []


async def test_loopback_feeds_each_output_back_with_the_denoising_curve(api, user):
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [png_b64(64, 64)], "denoising_strength": 0.75, "script_name": "Loopback",
        "script_args": [3, 0.25, "Linear", "None"]})
    assert r.status_code == 200, r.text[:300]
    grid, *loops = r.json()["images"]
    assert size(grid) == (3 * 64, 64) and [size(i) for i in loops] == [(64, 64)] * 3
    done = await specs(api, user)
    assert [s["denoising_strength"] for s in done] == [0.75, 0.5, 0.25]
    assert [s["seeds"] for s in done] == [[11], [12], [13]]
    assert len({s["init_images"][0]["key"] for s in done}) == 3  # each loop starts from the one before
    assert json.loads(r.json()["info"])["all_seeds"] == [11, 12, 13]


async def test_loopback_with_the_older_change_factor(api, user):
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [png_b64(64, 64)], "denoising_strength": 0.5, "script_name": "loopback",
        "script_args": [2, 0.5]})
    assert r.status_code == 200, r.text[:300]
    assert [s["denoising_strength"] for s in await specs(api, user)] == [0.5, 0.25]


@pytest.mark.parametrize(("args", "field"), [([3, 0.5, "Linear", "CLIP"], "script_args.3"),
                                             ([0], "script_args.0"), ([3, 0.5, "Wobbly"], "script_args.2")])
async def test_loopback_refusals_name_the_argument(api, user, args, field):
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [png_b64(64, 64)], "script_name": "loopback", "script_args": args})
    assert r.status_code == 422 and r.json()["detail"].startswith(f"{field}:"), r.text[:300]


async def test_poor_mans_outpainting_extends_the_image(api, user):
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [png_b64(64, 48)], "denoising_strength": 0.8, "script_name": "Poor man's outpainting",
        "script_args": [16, 4, 1, ["left", "right"]]})
    assert r.status_code == 200, r.text[:300]
    (image,) = r.json()["images"]
    assert size(image) == (96, 48)
    (spec,) = await specs(api, user)
    assert spec["outpaint"] == {"left": 16, "right": 16, "top": 0, "bottom": 0}
    assert spec["inpainting_fill"] == "original" and spec["mask_blur"] == 8


@pytest.mark.slow  # two upscales of four tiles each: about 40 s on a loaded 2-core machine
async def test_sd_upscale_upscales_and_denoises_the_tiles_in_one_job(api, user):
    scripts = (await api.get("/sdapi/v1/scripts", headers=user["headers"])).json()
    assert "sd upscale" in scripts["img2img"] and "sd upscale" not in scripts["txt2img"]
    info = (await api.get("/sdapi/v1/script-info", headers=user["headers"])).json()
    args = next(s for s in info if s["name"] == "sd upscale")["args"]
    assert [a["label"] for a in args[1:]] == ["Tile overlap", "Upscaler", "Scale Factor"]
    init = png_b64(48, 40)
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [init], "denoising_strength": 0.5, "n_iter": 2, "script_name": "SD upscale",
        "script_args": [None, 16, "lanczos", 2.0]})
    assert r.status_code == 200, r.text[:300]
    images = r.json()["images"]
    assert [size(i) for i in images] == [(96, 80)] * 2  # 48x40 upscaled 2x, from 2x2 tiles of 64x64; no grid
    info = json.loads(r.json()["info"])
    assert info["all_seeds"] == [11, 12]  # one upscale per n_iter, as the web UI's script
    assert info["extra_generation_params"] == {"SD upscale overlap": 16, "SD upscale upscaler": "Lanczos"}
    assert "Size: 64x64" in info["infotexts"][0] and "SD upscale overlap: 16, SD upscale upscaler: Lanczos" in \
        info["infotexts"][0]
    (spec,) = await specs(api, user)  # one job
    assert spec["sd_upscale"]["width"] == 96 and spec["sd_upscale"]["height"] == 80
    assert (spec["width"], spec["height"], spec["seeds"]) == (64, 64, [11, 12])
    plain = Image.open(io.BytesIO(base64.b64decode(init))).resize((96, 80))
    result = Image.open(io.BytesIO(base64.b64decode(images[0]))).convert("RGB")
    diff = ImageChops.difference(result, plain.convert("RGB")).getdata()
    assert sum(sum(px) for px in diff) / (3 * 96 * 80) > 3  # the tiles were denoised: not the plain upscale


@pytest.mark.parametrize(("args", "field"), [
    ([None, 300, 1, 2.0], "script_args.1"),  # overlap past the web UI's 0..256
    ([None, 64, 1, 2.0], "script_args.1"),  # an overlap of a whole 64x64 tile
    ([None, 16, "no-such-upscaler", 2.0], "script_args.2"),
    ([None, 16, 99, 2.0], "script_args.2"),
    ([None, 16, 1, 9.0], "script_args.3"),
    ([None, 56, 1, 4.0], "script_args"),  # 25x25 tiles of 64x64 over 256x256: over the job's tile passes
])
async def test_sd_upscale_refusals_name_the_script_argument(api, user, args, field):
    r = await api.post("/sdapi/v1/img2img", headers=user["headers"], json={
        **SMALL, "init_images": [png_b64(64, 64)], "script_name": "SD upscale", "script_args": args})
    assert r.status_code == 422 and r.json()["detail"].startswith(f"{field}:"), r.text[:300]
    assert await specs(api, user) == []
