"""The README's main command: `make demo` runs `python -m easel_stack demo` in a fresh directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PIL import Image


@pytest.mark.slow
def test_make_demo_writes_images_and_exits_zero(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EASEL_")}
    result = subprocess.run([sys.executable, "-m", "easel_stack", "demo"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    written = [line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert len(written) == 2
    for path in written:
        assert path.startswith("out/")
        with Image.open(tmp_path / path) as image:
            assert image.format == "PNG" and image.size == (64, 64)
    assert "Easel admin API key" in result.stdout  # the first start tells the admin their key
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
