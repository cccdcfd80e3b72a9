"""The jobs of one cross-request batch as an engine sees them: each its own rows of the call, its own step and
preview callbacks, and its own outcome, handed over the moment it is known.

A job whose on_step raises leaves the batch at that step: an Interrupt keeps what its rows had made (the denoised
estimate, decoded), as a job run alone does, a Skip ends its only chunk with those images, anything else (the
worker's revocation, say) is its outcome as it is. The other jobs' rows run on unchanged: their pixels never depend
on who else was in the call. When no job is left the call stops. Kept free of torch, so the null engine uses it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .base import Interrupt, PreviewCallback, Skip, StepCallback, Stopped

if TYPE_CHECKING:
    from PIL import Image

    from easel_proto.v1.jobs import GenerationSpec

Outcome = Any  # list[Image.Image] | BaseException (Stopped for an interrupted job)
DoneCallback = Callable[[int, Outcome], None]
"""on_done(index, outcome): called once per job of a batch, on the engine's thread, as soon as the job's outcome is
known: its images, Stopped (interrupted: the images it made), or the exception that ended it."""


class AllLeft(Exception):
    """Every job of the batch has left it: the engine stops the call."""


@dataclass
class Member:
    """One job of a batch: its spec, callbacks and rows (start, stop) in the call."""

    index: int
    spec: GenerationSpec
    on_step: StepCallback
    on_preview: PreviewCallback | None
    rows: tuple[int, int] = (0, 0)
    outcome: Outcome = None
    done: bool = False


class Members:
    """The jobs of a batch and what became of each."""

    def __init__(self, specs: Sequence[GenerationSpec], on_steps: Sequence[StepCallback],
                 on_previews: Sequence[PreviewCallback | None] | None = None,
                 on_done: DoneCallback | None = None) -> None:
        if len(specs) != len(on_steps) or (on_previews is not None and len(on_previews) != len(specs)):
            raise ValueError("one on_step (and on_preview) per spec")
        previews = list(on_previews) if on_previews is not None else [None] * len(specs)
        self.all = [Member(i, spec, step, preview) for i, (spec, step, preview)
                    in enumerate(zip(specs, on_steps, previews, strict=True))]
        self._on_done = on_done

    def live(self, among: Sequence[Member] | None = None) -> list[Member]:
        return [m for m in (self.all if among is None else among) if not m.done]

    def finish(self, member: Member, outcome: Outcome) -> None:
        """The job's outcome, once: reported through on_done at once."""
        if member.done:
            return
        member.outcome, member.done = outcome, True
        if self._on_done is not None:
            self._on_done(member.index, outcome)

    def step(self, among: Sequence[Member], done: int, total: int,
             preview: Callable[[Member], Callable[[], Image.Image | None]] | None,
             kept: Callable[[Member, Interrupt], list[Image.Image] | None]) -> None:
        """One finished iteration of the call: each live job's callbacks; a job whose on_step raises leaves (kept:
        the images its rows made so far, None when none of its steps had finished when the stop was asked for).
        AllLeft when no job of `among` is left."""
        for member in self.live(among):
            try:
                if member.on_preview is not None and preview is not None:
                    member.on_preview(done, total, preview(member))
                member.on_step(done, total)
            except Skip as skip:  # its only chunk ends with what it made: the job succeeds with that
                self.finish(member, kept(member, skip) or [])
            except Interrupt as stop:
                self.finish(member, Stopped(kept(member, stop) or [], stop))
            except BaseException as exc:  # noqa: BLE001 (the job's own outcome: revoked, released...)
                self.finish(member, exc)
        if not self.live(among):
            raise AllLeft

    def outcomes(self) -> list[Outcome]:
        return [m.outcome for m in self.all]
