"""A worker writes only under the job owner's part of the object store."""

from __future__ import annotations

import pytest

from easel_proto.errors import Forbidden
from easel_proto.naming import image_key
from easel_proto.v1 import common, jobs, registry
from easel_proto.wire import now
from easel_worker.worker import check_owner_keys

MODEL = registry.ModelInfo(id="m", name="tiny-sd", kind="checkpoint", base="tiny", source="builtin:tiny-sd")
OWNER = common.Principal(user_id="u1", tenant_id="acme", username="alice")


def job(keys: list[str], seeds: int = 2) -> jobs.JobSubmitted:
    spec = jobs.GenerationSpec(prompt="x", model=MODEL, sampler="Euler", steps=1, cfg_scale=7, width=64, height=64,
                               seeds=list(range(seeds)))
    return jobs.JobSubmitted(job_id="j1", principal=OWNER, pool="default", spec=spec, image_keys=keys,
                             submitted_at=now())


def test_keys_under_the_owner_pass():
    check_owner_keys(job([image_key("acme", "u1", "j1", i) for i in range(2)]))


@pytest.mark.parametrize("keys", [
    [image_key("acme", "u2", "j1", 0), image_key("acme", "u1", "j1", 1)],  # another user's space
    [image_key("other", "u1", "j1", 0), image_key("other", "u1", "j1", 1)],  # another tenant's space
    [image_key("acme", "u1", "j1", 0)],  # fewer keys than images
])
def test_keys_outside_the_owner_are_refused(keys):
    with pytest.raises(Forbidden):
        check_owner_keys(job(keys))
