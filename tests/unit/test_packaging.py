"""Each deployable stands alone: the CPU services never load torch, and each one starts from its own declared
dependencies only (what its image installs), not from whatever the development venv happens to hold."""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each CPU service's image layer: the package, what it depends on inside the repo, and its entry point's module.
CPU_SERVICES = {
    "gateway": ["proto", "services/common", "services/gateway"],
    "auth": ["proto", "services/common", "services/auth"],
    "registry": ["proto", "services/common", "services/registry"],
    "jobs": ["proto", "services/common", "services/jobs"],
}
HEAVY = ("torch", "diffusers", "transformers", "easel_worker", "easel_stack")


def test_cpu_services_do_not_import_torch():
    code = ("import sys; import easel_gateway.main, easel_auth.main, easel_jobs.main, easel_registry.main, "
            "easel_stack.stack, easel_worker.worker; "
            "heavy = [m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _venv_for(service: str) -> Path:
    """A venv (no system site-packages) holding only `service`'s packages and their declared dependencies, pinned by
    constraints.txt; kept under the temp dir per content of the files that decide it, so reruns reuse it."""
    inputs = [ROOT / "constraints.txt", *(ROOT / p / "pyproject.toml" for p in CPU_SERVICES[service])]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()[:16]
    venv = Path(tempfile.gettempdir()) / "easel-package-venvs" / f"{service}-{digest}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    for stale in venv.parent.glob(f"{service}-*"):  # made for other versions of these files
        shutil.rmtree(stale, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    # Non-editable installs from a clean copy, as the image's build does: nothing the source tree has lying around
    # (build/, egg-info) gets in, and the checkout is left as it was.
    sources = venv / "src"
    for package in CPU_SERVICES[service]:
        shutil.copytree(ROOT / package, sources / package,
                        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    install = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               "-c", str(ROOT / "constraints.txt"), *(str(sources / p) for p in CPU_SERVICES[service])]
    result = subprocess.run(install, capture_output=True, text=True, env={**os.environ, "PIP_NO_INPUT": "1"})
    assert result.returncode == 0, f"pip install for {service}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    (venv / ".complete").touch()
    return python


def _third_party_imports(service: str) -> set[str]:
    """Every top-level module the service's packages import (at the top of a file or inside a function) that is
    neither the standard library's nor Easel's: each must come from a declared dependency."""
    found = set()
    for path in (path for package in CPU_SERVICES[service] for path in (ROOT / package).rglob("*.py")):
        if "build" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and not m.startswith("easel_")}


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("service", sorted(CPU_SERVICES))
def test_each_cpu_service_starts_from_its_declared_dependencies_only(service):
    python = _venv_for(service)
    code = (f"import importlib.util, sys; import easel_{service}.main as m; assert callable(m.main); "
            f"print([n for n in {HEAVY!r} if importlib.util.find_spec(n) is not None])")
    # -I: neither the working directory nor PYTHON* variables may lend it a module the venv does not hold
    result = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir())
    assert result.returncode == 0, f"easel_{service}.main does not import from its own dependencies:\n{result.stderr}"
    assert result.stdout.strip() == "[]", f"{service}'s venv holds packages it must not: {result.stdout}"
    others = [s for s in CPU_SERVICES if s != service]
    probe = f"import importlib.util; print([s for s in {others!r} if importlib.util.find_spec('easel_' + s)])"
    assert subprocess.run([str(python), "-I", "-c", probe], capture_output=True, text=True,
                          cwd=tempfile.gettempdir()).stdout.strip() == "[]"
    # imports deferred into functions (httpx2 in the registry's Hugging Face fetcher) fail only when they run
    imports = sorted(_third_party_imports(service))
    probe = f"import importlib.util; print([m for m in {imports!r} if importlib.util.find_spec(m) is None])"
    missing = subprocess.run([str(python), "-I", "-c", probe], capture_output=True, text=True,
                             cwd=tempfile.gettempdir()).stdout.strip()
    assert missing == "[]", f"{service} imports modules none of its declared dependencies provide: {missing}"
    check = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
