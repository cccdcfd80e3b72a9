"""`python -m easel_trainer run --spec spec.json --work DIR`: one training run, resumed if DIR holds a checkpoint.
`python -m easel_trainer job --run run.json --work DIR`: the same as the service side launches it (easel_trainer.job):
inputs from the object store, events over NATS, outputs back to the store.

Exit status: 0 succeeded (WORK/result.json), 1 failed (the error is the last line of WORK/progress.jsonl),
75 (EX_TEMPFAIL) interrupted by SIGTERM or SIGINT after writing a checkpoint: run it again to resume.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

INTERRUPTED = 75


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="easel_trainer", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("run", help="run (or resume) a training")
    train.add_argument("--spec", type=Path, required=True, help="a TrainingSpec as JSON")
    train.add_argument("--work", type=Path, required=True, help="the run's work dir (progress, checkpoints, artefact)")
    train.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    job = commands.add_parser("job", help="a launched run of a training (EASEL_* settings: NATS, object store)")
    job.add_argument("--run", type=Path, required=True, help="a TrainingRun as JSON")
    job.add_argument("--work", type=Path, required=True, help="the run's work dir")
    job.add_argument("--lock", type=Path, default=None, help="a file to hold locked while this process lives")
    job.add_argument("--device", default=None, help="cpu or cuda (default: cuda when available)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "job":
        from .job import main as job_main

        return job_main(args.run, args.work, args.lock, args.device)

    from easel_proto.errors import EaselError

    from . import load_spec, run

    asked = []

    def request_stop(signum, _frame) -> None:
        # A preempted node sends SIGTERM with a grace period: stop after the current step, with a checkpoint.
        asked.append(signum)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        final = run(load_spec(args.spec), args.work, stop=lambda: bool(asked), device=args.device)
    except EaselError as exc:
        print(f"training failed: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    if final.type == "interrupted":
        print(f"interrupted at step {final.step}; checkpoint {final.checkpoint}", file=sys.stderr)
        return INTERRUPTED
    print(f"succeeded: {final.artefact.path} ({final.artefact.kind}, sha256 {final.artefact.sha256})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
