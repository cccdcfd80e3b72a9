"""Writes clients/python/easel_client (the Python client) from the gateway's OpenAPI with openapi-python-client;
`--check` fails when the committed package differs from what this writes (`make check`).

The spec comes from the app itself (easel_gateway.openapi.spec), so no stack needs to run. The generator runs from
its own virtualenv (.venv-gen, made by `make gen` / `make check` from tools/requirements-gen.txt) and must take every
operation and schema: a warning from it fails this script, as a route it cannot type would be missing from the client.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLIENT = ROOT / "clients" / "python"
PACKAGE = CLIENT / "easel_client"
CONFIG = CLIENT / "generator.yaml"
GEN_VENV = ROOT / ".venv-gen"


def the_spec() -> dict[str, Any]:
    """The gateway's OpenAPI with default settings, whatever EASEL_* the caller's environment sets."""
    for name in [n for n in os.environ if n.startswith("EASEL_")]:
        del os.environ[name]
    from easel_gateway.openapi import spec

    return spec()


def _drop_object_defaults(node: Any) -> None:
    """openapi-python-client refuses a nullable property whose default is {} or [] ("only None is allowed"), and
    would drop the schema and every operation using it. Such a default is the server's to apply: the client leaves
    the field out when it is not set, so the default goes from what the client is built from."""
    if isinstance(node, dict):
        if "anyOf" in node and isinstance(node.get("default"), dict | list):
            del node["default"]
        for value in node.values():
            _drop_object_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_object_defaults(value)


def _streams_as_text(spec: dict[str, Any]) -> None:
    """An event stream's schema describes one event (easel_gateway.openapi.EVENT_STREAM), but the generated client
    reads a text/* answer whole, as a string: say so (follow a stream with an SSE client such as httpx-sse)."""
    for item in spec["paths"].values():
        for op in item.values():
            for response in op.get("responses", {}).values():
                stream = response.get("content", {}).get("text/event-stream")
                if stream is not None:
                    stream["schema"] = {"type": "string"}


def generate(out: Path) -> None:
    """The package, written to `out` (a folder that must not exist yet)."""
    spec = the_spec()
    _drop_object_defaults(spec)
    _streams_as_text(spec)
    generator = GEN_VENV / "bin" / "openapi-python-client"
    if not generator.exists():
        sys.exit(f"{generator} is missing: run `make gen` (it installs tools/requirements-gen.txt there)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "openapi.json"
        path.write_text(json.dumps(spec, indent=1, sort_keys=True))
        env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        proc = subprocess.run([str(generator), "generate", "--path", str(path), "--config", str(CONFIG),
                               "--meta", "none", "--output-path", str(out)],
                              cwd=tmp, env=env, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 or "Warning" in output or "WARNING" in output:
        sys.exit(f"openapi-python-client did not take the whole spec (exit {proc.returncode}):\n{output}")


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two trees, or are in only one of them (caches left out)."""
    cmp = filecmp.dircmp(left, right, ignore=["__pycache__"])
    out = [str(Path(left.name, name)) for name in cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files]
    for name in cmp.subdirs:
        out += [str(Path(left.name, p)) for p in differences(left / name, right / name)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if clients/python/easel_client is stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / PACKAGE.name
        generate(fresh)
        if args.check:
            stale = differences(PACKAGE, fresh) if PACKAGE.exists() else [str(PACKAGE)]
            if stale:
                sys.exit("clients/python/easel_client is stale (run `make gen`):\n  " + "\n  ".join(stale))
            print("clients/python/easel_client is up to date")
            return
        shutil.rmtree(PACKAGE, ignore_errors=True)
        shutil.copytree(fresh, PACKAGE)
        print(f"wrote {PACKAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
