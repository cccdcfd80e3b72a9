"""The interrogate task on tiny random-weight interrogators: the CLIP interrogator's caption and the tagger's tags
(threshold, order, spaces, escapes, filter, ranks as the web UI's options say); the registry's layout check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from interrogator_models import build_tiny_clip_interrogator, build_tiny_tagger
from PIL import Image

from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import GenerationSpec, InputImage, InterrogateSpec
from easel_proto.v1.registry import ModelInfo
from easel_registry.safety import check_interrogator
from easel_worker.engine import GenerationEngine
from easel_worker.engine.interrogate import BUILTIN_CATEGORIES

# sigmoid(bias) per tag of interrogator_models.TAGS: 1girl .953, solo .047, long_hair .953, "smile (happy)" .731,
# outdoors .269, sky .622, tree .450, rating:safe .993
BIAS = [3.0, -3.0, 3.0, 1.0, -1.0, 0.5, -0.2, 5.0]
CATEGORIES = {"mediums": ["a photo", "a painting", "a sketch"], "flavors.top3": ["red", "blue", "green", "dark"]}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("interrogators")
    return {"clip": build_tiny_clip_interrogator(tmp / "clip", CATEGORIES),
            "plain": build_tiny_clip_interrogator(tmp / "plain"),
            "tagger": build_tiny_tagger(tmp / "tagger", bias=BIAS)}


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> GenerationEngine:
    return GenerationEngine(tmp_path_factory.mktemp("cache"), device="cpu")


def job(model_id: str, kind: str, **options) -> GenerationSpec:
    model = ModelInfo(id=model_id, name=model_id, kind="interrogator", base="sd15", source="s3://b/m/",
                      format="diffusers")
    return GenerationSpec(task="interrogate", prompt="", model=model, sampler="Euler", steps=1, cfg_scale=1.0,
                          width=48, height=40, seeds=[0], init_images=[InputImage(key="in", width=48, height=40)],
                          interrogate=InterrogateSpec(type=kind, **options))


def run(engine: GenerationEngine, folders: dict[str, Path], model_id: str, kind: str, **options) -> str:
    image = Image.new("RGBA", (48, 40), (200, 40, 40, 255))
    (text,) = engine.interrogate(job(model_id, kind, **options), {model_id: folders[model_id]}, {"in": image})
    return text


def test_clip_caption_then_the_best_terms_of_each_category(engine, folders):
    text = run(engine, folders, "clip", "clip")
    caption, *terms = text.split(", ")
    assert caption.strip() and terms  # BLIP's words, then CLIP's picks
    # categories in name order: flavors ranks its top 3, mediums its best one
    assert len(terms) == 4 and set(terms[:3]) <= set(CATEGORIES["flavors.top3"])
    assert terms[3] in CATEGORIES["mediums"]
    assert run(engine, folders, "clip", "clip") == text  # greedy decoding: the same image, the same words


def test_clip_options_ranks_lengths_skipped_categories(engine, folders):
    text = run(engine, folders, "clip", "clip", return_ranks=True, clip_min_length=2, clip_max_length=6,
               clip_skip_categories=["flavors"])
    caption, *terms = text.split(", ")
    assert len(caption.split()) <= 6
    (term,) = terms
    match = re.fullmatch(r"\((.+):(\d\.\d{3})\)", term)
    assert match and match[1] in CATEGORIES["mediums"] and 0 < float(match[2]) <= 1


def test_clip_without_its_own_lists_uses_the_built_in_ones(engine, folders):
    _, *terms = run(engine, folders, "plain", "clip").split(", ")
    assert len(terms) == 5  # flavors top 3, mediums, movements
    assert set(terms[:3]) <= set(BUILTIN_CATEGORIES["flavors.top3"])
    assert terms[3] in BUILTIN_CATEGORIES["mediums"] and terms[4] in BUILTIN_CATEGORIES["movements"]


def test_tagger_reports_the_tags_over_the_threshold_as_the_web_ui_writes_them(engine, folders):
    # defaults: threshold 0.5, alphabetical, spaces for underscores, brackets escaped; rating tags never
    assert run(engine, folders, "tagger", "deepdanbooru") == "1girl, long hair, sky, smile \\(happy\\)"
    by_score = run(engine, folders, "tagger", "deepdanbooru", deepbooru_sort_alpha=False, deepbooru_use_spaces=False,
                   deepbooru_escape=False, return_ranks=True)
    assert by_score == "(1girl:0.953), (long_hair:0.953), (smile (happy):0.731), (sky:0.622)"
    assert run(engine, folders, "tagger", "deepdanbooru", deepbooru_score_threshold=0.25,
               deepbooru_filter_tags="long hair, sky") == "1girl, outdoors, smile \\(happy\\), tree"


def test_a_model_of_another_layout_is_refused(engine, folders):
    with pytest.raises(InvalidInput) as refused:
        engine.interrogate(job("tagger", "clip"), {"tagger": folders["tagger"]},
                           {"in": Image.new("RGB", (8, 8))})
    assert refused.value.details["field"] == "model"


def test_the_registry_accepts_only_the_two_layouts(folders):
    def paths(folder: Path) -> list[str]:
        return [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]

    assert check_interrogator(paths(folders["clip"])) == "clip"
    assert check_interrogator(paths(folders["tagger"])) == "deepdanbooru"
    with pytest.raises(InvalidInput, match="not an interrogator"):
        check_interrogator([p for p in paths(folders["clip"]) if not p.startswith("clip/")])
    with pytest.raises(InvalidInput, match="not an interrogator"):
        check_interrogator(["model.safetensors"])


def test_saved_web_ui_options_become_the_job_options_and_a_bad_one_is_named():
    from easel_gateway.admission.interrogate import options_spec

    spec = options_spec("deepdanbooru", {"interrogate_deepbooru_score_threshold": 0.7, "deepbooru_sort_alpha": False,
                                         "interrogate_return_ranks": True, "samples_format": "png"})
    assert (spec.deepbooru_score_threshold, spec.deepbooru_sort_alpha, spec.return_ranks) == (0.7, False, True)
    assert options_spec("clip", {}) == InterrogateSpec(type="clip")  # the web UI's defaults
    with pytest.raises(InvalidInput) as refused:
        options_spec("clip", {"interrogate_clip_max_length": 100000})
    assert refused.value.details["field"] == "interrogate_clip_max_length"


def test_the_job_options_default_to_the_web_ui_option_table():
    from easel_gateway.admission.interrogate import OPTIONS
    from easel_gateway.sdapi.option_table import DEFAULTS

    defaults = InterrogateSpec(type="clip")
    assert {key: getattr(defaults, field) for key, field in OPTIONS.items()} == {key: DEFAULTS[key] for key in OPTIONS}
