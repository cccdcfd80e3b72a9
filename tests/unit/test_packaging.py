"""Each deployable stands alone: the CPU services never load torch."""

from __future__ import annotations

import subprocess
import sys


def test_cpu_services_do_not_import_torch():
    code = ("import sys; import easel_gateway.main, easel_auth.main, easel_jobs.main, easel_registry.main, "
            "easel_stack.stack, easel_worker.worker; "
            "heavy = [m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
