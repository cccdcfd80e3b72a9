"""How many jobs one web UI call may expand to (a script's cells and loops), counted before any is built."""

from __future__ import annotations

import math

from easel_proto.errors import InvalidInput

MAX_JOBS = 64  # jobs one script call may run (grid cells, loops)


def at_most(count: int, what: str) -> None:
    """InvalidInput on script_args when `what` would run more jobs than a call may."""
    if count > MAX_JOBS:
        raise InvalidInput("script_args", f"{what} would run {count} jobs; at most {MAX_JOBS}", limit=MAX_JOBS)


def matrix(options: int, field: str) -> None:
    """A prompt matrix of `options` parts runs 2^options jobs: refused before that number is even computed."""
    if options >= MAX_JOBS.bit_length():
        raise InvalidInput(field, f"a prompt matrix of {options} options would run 2^{options} jobs; "
                           f"at most {MAX_JOBS}", limit=MAX_JOBS)
    at_most(2**options, "this prompt matrix")


def orders(terms: int, field: str) -> None:
    """Prompt order runs every order of its terms: counted, not listed (10 terms are 3,628,800 orders)."""
    if math.factorial(terms) > MAX_JOBS:
        raise InvalidInput(field, f"Prompt order: {terms} terms have {math.factorial(terms)} "
                           f"orders; a plot runs at most {MAX_JOBS} jobs", limit=MAX_JOBS)
