"""Why a worker stops running a job without a result of its own."""


class Released(Exception):
    """The worker is shutting down and hands the job back to the queue."""


class Revoked(Exception):
    """The jobs service handed this run to another worker (this one fell silent, or its message timed out): stop,
    and report nothing."""
