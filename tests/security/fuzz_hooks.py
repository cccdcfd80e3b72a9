"""Schemathesis hooks for the API fuzz: it never changes the accounts, keys and roles the test relies on."""

from __future__ import annotations

import json
import os

import schemathesis

# Values a fuzzer learns from earlier answers (GET /v1/users lists every id) and may then write to: the ids and key
# ids of the accounts it fuzzes with and of the one the test checks the stack with afterwards, and the built-in
# roles, whose quotas a platform admin may change for everyone, and the fuzzers' tenant. Reads of them still run.
PROTECTED = frozenset(json.loads(os.environ.get("EASEL_FUZZ_PROTECTED", "[]")))
READS = ("GET", "HEAD", "OPTIONS")


@schemathesis.hook
def map_case(context, case):
    """A write aimed at a protected value goes to one that names nothing instead (and gets its 404), so the case
    still runs rather than being dropped."""
    if case.method.upper() not in READS and case.path_parameters:
        case.path_parameters = {name: f"x{value}" if str(value) in PROTECTED else value
                                for name, value in case.path_parameters.items()}
    return case
