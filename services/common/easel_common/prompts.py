"""The web UI's prompt syntax: emphasis, BREAK, extra-network tags, styles, embedding names, and prompt editing,
alternation and AND.

Pure Python: the gateway resolves tags and styles and checks schedules with it, the GPU worker parses emphasis and
schedules with it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import JobRequest

BREAK = ("BREAK", -1.0)
_ROUND, _SQUARE = 1.1, 1 / 1.1

_ATTENTION = re.compile(
    r"""
    \\[()\[\]\\]                                  # an escaped bracket or backslash: literal
    | \\                                          # a lone backslash: dropped, as the web UI does
    | \( | \[                                     # open a group
    | :\s*(?P<weight>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*\)   # close a round group with an explicit weight
    | \) | \]                                     # close a group
    | [^\\()\[\]:]+                               # plain text
    | :                                           # a colon that is not a weight
    """,
    re.X,
)
# Every pattern here matches in linear time: a prompt is up to 20,000 characters of anyone's choosing, and
# `\s*\bBREAK\b\s*` once took 5 s on a prompt of spaces, `\d+\.?\d*` 3 s on one of digits.
_BREAK = re.compile(r"\bBREAK\b")  # the whitespace around it is stripped by hand
_NETWORK = re.compile(r"<(?P<kind>\w+):(?P<args>[^<>]+)>")  # a tag never spans another's `<`
MAX_PROMPT_CHARS = next(m.max_length for m in JobRequest.model_fields["prompt"].metadata if hasattr(m, "max_length"))
_NETWORK_KINDS = {"lora": "lora", "lyco": "lora", "hypernet": "hypernet"}


class ExtraNetwork(NamedTuple):
    """A `<kind:name:weight>` tag found in a prompt."""

    kind: str
    name: str
    weight: float


def parse_attention(text: str) -> list[tuple[str, float]]:
    """Split a prompt into (text, weight) runs; BREAK markers come out as ("BREAK", -1.0)."""
    runs: list[list] = []  # [text, weight]; a BREAK marker has weight None so brackets never touch it
    open_round: list[int] = []
    open_square: list[int] = []

    def multiply(start: int, factor: float) -> None:
        for run in runs[start:]:
            if run[1] is not None:
                run[1] *= factor

    for match in _ATTENTION.finditer(text):
        piece, weight = match.group(0), match.group("weight")
        if piece.startswith("\\"):
            runs.append([piece[1:], 1.0])
        elif piece == "(":
            open_round.append(len(runs))
        elif piece == "[":
            open_square.append(len(runs))
        elif weight is not None and open_round:
            multiply(open_round.pop(), float(weight))
        elif piece == ")" and open_round:
            multiply(open_round.pop(), _ROUND)
        elif piece == "]" and open_square:
            multiply(open_square.pop(), _SQUARE)
        else:
            for i, part in enumerate(_split_breaks(piece)):
                if i:
                    runs.append(["BREAK", None])
                runs.append([part, 1.0])
    # Unbalanced groups close at the end of the prompt.
    for start in open_round:
        multiply(start, _ROUND)
    for start in open_square:
        multiply(start, _SQUARE)

    merged: list[tuple[str, float]] = []
    for part, weight in runs:
        if weight is None:
            merged.append(BREAK)
        elif part and merged and merged[-1] is not BREAK and merged[-1][1] == weight:
            merged[-1] = (merged[-1][0] + part, weight)
        elif part:
            merged.append((part, weight))
    return merged or [("", 1.0)]


def _split_breaks(text: str) -> list[str]:
    """The text between BREAKs, without the whitespace next to each BREAK."""
    parts = _BREAK.split(text)
    if len(parts) > 1:
        parts = [parts[0].rstrip(), *(part.strip() for part in parts[1:-1]), parts[-1].lstrip()]
    return parts


def extract_networks(text: str) -> tuple[str, list[ExtraNetwork]]:
    """Remove `<lora:…>`, `<lyco:…>` and `<hypernet:…>` tags; return the prompt and the tags in order."""
    found: list[ExtraNetwork] = []

    def take(match: re.Match) -> str:
        kind = _NETWORK_KINDS.get(match.group("kind"))
        if kind is None:
            return match.group(0)  # not a network we know: leave it as text
        name, *rest = match.group("args").split(":")
        if not name.strip():
            raise InvalidInput("prompt", f"{match.group(0)!r} names no network")
        try:
            # Extra parts (`:te:unet` multipliers) follow the first; the first is the network's weight.
            weight = float(rest[0]) if rest else 1.0
        except ValueError:
            raise InvalidInput("prompt", f"{match.group(0)!r} has a malformed weight {rest[0]!r}") from None
        found.append(ExtraNetwork(kind, name, weight))
        return ""

    return _NETWORK.sub(take, text), found


def apply_styles(prompt: str, negative: str, styles: Sequence,
                 max_chars: int = MAX_PROMPT_CHARS) -> tuple[str, str]:
    """Merge each style's prompt and negative prompt into the job's, in order; InvalidInput on `prompt` or
    `negative_prompt` when one would grow past `max_chars`, found by counting before anything is built (a style
    with many `{prompt}`s multiplies the prompt's length)."""
    for style in styles:
        prompt = _merge(style.prompt or "", prompt, "prompt", style.name, max_chars)
        negative = _merge(style.negative_prompt or "", negative, "negative_prompt", style.name, max_chars)
    return prompt, negative


def _merge(style_text: str, prompt: str, field: str, style: str, max_chars: int) -> str:
    slots = style_text.count("{prompt}")
    if slots:
        length = len(style_text) + slots * (len(prompt) - len("{prompt}"))
    else:
        kept = [len(part) for part in (prompt.strip(), style_text.strip()) if part]
        length = sum(kept) + 2 * max(0, len(kept) - 1)  # joined with ", "
    if length > max_chars:
        raise InvalidInput(field, f"with the style {style!r} it would be {length} characters; at most {max_chars}",
                           limit=max_chars, style=style)
    if slots:
        return style_text.replace("{prompt}", prompt)
    return ", ".join(part for part in (prompt.strip(), style_text.strip()) if part)


def mentions(text: str, names: Iterable[str]) -> list[str]:
    """The names (e.g. embeddings) that occur in text as whole words, in the order given."""
    found: list[str] = []
    for name in names:
        if name and name not in found and word_pattern([name]).search(text):
            found.append(name)
    return found


def word_pattern(names: Iterable[str]) -> re.Pattern:
    """A regex matching any of names as a whole word, longest first so no name shadows a longer one."""
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True) if n)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if alternatives else r"(?!)")


