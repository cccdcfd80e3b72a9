"""Caller statements: a service accepts a request for a user only with auth's statement and its holder's proof."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from easel_common import callers
from easel_proto.errors import InvalidInput, Unauthenticated
from easel_proto.v1.common import Principal

ALICE = Principal(user_id="u-alice", tenant_id="t1", username="alice", roles=["user"],
                  permissions=["jobs:create", "models:read"], key_id="esk_1a2b3c4d")
SUBJECT, BODY = "easel.jobs.create", b'{"prompt": "a fox"}'


@pytest.fixture
def issuer() -> callers.Issuer:
    return callers.Issuer(Ed25519PrivateKey.generate(), ttl_s=300)


@pytest.fixture
def verifier(issuer) -> callers.Verifier:
    return callers.Verifier(callers.public_key(issuer.public_key))


def signed(issuer: callers.Issuer, holder: callers.Holder, who: Principal = ALICE, subject: str = SUBJECT,
           body: bytes = BODY) -> dict[str, str]:
    statement, _ = issuer.issue(who, holder.public_key, None)
    return holder.headers(statement, subject, body)


def refused(verifier: callers.Verifier, headers, subject: str = SUBJECT, body: bytes = BODY) -> str:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(headers, subject, body)
    return caught.value.message


def test_the_caller_a_service_sees_is_the_one_auth_vouched_for(issuer, verifier):
    assert verifier.verify(signed(issuer, callers.Holder()), SUBJECT, BODY) == ALICE


def test_a_request_without_a_statement_is_refused(verifier):
    assert "no caller statement" in refused(verifier, {})


def test_a_statement_signed_by_anyone_but_auth_is_refused(verifier):
    forger = callers.Issuer(Ed25519PrivateKey.generate(), ttl_s=300)
    admin = ALICE.model_copy(update={"permissions": ["*", "tenants:manage"], "roles": ["platform-admin"]})
    assert "statement refused" in refused(verifier, signed(forger, callers.Holder(), admin))


def test_a_statement_with_a_changed_claim_is_refused(issuer, verifier):
    headers = signed(issuer, callers.Holder())
    header, payload, signature = headers[callers.STATEMENT_HEADER].split(".")
    claims = jwt.decode(headers[callers.STATEMENT_HEADER], options={"verify_signature": False})
    claims["perms"] = ["*", "tenants:manage"]
    forged_payload = jwt.utils.base64url_encode(jwt.api_jws.json.dumps(claims).encode()).decode()
    headers[callers.STATEMENT_HEADER] = f"{header}.{forged_payload}.{signature}"
    assert "statement refused" in refused(verifier, headers)


def test_a_statement_is_useless_without_the_key_it_was_issued_to(issuer, verifier):
    statement, _ = issuer.issue(ALICE, callers.Holder().public_key, None)  # seen on the wire, say
    thief = callers.Holder()
    assert "statement refused" in refused(verifier, thief.headers(statement, SUBJECT, BODY))


def test_a_proof_is_good_for_one_request_once(issuer, verifier):
    holder = callers.Holder()
    headers = signed(issuer, holder)
    verifier.verify(headers, SUBJECT, BODY)
    assert "replayed" in refused(verifier, headers)
    assert "another request" in refused(verifier, signed(issuer, holder), body=b'{"prompt": "a wolf"}')
    assert "another request" in refused(verifier, signed(issuer, holder), subject="easel.jobs.cancel")


def test_an_old_proof_or_an_expired_statement_is_refused(issuer):
    holder = callers.Holder()
    headers = signed(issuer, holder)
    later = callers.Verifier(callers.public_key(issuer.public_key), clock=lambda: time.time() + 120)
    assert "too old" in refused(later, headers)
    lapsed = datetime.now(UTC) - timedelta(seconds=5)
    statement, expires = issuer.issue(ALICE, holder.public_key, lapsed)  # the credential itself has lapsed
    assert expires <= datetime.now(UTC)
    fresh = callers.Verifier(callers.public_key(issuer.public_key))
    assert "statement refused" in refused(fresh, holder.headers(statement, SUBJECT, BODY))


def test_a_statement_never_outlives_its_credential_and_needs_a_real_holder_key(issuer):
    soon = datetime.now(UTC) + timedelta(seconds=60)
    _, expires = issuer.issue(ALICE, callers.Holder().public_key, soon)
    assert expires <= soon
    with pytest.raises(InvalidInput) as caught:
        issuer.issue(ALICE, "not-a-key", None)
    assert caught.value.details["field"] == "holder"


def test_keys_round_trip_through_their_text_form(tmp_path):
    secret = callers.new_private_key()
    issuer = callers.load_issuer(secret, tmp_path, ttl_s=60)
    verifier = callers.load_verifier(None, tmp_path)  # dev: the public key auth wrote beside it
    assert verifier.verify(signed(issuer, callers.Holder()), SUBJECT, BODY) == ALICE
    generated = callers.load_issuer(None, tmp_path / "dev", ttl_s=60)
    key_file, _ = callers.dev_key_paths(tmp_path / "dev")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert callers.load_issuer(None, tmp_path / "dev", ttl_s=60).public_key == generated.public_key
