"""Tiny random-weight interrogators in the layouts of easel_proto.interrogators, built from transformers configs:
a CLIP interrogator (BLIP captioner in blip/, CLIP in clip/) and a DeepBooru-style multi-label tagger."""

from __future__ import annotations

import json
from pathlib import Path

import torch

WORDS = ["a", "photo", "painting", "of", "red", "blue", "green", "cat", "dog", "fox", "house", "tree", "sky", "sea",
         "city", "night", "day", "sun", "moon", "cloud", "river", "road", "car", "man", "woman", "girl", "boy",
         "flower", "field", "mountain", "snow", "rain", "light", "dark", "old", "new", "big", "small", "bright",
         "soft", "sharp", "art", "style", "portrait", "landscape", "street", "window", "door", "wall", "table"]
# the tagger's tags, by class index; a rating tag is never reported (as the web UI)
TAGS = ["1girl", "solo", "long_hair", "smile (happy)", "outdoors", "sky", "tree", "rating:safe"]


def _tokenizer_files(dest: Path) -> None:
    from transformers import BertTokenizer

    dest.mkdir(parents=True, exist_ok=True)
    vocab = dest / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[DEC]", *WORDS]) + "\n")
    tokenizer = BertTokenizer(str(vocab), bos_token="[DEC]")
    tokenizer.save_pretrained(dest)


def build_tiny_clip_interrogator(dest: Path, categories: dict[str, list[str]] | None = None) -> Path:
    """blip/ and clip/ (random weights, a 56-word vocabulary); `categories`: interrogate/<name>.txt lists."""
    from transformers import (
        BertTokenizer,
        BlipConfig,
        BlipForConditionalGeneration,
        BlipImageProcessor,
        BlipProcessor,
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        CLIPTokenizer,
    )

    torch.manual_seed(0)
    blip_dir, clip_dir = dest / "blip", dest / "clip"
    _tokenizer_files(blip_dir)
    vocab_size = len(WORDS) + 6
    blip = BlipForConditionalGeneration(BlipConfig(
        vision_config={"hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        text_config={"vocab_size": vocab_size, "hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 64, "encoder_hidden_size": 32,
                     "bos_token_id": 5, "pad_token_id": 0, "sep_token_id": 3, "eos_token_id": 3},
        projection_dim=32))
    blip.save_pretrained(blip_dir, safe_serialization=True)
    BlipProcessor(BlipImageProcessor(size={"height": 32, "width": 32}),
                  BertTokenizer(str(blip_dir / "vocab.txt"), bos_token="[DEC]")).save_pretrained(blip_dir)

    clip_dir.mkdir(parents=True, exist_ok=True)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, **{f"{w}</w>": i + 2 for i, w in enumerate(WORDS)}}
    (clip_dir / "vocab.json").write_text(json.dumps(vocab))
    (clip_dir / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(clip_dir / "vocab.json"), str(clip_dir / "merges.txt"))
    clip = CLIPModel(CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 32, "bos_token_id": 0, "eos_token_id": 1,
                     "pad_token_id": 1},
        vision_config={"hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        projection_dim=16))
    clip.save_pretrained(clip_dir, safe_serialization=True)
    CLIPProcessor(CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
                  tokenizer).save_pretrained(clip_dir)
    for name, items in (categories or {}).items():
        (dest / "interrogate").mkdir(exist_ok=True)
        (dest / "interrogate" / f"{name}.txt").write_text("\n".join(items) + "\n")
    return dest


def build_tiny_tagger(dest: Path, tags: list[str] = TAGS, bias: list[float] | None = None) -> Path:
    """A tiny ViT multi-label classifier whose id2label are `tags`; `bias`, the logits' bias per tag, with the
    classifier's weights zeroed, fixes every tag's score (sigmoid(bias)) whatever the image."""
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    model = ViTForImageClassification(ViTConfig(
        hidden_size=32, intermediate_size=37, num_hidden_layers=1, num_attention_heads=2, image_size=32,
        patch_size=8, num_labels=len(tags), id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)},
        problem_type="multi_label_classification"))
    if bias is not None:
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.copy_(torch.tensor(bias))
    model.save_pretrained(dest, safe_serialization=True)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(dest)
    return dest
