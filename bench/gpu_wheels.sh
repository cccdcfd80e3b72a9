#!/usr/bin/env bash
# Fetch, where pip works, the wheels bench/gpu.sh needs on a GPU machine without network whose python3 already has
# torch, transformers, peft, accelerate, safetensors and numpy (CPython 3.12, x86-64): into .whl/ (git-ignored
# there with `echo /.whl/ >> .git/info/exclude`). Versions: the ones this repo's lock resolves.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
version() { "$PY" -c "import importlib.metadata as m; print(m.version('$1'))"; }
mkdir -p .whl
for name in diffusers pydantic pydantic-core pydantic-settings annotated-types typing-inspection importlib-metadata; do
  "$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d .whl "$name==$(version "$name")"
done
du -sh .whl
