"""Debian's headless Chromium for the browser tests: installed by the test set-up where it can be.

`ensure_chromium()` finds `chromium` and `chromedriver`, or installs Debian's `chromium` and
`chromium-driver` with apt-get when it runs as root (CI and these machines do), once per session;
where neither is possible it says why, and the tests skip with that reason. The flags keep a headless
run quiet and offline: without the background-networking ones Chromium dials Google's hosts, which
this machine's network refuses (env/machines/python.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
PACKAGES = ["chromium", "chromium-driver"]


@cache
def ensure_chromium() -> tuple[str | None, str | None, str]:
    """(chromium, chromedriver, why not) — the paths, installing them first when missing and possible."""
    found = _found()
    if found:
        return (*found, "")
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None, None, "chromium is not installed, and apt-get cannot install it here (not root, or no apt)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "-q", *PACKAGES]
    done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900, check=False)
    if done.returncode != 0:  # an old or missing package list: refresh it once and try again
        subprocess.run([apt, "update", "-q"], capture_output=True, text=True, env=env, timeout=600, check=False)
        done = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900, check=False)
    found = _found()
    if found:
        return (*found, "")
    last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    return None, None, f"apt-get could not install {' '.join(PACKAGES)}: {last[0]}"


def _found() -> tuple[str, str] | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


def chromium_command(chromium: str, profile: Path, args: list[str]) -> list[str]:
    return [chromium, *FLAGS, f"--user-data-dir={profile}", *args]
