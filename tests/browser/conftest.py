"""One headless chromium per test module (Playwright driving Debian's chromium, never its own download)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from browser_helpers import ARTIFACTS, CHROMIUM, DIST, FLAGS


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator:
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium at {CHROMIUM}: `make install` installs Debian's chromium (as root, with apt); "
                    "the browser tests need it")
    from playwright.async_api import async_playwright

    assert DIST.exists(), "the web UI is not built: run `make install` (or cd webui && npm ci && npm run build)"
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        # Playwright gives each launch a fresh temporary profile (--user-data-dir) of its own
        chromium = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        await chromium.close()