# --- prompt editing, alternation and AND --------------------------------------------------------------------------
#
# The web UI reads a prompt as: AND splits it into parts, each with an optional trailing `:weight`; each part (and
# the negative prompt, which takes no AND) is a schedule of plain prompts over the sampling steps, from
# `[from:to:when]`, `[to:when]`, `[from::when]` and `[a|b|c]`. Emphasis, BREAK and embeddings are read later, from
# each scheduled text. Its parser is a grammar (brackets nest; stray brackets are text only outside every group;
# a prompt the grammar rejects, e.g. one with `|` outside brackets, is not scheduled at all); this one is a linear
# scan that gives the same results (tests/unit/test_prompt_schedules.py holds the web UI's documented examples).

_AND = re.compile(r"\bAND\b")
_PART_WEIGHT = re.compile(r"[-+]?(?:\d+\.?|\d*\.\d+)")
_WHEN = re.compile(r"\s*(?P<when>[+-]?(?:\d+[eE][+-]?\d+|(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+))\s*")


class Scheduled(NamedTuple):
    """`[before:after:when]`; before is None for `[after:when]`; when is the number as written."""

    before: list | None
    after: list
    when: str


class Alternate(NamedTuple):
    """`[a|b|c]`: one option per step, in turn."""

    options: list[list]


Node = str | Scheduled | Alternate


def composable_parts(prompt: str) -> list[tuple[str, float]]:
    """The prompt's AND parts as (text, weight), as the web UI splits them: a part may end with `:weight`."""
    parts = []
    for part in _AND.split(prompt):
        text, weight = part.rstrip(), 1.0
        colon = text.rfind(":")
        if colon >= 0 and _PART_WEIGHT.fullmatch(text[colon + 1 :].lstrip()):
            text, weight = text[:colon].rstrip(), float(text[colon + 1 :])
        parts.append((text, weight))
    return parts


