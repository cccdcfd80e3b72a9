"""Put promtool into the venv's bin/ (`python tools/install_promtool.py .venv/bin/promtool`); nothing to do when it
is there and runs.

The chart tests check and unit-test the alert rules with promtool. It has no PyPI package, but Debian's `prometheus`
package ships it: `apt-get download` fetches the .deb without installing the Prometheus service, `dpkg -x` unpacks it
into a temp dir, and the promtool binary (statically linked Go) is taken out of it. When the download fails the
package lists may be missing or stale (a fresh container has none): they are refreshed once and the download retried.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "prometheus"


def version(promtool: Path) -> str | None:
    """promtool's version line, or None when it is missing or does not run."""
    try:
        result = subprocess.run([str(promtool), "--version"], capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return result.stdout.splitlines()[0] if result.returncode == 0 and result.stdout else None


def download(folder: Path) -> Path:
    """The package's .deb, downloaded into `folder`."""
    for refreshed in (False, True):
        if refreshed:  # apt-get update needs root; without it, say so rather than fail obscurely
            update = subprocess.run(["apt-get", "update", "-qq"], capture_output=True, text=True)
            if update.returncode != 0:
                sys.exit(f"apt-get update failed (run it as root, then again): {update.stderr.strip()}")
        result = subprocess.run(["apt-get", "download", "-qq", PACKAGE], cwd=folder, capture_output=True, text=True)
        debs = sorted(folder.glob(f"{PACKAGE}_*.deb"))
        if result.returncode == 0 and debs:
            return debs[0]
        print(f"apt-get download {PACKAGE} failed: {result.stderr.strip()}", file=sys.stderr)
    sys.exit(f"could not download the {PACKAGE} package (needs a Debian or Ubuntu package source)")


def main() -> None:
    dest = Path(sys.argv[1])
    installed = version(dest)
    if installed:
        print(f"{dest}: {installed} (already there)")
        return
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        sys.exit("promtool comes from Debian's prometheus package: this needs apt-get and dpkg")
    with tempfile.TemporaryDirectory() as tmp:
        deb = download(Path(tmp))
        unpacked = Path(tmp) / "unpacked"
        subprocess.run(["dpkg", "-x", str(deb), str(unpacked)], check=True)
        part = dest.with_suffix(".part")
        shutil.copyfile(unpacked / "usr" / "bin" / "promtool", part)
        part.chmod(0o755)
        part.replace(dest)
    print(f"{dest}: {version(dest)}")


if __name__ == "__main__":
    main()
