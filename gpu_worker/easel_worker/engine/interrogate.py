"""The interrogate task: describe an image in words, as the web UI's /sdapi/v1/interrogate does.

Two interrogators (layouts in easel_proto.interrogators), both run with transformers:
- clip (the web UI's modules/interrogate.py): a BLIP caption, then for each category list the terms CLIP ranks
  highest for the image (`name.topN.txt` ranks N), each appended after a comma;
- deepdanbooru (the web UI's modules/deepbooru.py): the tagger's tags scoring at least the threshold (rating tags
  left out), sorted by name or by score, filtered, with spaces and escaped brackets as the options say.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.interrogators import CATEGORY_FOLDER, interrogator_type
from easel_proto.v1.jobs import GenerationSpec, InterrogateSpec

_TOPN = re.compile(r"\.top(\d+)$")
_SPECIAL = re.compile(r"([\\()])")  # the web UI's re_special: escaped so a tag reads literally in a prompt
_TEXT_BATCH = 256  # category terms encoded at once
# The built-in category lists when a CLIP interrogator brings none: a short selection in the spirit of the web
# UI's (its files hold thousands of terms); `flavors` ranks three, the others one, as there.
BUILTIN_CATEGORIES: dict[str, list[str]] = {
    "mediums": ["a photograph", "a painting", "a digital painting", "a drawing", "a sketch", "an illustration",
                "a watercolor painting", "an oil painting", "a 3D render", "a pencil sketch", "a comic book panel",
                "a screenshot", "a poster", "a mosaic", "a sculpture", "pixel art"],
    "movements": ["impressionism", "realism", "surrealism", "cubism", "art nouveau", "pop art", "minimalism",
                  "baroque", "romanticism", "expressionism", "photorealism", "abstract art", "ukiyo-e",
                  "art deco", "futurism", "renaissance"],
    "flavors.top3": ["highly detailed", "sharp focus", "soft lighting", "dramatic lighting", "vibrant colors",
                     "muted colors", "cinematic", "bokeh", "golden hour", "studio lighting", "high contrast",
                     "pastel colors", "trending on artstation", "concept art", "matte painting", "volumetric lighting",
                     "wide angle", "close up", "symmetrical", "intricate", "hdr", "8k", "dark", "cozy"],
}


@dataclass
class Category:
    name: str
    topn: int
    items: list[str]


@dataclass
class _Clip:
    blip: Any
    blip_processor: Any
    clip: Any
    clip_processor: Any
    categories: list[Category]


@dataclass
class _Tagger:
    model: Any
    processor: Any  # None: the web UI's own preparation (512x512, values 0..1)
    tags: list[str]


class Interrogators:
    """Runs interrogate jobs, keeping the last interrogator used resident (the web UI keeps its models loaded
    unless told otherwise)."""

    def __init__(self, device: torch.device, dtype: torch.dtype) -> None:
        self.device, self.dtype = device, dtype
        self._lock = threading.Lock()
        self._loaded: tuple[str, _Clip | _Tagger] | None = None

    def run(self, spec: GenerationSpec, inputs: Mapping[str, Image.Image], files: Mapping[str, Path]) -> list[str]:
        """The caption of the job's image (one text, for its one seed)."""
        options = spec.interrogate
        if options is None or not spec.init_images:
            raise InvalidInput("image", "an interrogate job needs the image and its interrogator options")
        model = spec.model
        if model.kind != "interrogator":
            raise InvalidInput("model", f"{model.name!r} is a {model.kind}, not an interrogator", model_id=model.id)
        image = inputs.get(spec.init_images[0].key)
        if image is None:
            raise GenerationFailed(f"input image {spec.init_images[0].key} was not read for this job", field="image")
        path = files.get(model.id)
        if path is None:
            raise GenerationFailed(f"interrogator {model.name!r} has not been fetched to this worker", model=model.id)
        with self._lock:
            loaded = self._load(model.id, Path(path), options.type, model.name)
            image = image.convert("RGB")
            with torch.inference_mode():
                if isinstance(loaded, _Clip):
                    return [clip_caption(loaded, image, options, self.device, self.dtype)]
                return [tag_image(loaded, image, options, self.device, self.dtype)]

    def _load(self, model_id: str, path: Path, wanted: str, name: str) -> _Clip | _Tagger:
        if self._loaded is not None and self._loaded[0] == model_id:
            loaded = self._loaded[1]
            if isinstance(loaded, _Clip if wanted == "clip" else _Tagger):
                return loaded
        self._loaded = None  # free the previous one before loading the next
        found = interrogator_type(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
        if found != wanted:
            raise InvalidInput("model", f"{name!r} is not a {wanted} interrogator", found=found)
        loaded = (load_clip if wanted == "clip" else load_tagger)(path, self.device, self.dtype)
        self._loaded = (model_id, loaded)
        return loaded


def load_clip(path: Path, device: torch.device, dtype: torch.dtype) -> _Clip:
    from transformers import BlipForConditionalGeneration, BlipProcessor, CLIPModel, CLIPProcessor

    # safetensors only (the registry keeps no pickles); cast after loading, as `dtype=` is new in transformers 4.56
    blip = BlipForConditionalGeneration.from_pretrained(path / "blip", use_safetensors=True)
    clip = CLIPModel.from_pretrained(path / "clip", use_safetensors=True)
    return _Clip(blip.to(device, dtype).eval(), BlipProcessor.from_pretrained(path / "blip"),
                 clip.to(device, dtype).eval(),
                 CLIPProcessor.from_pretrained(path / "clip"), read_categories(path / CATEGORY_FOLDER))


def read_categories(folder: Path) -> list[Category]:
    """The model's category lists (`<name>.txt`, `<name>.topN.txt`), else the built-in ones; sorted by name."""
    lists = {f.stem: [line.strip() for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
             for f in sorted(folder.glob("*.txt"))} if folder.is_dir() else {}
    lists = lists or BUILTIN_CATEGORIES
    out = []
    for stem, items in sorted(lists.items()):
        match = _TOPN.search(stem)
        out.append(Category(_TOPN.sub("", stem), int(match.group(1)) if match else 1, items))
    return out


def clip_caption(m: _Clip, image: Image.Image, options: InterrogateSpec, device: torch.device,
                 dtype: torch.dtype) -> str:
    """The BLIP caption, then ", term" (", (term:score)" with ranks) for each category's best terms."""
    pixels = m.blip_processor(images=image, return_tensors="pt")["pixel_values"].to(device, dtype)
    most = options.clip_max_length
    out = m.blip.generate(pixel_values=pixels, num_beams=options.clip_num_beams, do_sample=False,
                          min_length=min(options.clip_min_length, most), max_length=most)
    caption = m.blip_processor.decode(out[0], skip_special_tokens=True).strip()
    pixels = m.clip_processor(images=image, return_tensors="pt")["pixel_values"].to(device, dtype)
    features = _features(m.clip.get_image_features(pixel_values=pixels))
    features = features / features.norm(dim=-1, keepdim=True)
    skip = set(options.clip_skip_categories or [])
    for category in m.categories:
        if category.name in skip or f"{category.name}.top{category.topn}" in skip:
            continue
        for term, score in rank(m, features, category, options.clip_dict_limit, device):
            caption += f", ({term}:{score / 100:.3f})" if options.return_ranks else f", {term}"
    return caption


def rank(m: _Clip, image_features: torch.Tensor, category: Category, dict_limit: int,
         device: torch.device) -> list[tuple[str, float]]:
    """The category's top terms for the image and their scores in percent (softmax over the terms' CLIP
    similarities, as the web UI's Interrogator.rank)."""
    terms = category.items[:dict_limit] if dict_limit else category.items
    if not terms:
        return []
    parts = []
    for start in range(0, len(terms), _TEXT_BATCH):
        tokens = m.clip_processor.tokenizer(terms[start:start + _TEXT_BATCH], padding=True, truncation=True,
                                            return_tensors="pt").to(device)
        parts.append(_features(m.clip.get_text_features(**tokens)))
    text = torch.cat(parts)
    text = text / text.norm(dim=-1, keepdim=True)
    similarity = (100.0 * image_features.float() @ text.float().T).softmax(dim=-1).mean(dim=0)
    top = similarity.topk(min(category.topn, len(terms)))
    return [(terms[i], float(p) * 100) for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)]


def _features(out: Any) -> torch.Tensor:
    """transformers 5 returns the projected features as pooler_output of an output object; 4, as a tensor."""
    return out if isinstance(out, torch.Tensor) else out.pooler_output


def load_tagger(path: Path, device: torch.device, dtype: torch.dtype) -> _Tagger:
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    model = AutoModelForImageClassification.from_pretrained(path, use_safetensors=True)
    labels = model.config.id2label or {}
    tags = [str(labels.get(i, labels.get(str(i), ""))) for i in range(model.config.num_labels)]
    if not any(tags):
        raise InvalidInput("model", "the tagger's config names no tags (id2label)")
    processor = AutoImageProcessor.from_pretrained(path) if (path / "preprocessor_config.json").exists() else None
    return _Tagger(model.to(device, dtype).eval(), processor, tags)


def _web_ui_pixels(image: Image.Image) -> torch.Tensor:
    """The web UI's DeepBooru input: resized to fill 512x512 (resize mode 2), values 0..1, channels first."""
    import numpy as np

    fitted = image.copy()
    fitted.thumbnail((512, 512), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (512, 512))
    canvas.paste(fitted, ((512 - fitted.width) // 2, (512 - fitted.height) // 2))
    return torch.from_numpy(np.asarray(canvas, dtype=np.float32) / 255).permute(2, 0, 1).unsqueeze(0)


def tag_image(m: _Tagger, image: Image.Image, options: InterrogateSpec, device: torch.device,
              dtype: torch.dtype) -> str:
    """The tags over the threshold, as the web UI's DeepDanbooru.tag_multi writes them."""
    pixels = (m.processor(images=image, return_tensors="pt")["pixel_values"] if m.processor is not None
              else _web_ui_pixels(image))
    logits = m.model(pixel_values=pixels.to(device, dtype)).logits[0].float()
    scores = torch.sigmoid(logits).tolist()
    return format_tags(dict(zip(m.tags, scores, strict=True)), options)


def format_tags(scores: Mapping[str, float], options: InterrogateSpec) -> str:
    """Tags scoring at least the threshold, rating tags and filtered tags left out, in the options' order and
    form (the web UI's tag_multi)."""
    kept = {tag: p for tag, p in scores.items()
            if tag and p >= options.deepbooru_score_threshold and not tag.startswith("rating:")}
    order = sorted(kept) if options.deepbooru_sort_alpha else sorted(kept, key=lambda tag: -kept[tag])
    filtered = {t.strip().replace(" ", "_") for t in options.deepbooru_filter_tags.split(",")}
    out = []
    for tag in (t for t in order if t not in filtered):
        text = tag.replace("_", " ") if options.deepbooru_use_spaces else tag
        if options.deepbooru_escape:
            text = _SPECIAL.sub(r"\\\1", text)
        out.append(f"({text}:{kept[tag]:.3f})" if options.return_ranks else text)
    return ", ".join(out)
