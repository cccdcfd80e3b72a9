"""Prompt editing, alternation and AND as the web UI reads them: the schedules its parser gives for its documented
examples (modules/prompt_parser.py's doctests and comment, web UI 1.10), and cases checked against that parser."""

from __future__ import annotations

import pytest

from easel_common.prompts import MAX_PARTS, MAX_TEXTS, composable_parts, pass_texts, prompt_schedule
from easel_proto.errors import InvalidInput


def steps10(prompt: str) -> list[list]:
    return [[step, text] for step, text in prompt_schedule(prompt, 10)]


def alternating(*texts: str, steps: int = 10) -> list[list]:
    return [[step, texts[(step - 1) % len(texts)]] for step in range(1, steps + 1)]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        # the web UI's doctests, 10 steps
        ("test", [[10, "test"]]),
        ("a [b:3]", [[3, "a "], [10, "a b"]]),
        ("a [b: 3]", [[3, "a "], [10, "a b"]]),
        ("a [[[b]]:2]", [[2, "a "], [10, "a [[b]]"]]),
        ("[(a:2):3]", [[3, ""], [10, "(a:2)"]]),
        ("a [b : c : 1] d", [[1, "a b  d"], [10, "a  c  d"]]),
        ("a[b:[c:d:2]:1]e", [[1, "abe"], [2, "ace"], [10, "ade"]]),
        ("a [unbalanced", [[10, "a [unbalanced"]]),
        ("a [b:.5] c", [[5, "a  c"], [10, "a b c"]]),
        ("((a][:b:c [d:3]", [[3, "((a][:b:c "], [10, "((a][:b:c d"]]),
        ("[a|(b:1.1)]", alternating("a", "(b:1.1)")),
        ("[fe|]male", alternating("female", "male")),
        ("[fe|||]male", alternating("female", "male", "male", "male")),
        # The doctest still expects [[5, 'a  c'], [10, 'a {b|d{ c']] from before `|` stopped being plain text; the
        # grammar now rejects the prompt (a `|` where no alternation can hold it), so it is one plain prompt.
        ("a [{b|d{:.5] c", [[10, "a [{b|d{:.5] c"]]),
        # and what its parser gives for these
        ("[a:b:0]", [[10, "b"]]),  # switched before the first step
        ("[a:b:1.0]", [[10, "a"]]),  # a fraction with a point: all of the steps
        ("[a:b:1]", [[1, "a"], [10, "b"]]),  # a whole number: step 1
        ("[a:b:-1]", [[10, "b"]]),
        ("[a:b:1e1]", [[10, "a"]]),  # no point: a step number, 10
        ("[a:b:5.]", [[10, "a"]]),  # with a point it is a fraction: 5.0 x 10 steps, past the last
        ("[a::3]", [[3, "a"], [10, ""]]),
        ("[:a:3]", [[3, ""], [10, "a"]]),
        ("[a:b: 3 ]", [[3, "a"], [10, "b"]]),
        ("[a:3 cats:5]", [[5, "a"], [10, "3 cats"]]),
        ("[a [b:c:3]:d:5]", [[3, "a b"], [5, "a c"], [10, "d"]]),
        ("(a [b:c:3]:1.5)", [[3, "(a b:1.5)"], [10, "(a c:1.5)"]]),
        ("[[a:b:2]|c]", [[1, "a"], [2, "c"], [3, "b"], [4, "c"], [5, "b"], [6, "c"], [7, "b"], [8, "c"], [9, "b"],
                         [10, "c"]]),
        ("[a|b] [c|d|e]", [[s, f"{'ab'[(s - 1) % 2]} {'cde'[(s - 1) % 3]}"] for s in range(1, 11)]),
        ("[[a:b:3]", [[3, "[a"], [10, "[b"]]),  # a stray bracket outside every group is text
        ("[a:b:3]]", [[3, "a]"], [10, "b]"]]),
        ("a|b [c:d:5]", [[10, "a|b [c:d:5]"]]),  # `|` outside brackets: the grammar rejects it all
        ("[a|b:3]", [[10, "[a|b:3]"]]),
        ("[a:b:c:3]", [[10, "[a:b:c:3]"]]),
        ("[a:2 b]", [[10, "[a:2 b]"]]),
        (r"a \[b:3\]", [[10, r"a \[b:3\]"]]),  # escaped brackets are text
        (r"[a\:b:3]", [[3, ""], [10, r"a\:b"]]),
        ("a\\", [[10, "a\\"]]),  # a lone backslash: nothing in the grammar reads it
        ("", [[10, ""]]),
    ],
)
def test_schedules_match_the_web_ui(prompt, expected):
    assert steps10(prompt) == expected


