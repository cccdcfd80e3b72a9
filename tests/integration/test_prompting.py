"""Prompt encoding on the tiny pipeline: chunks, emphasis, BREAK, clip skip and per-call embeddings.

The tiny tokenizer is byte-level without merges: every character is one token ("a a a" is 3 tokens).
"""

from __future__ import annotations

import pytest
import torch
from diffusers import StableDiffusionPipeline
from safetensors.torch import save_file

from easel_proto.errors import InvalidInput
from easel_worker.engine import build_tiny_sd
from easel_worker.engine.prompting import encode_prompts


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    folder = build_tiny_sd(tmp_path_factory.mktemp("tiny") / "tiny-sd")
    pipe = StableDiffusionPipeline.from_pretrained(folder, local_files_only=True)
    # A freshly initialised final norm has zero bias, so its outputs average to ~0 and the emphasis rescale
    # would divide noise by noise; a trained CLIP's does not. Give the tiny one a bias like a trained one's.
    with torch.no_grad():
        pipe.text_encoder.final_layer_norm.bias.fill_(0.5)
    return pipe


def encode(pipe, prompt: str, **kwargs) -> torch.Tensor:
    return encode_prompts(pipe, [prompt], [""], **kwargs)[0][0]


def words(letter: str, count: int) -> str:
    return " ".join([letter] * count)


def token_vectors(pipe, text: str) -> torch.Tensor:
    """The text encoder's own input vectors for text's tokens: an embedding that must encode exactly as text."""
    ids = pipe.tokenizer(text, add_special_tokens=False).input_ids
    return pipe.text_encoder.get_input_embeddings().weight[ids].detach().clone()


def test_short_and_long_prompts_share_one_chunk_count(pipe):
    hidden = pipe.text_encoder.config.hidden_size
    prompts, negatives = encode_prompts(pipe, ["a fox", "an owl"], ["blurry", ""])
    assert prompts.shape == negatives.shape == (2, 77, hidden)
    assert prompts.dtype == pipe.text_encoder.dtype

    prompts, negatives = encode_prompts(pipe, [words("a", 80), "a fox"], ["blurry"])
    assert prompts.shape == (2, 154, hidden)
    assert negatives.shape == (1, 154, hidden)
    # the shorter ones are padded with the encoding of an empty chunk
    empty = encode(pipe, "")
    assert torch.equal(prompts[1, 77:], empty)
    assert torch.equal(negatives[0, 77:], empty)


def test_short_prompt_encodes_like_diffusers(pipe):
    ours = encode(pipe, "a watercolor fox")
    theirs, _ = pipe.encode_prompt("a watercolor fox", "cpu", 1, False)
    assert torch.equal(ours, theirs[0])


def test_explicit_weight_one_equals_plain(pipe):
    assert torch.equal(encode(pipe, "a (fox:1.0) runs"), encode(pipe, "a fox runs"))


def test_emphasis_scales_its_tokens_and_keeps_the_mean(pipe):
    plain, strong = encode(pipe, "a fox runs"), encode(pipe, "a (fox:1.5) runs")
    assert strong.mean().item() == pytest.approx(plain.mean().item(), rel=1e-4)
    # tokens: BOS, "a", then "f" "o" "x" at 2-4 (spaces are no tokens); those rise 1.5x against the rest
    weights = torch.ones(77, 1)
    weights[2:5] = 1.5
    scale = (strong[0] / plain[0]).mean()
    assert scale != 1
    assert torch.allclose(strong, plain * weights * scale, rtol=1e-4, atol=1e-6)
    assert not torch.equal(strong, encode(pipe, "a [fox] runs"))


def test_break_starts_a_new_chunk(pipe):
    broken = encode(pipe, "a fox BREAK an owl")
    assert broken.shape[0] == 154
    assert torch.equal(broken[:77], encode(pipe, "a fox"))
    assert torch.equal(broken[77:], encode(pipe, "an owl"))


def test_full_chunk_breaks_after_a_near_comma(pipe):
    # 70 "a", a comma, then 10 "b": the 75-token chunk ends at the comma and the "b"s move on together
    encoded = encode(pipe, words("a", 70) + ", " + words("b", 10))
    assert encoded.shape[0] == 154
    assert torch.equal(encoded[77:], encode(pipe, words("b", 10)))


def test_clip_skip(pipe):
    assert not torch.equal(encode(pipe, "a fox", clip_skip=2), encode(pipe, "a fox"))
    with pytest.raises(InvalidInput) as err:
        encode(pipe, "a fox", clip_skip=3)  # the tiny text encoder has 2 layers
    assert err.value.details["field"] == "clip_skip"


def test_embedding_applies_only_when_named_and_leaves_no_trace(pipe, tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "zq.safetensors"
    save_file({"emb_params": torch.randn(2, pipe.text_encoder.config.hidden_size)}, path)
    vocab_before = len(pipe.tokenizer)
    weights_before = pipe.text_encoder.get_input_embeddings().weight.clone()
    plain_named, plain_other = encode(pipe, "a zq fox"), encode(pipe, "a zqx fox")

    assert not torch.equal(encode(pipe, "a zq fox", embeddings={"zq": path}), plain_named)
    assert not torch.equal(encode(pipe, "a (zq:1.3) fox", embeddings={"zq": path}), plain_named)
    # not a whole word: just text
    assert torch.equal(encode(pipe, "a zqx fox", embeddings={"zq": path}), plain_other)
    # nothing left behind for the next call
    assert torch.equal(encode(pipe, "a zq fox"), plain_named)
    assert len(pipe.tokenizer) == vocab_before
    assert torch.equal(pipe.text_encoder.get_input_embeddings().weight, weights_before)


def test_embedding_vectors_are_spliced_exactly(pipe, tmp_path):
    # diffusers' format: one tensor under its token; these vectors are the encoder's own for "fox"
    path = tmp_path / "beast.safetensors"
    save_file({"<beast>": token_vectors(pipe, "fox")}, path)
    assert torch.equal(encode(pipe, "a beast runs", embeddings={"beast": path}), encode(pipe, "a fox runs"))


def test_embedding_counts_its_vectors_and_stays_in_one_chunk(pipe, tmp_path):
    path = tmp_path / "zq.safetensors"
    save_file({"emb_params": token_vectors(pipe, "xyz")}, path)  # 3 vectors for a 2-token word
    prompt = words("a", 73) + " zq"
    assert encode(pipe, prompt).shape[0] == 77
    spliced = encode(pipe, prompt, embeddings={"zq": path})
    assert spliced.shape[0] == 154
    assert torch.equal(spliced[77:], encode(pipe, "xyz"))


def test_embedding_of_another_width_is_refused(pipe, tmp_path):
    path = tmp_path / "wide.safetensors"
    save_file({"emb_params": torch.randn(2, 768)}, path)
    with pytest.raises(InvalidInput) as err:
        encode(pipe, "a wide fox", embeddings={"wide": path})
    assert err.value.details["field"] == "embeddings"


def test_unreadable_embedding_is_refused(pipe, tmp_path):
    path = tmp_path / "junk.safetensors"
    path.write_bytes(b"not a tensor file")
    with pytest.raises(InvalidInput) as err:
        encode(pipe, "a junk fox", embeddings={"junk": path})
    assert err.value.details["field"] == "embeddings"
