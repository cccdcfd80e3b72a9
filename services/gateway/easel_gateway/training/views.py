"""A training record as the API shows it: with the URL of each sample."""

from __future__ import annotations

from easel_proto.v1 import trainings


def view(record: trainings.TrainingRecord) -> trainings.TrainingRecord:
    for sample in record.samples:
        sample.url = f"/v1/trainings/{record.id}/samples/{sample.index}"
    return record
