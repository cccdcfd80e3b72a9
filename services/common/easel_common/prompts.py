"""The web UI's prompt syntax: emphasis, BREAK, extra-network tags, styles and embedding names.

Pure Python: the gateway resolves tags and styles with it, the GPU worker parses emphasis with it.
"""

from __future__ import annotations

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