MAX_PARTS = 32  # AND parts of one prompt: each is one more UNet row per image at every step
# What one pass may have encoded: its different texts (every AND part's scheduled prompts and the negative's; an
# alternation makes one per step) and their characters together (a schedule repeats its prompt's text).
MAX_TEXTS = 256
MAX_TEXT_CHARS = 200_000


class PassTexts(NamedTuple):
    """What a pass conditions on: each AND part's text (whitespace around it is no token) with its weight and
    schedule, the negative prompt's schedule, and every different text to encode, positive and negative."""

    parts: dict[str, tuple[float, list[tuple[int, str]]]]
    negative: list[tuple[int, str]]
    positives: list[str]
    negatives: list[str]


def pass_texts(prompt: str, negative: str, steps: int, hires_steps: int | None = None,
               field: str = "prompt") -> PassTexts:
    """The texts of a pass of `steps` model calls (a hires pass: `hires_steps` after the first pass's `steps`), as
    prompt_schedule counts them; InvalidInput on `field` past MAX_PARTS, MAX_TEXTS or MAX_TEXT_CHARS."""
    weights: dict[str, float] = {}
    for text, weight in composable_parts(prompt):
        # The same text twice is one part of both weights: u + a(c - u) + b(c - u) = u + (a + b)(c - u).
        text = text.strip()
        weights[text] = weights.get(text, 0.0) + weight
    if len(weights) > MAX_PARTS:
        raise InvalidInput(field, f"has {len(weights)} different AND parts; at most {MAX_PARTS}", limit=MAX_PARTS)
    calls = steps if hires_steps is None else hires_steps
    too_many = InvalidInput(field, f"its prompt editing, alternation and AND make more than {MAX_TEXTS} different "
                            f"prompts over {calls} model calls", limit=MAX_TEXTS)
    parts: dict[str, tuple[float, list[tuple[int, str]]]] = {}
    seen: set[str] = set()
    try:
        for text, weight in weights.items():
            parts[text] = (weight, prompt_schedule(text, steps, hires_steps, most=max(MAX_TEXTS - len(seen), 1)))
            seen.update(scheduled for _, scheduled in parts[text][1])
        negatives = prompt_schedule(negative, steps, hires_steps, most=MAX_TEXTS)
    except TooManyPrompts:
        raise too_many from None
    positive_texts = list(dict.fromkeys(text for _, schedule in parts.values() for _, text in schedule))
    negative_texts = list(dict.fromkeys(text for _, text in negatives))
    if len(positive_texts) + len(negative_texts) > MAX_TEXTS:
        raise too_many
    chars = sum(map(len, positive_texts)) + sum(map(len, negative_texts))
    if chars > MAX_TEXT_CHARS:
        raise InvalidInput(field, f"its prompt editing, alternation and AND make prompts of {chars} characters in "
                           f"all; at most {MAX_TEXT_CHARS}", limit=MAX_TEXT_CHARS)
    return PassTexts(parts, negatives, positive_texts, negative_texts)


class TooManyPrompts(ValueError):
    """A schedule would render more different prompts than its caller allows."""


def prompt_schedule(prompt: str, steps: int, hires_steps: int | None = None,
                    most: int | None = None) -> list[tuple[int, str]]:
    """The plain prompts a prompt stands for, as (last step, text) in step order; the last runs to the end.

    steps: the first pass's. For a hires pass, hires_steps: its own; a whole `when` (15) then counts the first pass's
    steps too and a fraction of 1 and above (1.5) the hires pass's, so `[a:b:0.5]` is `b` all through it.
    most: TooManyPrompts rather than render more different prompts than that (bounds the work a prompt makes).
    """
    nodes = parse_schedule(prompt)
    total = steps if hires_steps is None else hires_steps
    if nodes is None:
        return [(total, prompt)]
    offset = (0, 0.0) if hires_steps is None else (steps, 1.0)
    whens: dict[str, int] = {}  # each `when` as written: the step it switches after
    periods: set[int] = set()  # each alternation's number of options
    pending = [nodes]  # by hand, not recursion: groups may nest thousands deep
    while pending:
        for node in pending.pop():
            if isinstance(node, Scheduled):
                whens.setdefault(node.when, _when_step(node.when, total, offset))
                pending += [node.before or [], node.after]
            elif isinstance(node, Alternate):
                periods.add(len(node.options))
                pending += node.options
    ends = {total, *(when for when in whens.values() if when >= 1)}
    if periods:
        ends.update(range(1, total + 1))
    # The text at a step depends only on how many switches are behind it and on where each alternation's period is:
    # steps alike in both are rendered once.
    switches, cycles = sorted(set(whens.values())), sorted(periods)
    rendered: dict[tuple, str] = {}
    schedule = []
    for step in sorted(ends):
        key = (bisect.bisect_left(switches, step), *((step - 1) % k for k in cycles))
        if key not in rendered:
            if most is not None and len(rendered) >= most:
                raise TooManyPrompts(f"more than {most} different prompts")
            rendered[key] = _render(nodes, step, whens)
        schedule.append((step, rendered[key]))
    return schedule


