"""NATS endpoints of trainings, served by the jobs service's micro service, and the run events it consumes."""

from __future__ import annotations

from easel_common.natsio import Call, Endpoint
from easel_jobs.trainings.flows import TrainingFlows
from easel_proto.v1 import trainings
from easel_proto.v1.registry import ModelInfo


def endpoints(flows: TrainingFlows) -> list[Endpoint]:
    names = flows.names

    async def create(req: trainings.CreateTrainingRequest, _c: Call) -> trainings.TrainingRecord:
        return await flows.create(req)

    async def get(req: trainings.TrainingRef, _c: Call) -> trainings.TrainingRecord:
        return await flows.get(req)

    async def list_(req: trainings.ListTrainingsRequest, _c: Call) -> trainings.ListTrainingsReply:
        return await flows.list(req)

    async def cancel(req: trainings.TrainingRef, _c: Call) -> trainings.TrainingRecord:
        return await flows.cancel(req)

    async def logs(req: trainings.TrainingRef, _c: Call) -> trainings.TrainingLogs:
        return await flows.logs(req)

    async def register_checkpoint(req: trainings.RegisterCheckpointRequest, _c: Call) -> ModelInfo:
        return await flows.register_checkpoint(req)

    return [
        Endpoint("trainings-create", names.trainings_create, trainings.CreateTrainingRequest, create),
        Endpoint("trainings-get", names.trainings_get, trainings.TrainingRef, get),
        Endpoint("trainings-list", names.trainings_list, trainings.ListTrainingsRequest, list_),
        Endpoint("trainings-cancel", names.trainings_cancel, trainings.TrainingRef, cancel),
        Endpoint("trainings-logs", names.trainings_logs, trainings.TrainingRef, logs),
        Endpoint("trainings-register-checkpoint", names.trainings_register_checkpoint,
                 trainings.RegisterCheckpointRequest, register_checkpoint),
    ]


def run_event_subjects(flows: TrainingFlows) -> list[str]:
    """The run events the jobs service folds (progress is read from the stream when asked for)."""
    return [flows.names.training_run_events("*", kind) for kind in ("started", "sample", "checkpoint", "succeeded",
                                                                    "failed")]
