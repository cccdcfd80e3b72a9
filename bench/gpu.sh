#!/usr/bin/env bash
# The GPU benchmark of issue 15 on one CUDA GPU, in about 6-8 minutes on an H100/H200: bench/generate.py --full
# (SD1.5 512x512 and SDXL 1024x1024, random weights, Easel beside plain diffusers in the same run, a cold worker's
# first image without and with the compile cache). Usage, from anywhere:
#
#   bench/gpu.sh [extra generate.py arguments]        # e.g. EASEL_BENCH_COMPILE=max-autotune-no-cudagraphs
#
# Python: $PYTHON, else the repo's .venv when its torch sees a GPU, else python3. On a machine without network
# whose python3 has torch, transformers, peft and accelerate but not the rest (the lent GPU machines), first run
# bench/gpu_wheels.sh where pip works: it puts the few missing wheels in .whl/, which this script installs into
# /tmp/easel-site. Output: the figures on stdout, also in $OUT/gpu-bench.log (or bench-gpu.log) with a JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ] && .venv/bin/python -c 'import sys, torch; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then
    PY=.venv/bin/python
  else
    PY=python3
  fi
fi
if ! "$PY" -c 'import diffusers, pydantic' 2>/dev/null; then
  if ! ls .whl/*.whl >/dev/null 2>&1; then
    echo "$PY lacks diffusers or pydantic and there is no .whl/: run bench/gpu_wheels.sh where pip works" >&2
    exit 2
  fi
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/easel-site .whl/*.whl
  export PYTHONPATH=/tmp/easel-site${PYTHONPATH:+:$PYTHONPATH}
fi
# Easel's own packages from the tree (no install needed): the engine needs easel_proto and easel_worker only.
export PYTHONPATH=$ROOT/proto:$ROOT/gpu_worker:$ROOT/services/common${PYTHONPATH:+:$PYTHONPATH}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
"$PY" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print("gpu:", torch.cuda.get_device_name())'
LOG=${OUT:-.}/gpu-bench.log
[ -n "${OUT:-}" ] || LOG=bench-gpu.log
set -o pipefail
"$PY" bench/generate.py --full --steps 30 --repeats 2 --batch 4 --batches "${EASEL_BENCH_BATCHES:-4,8,16}" \
  --compile "${EASEL_BENCH_COMPILE:-default}" --json "$@" 2>&1 | grep -v -e '^Loading' -e 'it/s]$' | tee "$LOG"