def parse_schedule(prompt: str) -> list[Node] | None:
    """The prompt as text and its schedule groups; None when the web UI's grammar rejects it (then it is one
    plain prompt). Groups nest; a group that cannot close as one is text, and so is everything in it."""
    top: list[Node] = []
    stack: list[tuple[str, list[list[Node]], list[str]]] = []  # (bracket, segments between separators, separators)

    def add(seq: list[Node], *items: Node) -> None:
        for item in items:
            if isinstance(item, str) and seq and isinstance(seq[-1], str):
                seq[-1] += item
            elif item != "":
                seq.append(item)

    def current() -> list[Node]:
        return stack[-1][1][-1] if stack else top

    def fail_open_groups() -> bool:
        """Every open group becomes text at the top; False when that puts a `|` there."""
        for bracket, segments, separators in stack:
            add(top, bracket)
            for i, segment in enumerate(segments):
                if i:
                    if separators[i - 1] == "|":
                        return False
                    add(top, ":")
                add(top, *segment)
        stack.clear()
        return True

    i, n = 0, len(prompt)
    while i < n:
        char = prompt[i]
        if char == "\\":
            if i + 1 >= n or prompt[i + 1] == "\n":
                return None  # nothing in the grammar reads a lone backslash
            add(current(), prompt[i : i + 2])
            i += 2
            continue
        if char in "([":
            stack.append((char, [[]], []))
        elif char in ":|":
            if stack:
                stack[-1][2].append(char)
                stack[-1][1].append([])
            elif char == "|":
                return None
            else:
                add(top, char)
        elif char in ")]":
            group = _close(*stack[-1], char) if stack else None
            if group is not None:
                stack.pop()
                add(current(), *group)
            else:
                if stack and not fail_open_groups():
                    return None
                add(top, char)
        else:
            add(current(), char)
        i += 1
    return top if fail_open_groups() else None


def _close(bracket: str, segments: list[list[Node]], separators: list[str], closing: str) -> list[Node] | None:
    """What a group becomes when `closing` ends it, or None when it is no group of the grammar."""
    if closing != {"(": ")", "[": "]"}[bracket]:
        return None
    colons = separators.count(":")
    if bracket == "(":
        if "|" in separators or colons > 1:
            return None
        return ["(", *segments[0], *([":", *segments[1]] if colons else []), ")"]
    if not separators:
        return ["[", *segments[0], "]"]
    if colons == 0:
        return [Alternate(segments)]
    last = segments[-1]
    when = _WHEN.fullmatch(last[0]) if len(last) == 1 and isinstance(last[0], str) else None
    if colons != len(separators) or colons > 2 or when is None:
        return None
    return [Scheduled(segments[0] if colons == 2 else None, segments[-2], when.group("when"))]


def _when_step(when: str, steps: int, offset: tuple[int, float]) -> int:
    """The step a `when` switches after: a number with a point is a fraction of the steps, else a step."""
    value = float(when)
    value = (value - offset[1]) * steps if "." in when else value - offset[0]
    return int(max(min(value, steps), -1.0))  # clamped before int(): "1e999" is infinite


def _render(seq: list[Node], step: int, whens: dict[str, int]) -> str:
    out: list[str] = []
    pending = [iter(seq)]
    while pending:
        for node in pending[-1]:
            if isinstance(node, str):
                out.append(node)
                continue
            if isinstance(node, Scheduled):
                chosen = (node.before or []) if step <= whens[node.when] else node.after
            else:
                chosen = node.options[(step - 1) % len(node.options)]
            pending.append(iter(chosen))
            break
        else:
            pending.pop()
    return "".join(out)
