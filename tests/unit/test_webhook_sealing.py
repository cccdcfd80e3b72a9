"""Webhook signing secrets sealed at rest (easel_jobs.webhooks.sealed): they open only with a configured key and only
for the row they were sealed for; the settings refuse to run a cluster without a key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from easel_jobs.settings import JobsSettings
from easel_jobs.webhooks.sealed import ENDPOINTS, SecretBox, box_of, is_sealed

SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u"
OLD, NEW = "o" * 40, "n" * 40


def test_a_sealed_secret_holds_no_plain_text_and_opens_only_for_its_row():
    box = SecretBox(NEW)
    stored = box.seal(ENDPOINTS, "e1", SECRET)
    assert is_sealed(stored) and SECRET.removeprefix("whsec_") not in stored and len(stored) <= 200
    assert box.seal(ENDPOINTS, "e1", SECRET) != stored  # a fresh nonce each time
    assert box.open(ENDPOINTS, "e1", stored) == SECRET
    with pytest.raises(ValueError, match="does not open"):  # copied into another row
        box.open(ENDPOINTS, "e2", stored)
    tampered = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(ValueError, match="does not open"):
        box.open(ENDPOINTS, "e1", tampered)
    with pytest.raises(ValueError, match="not sealed"):
        box.open(ENDPOINTS, "e1", SECRET)


def test_an_old_key_still_opens_until_the_secrets_are_sealed_again():
    stored = SecretBox(OLD).seal(ENDPOINTS, "e1", SECRET)
    rotated = SecretBox(NEW, [OLD])
    assert rotated.open(ENDPOINTS, "e1", stored) == SECRET and not rotated.sealed_now(stored)
    with pytest.raises(ValueError, match="not configured"):  # the old key dropped too soon: said, by key id
        SecretBox(NEW).open(ENDPOINTS, "e1", stored)
    assert rotated.sealed_now(rotated.seal(ENDPOINTS, "e1", SECRET))


def test_a_cluster_needs_the_key_and_dev_keeps_one_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("EASEL_WEBHOOK_SECRET_KEY", raising=False)  # the test session's stacks share one (conftest)
    secured = {"nats_seed_file": "/s.nk", "nats_tls_ca_file": "/ca.pem", "_env_file": None}
    with pytest.raises(ValidationError, match="EASEL_WEBHOOK_SECRET_KEY"):
        JobsSettings(env="prod", **secured)
    with pytest.raises(ValidationError, match="EASEL_WEBHOOK_SECRET_KEY"):
        JobsSettings(env="prod", webhook_secret_key="short", **secured)
    assert JobsSettings(env="prod", webhook_secret_key=NEW, **secured).env == "prod"
    dev = JobsSettings(data_dir=tmp_path, _env_file=None)
    stored = box_of(dev).seal(ENDPOINTS, "e1", SECRET)
    assert box_of(JobsSettings(data_dir=tmp_path, _env_file=None)).open(ENDPOINTS, "e1", stored) == SECRET
    assert (tmp_path / "webhook.secret").stat().st_mode & 0o777 == 0o600
