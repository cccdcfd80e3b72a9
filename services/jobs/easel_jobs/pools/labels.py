"""A pool's node labels checked against Kubernetes' label syntax, so a pool the API accepts is one the controller can
apply (an invalid label would only fail later, when the API server refuses the worker Deployment).

Key: an optional prefix, a DNS subdomain of at most 253 characters (lowercase labels of a-z, 0-9 and `-` joined by
dots), then `/`, then a name; value and name: at most 63 characters of A-Z, a-z, 0-9, `-`, `_`, `.`, starting and
ending with a letter or digit (a value may be empty). `gpu_type` and `instance_type` become label values
(`nvidia.com/gpu.product`, `node.kubernetes.io/instance-type`), so they are held to the same rule.
"""

from __future__ import annotations

import re

from easel_proto.errors import InvalidInput

_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_RULE = "at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit"


def key_problem(key: str) -> str | None:
    """Why `key` is not a Kubernetes label key, or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "a label key's prefix before '/' must not be empty"
    if slash and (len(prefix) > 253 or not all(_DNS_LABEL.match(part) for part in prefix.split("."))):
        return ("a label key's prefix must be a DNS subdomain (at most 253 characters: lowercase letters, digits "
                "and '-' in dot-separated parts, e.g. example.com)")
    if not _NAME.match(name):
        return f"a label key's name{' after the prefix' if slash else ''} must be {_RULE}"
    return None


def value_problem(value: str) -> str | None:
    """Why `value` is not a Kubernetes label value, or None (empty is a value)."""
    if value == "" or _NAME.match(value):
        return None
    return f"a label value must be empty or {_RULE}"


def check(*, gpu_type: str | None, instance_type: str | None, node_selector: dict[str, str] | None) -> None:
    """Raise InvalidInput naming the first field (`gpu_type`, `instance_type`, `node_selector.<key>`) that no
    Kubernetes node label could carry."""
    for field, value in (("gpu_type", gpu_type), ("instance_type", instance_type)):
        if value and (problem := value_problem(value)):
            raise InvalidInput(field, f"{value!r}: {problem}")
    for key, value in (node_selector or {}).items():
        problem = key_problem(key)
        if problem is None:
            problem = value_problem(value)
            problem = problem and f"{value!r}: {problem}"
        if problem:
            raise InvalidInput(f"node_selector.{key}", problem)
