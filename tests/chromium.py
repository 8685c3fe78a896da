"""Debian's Chromium, as the browser tests start it (JupyterLab's and the site's).

Headless, no sandbox (CI runs as root), and none of Chromium's own background traffic:
this machine's network is closed, and the site test fails on any request that leaves
127.0.0.1.
"""

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright):
    """A headless Chromium from ``sync_playwright()``'s ``playwright``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