def test_the_web_ui_documented_landscape_at_100_steps():
    prompt = ("fantasy landscape with a [mountain:lake:0.25] and [an oak:a christmas tree:0.75][ in foreground::0.6]"
              "[ in background:0.25] [shoddy:masterful:0.5]")
    assert prompt_schedule(prompt, 100) == [
        (25, "fantasy landscape with a mountain and an oak in foreground shoddy"),
        (50, "fantasy landscape with a lake and an oak in foreground in background shoddy"),
        (60, "fantasy landscape with a lake and an oak in foreground in background masterful"),
        (75, "fantasy landscape with a lake and an oak in background masterful"),
        (100, "fantasy landscape with a lake and a christmas tree in background masterful"),
    ]


@pytest.mark.parametrize(
    ("prompt", "first", "hires"),
    [
        ("a [b:.5] c", [(5, "a  c"), (10, "a b c")], [(10, "a b c")]),  # the doctests' hires cases
        ("a [b:1.5] c", [(10, "a  c")], [(5, "a  c"), (10, "a b c")]),  # 1.5 of the first pass: past its end
        ("[a:b:15]", [(10, "a")], [(5, "a"), (10, "b")]),  # whole numbers count the first pass's steps too
        ("[a:b:1.0]", [(10, "a")], [(10, "b")]),  # the first pass is over in the hires pass
        ("[a|b]", [(s, "ab"[(s - 1) % 2]) for s in range(1, 11)], [(s, "ab"[(s - 1) % 2]) for s in range(1, 11)]),
    ],
)
def test_a_hires_pass_counts_its_own_steps(prompt, first, hires):
    assert prompt_schedule(prompt, 10) == first
    assert prompt_schedule(prompt, 10, 10) == hires


@pytest.mark.parametrize(
    ("prompt", "parts"),
    [
        ("a cat AND a dog :1.2", [("a cat", 1.0), (" a dog", 1.2)]),
        ("a cat:-0.5 AND a dog", [("a cat", -0.5), (" a dog", 1.0)]),
        ("a cat :2", [("a cat", 2.0)]),  # one part may have a weight too
        ("ratio 16:9", [("ratio 16", 9.0)]),  # ... which a trailing number after a colon is, as in the web UI
        ("x: .5 ", [("x", 0.5)]),
        ("a (fox:1.2)", [("a (fox:1.2)", 1.0)]),  # emphasis is not a weight
        ("[a:b:0.5] AND c", [("[a:b:0.5]", 1.0), (" c", 1.0)]),
        ("a ANDb and c", [("a ANDb and c", 1.0)]),  # only the uppercase whole word
        ("AND", [("", 1.0), ("", 1.0)]),
    ],
)
def test_and_splits_into_weighted_parts(prompt, parts):
    assert composable_parts(prompt) == parts


@pytest.mark.timeout(60)  # a quadratic or backtracking parser takes minutes on these; this one milliseconds
@pytest.mark.parametrize("prompt", ["[" * 20_000, "(" * 19_999 + "]", "[a|" * 6_000, " " * 19_990 + ":1",
                                    "a AND " * 3_000, "[a|b]" * 4_000, "\\(" * 10_000])
def test_a_long_prompt_of_brackets_parses_in_linear_time(prompt):
    assert prompt_schedule(prompt, 150)[-1][0] == 150
    assert len(composable_parts(prompt)) == prompt.count("AND") + 1


def test_groups_nested_thousands_deep_are_read_without_recursion():
    edits = "[a:" * 2_000 + "b" + ":1]" * 2_000  # each edit the last one's second prompt
    assert prompt_schedule(edits, 10) == [(1, "a"), (10, "b")]
    options = "[a|" * 3_000 + "b" + "]" * 3_000
    assert [text for _, text in prompt_schedule(options, 4)] == ["a", "b", "a", "b"]


def test_a_pass_encodes_each_different_text_once_and_sums_the_weights_of_a_repeated_part():
    texts = pass_texts("a fox AND  a fox :0.5 AND [an owl|a cat]", "[blurry:dark:2]", 4)
    assert {text: weight for text, (weight, _) in texts.parts.items()} == {"a fox": 1.5, "[an owl|a cat]": 1.0}
    assert texts.positives == ["a fox", "an owl", "a cat"]
    assert texts.negative == [(2, "blurry"), (4, "dark")] and texts.negatives == ["blurry", "dark"]


def test_a_pass_past_its_limits_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as info:
        pass_texts(" AND ".join(f"part {i}" for i in range(MAX_PARTS + 1)), "", 20)
    assert info.value.details == {"field": "prompt", "reason": info.value.details["reason"], "limit": MAX_PARTS}
    options = "[" + "|".join(str(i) for i in range(MAX_TEXTS + 1)) + "]"
    assert len(pass_texts(options, "", MAX_TEXTS - 1).positives) == MAX_TEXTS - 1  # one prompt per step
    with pytest.raises(InvalidInput) as info:
        pass_texts("a fox", options, 20, MAX_TEXTS + 1, field="hires.prompt")  # the negative prompt counts too
    assert info.value.details["field"] == "hires.prompt" and info.value.details["limit"] == MAX_TEXTS
    # many switches that all give the same prompt are still bounded work
    with pytest.raises(InvalidInput):
        pass_texts("".join(f"[a:a:{i}]" for i in range(1, 1_000)), "", 1_000)
