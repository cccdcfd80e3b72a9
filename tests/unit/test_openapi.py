"""The OpenAPI types every operation, so a generated client (clients/python) reads every answer: a schema for each
success, Easel's error body (or the web UI's, on its paths) for each error status, and one name per operation."""

from __future__ import annotations

from collections import Counter

import pytest

from easel_gateway.errors import WEBUI_PREFIXES
from easel_gateway.openapi import spec

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def openapi() -> dict:
    return spec()


def operations(openapi: dict) -> list[tuple[str, str, dict]]:
    return [(method.upper(), path, op) for path, item in openapi["paths"].items() for method, op in item.items()
            if method in METHODS]


def test_every_operation_has_its_own_name(openapi):
    names = Counter(op["operationId"] for _, _, op in operations(openapi))
    assert [name for name, n in names.items() if n > 1] == []
    assert names["create_job"] == names["txt2img"] == 1  # the function's name, not create_job_v1_jobs_post


def test_every_success_declares_what_it_answers(openapi):
    untyped = []
    for method, path, op in operations(openapi):
        successes = {status: r for status, r in op["responses"].items() if status.startswith("2")}
        assert successes, f"{method} {path} declares no success"
        for status, response in successes.items():
            if status == "204":
                assert "content" not in response, f"{method} {path}: a 204 has no body"
                continue
            for media, content in (response.get("content") or {None: {}}).items():
                if not content.get("schema"):
                    untyped.append(f"{method} {path} {status} {media}")
    assert untyped == [], "give these a response_model (or a schema in responses=)"


def test_every_error_status_declares_the_error_body_of_its_path(openapi):
    wrong = []
    for method, path, op in operations(openapi):
        body = "WebUIErrorBody" if path.startswith(WEBUI_PREFIXES) else "ErrorBody"
        errors = {status: r for status, r in op["responses"].items() if status[0] in "45"}
        if path not in ("/healthz", "/readyz"):  # their 503 is the readiness report
            assert "422" in errors, f"{method} {path} does not declare its 422"
        for status, response in errors.items():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            if path not in ("/healthz", "/readyz") and not ref.endswith(f"/{body}"):
                wrong.append(f"{method} {path} {status}: {ref or 'no body'}")
    assert wrong == []


def test_a_web_ui_path_answers_in_the_web_ui_shapes(openapi):
    txt2img = openapi["paths"]["/sdapi/v1/txt2img"]["post"]["responses"]
    assert txt2img["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/GenerationResponse")
    answer = openapi["components"]["schemas"]["GenerationResponse"]
    assert set(answer["required"]) == {"images", "parameters", "info"}
    assert openapi["components"]["schemas"]["WebUIErrorBody"]["required"] == [
        "error", "detail", "body", "errors", "code", "details"]
    null = openapi["paths"]["/sdapi/v1/refresh-checkpoints"]["post"]["responses"]["200"]
    assert null["content"]["application/json"]["schema"] == {"type": "null"}


def test_the_web_ui_options_and_flags_are_typed_and_keep_every_other_key(openapi):
    schemas = openapi["components"]["schemas"]
    for path, name, named in (("/sdapi/v1/options", "Options",
                               {"sd_model_checkpoint", "sd_checkpoint_hash", "sd_vae", "CLIP_stop_at_last_layers"}),
                              ("/sdapi/v1/cmd-flags", "Flags", {"api", "nowebui", "api_auth", "listen"})):
        answer = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer["$ref"].endswith(f"/{name}"), path
        assert named <= set(schemas[name]["required"]), path
        assert schemas[name].get("additionalProperties", True) is not False, path  # the web UI's clients send more
    assert schemas["Options"]["properties"]["CLIP_stop_at_last_layers"]["type"] == "integer"
