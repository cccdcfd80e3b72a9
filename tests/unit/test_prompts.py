"""The web UI's prompt syntax: emphasis, BREAK, extra-network tags, styles and embedding names."""

from __future__ import annotations

import pytest

from easel_common.prompts import ExtraNetwork, apply_styles, extract_networks, mentions, parse_attention
from easel_proto.errors import InvalidInput
from easel_proto.v1.auth import PromptStyle


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("normal text", [("normal text", 1.0)]),
        ("an (important) word", [("an ", 1.0), ("important", 1.1), (" word", 1.0)]),
        ("a (b:1.5) c", [("a ", 1.0), ("b", 1.5), (" c", 1.0)]),
        ("(unbalanced", [("unbalanced", 1.1)]),
        (r"\(literal\]", [("(literal]", 1.0)]),
        (r"a \\ b", [("a \\ b", 1.0)]),
        ("(unnecessary)(parens)", [("unnecessaryparens", 1.1)]),
        ("stray) close", [("stray) close", 1.0)]),
        ("ratio 16:9", [("ratio 16:9", 1.0)]),
        ("", [("", 1.0)]),
    ],
)
def test_parse_attention_matches_the_web_ui(text, expected):
    assert parse_attention(text) == expected


def test_parse_attention_nesting_multiplies():
    assert parse_attention("((a))") == [("a", pytest.approx(1.21))]
    assert parse_attention("[a]") == [("a", pytest.approx(1 / 1.1))]
    assert parse_attention("[[a]]") == [("a", pytest.approx(1 / 1.21))]
    assert parse_attention("(a [b] (c:2))") == [
        ("a ", pytest.approx(1.1)),
        ("b", pytest.approx(1.0)),
        (" ", pytest.approx(1.1)),
        ("c", pytest.approx(2.2)),
    ]


def test_parse_attention_web_ui_documented_example():
    got = parse_attention("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).")
    assert [text for text, _ in got] == ["a ", "house", " ", "on", " a ", "hill", ", sun, ", "sky", "."]
    assert [w for _, w in got] == pytest.approx([1.0, 1.573, 1.1, 1.0, 1.1, 0.55, 1.1, 1.4641, 1.1])


def test_break_splits_and_is_never_reweighted():
    assert parse_attention("a BREAK b") == [("a", 1.0), ("BREAK", -1.0), ("b", 1.0)]
    assert parse_attention("(a BREAK b)") == [("a", pytest.approx(1.1)), ("BREAK", -1.0), ("b", pytest.approx(1.1))]
    # only the uppercase whole word is a BREAK
    assert parse_attention("a break b BREAKING") == [("a break b BREAKING", 1.0)]


def test_extract_networks_strips_tags_in_order():
    prompt, nets = extract_networks("a fox <lora:fox_style:0.7>, snow <lyco:winter> <hypernet:anime:0.4>")
    assert prompt == "a fox , snow  "
    assert nets == [
        ExtraNetwork("lora", "fox_style", 0.7),
        ExtraNetwork("lora", "winter", 1.0),
        ExtraNetwork("hypernet", "anime", 0.4),
    ]


def test_extract_networks_uses_the_first_number_of_te_unet_weights():
    assert extract_networks("<lora:detail:0.5:0.8>")[1] == [ExtraNetwork("lora", "detail", 0.5)]


def test_extract_networks_leaves_unknown_tags_and_plain_text():
    assert extract_networks("a <cat> at 16:9 <unknown:thing:1>") == ("a <cat> at 16:9 <unknown:thing:1>", [])


@pytest.mark.parametrize("tag", ["<lora:fox:strong>", "<lora:fox:>", "<lora::0.5>"])
def test_extract_networks_refuses_malformed_tags(tag):
    with pytest.raises(InvalidInput) as err:
        extract_networks(f"a fox {tag}")
    assert err.value.details["field"] == "prompt"


def test_styles_append_or_fill_in_prompt():
    plain = PromptStyle(name="plain", prompt="masterpiece", negative_prompt="lowres")
    framed = PromptStyle(name="framed", prompt="photo of {prompt}, 35mm", negative_prompt="")
    assert apply_styles("a fox ", "blurry", [plain]) == ("a fox, masterpiece", "blurry, lowres")
    assert apply_styles("a fox", "", [framed]) == ("photo of a fox, 35mm", "")
    assert apply_styles("a fox", "", [plain, framed]) == ("photo of a fox, masterpiece, 35mm", "lowres")
    assert apply_styles("", "", [plain]) == ("masterpiece", "lowres")
    assert apply_styles("a fox", "blurry", []) == ("a fox", "blurry")


def test_mentions_finds_whole_words_case_sensitively():
    names = ["badhands", "easynegative", "neg", "EasyNegative", "easynegative"]
    text = "(easynegative:1.2), badhands2, negative"
    assert mentions(text, names) == ["easynegative"]
    assert mentions("bad-hands-5, x", ["bad-hands-5"]) == ["bad-hands-5"]
    assert mentions("nothing here", names) == []
