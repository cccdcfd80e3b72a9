"""The wire contracts: generated types match the schemas, errors survive the trip, names are namespaced."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from easel_proto import Names
from easel_proto.errors import EaselError, InvalidInput, NotFound
from easel_proto.naming import image_key
from easel_proto.v1 import jobs
from easel_proto.wire import decode, encode

ROOT = Path(__file__).resolve().parents[2]


def test_generated_types_match_the_schemas():
    result = subprocess.run([sys.executable, "tools/gen_proto.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_error_crosses_the_wire_as_its_own_kind():
    sent = InvalidInput("width", "must be a multiple of 8")
    received = EaselError.from_wire(decode(type(sent.to_wire()), encode(sent.to_wire())))
    assert isinstance(received, InvalidInput)
    assert (received.status, received.code) == (422, "validation_error")
    assert received.details == {"field": "width", "reason": "must be a multiple of 8"}
    assert received.message == "width: must be a multiple of 8"
    assert EaselError.from_wire(NotFound("job x not found").to_wire()).status == 404


def test_an_unknown_error_code_is_kept_as_sent():
    wire = EaselError("boom").to_wire().model_copy(update={"code": "from_the_future"})
    received = EaselError.from_wire(wire)
    assert received.code == "from_the_future" and received.status == 500


def test_names_are_per_namespace():
    a, b = Names("easel"), Names("staging")
    assert a.job_queue("default") == "easel.jobs.queue.default"
    assert b.stream("jobs")["name"] == "STAGING_JOBS"
    assert b.stream("jobs")["subjects"] == ["staging.jobs.queue.>"]
    assert a.job_events("j1", "progress") == "easel.jobs.events.j1.progress"
    assert b.max_deliveries_advisory.endswith("STAGING_JOBS.*")
    with pytest.raises(ValueError):
        Names("Bad NS")


def test_image_keys_start_with_tenant_then_owner():
    assert image_key("acme", "u1", "j1", 0) == "acme/u1/jobs/j1/0.png"


def test_a_request_rejects_fields_it_does_not_know():
    with pytest.raises(ValueError, match="colour"):
        jobs.JobRequest.model_validate({"prompt": "x", "colour": "red"})


def test_placeholder_secrets_are_refused_outside_dev():
    from pydantic import ValidationError

    from easel_common.settings import CommonSettings

    secured = {"nats_seed_file": "/run/secrets/nats.nk", "nats_url": "tls://nats:4222"}
    assert CommonSettings(env="dev", s3_secret_access_key="changeme")  # fine on a laptop
    with pytest.raises(ValidationError, match="EASEL_S3_SECRET_ACCESS_KEY"):
        CommonSettings(env="prod", s3_secret_access_key="changeme", **secured)
    assert CommonSettings(env="prod", s3_secret_access_key="k8Jd93nf0s", **secured).env == "prod"


def test_production_signs_in_to_nats_with_its_own_identity_over_tls():
    from pydantic import ValidationError

    from easel_common.settings import CommonSettings

    with pytest.raises(ValidationError, match="EASEL_NATS_SEED_FILE"):
        CommonSettings(env="prod", nats_url="tls://nats:4222")
    with pytest.raises(ValidationError, match="TLS"):
        CommonSettings(env="prod", nats_seed_file="/run/secrets/nats.nk", nats_url="nats://nats:4222")
    assert CommonSettings(env="prod", nats_seed_file="/s.nk", nats_tls_ca_file="/ca.pem").env == "prod"
